// RPC method names anywhere in the workspace (rpc.py clients, Go, JSON configs, shell scripts, C strings): a hover
// with the handler, its reply mode and decoded params, and go-to-definition into the C handler.
import * as vscode from 'vscode';
import { describeRpcMethod } from '../core/editor/explanation';
import { wordAtCursor } from '../core/editor/symbolAtCursor';
import type { RpcMethod } from '../core/model/indexTypes';
import { C_LANGUAGES } from './cDocuments';
import { toMarkdown } from './hoverProvider';
import type { WorkspaceIndex } from './workspaceIndex';

export class RpcMethodLinks implements vscode.HoverProvider, vscode.DefinitionProvider {
  /** Methods by name, for the list it was built from (a new index or relink gives a new list). */
  private methods: { list: RpcMethod[]; byName: Map<string, RpcMethod> } | undefined;

  constructor(private readonly workspace: WorkspaceIndex) {}

  private lookup(): Map<string, RpcMethod> | undefined {
    const index = this.workspace.ready;
    if (!index) return undefined;
    const list = index.rpcMethods();
    if (this.methods?.list !== list) this.methods = { list, byName: new Map(list.map((m) => [m.method, m])) };
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
    // C documents of the tree answer RPC strings in the main hover; here they only get go-to-definition.
    if (C_LANGUAGES.has(document.languageId) && this.workspace.fileOf(document.uri) !== undefined) return undefined;
    const found = this.methodAt(document, position);
    return found ? new vscode.Hover(toMarkdown(describeRpcMethod(found.method)), found.range) : undefined;
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
