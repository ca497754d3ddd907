// Wires the reading features: the side bar (book + tours), the step player, chapter panels, book back links in
// CodeLens, and their commands.
import * as vscode from 'vscode';
import { C_DOCUMENTS } from '../cDocuments';
import { chapterLabel } from '../../core/book/bookFolder';
import { BOOK_TOPICS, type BookTopic } from '../../core/knowledge/contextKinds';
import { ChapterPanels } from '../book/chapterPanel';
import { BookLibrary } from '../book/bookLibrary';
import type { BookLinksLookup } from '../hoverProvider';
import type { WorkspaceIndex } from '../workspaceIndex';
import { AnchorContext } from './anchorContext';
import { ReadingTree } from './readingTree';
import { BUILTIN_TOUR_ID, TourLibrary } from './tourLibrary';
import { TourPlayer } from './tourPlayer';

export interface ReadingFeatures {
  disposables: vscode.Disposable[];
  bookLinks: BookLinksLookup;
  /** Follows the `spdkLens.codeLens.enabled` setting, like the label lenses. */
  setBookLensesEnabled(enabled: boolean): void;
}

export function registerReading(
  context: vscode.ExtensionContext,
  workspace: WorkspaceIndex,
  log: vscode.LogOutputChannel,
  codeLensEnabled: boolean,
): ReadingFeatures {
  const anchors = new AnchorContext(workspace);
  const tours = new TourLibrary(context.extensionUri, anchors, log);
  const book = new BookLibrary(anchors, workspace, log);
  const player = new TourPlayer(tours, workspace, context.workspaceState, log);
  const tree = new ReadingTree(book, tours, player, context.workspaceState);
  const chapters = new ChapterPanels(context.extensionUri, book, log);
  const bookLenses = new BookCodeLensProvider(book, workspace, codeLensEnabled);

  const bookLinks: BookLinksLookup = (file, line, symbol) => book.links()?.forPlace(file, line, symbol) ?? [];

  const disposables: vscode.Disposable[] = [
    anchors,
    tours,
    book,
    player,
    tree,
    chapters,
    bookLenses,
    vscode.languages.registerCodeLensProvider(C_DOCUMENTS, bookLenses),
    vscode.commands.registerCommand('spdkLens.tour.start', async (tourId?: unknown, step?: unknown) => {
      let id = typeof tourId === 'string' ? tourId : undefined;
      if (!id) {
        const list = (await tours.list()).filter((t) => t.tour);
        if (list.length === 1) id = list[0].id;
        else {
          const pick = await vscode.window.showQuickPick(
            list.map((t) => ({ label: t.tour!.title, description: t.builtin ? 'built in' : vscode.workspace.asRelativePath(t.uri), id: t.id })),
            { title: 'SPDK Lens: start a tour' },
          );
          id = pick?.id;
        }
      }
      if (id) await player.start(id, typeof step === 'number' ? step : undefined);
    }),
    vscode.commands.registerCommand('spdkLens.tour.startBuiltin', () => player.start(BUILTIN_TOUR_ID, 0)),
    vscode.commands.registerCommand('spdkLens.tour.next', () => player.next()),
    vscode.commands.registerCommand('spdkLens.tour.previous', () => player.previous()),
    vscode.commands.registerCommand('spdkLens.tour.end', () => player.end()),
    vscode.commands.registerCommand('spdkLens.tour.validate', () => validateTours(tours, workspace, log)),
    vscode.commands.registerCommand('spdkLens.book.openChapter', (chapterPath?: unknown, block?: unknown) => {
      if (typeof chapterPath === 'string' && book.chapterAt(chapterPath)) chapters.open(chapterPath, typeof block === 'number' ? block : undefined);
    }),
    vscode.commands.registerCommand('spdkLens.book.open', async () => {
      const state = book.book();
      if (state.kind !== 'ok') {
        const choice = await vscode.window.showInformationMessage(
          state.kind === 'unset' ? 'SPDK Lens: no book folder is set.' : `SPDK Lens: ${state.error}`,
          'Choose Book Folder',
        );
        if (choice) await vscode.commands.executeCommand('spdkLens.book.chooseFolder');
        return;
      }
      const pick = await vscode.window.showQuickPick(
        state.chapters.filter((c) => c.chapter).map((c) => ({ label: chapterLabel(c.chapter!), description: c.chapter!.title, path: c.ref.path })),
        { title: 'SPDK Lens: open a book chapter' },
      );
      if (pick) chapters.open(pick.path);
    }),
    vscode.commands.registerCommand('spdkLens.openBookTopic', async (topic: unknown) => {
      if (typeof topic !== 'string' || !(topic in BOOK_TOPICS)) return;
      const info = BOOK_TOPICS[topic as BookTopic];
      const number = info.chapter.slice(0, info.chapter.indexOf('-') > 0 ? info.chapter.indexOf('-') : undefined);
      const chapter = book.chapters().find((c) => c.chapter && (c.ref.number === number || c.ref.fileName.startsWith(info.chapter)));
      if (chapter) {
        chapters.open(chapter.ref.path);
        return;
      }
      const choice = await vscode.window.showInformationMessage(
        `"${info.title}" is explained in chapter ${info.chapter} of SPDK From First Principles. Choose the book folder to read it here.`,
        'Choose Book Folder',
      );
      if (choice) await vscode.commands.executeCommand('spdkLens.book.chooseFolder');
    }),
    vscode.commands.registerCommand('spdkLens.book.chooseFolder', async () => {
      const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use as SPDK book folder', title: 'Folder holding content/chapters/*.md' });
      if (picked?.[0]) await vscode.workspace.getConfiguration('spdkLens').update('book.path', picked[0].fsPath, vscode.ConfigurationTarget.Workspace);
    }),
  ];
  return { disposables, bookLinks, setBookLensesEnabled: (enabled) => bookLenses.setEnabled(enabled) };
}

/** Resolves every tour's anchors in this checkout and lists the ones that do not land. */
async function validateTours(tours: TourLibrary, workspace: WorkspaceIndex, log: vscode.LogOutputChannel): Promise<void> {
  if (!workspace.ready) {
    void vscode.window.showInformationMessage('SPDK Lens: tours are validated against the index; wait until it is ready.');
    return;
  }
  const broken: { label: string; description: string; detail: string; file?: string; line?: number }[] = [];
  let steps = 0;
  const list = await tours.list();
  for (const loaded of list) {
    const name = loaded.tour?.title ?? vscode.workspace.asRelativePath(loaded.uri);
    for (const p of loaded.problems.filter((p) => p.severity === 'error')) broken.push({ label: `$(error) ${name}`, description: p.path, detail: p.message });
    for (const step of tours.resolve(loaded)) {
      steps++;
      if (step.location) continue;
      broken.push({ label: `$(warning) ${name} · step ${step.index + 1}: ${step.title}`, description: step.anchor.symbol ?? step.anchor.file, detail: step.error ?? 'does not resolve' });
    }
  }
  log.info(`validated ${list.length} tours, ${steps} steps: ${broken.length} problems`);
  for (const b of broken) log.warn(`${b.label.replace(/^\$\([a-z]+\) /, '')}: ${b.detail}`);
  if (broken.length === 0) {
    void vscode.window.showInformationMessage(`SPDK Lens: all ${steps} steps of ${list.length} tour${list.length === 1 ? '' : 's'} resolve in this checkout.`);
    return;
  }
  await vscode.window.showQuickPick(broken, { title: `SPDK Lens: ${broken.length} tour anchor${broken.length === 1 ? '' : 's'} do not resolve`, matchOnDescription: true, matchOnDetail: true });
}

/** "Book: 00 · Orientation" above files and functions a chapter mentions. */
class BookCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private enabled: boolean;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly book: BookLibrary,
    private readonly workspace: WorkspaceIndex,
    enabled: boolean,
  ) {
    this.enabled = enabled;
    this.subscription = book.onDidChange(() => this.changed.fire());
  }

  setEnabled(enabled: boolean): void {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const file = this.workspace.fileOf(document.uri);
    const index = this.workspace.ready;
    if (!this.enabled || file === undefined || !index) return [];
    const links = this.book.links();
    if (!links) return [];
    const lenses: vscode.CodeLens[] = [];
    const top = new vscode.Range(0, 0, 0, 0);
    for (const l of links.forFile(file).filter((l) => !l.viaFolder).slice(0, 3)) {
      lenses.push(new vscode.CodeLens(top, { title: l.label, tooltip: `${l.chapterTitle}: mentions ${l.text}`, command: 'spdkLens.book.openChapter', arguments: [l.chapterPath, l.block] }));
    }
    for (const fn of index.functionsIn(file)) {
      const line = fn.line - 1;
      if (line < 0 || line >= document.lineCount) continue;
      for (const l of links.at(file, fn.line).slice(0, 2)) {
        lenses.push(new vscode.CodeLens(new vscode.Range(line, 0, line, 0), { title: l.label, tooltip: `${l.chapterTitle}: mentions ${l.text}`, command: 'spdkLens.book.openChapter', arguments: [l.chapterPath, l.block] }));
      }
    }
    return lenses;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
