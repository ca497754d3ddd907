// CodeLens above labelled function definitions ("poller · 2 registrations", "completes bdev_io"); a click peeks the
// evidence. Lenses are placed from the index and their commands built in the resolve step.
import * as vscode from 'vscode';
import { COMMAND } from '../shared/commandIds';
import { fileLensTitles, type LensTitle } from '../core/editor/codeLensTitles';
import type { WorkspaceIndex } from './workspaceIndex';


class LabelLens extends vscode.CodeLens {
  constructor(
    range: vscode.Range,
    readonly label: LensTitle,
    readonly uri: vscode.Uri,
  ) {
    super(range);
  }
}

export class LensCodeLensProvider implements vscode.CodeLensProvider<LabelLens>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private enabled: boolean;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly workspace: WorkspaceIndex,
    enabled: boolean,
  ) {
    this.enabled = enabled;
    this.subscription = workspace.onDidChange(() => this.changed.fire());
  }

  setEnabled(enabled: boolean): void {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): LabelLens[] {
    const index = this.workspace.ready;
    const file = this.workspace.fileOf(document.uri);
    if (!this.enabled || !index || file === undefined) return [];
    const lenses: LabelLens[] = [];
    for (const { fn, titles } of fileLensTitles(index, file)) {
      const line = fn.line - 1;
      if (line < 0 || line >= document.lineCount) continue;
      const range = new vscode.Range(line, 0, line, 0);
      for (const title of titles) lenses.push(new LabelLens(range, title, document.uri));
    }
    return lenses;
  }

  resolveCodeLens(lens: LabelLens): LabelLens {
    const locations = lens.label.locations.map((l) => new vscode.Location(this.workspace.uriOf(l.file), new vscode.Position(Math.max(0, l.line - 1), 0)));
    lens.command = {
      title: lens.label.title,
      tooltip: lens.label.tooltip,
      command: COMMAND.peekLocations,
      arguments: [lens.uri, lens.range.start, locations],
    };
    return lens;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
