// RPC method names anywhere in the workspace (rpc.py clients, Go, JSON configs, shell scripts, C strings): a hover
// with the handler, its reply mode and decoded params, and go-to-definition into the C handler.
import * as vscode from 'vscode';
import { explainRpcMethod } from '../core/editor/explanation';
import { wordAtCursor } from '../core/editor/symbolAtCursor';
import type { RpcMethod } from '../core/model/indexTypes';
import { toMarkdown } from './hoverProvider';
import type { WorkspaceIndex } from './workspaceIndex';

/** C and C++ documents answer RPC strings in the main hover; here they only get go-to-definition. */
const C_LANGUAGES = new Set(['c', 'cpp']);

export class RpcMethodLinks implements vscode.HoverProvider, vscode.DefinitionProvider {
  private methods: { generation: unknown; byName: Map<string, RpcMethod> } | undefined;

  constructor(private readonly workspace: WorkspaceIndex) {}

  private lookup(): Map<string, RpcMethod> | undefined {
    const index = this.workspace.ready;
    if (!index) return undefined;
    const list = index.rpcMethods();
    if (this.methods?.generation !== list) this.methods = { generation: list, byName: new Map(list.map((m) => [m.method, m])) };
    return this.methods.byName;
  }

  /** The RPC method under the cursor: a quoted name in any file, or a bare word where commands are written unquoted. */
  private methodAt(document: vscode.TextDocument, position: vscode.Position): { method: RpcMethod; range: vscode.Range } | undefined {
    const methods = this.lookup();
    if (!methods || methods.size === 0) return undefined;
    if (position.line >= document.lineCount) return undefined;
    const line = document.lineAt(position.line).text;
    if (line.length > 10_000) return undefined;
    const word = wordAtCursor(line, position.character);
    if (!word) return undefined;
    const method = methods.get(word.word);
    if (!method) return undefined;
    // In C a bare word is a function (bdev_null_create is both an RPC and a C function); only strings are methods.
    if (word.role !== 'string' && C_LANGUAGES.has(document.languageId)) return undefined;
    return { method, range: new vscode.Range(position.line, word.start, position.line, word.end) };
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (C_LANGUAGES.has(document.languageId) && this.workspace.fileOf(document.uri) !== undefined) return undefined;
    const index = this.workspace.ready;
    const found = this.methodAt(document, position);
    if (!index || !found) return undefined;
    const explanation = explainRpcMethod(index, found.method.method);
    return explanation ? new vscode.Hover(toMarkdown(explanation), found.range) : undefined;
  }

  provideDefinition(document: vscode.TextDocument, position: vscode.Position): vscode.LocationLink[] | undefined {
    const found = this.methodAt(document, position);
    if (!found) return undefined;
    const m = found.method;
    const target = this.workspace.uriOf(m.handlerFile ?? m.file);
    const line = Math.max(0, (m.handlerLine ?? m.line) - 1);
    const range = new vscode.Range(line, 0, line, 0);
    return [{ originSelectionRange: found.range, targetUri: target, targetRange: range, targetSelectionRange: range }];
  }
}
