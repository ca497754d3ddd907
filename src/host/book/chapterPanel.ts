// A book chapter rendered in a webview beside the code: landmark mentions open the source, unresolved ones are marked,
// and back links from hovers reveal the paragraph that mentions the code. Strict CSP, one nonce per render.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { COMMAND } from '../../shared/commandIds';
import { chapterLabel } from '../../core/book/bookFolder';
import { renderChapterHtml, safeHref } from '../../core/book/chapterHtml';
import { escapeHtml } from '../../core/util/html';
import type { BookLibrary } from './bookLibrary';

const VIEW_TYPE = 'spdkLens.chapter';

export class ChapterPanels implements vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();
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
        for (const [chapterPath, panel] of this.panels) this.render(panel, chapterPath);
      }),
    );
  }

  /** Opens (or shows) a chapter, optionally revealing the paragraph `block`. */
  open(chapterPath: string, block?: number): void {
    let panel = this.panels.get(chapterPath);
    if (panel) panel.reveal(vscode.ViewColumn.Beside, true);
    else {
      panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'Book', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.options());
      this.adopt(panel, chapterPath);
    }
    if (block !== undefined) {
      const target = panel;
      // The page may still be loading; a second reveal after it settles costs nothing.
      void target.webview.postMessage({ type: 'reveal', block });
      setTimeout(() => void target.webview.postMessage({ type: 'reveal', block }), 400);
    }
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media', 'book')], retainContextWhenHidden: false };
  }

  private adopt(panel: vscode.WebviewPanel, chapterPath: string): void {
    panel.webview.options = this.options();
    this.panels.set(chapterPath, panel);
    panel.onDidDispose(() => {
      if (this.panels.get(chapterPath) === panel) this.panels.delete(chapterPath);
    });
    panel.webview.onDidReceiveMessage((message: unknown) => void this.onMessage(message));
    this.render(panel, chapterPath);
  }

  private async onMessage(message: unknown): Promise<void> {
    if (typeof message !== 'object' || message === null) return;
    const m = message as { type?: unknown; file?: unknown; line?: unknown; href?: unknown };
    if (m.type === 'openLandmark' && typeof m.file === 'string') {
      await vscode.commands.executeCommand(COMMAND.openLocation, m.file, typeof m.line === 'number' ? m.line : 1);
    } else if (m.type === 'openLink' && typeof m.href === 'string') {
      const href = safeHref(m.href);
      if (href && /^(https?|mailto):/i.test(href)) await vscode.env.openExternal(vscode.Uri.parse(href));
      else if (href) this.log.info(`book link not opened (relative links inside the book are not followed): ${href}`);
    }
  }

  private render(panel: vscode.WebviewPanel, chapterPath: string): void {
    const chapter = this.book.chapterAt(chapterPath);
    const nonce = randomBytes(16).toString('base64');
    const webview = panel.webview;
    const media = vscode.Uri.joinPath(this.extensionUri, 'media', 'book');
    const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`, `img-src ${webview.cspSource}`].join('; ');
    let body: string;
    if (!chapter) {
      panel.title = 'Book';
      body = `<p class="chapter-status">${escapeHtml(`This chapter is no longer in the book folder (${chapterPath}).`)}</p>`;
    } else {
      panel.title = `Book: ${chapterLabel(chapter)}`;
      const all = this.book.resolvedMentions(chapter);
      const mentions = all.filter((m) => !m.ignored);
      const linked = mentions.filter((m) => m.landmark).length;
      const outside = mentions.filter((m) => !m.landmark && m.external).length;
      const unresolved = mentions.length - linked - outside;
      const notes = [outside > 0 ? `${outside} point${outside === 1 ? 's' : ''} outside the tree` : '', unresolved > 0 ? `${unresolved} marked unresolved` : ''].filter(Boolean);
      const status = `${linked} of ${mentions.length} source mentions link to this checkout${notes.length > 0 ? `; ${notes.join(', ')}` : ''}.`;
      body = `<p class="chapter-status">${escapeHtml(status)}</p>\n${renderChapterHtml(chapter, all)}`;
    }
    webview.html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${webview.asWebviewUri(vscode.Uri.joinPath(media, 'chapter.css'))}">
</head><body data-chapter="${escapeHtml(chapterPath)}">
${body}
<script nonce="${nonce}" src="${webview.asWebviewUri(vscode.Uri.joinPath(media, 'chapterView.js'))}"></script>
</body></html>`;
  }

  dispose(): void {
    for (const panel of this.panels.values()) panel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
