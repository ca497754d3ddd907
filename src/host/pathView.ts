// The "Lifecycle Paths" view: the hot-remove, reset, -ENOMEM and shutdown paths of the function at the cursor (or of
// the bdev module whose variable is there), each step a tree item that opens where the hop is made.
import * as vscode from 'vscode';
import { lifecycleCards } from '../core/labels/lifecycleCards';
import { HOP_TITLES, PATH_KINDS, type LifecyclePath, type PathStep } from '../core/labels/lifecyclePaths';
import { functionPaths, queryPaths, type PathAnswer } from '../core/labels/pathQuery';
import { COMMAND } from '../shared/commandIds';
import type { WorkspaceIndex } from './workspaceIndex';

export const PATH_VIEW_ID = 'spdkLens.paths';

type Node = { kind: 'path'; path: LifecyclePath; index: number } | { kind: 'step'; path: LifecyclePath; step: number } | { kind: 'note'; text: string };

export class LifecyclePathView implements vscode.TreeDataProvider<Node> {
  private answer: PathAnswer | undefined;
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly workspace: WorkspaceIndex) {}

  getChildren(node?: Node): Node[] {
    if (!node) {
      if (!this.answer) return [{ kind: 'note', text: 'Run "SPDK Lens: Show Lifecycle Paths" on a function or a bdev module variable.' }];
      if (this.answer.paths.length === 0) return [{ kind: 'note', text: `No lifecycle path found for ${this.answer.query}.` }];
      return this.answer.paths.map((path, index) => ({ kind: 'path', path, index }));
    }
    if (node.kind === 'note') return [];
    const parent = node.kind === 'path' ? 0 : node.step;
    const steps = node.path.steps.map((s, i) => ({ s, i })).filter(({ s }) => s.parent === parent);
    // The root's own item stands for step 0; its children hang under the path heading.
    return steps.map(({ i }) => ({ kind: 'step', path: node.path, step: i }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'note') return new vscode.TreeItem(node.text);
    if (node.kind === 'path') {
      const r = node.path.root;
      const item = new vscode.TreeItem(`${r.kind} path${r.module ? ` of ${r.module}` : ''}: ${r.fn}`, vscode.TreeItemCollapsibleState.Expanded);
      item.description = r.why;
      item.tooltip = `${r.why}\n${r.evidence.file}:${r.evidence.line}\n${node.path.steps[0].context} · ${node.path.steps[0].thread}${node.path.truncated ? '\n(cut short: longer than SPDK Lens follows)' : ''}`;
      item.command = this.open(r.evidence.file, r.evidence.line);
      return item;
    }
    const step: PathStep = node.path.steps[node.step];
    const hasChildren = node.path.steps.some((s) => s.parent === node.step);
    const item = new vscode.TreeItem(step.fn, hasChildren ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    const focus = this.answer?.focus;
    item.description = `${HOP_TITLES[step.hop]} · ${step.context || 'no context known'}${focus && focus.fn === step.fn && focus.file === step.file ? ' ◀' : ''}`;
    item.tooltip = `${step.via?.note ?? ''}\n${step.via ? `${step.via.file}:${step.via.line}` : ''}\nruns on ${step.thread}${step.key ? `\ndefined at ${step.file}:${step.line}` : ''}`;
    const at = step.via ?? step;
    item.command = this.open(at.file, at.line);
    return item;
  }

  private open(file: string, line: number): vscode.Command {
    return { command: COMMAND.openLocation, title: 'Open', arguments: [file, line] };
  }

  /** Shows the paths of the function at the cursor (or of the module whose variable is there), or of a query. */
  async show(query?: unknown): Promise<void> {
    const index = this.workspace.ready;
    if (!index) return;
    let answer: PathAnswer | undefined;
    try {
      if (typeof query === 'string') answer = queryPaths(index.model, query);
      else answer = this.atCursor();
    } catch (error) {
      void vscode.window.showInformationMessage(`SPDK Lens: ${(error as Error).message}`);
      return;
    }
    if (!answer) {
      void vscode.window.showInformationMessage('SPDK Lens: put the cursor in a function or on a bdev module variable to see its lifecycle paths.');
      return;
    }
    this.answer = answer;
    this.changed.fire(undefined);
    await vscode.commands.executeCommand(`${PATH_VIEW_ID}.focus`);
  }

  private atCursor(): PathAnswer | undefined {
    const index = this.workspace.ready;
    const editor = vscode.window.activeTextEditor;
    if (!index || !editor) return undefined;
    const file = this.workspace.fileOf(editor.document.uri);
    if (file === undefined) return undefined;
    const line = editor.selection.active.line + 1;
    const card = lifecycleCards(index.model).find((c) => c.file === file && c.line === line);
    if (card) {
      const paths = PATH_KINDS.flatMap((kind) => queryPaths(index.model, `${card.variable}:${kind}`).paths);
      return { query: card.module, paths };
    }
    const fn = index.functionAt(file, line);
    return fn ? functionPaths(index.model, fn.name, undefined, fn.file) : undefined;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function registerPathView(workspace: WorkspaceIndex): { view: LifecyclePathView; disposables: vscode.Disposable[] } {
  const view = new LifecyclePathView(workspace);
  return { view, disposables: [view, vscode.window.registerTreeDataProvider(PATH_VIEW_ID, view)] };
}
