// The index of the open SPDK tree, as the editor sees it: built in worker threads with a cancellable progress
// notification and a status bar item, warm-started from the workspace cache, kept current from file events and from
// the unsaved text of open documents.
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { DEFAULT_EXCLUDES, discoverableFileMatcher } from '../core/index/fileDiscovery';
import { FactExtractor } from '../core/index/factExtractor';
import { indexTree, type SpdkIndex } from '../core/index/indexer';
import { readSource } from '../core/index/sourceText';
import { COMMAND } from '../shared/commandIds';
import type { LensConfig } from './config';

export type IndexState = 'idle' | 'indexing' | 'ready' | 'error' | 'disabled' | 'no_root' | 'cancelled';

/** Above this many changed files at once (a branch switch), a whole re-index (mostly from cache) beats file updates. */
const BULK_CHANGE_LIMIT = 200;
/** Idle time after Ready before the labels snapshot is written. */
const SNAPSHOT_DELAY_MS = 8000;
/** Progress reaches the workbench at most this often: each report is a message to the window and a repaint. */
const PROGRESS_INTERVAL_MS = 250;

export class WorkspaceIndex implements vscode.Disposable {
  state: IndexState = 'idle';
  index: SpdkIndex | undefined;
  root: string | undefined;
  lastError: string | undefined;
  readyMs: number | undefined;
  /** Files indexed so far and in all, while indexing. */
  progress: { done: number; total: number } | undefined;
  /** Settles when the current indexing run ends (ready, failed or cancelled). */
  private indexing: Promise<void> = Promise.resolve();
  private readonly changed = new vscode.EventEmitter<{ files: string[] }>();
  /** Fires when labels may have changed (index ready, a file updated). */
  readonly onDidChange = this.changed.event;
  private readonly status: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  /** Disposables that live as long as one index (watcher, document listeners). */
  private indexScope: vscode.Disposable[] = [];
  private abort: AbortController | undefined;
  private extractor: Promise<FactExtractor> | undefined;
  private readonly pendingEdits = new Map<string, NodeJS.Timeout>();
  private pendingDiskChanges = new Set<string>();
  private diskTimer: NodeJS.Timeout | undefined;
  private generation = 0;
  /** Which root-relative files the index covers, under the current exclude settings. */
  private isDiscoverable: (file: string) => boolean;

  constructor(
    private config: LensConfig,
    /** Where the index (and the checks' path notes) are cached between sessions. */
    readonly cacheDir: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.status = vscode.window.createStatusBarItem('spdkLens.status', vscode.StatusBarAlignment.Left, 50);
    this.status.name = 'SPDK Lens';
    this.status.command = COMMAND.showIndexSummary;
    this.disposables.push(this.status, this.changed);
    this.isDiscoverable = discoverableFileMatcher(this.excludes());
  }

  get ready(): SpdkIndex | undefined {
    return this.state === 'ready' ? this.index : undefined;
  }

  /** The index once it is ready, waiting at most `ms` for an index being built; undefined if it is not ready by then. */
  async readyWithin(ms: number, token?: vscode.CancellationToken): Promise<SpdkIndex | undefined> {
    if (this.state !== 'indexing') return this.ready;
    let timer: NodeJS.Timeout | undefined;
    let cancelled: vscode.Disposable | undefined;
    await Promise.race([
      this.indexing,
      new Promise<void>((wake) => {
        timer = setTimeout(wake, ms);
        cancelled = token?.onCancellationRequested(() => wake());
      }),
    ]);
    clearTimeout(timer);
    cancelled?.dispose();
    return this.ready;
  }

  /** Root-relative path of a document inside the indexed tree, or undefined. */
  fileOf(uri: vscode.Uri): string | undefined {
    if (!this.root || uri.scheme !== 'file') return undefined;
    const rel = path.relative(this.root, uri.fsPath);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return rel.split(path.sep).join('/');
  }

  uriOf(file: string): vscode.Uri {
    return vscode.Uri.file(path.join(this.root ?? '', ...file.split('/')));
  }

  updateConfig(config: LensConfig): void {
    this.config = config;
    this.isDiscoverable = discoverableFileMatcher(this.excludes());
  }

  private excludes(): string[] {
    return [...DEFAULT_EXCLUDES, ...this.config.exclude];
  }

  private showStatus(text: string, tooltip: string, icon: string): void {
    this.status.text = `$(${icon}) SPDK Lens: ${text}`;
    this.status.tooltip = tooltip;
    this.status.show();
  }

  /** Finds the SPDK root: the setting, else the workspace folder (or a folder in it) holding include/spdk/thread.h. */
  async findRoot(): Promise<string | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (this.config.root) {
      const explicit = path.isAbsolute(this.config.root) ? this.config.root : folders[0] ? path.join(folders[0].uri.fsPath, this.config.root) : undefined;
      if (explicit && existsSync(explicit)) return explicit;
      this.log.warn(`spdkLens.root is set to "${this.config.root}", which does not exist; looking for include/spdk/thread.h instead`);
    }
    for (const folder of folders) {
      if (folder.uri.scheme === 'file' && existsSync(path.join(folder.uri.fsPath, 'include', 'spdk', 'thread.h'))) return folder.uri.fsPath;
    }
    const found = await vscode.workspace.findFiles('**/include/spdk/thread.h', '**/{node_modules,.git,build}/**', 20);
    const roots = found.filter((u) => u.scheme === 'file').map((u) => path.dirname(path.dirname(path.dirname(u.fsPath))));
    roots.sort((a, b) => a.length - b.length);
    if (roots.length > 1) this.log.info(`several SPDK trees in the workspace; indexing ${roots[0]} (set spdkLens.root to choose): ${roots.join(', ')}`);
    return roots[0];
  }

  /** (Re)builds the index. Returns when it is ready, failed or was cancelled; never throws. */
  async start(): Promise<void> {
    this.abort?.abort();
    this.resetScope();
    const generation = ++this.generation;
    if (!this.config.enable) {
      this.state = 'disabled';
      this.index = undefined;
      this.showStatus('Off', 'SPDK Lens is disabled (spdkLens.enable)', 'circle-slash');
      this.changed.fire({ files: [] });
      return;
    }
    const root = await this.findRoot();
    if (generation !== this.generation) return;
    if (!root) {
      this.state = 'no_root';
      this.showStatus('No SPDK tree', 'No include/spdk/thread.h in this workspace. Open an SPDK checkout or set spdkLens.root.', 'question');
      this.log.info('no SPDK tree found in the workspace (include/spdk/thread.h); set spdkLens.root to point at one');
      return;
    }
    this.root = root;
    this.state = 'indexing';
    this.progress = undefined;
    // A still icon: a spinning one repaints the window at every frame, on the cores the index needs.
    this.showStatus('Indexing', `Indexing ${root}`, 'sync');
    const abort = new AbortController();
    this.abort = abort;
    const started = performance.now();
    this.log.info(`indexing ${root} (cache: ${this.cacheDir})`);
    let finished = () => {};
    this.indexing = new Promise<void>((settle) => (finished = settle));
    try {
      const index = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'SPDK Lens: indexing', cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          let reported = 0;
          let reportedAt = 0;
          return indexTree({
            root,
            cacheDir: this.cacheDir,
            exclude: this.excludes(),
            maxFileBytes: this.config.maxFileBytes,
            signal: abort.signal,
            onProgress: (done, total) => {
              if (generation !== this.generation) return;
              this.progress = { done, total };
              const now = performance.now();
              if (now - reportedAt < PROGRESS_INTERVAL_MS && done < total) return;
              reportedAt = now;
              const percent = total > 0 ? (done / total) * 100 : 0;
              progress.report({ message: `${done}/${total} files`, increment: percent - reported });
              reported = percent;
              this.showStatus(`Indexing ${done}/${total}`, `Indexing ${root}`, 'sync');
            },
          });
        },
      );
      if (generation !== this.generation) return;
      this.index = index;
      this.state = 'ready';
      this.readyMs = Math.round(performance.now() - started);
      const s = index.stats;
      this.log.info(
        `ready in ${this.readyMs} ms: ${s.files} files (${s.parsedFiles} parsed, ${s.cachedFiles} from cache), ${index.problems.length} problems; phases ${JSON.stringify(s.phases)}`,
      );
      for (const p of index.problems.slice(0, 50)) this.log.warn(`${p.file}: ${p.kind}: ${p.message}`);
      if (index.problems.length > 50) this.log.warn(`(+${index.problems.length - 50} more problems)`);
      this.showStatus('Ready', `SPDK Lens indexed ${s.files} files of ${root} in ${this.readyMs} ms. Click for details.`, 'check');
      this.watch(root);
      this.changed.fire({ files: [] });
      // Edits made while the tree was being indexed are not in it yet.
      for (const document of vscode.workspace.textDocuments) if (document.isDirty) this.queueEdit(document);
      this.finishInBackground(index, generation);
    } catch (error) {
      if (generation !== this.generation) return;
      if (abort.signal.aborted) {
        this.state = 'cancelled';
        this.showStatus('Paused', 'Indexing was cancelled. Click to see the log; run "SPDK Lens: Re-index" to start again.', 'debug-pause');
        this.log.info('indexing cancelled');
        return;
      }
      this.state = 'error';
      this.lastError = (error as Error).message;
      this.showStatus('Error', `Indexing failed: ${this.lastError}`, 'error');
      this.log.error(`indexing failed: ${(error as Error).stack ?? error}`);
      void vscode.window.showErrorMessage(`SPDK Lens could not index ${root}: ${this.lastError}`, 'Show Log').then((choice) => {
        if (choice) this.log.show();
      });
    } finally {
      finished();
    }
  }

  /** Settles when the work scheduled after Ready (facts behind a snapshot, cache and snapshot writes) is done. */
  settled: Promise<void> = Promise.resolve();

  /**
   * After Ready: load the facts (when the labels came from the snapshot) so the first hover on an API does not pay
   * for it; write the cache; and, once the reader is likely idle, save the labels for the next warm start (computing
   * every function's labels holds the extension host for about a second on SPDK master).
   */
  private finishInBackground(index: SpdkIndex, generation: number): void {
    const current = () => generation === this.generation && this.index === index;
    const later = (ms: number) => new Promise<void>((wake) => setTimeout(wake, ms));
    this.settled = (async () => {
      try {
        await later(1000);
        if (!current()) return;
        if (index.answersFromSnapshot) {
          const started = performance.now();
          void index.model;
          this.log.info(`facts loaded behind the snapshot in ${Math.round(performance.now() - started)} ms`);
        }
        if (!current()) return;
        // Tree-wide answers every CodeLens and hover needs (RPC methods, type ownership), computed before anyone asks.
        let started = performance.now();
        index.rpcMethods();
        index.type('struct spdk_thread');
        this.log.info(`tree-wide labels computed in ${Math.round(performance.now() - started)} ms`);
        if (!index.snapshotTarget) return;
        await later(0);
        if (!current()) return;
        started = performance.now();
        await index.persisted;
        this.log.info(`index cache written (${Math.round(performance.now() - started)} ms after it was asked for)`);
        await later(SNAPSHOT_DELAY_MS);
        if (!current()) return;
        started = performance.now();
        const saved = await index.saveSnapshot();
        if (saved) this.log.info(`labels snapshot saved in ${Math.round(performance.now() - started)} ms`);
        else this.log.info('labels snapshot not saved: files changed since indexing (the next start reads the cache instead)');
      } catch (error) {
        this.log.warn(`background step failed: ${(error as Error).message}`);
      }
    })();
  }

  private resetScope(): void {
    for (const d of this.indexScope) d.dispose();
    this.indexScope = [];
    for (const t of this.pendingEdits.values()) clearTimeout(t);
    this.pendingEdits.clear();
    if (this.diskTimer) clearTimeout(this.diskTimer);
    this.pendingDiskChanges.clear();
  }

  private getExtractor(): Promise<FactExtractor> {
    this.extractor ??= FactExtractor.create();
    return this.extractor;
  }

  private watch(root: string): void {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root), '**/*.{c,h}'));
    const onDisk = (uri: vscode.Uri) => this.queueDiskChange(uri);
    this.indexScope.push(
      watcher,
      watcher.onDidCreate(onDisk),
      watcher.onDidChange(onDisk),
      watcher.onDidDelete(onDisk),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.queueEdit(e.document);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => void this.closeDocument(doc)),
    );
  }

  private isIndexed(file: string | undefined): file is string {
    return file !== undefined && this.isDiscoverable(file);
  }

  private queueEdit(document: vscode.TextDocument): void {
    const file = this.fileOf(document.uri);
    if (!this.isIndexed(file)) return;
    clearTimeout(this.pendingEdits.get(file));
    this.pendingEdits.set(
      file,
      setTimeout(() => {
        this.pendingEdits.delete(file);
        void this.applyText(file, document.getText(), true);
      }, this.config.editDebounceMs),
    );
  }

  /** Replaces one file's facts; `open` keeps its syntax tree for the next edit. */
  private async applyText(file: string, text: string, open: boolean): Promise<void> {
    const index = this.ready;
    if (!index) return;
    if (text.length > this.config.maxFileBytes) {
      this.log.warn(`${file}: ${text.length} characters, over spdkLens.index.maxFileSizeMB; not re-indexed`);
      return;
    }
    try {
      const extractor = await this.getExtractor();
      if (this.index !== index) return;
      const started = performance.now();
      const { relinked } = index.updateFile(extractor, file, text, open);
      this.log.debug(`re-indexed ${file} in ${(performance.now() - started).toFixed(1)} ms (relinked ${relinked})`);
      this.changed.fire({ files: [file] });
    } catch (error) {
      this.log.error(`re-index of ${file} failed: ${(error as Error).message}`);
    }
  }

  private async closeDocument(document: vscode.TextDocument): Promise<void> {
    const file = this.fileOf(document.uri);
    if (!this.isIndexed(file)) return;
    const extractor = this.extractor ? await this.extractor : undefined;
    extractor?.close(file);
    // Closed without saving: the index must describe the file on disk again.
    if (document.isDirty) this.queueDiskChange(document.uri);
  }

  private queueDiskChange(uri: vscode.Uri): void {
    const file = this.fileOf(uri);
    if (!this.isIndexed(file)) return;
    this.pendingDiskChanges.add(file);
    if (this.diskTimer) clearTimeout(this.diskTimer);
    this.diskTimer = setTimeout(() => void this.applyDiskChanges(), 300);
  }

  private async applyDiskChanges(): Promise<void> {
    const files = [...this.pendingDiskChanges];
    this.pendingDiskChanges.clear();
    const index = this.ready;
    if (!index || !this.root || files.length === 0) return;
    if (files.length > BULK_CHANGE_LIMIT) {
      this.log.info(`${files.length} files changed on disk; re-indexing the tree (unchanged files come from the cache)`);
      await this.start();
      return;
    }
    const updated: string[] = [];
    for (const file of files) {
      const open = vscode.workspace.textDocuments.find((d) => this.fileOf(d.uri) === file);
      // An open document with unsaved edits is indexed from its text, not from disk.
      if (open?.isDirty) continue;
      const absolute = path.join(this.root, ...file.split('/'));
      if (!existsSync(absolute)) {
        if (index.files.has(file)) {
          index.removeFile(file);
          updated.push(file);
        }
        continue;
      }
      const read = readSource(absolute, file, this.config.maxFileBytes);
      if (!read.ok) {
        this.log.warn(`${file}: ${read.problem.kind}: ${read.problem.message}`);
        continue;
      }
      if (read.problem) this.log.warn(`${file}: ${read.problem.kind}: ${read.problem.message}`);
      try {
        const extractor = await this.getExtractor();
        index.updateFile(extractor, file, read.text, open !== undefined);
        updated.push(file);
      } catch (error) {
        this.log.error(`re-index of ${file} failed: ${(error as Error).message}`);
      }
    }
    if (updated.length > 0) {
      this.log.debug(`re-indexed from disk: ${updated.join(', ')}`);
      this.changed.fire({ files: updated });
    }
  }

  dispose(): void {
    this.abort?.abort();
    this.resetScope();
    for (const d of this.disposables) d.dispose();
    void this.extractor?.then((e) => e.dispose());
  }
}
