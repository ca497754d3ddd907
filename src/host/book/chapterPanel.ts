// A book chapter rendered in a webview beside the code: landmark mentions open the source beside the chapter,
// unresolved ones are marked, and back links from hovers reveal the paragraph that mentions the code. The page
// (webview/book) asks for its chapter once it is listening; strict CSP, one nonce per page, shared with the graph panel.
import * as vscode from 'vscode';
import { COMMAND } from '../../shared/commandIds';
import { chapterLabel } from '../../core/book/bookFolder';
import { renderChapterHtml, safeHref } from '../../core/book/chapterHtml';
import type { ChapterHostToView, ChapterMessage } from '../../core/book/chapterViewProtocol';
import { escapeHtml } from '../../core/util/html';
import { graphPageCsp, newNonce } from '../graph/graphPageHtml';
import type { BookLibrary } from './bookLibrary';

const VIEW_TYPE = 'spdkLens.chapter';

/** A panel and whether its page has said it is listening (it says so again after each reload). */
interface OpenChapter {
  panel: vscode.WebviewPanel;
  ready: boolean;
  /** A paragraph to reveal once the page is ready. */
  pendingReveal?: number;
}

/**
 * A column for source beside the chapter: the code editor the reader last used when it is in another group, else any
 * other group showing code, else a new group. (ViewColumn.Beside alone is taken from the active group, which a click
 * inside the webview does not always change, so it could land on the chapter's own group.)
 */
function besideColumn(panel: vscode.WebviewPanel): vscode.ViewColumn {
  const chapter = panel.viewColumn;
  const active = vscode.window.activeTextEditor?.viewColumn;
  if (active !== undefined && active !== chapter) return active;
  const other = vscode.window.visibleTextEditors.map((e) => e.viewColumn).find((c) => c !== undefined && c !== chapter);
  return other ?? vscode.ViewColumn.Beside;
}

export class ChapterPanels implements vscode.Disposable {
  private readonly panels = new Map<string, OpenChapter>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly book: BookLibrary,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const chapterPath = typeof state === 'object' && state !== null && typeof (state as { chapterPath?: unknown }).chapterPath === 'string' ? (state as { chapterPath: string }).chapterPath : undefined;
          if (!chapterPath) return panel.dispose();
          this.adopt(panel, chapterPath);
        },
      }),
      book.onDidChange(() => {
        for (const [chapterPath, open] of this.panels) this.send(open, this.chapterMessage(open.panel, chapterPath));
      }),
    );
  }

  /** Opens (or shows) a chapter, optionally revealing the paragraph `block`. */
  open(chapterPath: string, block?: number): void {
    let open = this.panels.get(chapterPath);
    if (open) open.panel.reveal(vscode.ViewColumn.Beside, true);
    else {
      const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'Book', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.options());
      open = this.adopt(panel, chapterPath);
    }
    if (block === undefined) return;
    if (open.ready) this.send(open, { type: 'reveal', block });
    else open.pendingReveal = block;
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media', 'book'), vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')], retainContextWhenHidden: false };
  }

  private adopt(panel: vscode.WebviewPanel, chapterPath: string): OpenChapter {
    panel.webview.options = this.options();
    const open: OpenChapter = { panel, ready: false };
    this.panels.set(chapterPath, open);
    panel.onDidDispose(() => {
      if (this.panels.get(chapterPath)?.panel === panel) this.panels.delete(chapterPath);
    });
    // A hidden page is dropped (retainContextWhenHidden is off); it says ready again when shown.
    panel.onDidChangeViewState(() => {
      if (!panel.visible) open.ready = false;
    });
    panel.webview.onDidReceiveMessage((message: unknown) => void this.onMessage(open, chapterPath, message));
    panel.webview.html = this.page(panel.webview);
    panel.title = this.chapterMessage(panel, chapterPath).title;
    return open;
  }

  private send(open: OpenChapter, message: ChapterHostToView): void {
    if (open.ready) void open.panel.webview.postMessage(message);
  }

  private async onMessage(open: OpenChapter, chapterPath: string, message: unknown): Promise<void> {
    if (typeof message !== 'object' || message === null) return;
    const m = message as { type?: unknown; file?: unknown; line?: unknown; kind?: unknown; href?: unknown };
    if (m.type === 'ready') {
      open.ready = true;
      this.send(open, this.chapterMessage(open.panel, chapterPath));
      if (open.pendingReveal !== undefined) this.send(open, { type: 'reveal', block: open.pendingReveal });
      open.pendingReveal = undefined;
    } else if (m.type === 'openLandmark' && typeof m.file === 'string') {
      const line = typeof m.line === 'number' ? m.line : 1;
      const uri = m.kind === 'folder' ? undefined : this.book.uriOf(m.file);
      // Source opens beside the chapter, so the paragraph stays in view while reading the code.
      if (uri) await vscode.window.showTextDocument(uri, { viewColumn: besideColumn(open.panel), selection: new vscode.Range(Math.max(0, line - 1), 0, Math.max(0, line - 1), 0), preview: true });
      else await vscode.commands.executeCommand(COMMAND.openLocation, m.file, line);
    } else if (m.type === 'openLink' && typeof m.href === 'string') {
      const href = safeHref(m.href);
      if (href && /^(https?|mailto):/i.test(href)) await vscode.env.openExternal(vscode.Uri.parse(href));
      else if (href) this.log.info(`book link not opened (relative links inside the book are not followed): ${href}`);
    }
  }

  private chapterMessage(panel: vscode.WebviewPanel, chapterPath: string): ChapterMessage {
    const chapter = this.book.chapterAt(chapterPath);
    if (!chapter) {
      panel.title = 'Book';
      return { type: 'chapter', chapterPath, title: 'Book', status: `This chapter is no longer in the book folder (${chapterPath}).`, html: '' };
    }
    panel.title = `Book: ${chapterLabel(chapter)}`;
    const all = this.book.resolvedMentions(chapter);
    const mentions = all.filter((m) => !m.ignored);
    const linked = mentions.filter((m) => m.landmark).length;
    const outside = mentions.filter((m) => !m.landmark && m.external).length;
    const unresolved = mentions.length - linked - outside;
    const notes = [outside > 0 ? `${outside} point${outside === 1 ? 's' : ''} outside the tree` : '', unresolved > 0 ? `${unresolved} marked unresolved` : ''].filter(Boolean);
    const status = `${linked} of ${mentions.length} source mentions link to this checkout${notes.length > 0 ? `; ${notes.join(', ')}` : ''}.`;
    return { type: 'chapter', chapterPath, title: panel.title, status, html: renderChapterHtml(chapter, all) };
  }

  /** The page shell: the chapter itself arrives by postMessage once the script is listening. */
  private page(webview: vscode.Webview): string {
    const nonce = newNonce();
    const css = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'book', 'chapter.css'));
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'book.js'));
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(graphPageCsp(webview.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${escapeHtml(css.toString())}">
</head><body>
<main id="chapter"><p class="chapter-status">Loading the chapter…</p></main>
<script nonce="${escapeHtml(nonce)}" src="${escapeHtml(script.toString())}"></script>
</body></html>`;
  }

  dispose(): void {
    for (const open of this.panels.values()) open.panel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
