// Call hierarchy for C that follows SPDK's asynchronous edges: registrations of a callback count as its incoming
// calls, callbacks a function hands off as its outgoing ones, each marked with its kind of callback and "(async)".
import * as vscode from 'vscode';
import { incomingEdges, outgoingEdges, type HierarchyEdge, type HierarchyNode } from '../core/editor/asyncCallHierarchy';
import { pickDefinition } from '../core/editor/explanation';
import { wordAtCursor } from '../core/editor/symbolAtCursor';
import { functionKey } from '../core/labels/callbackEvidence';
import type { WorkspaceIndex } from './workspaceIndex';

class LensCallItem extends vscode.CallHierarchyItem {
  constructor(
    readonly node: HierarchyNode,
    uri: vscode.Uri,
  ) {
    const start = new vscode.Position(Math.max(0, node.line - 1), 0);
    const end = new vscode.Position(Math.max(0, node.endLine - 1), 0);
    const kind = node.kind === 'function' ? vscode.SymbolKind.Function : vscode.SymbolKind.Variable;
    super(kind, node.name, node.detail || node.file, uri, new vscode.Range(start, end), new vscode.Range(start, start));
  }
}

function rangesOf(lines: number[]): vscode.Range[] {
  return lines.map((l) => new vscode.Range(Math.max(0, l - 1), 0, Math.max(0, l - 1), 0));
}

export class AsyncCallHierarchyProvider implements vscode.CallHierarchyProvider {
  constructor(private readonly workspace: WorkspaceIndex) {}

  private item(node: HierarchyNode): LensCallItem {
    return new LensCallItem(node, this.workspace.uriOf(node.file));
  }

  prepareCallHierarchy(document: vscode.TextDocument, position: vscode.Position): LensCallItem | undefined {
    const index = this.workspace.ready;
    const file = this.workspace.fileOf(document.uri);
    if (!index || file === undefined) return undefined;
    const word = wordAtCursor(document.lineAt(position.line).text, position.character);
    const name = word && word.role !== 'string' && word.role !== 'struct_tag' ? word.word : index.functionAt(file, position.line + 1)?.name;
    if (!name) return undefined;
    const fn = pickDefinition(index, name, file);
    if (!fn) return undefined;
    const model = index.model;
    const def = model.definitionOf(functionKey(fn.file, fn.name));
    if (!def) return undefined;
    return this.item({ key: functionKey(fn.file, fn.name), name: fn.name, file: fn.file, line: def.line, endLine: def.endLine, kind: 'function', detail: '' });
  }

  /** Items come back from VS Code as the objects we made; a node of the file scope has no calls of its own. */
  private keyOf(item: vscode.CallHierarchyItem): string | undefined {
    if (item instanceof LensCallItem) return item.node.kind === 'function' ? item.node.key : undefined;
    const file = this.workspace.fileOf(item.uri);
    return file === undefined ? undefined : functionKey(file, item.name);
  }

  provideCallHierarchyIncomingCalls(item: vscode.CallHierarchyItem): vscode.CallHierarchyIncomingCall[] {
    const index = this.workspace.ready;
    const key = this.keyOf(item);
    if (!index || !key) return [];
    return incomingEdges(index.model, key).map((edge: HierarchyEdge) => new vscode.CallHierarchyIncomingCall(this.item(edge.node), rangesOf(edge.lines)));
  }

  provideCallHierarchyOutgoingCalls(item: vscode.CallHierarchyItem): vscode.CallHierarchyOutgoingCall[] {
    const index = this.workspace.ready;
    const key = this.keyOf(item);
    if (!index || !key) return [];
    return outgoingEdges(index.model, key).map((edge: HierarchyEdge) => new vscode.CallHierarchyOutgoingCall(this.item(edge.node), rangesOf(edge.lines)));
  }
}
