// The "SPDK Lens" side bar: Book (chapters → self-check questions and the landmarks each chapter names) and Tours
// (tours → steps). Every leaf opens its place in the source; unresolved landmarks and steps say why.
import * as vscode from 'vscode';
import { COMMAND } from '../../shared/commandIds';
import { chapterLabel } from '../../core/book/bookFolder';
import type { Chapter, ResolvedMention, SelfCheckQuestion } from '../../core/book/chapterTypes';
import type { ResolvedStep } from '../../core/tour/tourTypes';
import type { BookLibrary, LoadedChapter } from '../book/bookLibrary';
import type { LoadedTour, TourLibrary } from './tourLibrary';
import type { TourPlayer } from './tourPlayer';

const CHECKED_KEY = 'spdkLens.selfCheckDone';

type ReadingNode =
  | { kind: 'bookRoot' }
  | { kind: 'toursRoot' }
  | { kind: 'bookHint'; text: string; error?: boolean }
  | { kind: 'chapter'; loaded: LoadedChapter }
  | { kind: 'selfCheckGroup'; chapter: Chapter }
  | { kind: 'question'; chapter: Chapter; question: SelfCheckQuestion; index: number }
  | { kind: 'landmarkGroup'; chapter: Chapter }
  | { kind: 'landmark'; chapter: Chapter; mention: ResolvedMention }
  | { kind: 'tour'; tour: LoadedTour }
  | { kind: 'step'; tour: LoadedTour; step: ResolvedStep };

export class ReadingTree implements vscode.TreeDataProvider<ReadingNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ReadingNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  readonly view: vscode.TreeView<ReadingNode>;

  constructor(
    private readonly book: BookLibrary,
    private readonly tours: TourLibrary,
    private readonly player: TourPlayer,
    private readonly state: vscode.Memento,
  ) {
    this.view = vscode.window.createTreeView('spdkLens.reading', { treeDataProvider: this, showCollapseAll: true });
    const refresh = () => this.changed.fire(undefined);
    this.disposables.push(
      this.view,
      this.changed,
      book.onDidChange(refresh),
      tours.onDidChange(refresh),
      player.onDidChange(refresh),
      this.view.onDidChangeCheckboxState((e) => void this.onChecked(e)),
    );
  }

  private checked(): Record<string, boolean> {
    return this.state.get<Record<string, boolean>>(CHECKED_KEY, {});
  }

  private questionKey(chapter: Chapter, index: number): string {
    return `${chapter.ref.fileName}#${index}`;
  }

  private async onChecked(event: vscode.TreeCheckboxChangeEvent<ReadingNode>): Promise<void> {
    const checked = { ...this.checked() };
    for (const [node, state] of event.items) {
      if (node.kind === 'question') checked[this.questionKey(node.chapter, node.index)] = state === vscode.TreeItemCheckboxState.Checked;
    }
    await this.state.update(CHECKED_KEY, checked);
  }

  getChildren(node?: ReadingNode): ReadingNode[] | Promise<ReadingNode[]> {
    if (!node) return [{ kind: 'bookRoot' }, { kind: 'toursRoot' }];
    switch (node.kind) {
      case 'bookRoot': {
        const state = this.book.book();
        if (state.kind === 'unset') return [{ kind: 'bookHint', text: 'Set spdkLens.book.path to the book folder' }];
        if (state.kind === 'error') return [{ kind: 'bookHint', text: state.error, error: true }];
        if (state.chapters.length === 0) return [{ kind: 'bookHint', text: 'No chapters in content/chapters', error: true }];
        return state.chapters.map((loaded) => ({ kind: 'chapter', loaded }));
      }
      case 'chapter': {
        const chapter = node.loaded.chapter;
        if (!chapter) return [];
        const children: ReadingNode[] = [];
        if (chapter.selfCheck.length > 0) children.push({ kind: 'selfCheckGroup', chapter });
        if (chapter.mentions.length > 0) children.push({ kind: 'landmarkGroup', chapter });
        return children;
      }
      case 'selfCheckGroup':
        return node.chapter.selfCheck.map((question, index) => ({ kind: 'question', chapter: node.chapter, question, index }));
      case 'landmarkGroup': {
        // Each landmark once, in the order the chapter first names it.
        const seen = new Set<string>();
        return this.book.resolvedMentions(node.chapter).filter((m) => {
          const key = m.landmark ? `${m.landmark.file}:${m.landmark.symbol ?? ''}` : `?${m.target}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        }).map((mention) => ({ kind: 'landmark', chapter: node.chapter, mention }));
      }
      case 'toursRoot':
        return this.tours.list().then((list) => list.map((tour) => ({ kind: 'tour', tour })));
      case 'tour':
        return this.tours.resolve(node.tour).map((step) => ({ kind: 'step', tour: node.tour, step }));
      default:
        return [];
    }
  }

  getTreeItem(node: ReadingNode): vscode.TreeItem {
    const Collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    switch (node.kind) {
      case 'bookRoot':
        return Object.assign(new vscode.TreeItem('Book', vscode.TreeItemCollapsibleState.Expanded), { iconPath: new vscode.ThemeIcon('book'), contextValue: 'bookRoot' });
      case 'toursRoot':
        return Object.assign(new vscode.TreeItem('Tours', vscode.TreeItemCollapsibleState.Expanded), { iconPath: new vscode.ThemeIcon('map'), contextValue: 'toursRoot' });
      case 'bookHint': {
        const item = new vscode.TreeItem(node.text);
        item.iconPath = new vscode.ThemeIcon(node.error ? 'warning' : 'gear');
        item.command = { command: 'workbench.action.openSettings', title: 'Open Settings', arguments: ['spdkLens.book.path'] };
        return item;
      }
      case 'chapter': {
        const { loaded } = node;
        const label = loaded.chapter ? chapterLabel(loaded.chapter) : `${loaded.ref.number} · ${loaded.ref.slug}`;
        const item = new vscode.TreeItem(label, loaded.chapter ? Collapsed : vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(loaded.chapter ? 'file-text' : 'warning');
        item.tooltip = loaded.error ?? loaded.chapter?.title;
        item.contextValue = 'chapter';
        item.command = { command: COMMAND.bookOpenChapter, title: 'Open Chapter', arguments: [loaded.ref.path] };
        return item;
      }
      case 'selfCheckGroup':
        return Object.assign(new vscode.TreeItem(`Self-check (${node.chapter.selfCheck.length})`, Collapsed), { iconPath: new vscode.ThemeIcon('checklist') });
      case 'question': {
        const item = new vscode.TreeItem(node.question.text);
        item.tooltip = node.question.text;
        const done = this.checked()[this.questionKey(node.chapter, node.index)] === true;
        item.checkboxState = done ? vscode.TreeItemCheckboxState.Checked : vscode.TreeItemCheckboxState.Unchecked;
        const landmark = this.book.resolvedMentions(node.chapter).find((m) => node.question.mentions.includes(m.id) && m.landmark)?.landmark;
        if (landmark) {
          item.description = `reveal ${landmark.symbol ?? landmark.file}`;
          item.command = { command: COMMAND.openLocation, title: 'Reveal', arguments: [landmark.file, landmark.line] };
        }
        return item;
      }
      case 'landmarkGroup':
        return Object.assign(new vscode.TreeItem('Landmarks', Collapsed), { iconPath: new vscode.ThemeIcon('location') });
      case 'landmark': {
        const { mention } = node;
        const item = new vscode.TreeItem(mention.text.replace(/^`|`$/g, ''));
        if (mention.landmark) {
          item.description = mention.landmark.symbol ? `${mention.landmark.file}:${mention.landmark.line}` : mention.landmark.kind;
          item.iconPath = new vscode.ThemeIcon(mention.landmark.kind === 'folder' ? 'folder' : mention.landmark.kind === 'file' ? 'file-code' : 'symbol-method');
          item.command = { command: COMMAND.openLocation, title: 'Open Landmark', arguments: [mention.landmark.file, mention.landmark.line] };
        } else {
          item.description = mention.external ? 'outside the tree' : 'unresolved';
          item.iconPath = new vscode.ThemeIcon(mention.external ? 'link-external' : 'warning');
        }
        item.tooltip = mention.unresolved ?? `Line ${mention.line} of the chapter`;
        return item;
      }
      case 'tour': {
        const { tour } = node;
        const title = tour.tour?.title ?? vscode.workspace.asRelativePath(tour.uri);
        const item = new vscode.TreeItem(title, tour.tour ? Collapsed : vscode.TreeItemCollapsibleState.None);
        const errors = tour.problems.filter((p) => p.severity === 'error');
        item.iconPath = new vscode.ThemeIcon(errors.length > 0 ? 'error' : tour.builtin ? 'star-full' : 'map');
        item.description = tour.builtin ? 'built in' : tour.format === 'codetour' ? 'CodeTour' : vscode.workspace.asRelativePath(tour.uri);
        item.tooltip = errors.length > 0 ? errors.map((p) => p.message).join('\n') : tour.tour?.description;
        item.contextValue = 'tour';
        if (tour.tour) item.command = { command: COMMAND.tourStart, title: 'Start Tour', arguments: [tour.id] };
        return item;
      }
      case 'step': {
        const { step, tour } = node;
        const position = this.player.position;
        const here = position?.tourId === tour.id && position.step === step.index;
        const item = new vscode.TreeItem(`${step.index + 1}. ${step.title}`);
        item.iconPath = new vscode.ThemeIcon(here ? 'debug-stackframe' : step.location ? 'circle-outline' : 'warning');
        item.description = step.location ? `${step.location.file}${step.location.kind === 'folder' || step.location.kind === 'file' ? '' : `:${step.location.line}`}` : 'does not resolve';
        item.tooltip = step.error ?? step.location?.note;
        item.command = { command: COMMAND.tourStart, title: 'Go to Step', arguments: [tour.id, step.index] };
        return item;
      }
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
