// The tours a user can play: the built-in landmark tour, and tour files in the workspace (SPDK Lens `*.tour.json`
// anywhere, CodeTour `.tour` files in `.tours/` and `.vscode/tours/`). A broken file is reported, never fatal.
import * as vscode from 'vscode';
import { readTourText } from '../../core/tour/codeTour';
import { resolveTour } from '../../core/tour/anchorResolver';
import type { ResolvedStep, Tour, TourProblem } from '../../core/tour/tourTypes';
import type { AnchorContext } from './anchorContext';

export interface LoadedTour {
  /** `builtin:spdk-landmarks` or the file's URI: what progress is remembered under. */
  id: string;
  uri: vscode.Uri;
  builtin: boolean;
  tour?: Tour;
  format?: 'spdk-lens' | 'codetour';
  problems: TourProblem[];
}

export const BUILTIN_TOUR_ID = 'builtin:spdk-landmarks';
const WORKSPACE_TOUR_GLOBS = ['**/*.tour.json', '.tours/**/*.tour', '.vscode/tours/**/*.tour'];
const MAX_TOUR_BYTES = 2 * 1024 * 1024;

export class TourLibrary implements vscode.Disposable {
  private tours: LoadedTour[] | undefined;
  private readonly resolved = new Map<string, ResolvedStep[]>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly anchors: AnchorContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const watchers = WORKSPACE_TOUR_GLOBS.map((glob) => vscode.workspace.createFileSystemWatcher(glob));
    const reload = () => this.invalidate(true);
    for (const w of watchers) this.disposables.push(w, w.onDidCreate(reload), w.onDidChange(reload), w.onDidDelete(reload));
    this.disposables.push(this.changed, anchors.onDidChange(() => this.invalidate(false)));
  }

  private invalidate(files: boolean): void {
    if (files) this.tours = undefined;
    this.resolved.clear();
    this.changed.fire();
  }

  async list(): Promise<LoadedTour[]> {
    this.tours ??= await this.load();
    return this.tours;
  }

  async get(id: string): Promise<LoadedTour | undefined> {
    return (await this.list()).find((t) => t.id === id);
  }

  private async load(): Promise<LoadedTour[]> {
    const builtinUri = vscode.Uri.joinPath(this.extensionUri, 'media', 'tours', 'spdk-landmarks.tour.json');
    const tours = [await this.read(builtinUri, BUILTIN_TOUR_ID, true)];
    const seen = new Set<string>([builtinUri.toString()]);
    for (const glob of WORKSPACE_TOUR_GLOBS) {
      const found = await vscode.workspace.findFiles(glob, '**/{node_modules,.git,build,dpdk}/**', 200);
      for (const uri of found.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
        if (seen.has(uri.toString())) continue;
        seen.add(uri.toString());
        tours.push(await this.read(uri, uri.toString(), false));
      }
    }
    return tours;
  }

  private async read(uri: vscode.Uri, id: string, builtin: boolean): Promise<LoadedTour> {
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_TOUR_BYTES) return { id, uri, builtin, problems: [{ severity: 'error', path: '', message: `tour file is ${(stat.size / 1048576).toFixed(1)} MB; tours over 2 MB are not read` }] };
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      const parsed = readTourText(text, this.anchors.get());
      for (const p of parsed.problems) this.log.warn(`${vscode.workspace.asRelativePath(uri)}: ${p.severity}: ${p.message}${p.line ? ` (line ${p.line}, column ${p.column})` : ''}`);
      return { id, uri, builtin, tour: parsed.tour, format: parsed.format, problems: parsed.problems };
    } catch (error) {
      return { id, uri, builtin, problems: [{ severity: 'error', path: '', message: `cannot read: ${(error as Error).message}` }] };
    }
  }

  /** The tour's steps with where each lands in this checkout; empty while the index is not ready. */
  resolve(loaded: LoadedTour): ResolvedStep[] {
    if (!loaded.tour) return [];
    const cached = this.resolved.get(loaded.id);
    if (cached) return cached;
    const context = this.anchors.get();
    if (!context) return loaded.tour.steps.map((s, index) => ({ index, title: s.title, anchor: s.anchor, error: 'the index is not ready yet' }));
    const steps = resolveTour(loaded.tour, context);
    this.resolved.set(loaded.id, steps);
    return steps;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
