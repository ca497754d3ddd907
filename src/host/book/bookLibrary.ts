// The book folder named by spdkLens.book.path: its chapters in order, each chapter's landmarks resolved against the
// index, and the reverse map that gives hovers and CodeLens their "Book: 00 · Orientation" back links.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readBook, readChapter } from '../../core/book/bookFolder';
import type { Chapter, ChapterRef, ResolvedMention } from '../../core/book/chapterTypes';
import { BookBackLinks, resolveMentions } from '../../core/book/mentions';
import type { LensConfig } from '../config';
import type { AnchorContext } from '../tour/anchorContext';
import type { WorkspaceIndex } from '../workspaceIndex';

export interface LoadedChapter {
  ref: ChapterRef;
  chapter?: Chapter;
  error?: string;
}

export type BookState = { kind: 'unset' } | { kind: 'error'; folder: string; error: string } | { kind: 'ok'; folder: string; chapters: LoadedChapter[] };

export class BookLibrary implements vscode.Disposable {
  private state: BookState | undefined;
  private mentions = new Map<string, ResolvedMention[]>();
  private backLinks: BookBackLinks | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly anchors: AnchorContext,
    private readonly workspace: WorkspaceIndex,
    private readonly config: LensConfig,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.changed,
      anchors.onDidChange(({ wholeIndex }) => {
        if (wholeIndex) this.invalidate(false);
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (doc.languageId === 'markdown' && this.folder() && doc.uri.fsPath.startsWith(this.folder()!)) this.invalidate(true);
      }),
    );
  }

  /** Called when spdkLens.book.path changed (config holds the new value). */
  folderChanged(): void {
    this.invalidate(true);
  }

  private invalidate(folder: boolean): void {
    if (folder) this.state = undefined;
    this.mentions.clear();
    this.backLinks = undefined;
    this.changed.fire();
  }

  /** The configured folder, absolute (relative settings are taken from the first workspace folder). */
  folder(): string | undefined {
    const setting = this.config.bookPath;
    if (!setting) return undefined;
    if (path.isAbsolute(setting)) return setting;
    const first = vscode.workspace.workspaceFolders?.[0];
    return first ? path.join(first.uri.fsPath, setting) : undefined;
  }

  book(): BookState {
    if (this.state) return this.state;
    const folder = this.folder();
    if (!folder) return (this.state = { kind: 'unset' });
    const listing = readBook(folder);
    if (!listing.ok) {
      this.log.warn(`book: ${listing.error}`);
      return (this.state = { kind: 'error', folder, error: listing.error });
    }
    const chapters = listing.chapters.map((ref): LoadedChapter => {
      const reading = readChapter(ref);
      return reading.ok ? { ref, chapter: reading.chapter } : { ref, error: reading.error };
    });
    return (this.state = { kind: 'ok', folder, chapters });
  }

  chapters(): LoadedChapter[] {
    const state = this.book();
    return state.kind === 'ok' ? state.chapters : [];
  }

  chapterAt(chapterPath: string): Chapter | undefined {
    return this.chapters().find((c) => c.ref.path === chapterPath)?.chapter;
  }

  /** Every mention of the chapter with its landmark or why it has none; empty while the index is not ready. */
  resolvedMentions(chapter: Chapter): ResolvedMention[] {
    const cached = this.mentions.get(chapter.ref.path);
    if (cached) return cached;
    const context = this.anchors.get(false);
    if (!context) return chapter.mentions.map((m) => ({ ...m, unresolved: 'the index is not ready yet' }));
    const resolved = resolveMentions(chapter, context);
    this.mentions.set(chapter.ref.path, resolved);
    return resolved;
  }

  /** Back links for hovers and CodeLens; built on first use after the index or the book changed. */
  links(): BookBackLinks | undefined {
    if (this.backLinks) return this.backLinks;
    if (!this.workspace.ready) return undefined;
    const chapters = this.chapters().filter((c): c is LoadedChapter & { chapter: Chapter } => c.chapter !== undefined);
    if (chapters.length === 0) return undefined;
    this.backLinks = new BookBackLinks(chapters.map(({ chapter }) => ({ chapter, mentions: this.resolvedMentions(chapter) })));
    return this.backLinks;
  }

  /** The checkout file a landmark names, as a URI; undefined while no folder is open. */
  uriOf(file: string): vscode.Uri | undefined {
    return this.workspace.root ? this.workspace.uriOf(file) : undefined;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
