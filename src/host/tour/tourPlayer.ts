// Plays a tour: opens each step's landmark, shows the step's text beside the code (a comment thread, as code review
// does), keeps a "Tour · step 3/24" status bar item, and remembers per workspace where the reader stopped.
import * as vscode from 'vscode';
import { COMMAND } from '../../shared/commandIds';
import { MENTAL_MODEL_TITLES } from '../../core/tour/tourTypes';
import type { ResolvedStep } from '../../core/tour/tourTypes';
import type { WorkspaceIndex } from '../workspaceIndex';
import type { LoadedTour, TourLibrary } from './tourLibrary';

const PROGRESS_KEY = 'spdkLens.tourProgress';
const IN_TOUR_CONTEXT = 'spdkLens.inTour';

export interface TourPosition {
  tourId: string;
  step: number;
  total: number;
}

export class TourPlayer implements vscode.Disposable {
  private readonly comments: vscode.CommentController;
  private thread: vscode.CommentThread | undefined;
  private current: { tour: LoadedTour; steps: ResolvedStep[]; step: number } | undefined;
  private readonly status: vscode.StatusBarItem;
  private readonly changed = new vscode.EventEmitter<TourPosition | undefined>();
  /** Fires when a tour starts, moves or ends: the tree view marks the current step. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly library: TourLibrary,
    private readonly workspace: WorkspaceIndex,
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.comments = vscode.comments.createCommentController('spdkLens.tour', 'SPDK Lens tour');
    this.status = vscode.window.createStatusBarItem('spdkLens.tourStatus', vscode.StatusBarAlignment.Left, 49);
    this.status.name = 'SPDK Lens tour';
    this.status.command = COMMAND.tourNext;
  }

  get position(): TourPosition | undefined {
    return this.current ? { tourId: this.current.tour.id, step: this.current.step, total: this.current.steps.length } : undefined;
  }

  /** Where the reader stopped in each tour, by tour id. */
  savedStep(tourId: string): number | undefined {
    return this.state.get<Record<string, number>>(PROGRESS_KEY, {})[tourId];
  }

  /** Starts (or resumes, when `step` is not given) a tour. */
  async start(tourId: string, step?: number): Promise<void> {
    const tour = await this.library.get(tourId);
    if (!tour?.tour) {
      const why = tour?.problems.find((p) => p.severity === 'error')?.message ?? 'no such tour';
      void vscode.window.showErrorMessage(`SPDK Lens: cannot start the tour: ${why}`);
      return;
    }
    if (!this.workspace.ready) {
      void vscode.window.showInformationMessage('SPDK Lens: the tour starts once the index is ready (see the status bar).');
      return;
    }
    const steps = this.library.resolve(tour);
    if (steps.length === 0) {
      void vscode.window.showWarningMessage(`SPDK Lens: the tour "${tour.tour.title}" has no steps.`);
      return;
    }
    const saved = this.savedStep(tourId);
    const first = step ?? (saved !== undefined && saved < steps.length - 1 ? saved : 0);
    this.current = { tour, steps, step: first };
    await vscode.commands.executeCommand('setContext', IN_TOUR_CONTEXT, true);
    await this.show();
  }

  async next(): Promise<void> {
    if (!this.current) return this.resumeLast();
    if (this.current.step >= this.current.steps.length - 1) {
      void vscode.window.showInformationMessage(`SPDK Lens: that was the last step of "${this.current.tour.tour?.title}".`);
      return;
    }
    this.current.step++;
    await this.show();
  }

  async previous(): Promise<void> {
    if (!this.current || this.current.step === 0) return;
    this.current.step--;
    await this.show();
  }

  async end(): Promise<void> {
    this.current = undefined;
    this.thread?.dispose();
    this.thread = undefined;
    this.status.hide();
    await vscode.commands.executeCommand('setContext', IN_TOUR_CONTEXT, false);
    this.changed.fire(undefined);
  }

  private async resumeLast(): Promise<void> {
    const progress = this.state.get<Record<string, number>>(PROGRESS_KEY, {});
    const [tourId] = Object.keys(progress);
    await this.start(tourId ?? (await this.library.list())[0]?.id);
  }

  private async show(): Promise<void> {
    const current = this.current!;
    // Re-resolve: the code may have changed since the tour started, and steps anchor to symbols, not lines.
    current.steps = this.library.resolve(current.tour);
    const step = current.steps[current.step];
    const definition = current.tour.tour!.steps[current.step];
    const total = current.steps.length;
    await this.state.update(PROGRESS_KEY, { ...this.state.get<Record<string, number>>(PROGRESS_KEY, {}), [current.tour.id]: current.step });
    this.status.text = `$(book) Tour · step ${current.step + 1}/${total}`;
    this.status.tooltip = `${current.tour.tour!.title}: ${step.title}. Click for the next step.`;
    this.status.show();
    this.thread?.dispose();
    this.thread = undefined;
    this.changed.fire(this.position);
    if (!step.location) {
      this.log.warn(`tour step ${current.step + 1} "${step.title}" does not resolve: ${step.error}`);
      void vscode.window.showWarningMessage(`SPDK Lens: step ${current.step + 1} "${step.title}" does not resolve in this checkout: ${step.error}`);
      return;
    }
    const loc = step.location;
    const uri = this.workspace.uriOf(loc.file);
    const line = Math.max(0, loc.line - 1);
    if (loc.kind === 'folder') {
      await vscode.commands.executeCommand('revealInExplorer', uri);
    } else {
      const editor = await vscode.window.showTextDocument(uri, { preview: false, selection: new vscode.Range(line, 0, line, 0) });
      editor.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.AtTop);
    }
    const body = new vscode.MarkdownString();
    body.supportHtml = false;
    body.isTrusted = { enabledCommands: [COMMAND.tourNext, COMMAND.tourPrevious, COMMAND.tourEnd] };
    if (definition.model) body.appendMarkdown(`*${MENTAL_MODEL_TITLES[definition.model]}*\n\n`);
    // Tour text is Markdown by design; HTML is off and the only command links that run are the player's own.
    body.appendMarkdown(`${definition.text}\n\n`);
    if (definition.question) {
      body.appendMarkdown('**Ask:** ');
      body.appendText(definition.question);
      body.appendMarkdown('\n\n');
    }
    if (loc.via !== 'symbol') {
      body.appendMarkdown('*Anchor:* ');
      body.appendText(loc.note);
      body.appendMarkdown('\n\n');
    }
    const nav: string[] = [];
    if (current.step > 0) nav.push(`[$(arrow-left) Previous](command:${COMMAND.tourPrevious})`);
    if (current.step < total - 1) nav.push(`[Next $(arrow-right)](command:${COMMAND.tourNext})`);
    nav.push(`[End tour](command:${COMMAND.tourEnd})`);
    body.supportThemeIcons = true;
    body.appendMarkdown(nav.join(' · '));
    const thread = this.comments.createCommentThread(uri, new vscode.Range(line, 0, line, 0), [
      { body, mode: vscode.CommentMode.Preview, author: { name: `Step ${current.step + 1}/${total} · ${step.title}` } },
    ]);
    thread.canReply = false;
    thread.label = current.tour.tour!.title;
    thread.contextValue = 'spdkLensTourStep';
    // The inline thread is the step; package.json's default `comments.openView: never` keeps VS Code from also opening
    // the Comments panel, which took a third of the window at every step.
    thread.collapsibleState = vscode.CommentThreadCollapsibleState.Expanded;
    this.thread = thread;
  }

  dispose(): void {
    this.thread?.dispose();
    this.comments.dispose();
    this.status.dispose();
    this.changed.dispose();
  }
}
