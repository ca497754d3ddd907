// One ResolveContext per index generation: tours, chapters and back links resolve their anchors through it. Building
// the symbol locator walks every file's facts, so it is built on first use and dropped when the index changes.
import * as vscode from 'vscode';
import type { SpdkIndex } from '../../core/index/indexer';
import type { ResolveContext } from '../../core/tour/anchorResolver';
import { diskWorkspace, SymbolLocator, type SourceWorkspace } from '../../core/tour/symbolLocator';
import type { WorkspaceIndex } from '../workspaceIndex';

export class AnchorContext implements vscode.Disposable {
  private cached: { index: SpdkIndex; context: ResolveContext; stale: boolean } | undefined;
  private readonly changed = new vscode.EventEmitter<{ wholeIndex: boolean }>();
  /** Fires when anchors may resolve differently: a new index (wholeIndex) or edited files. */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly workspace: WorkspaceIndex) {
    this.subscription = workspace.onDidChange(({ files }) => {
      const wholeIndex = files.length === 0;
      if (wholeIndex) this.cached = undefined;
      else if (this.cached) this.cached.stale = true;
      this.changed.fire({ wholeIndex });
    });
  }

  /**
   * The context for the current index, or undefined while there is none. `fresh` rebuilds it after edits (tours want
   * exact lines); back links accept the lines as of the last rebuild rather than pay for one on every hover.
   */
  get(fresh = true): ResolveContext | undefined {
    const index = this.workspace.ready;
    const root = this.workspace.root;
    if (!index || !root) return undefined;
    if (this.cached?.index !== index || (fresh && this.cached.stale)) this.cached = { index, context: { locator: new SymbolLocator(index), workspace: openDocumentsFirst(diskWorkspace(root), this.workspace) }, stale: false };
    return this.cached.context;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Pattern fallbacks read the text the user sees: an open document's unsaved text wins over the file on disk. */
function openDocumentsFirst(disk: SourceWorkspace, workspace: WorkspaceIndex): SourceWorkspace {
  return {
    stat: (path) => disk.stat(path),
    listing: disk.listing,
    readText: (path) => {
      const open = vscode.workspace.textDocuments.find((d) => workspace.fileOf(d.uri) === path);
      return open ? open.getText() : disk.readText(path);
    },
  };
}
