// Wires the reading features: the side bar (book + tours), the step player, chapter panels and book back links in
// CodeLens; their commands are in commands.ts.
import * as vscode from 'vscode';
import { C_DOCUMENTS } from '../cDocuments';
import { COMMAND } from '../../shared/commandIds';
import { ChapterPanels } from '../book/chapterPanel';
import { BookLibrary } from '../book/bookLibrary';
import type { LensConfig } from '../config';
import type { BookLinksLookup } from '../hoverProvider';
import type { WorkspaceIndex } from '../workspaceIndex';
import { AnchorContext } from './anchorContext';
import { ReadingTree } from './readingTree';
import { TourLibrary } from './tourLibrary';
import { TourPlayer } from './tourPlayer';

export interface ReadingFeatures {
  disposables: vscode.Disposable[];
  bookLinks: BookLinksLookup;
  /** Follows the `spdkLens.codeLens.enabled` setting, like the label lenses. */
  setBookLensesEnabled(enabled: boolean): void;
  /** For the command table (commands.ts). */
  book: BookLibrary;
  chapters: ChapterPanels;
  player: TourPlayer;
  tours: TourLibrary;
}

export function registerReading(
  context: vscode.ExtensionContext,
  workspace: WorkspaceIndex,
  log: vscode.LogOutputChannel,
  config: LensConfig,
): ReadingFeatures {
  const anchors = new AnchorContext(workspace);
  const tours = new TourLibrary(context.extensionUri, anchors, log);
  const book = new BookLibrary(anchors, workspace, config, log);
  const player = new TourPlayer(tours, workspace, context.workspaceState, log);
  const tree = new ReadingTree(book, tours, player, context.workspaceState);
  const chapters = new ChapterPanels(context.extensionUri, book, log);
  const bookLenses = new BookCodeLensProvider(book, workspace, config.codeLens);

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
  ];
  return { disposables, bookLinks, setBookLensesEnabled: (enabled) => bookLenses.setEnabled(enabled), book, chapters, player, tours };
}

/** Resolves every tour's anchors in this checkout and lists the ones that do not land (once the index is ready). */
export async function validateTours(tours: TourLibrary, log: vscode.LogOutputChannel): Promise<void> {
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
      lenses.push(new vscode.CodeLens(top, { title: l.label, tooltip: `${l.chapterTitle}: mentions ${l.text}`, command: COMMAND.bookOpenChapter, arguments: [l.chapterPath, l.block] }));
    }
    for (const fn of index.functionsIn(file)) {
      const line = fn.line - 1;
      if (line < 0 || line >= document.lineCount) continue;
      for (const l of links.at(file, fn.line).slice(0, 2)) {
        lenses.push(new vscode.CodeLens(new vscode.Range(line, 0, line, 0), { title: l.label, tooltip: `${l.chapterTitle}: mentions ${l.text}`, command: COMMAND.bookOpenChapter, arguments: [l.chapterPath, l.block] }));
      }
    }
    return lenses;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
