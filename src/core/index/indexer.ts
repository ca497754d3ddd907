// Indexes a whole tree: discover sources, reuse cached facts whose content hash is unchanged, extract the rest in
// worker threads, then link and label. The result answers lookups and takes single-file updates.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { decodeFacts, type EncodedFacts } from '../facts/factsCodec';
import { internFactStrings, StringInterner } from '../facts/factStrings';
import type { FileFacts, FunctionDefinition } from '../facts/fileFacts';
import { findGrammarsDir } from '../parse/grammar';
import { bdevModules } from '../labels/bdevModules';
import { functionKey } from '../labels/callbackEvidence';
import { functionLabels } from '../labels/functionLabels';
import { typeOwnership } from '../labels/ownership';
import { rpcMethods } from '../labels/rpc';
import { indexDocument } from '../model/indexDocument';
import { IndexModel } from '../model/indexModel';
import { pushTo } from '../util/multiMap';
import type { BdevModule, FunctionLabels, IndexDocument, IndexProblem, IndexStats, RpcMethod, TypeLabels } from '../model/indexTypes';
import { discoverSources, type DiscoveryOptions } from './fileDiscovery';
import { FactCache, type ManifestEntry } from './factCache';
import { factsOfParsedFile, type FactExtractor } from './factExtractor';
import { DEFAULT_MAX_FILE_BYTES } from './sourceText';
import type { JobResult, WorkerSetup } from './workerProtocol';
import { findWorkerScript, PrestartedWorkers, runJobs } from './workerPool';

export interface IndexOptions extends DiscoveryOptions {
  root: string;
  /** Folder for the on-disk cache; null disables it. */
  cacheDir: string | null;
  workers?: number;
  maxFileBytes?: number;
  workerScript?: string;
  grammarsDir?: string;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export async function indexTree(options: IndexOptions): Promise<SpdkIndex> {
  const started = performance.now();
  const root = resolve(options.root);
  const phases: Record<string, number> = {};
  let t = started;
  const lap = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - t);
    t = now;
  };
  const workerScript = options.workerScript ?? findWorkerScript();
  const cache = options.cacheDir ? new FactCache(options.cacheDir, root, [workerScript, __filename]) : undefined;
  const savedManifest = cache?.loadManifest() ?? new Map<string, ManifestEntry>();
  const workers = options.workers ?? defaultWorkerCount();
  // Found only when workers start: a warm start from the snapshot needs no grammar.
  let setup: WorkerSetup | undefined;
  const workerSetup = (): WorkerSetup => (setup ??= { grammarsDir: options.grammarsDir ?? findGrammarsDir(), maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES });
  // With nothing cached every file will be parsed: start the workers now, so their start overlaps discovery.
  const prestarted = savedManifest.size === 0 ? new PrestartedWorkers(workers, workerSetup(), workerScript) : undefined;
  let discovered: ReturnType<typeof discoverSources>;
  try {
    discovered = discoverSources(root, options);
  } catch (error) {
    prestarted?.dispose();
    throw error;
  }
  const { files: sources, problems } = discovered;
  lap('discover');
  const optionsKey = JSON.stringify([options.exclude ?? null, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES]);
  if (cache && savedManifest.size > 0) {
    // Nothing changed since the last index (same files, sizes and times): serve its saved labels, load facts later.
    const unchanged = savedManifest.size === sources.length && sources.every((s) => savedManifest.get(s.file)?.size === s.size && savedManifest.get(s.file)?.mtimeMs === s.mtimeMs);
    if (unchanged) {
      const key = FactCache.snapshotKey([...savedManifest.values()], optionsKey);
      const snapshot = cache.loadSnapshot(key);
      if (snapshot) {
        lap('snapshot');
        const stats: IndexStats = {
          ...snapshot.stats,
          ms: 0,
          parsedFiles: 0,
          cachedFiles: snapshot.stats.files,
          workers: 0,
          phases: { ...phases },
        };
        const index = SpdkIndex.fromSnapshot(root, snapshot, stats, () => cache.loadSync(root));
        stats.ms = Math.round(performance.now() - started);
        return index;
      }
    }
  }
  let cached: Map<string, FileFacts>;
  try {
    cached = cache ? await cache.load(root) : new Map<string, FileFacts>();
  } catch (error) {
    prestarted?.dispose();
    throw error;
  }
  lap('cacheLoad');
  const jobs = extractionOrder(sources).map((s) => ({ path: s.path, file: s.file, knownHash: cached.get(s.file)?.hash }));
  const files = new Map<string, FileFacts>();
  const encodedJson = new Map<string, string>();
  let parsedFiles = 0;
  let cachedFiles = 0;
  let bytes = 0;
  const sizeOf = new Map(sources.map((s) => [s.file, s.size]));
  let decodeMs = 0;
  let factsMs = 0;
  const strings = new StringInterner();
  const take = (results: JobResult[]) => {
    for (const result of results) {
      if (result.problem) problems.push(result.problem);
      if (result.status === 'parsed') {
        const started = performance.now();
        try {
          files.set(result.file, internFactStrings(factsOfParsedFile(result.parsed), strings));
        } catch (error) {
          problems.push({ file: result.file, kind: 'parse_failed', message: (error as Error).message });
          continue;
        } finally {
          factsMs += performance.now() - started;
        }
        parsedFiles++;
      } else if (result.status === 'facts') {
        const started = performance.now();
        files.set(result.file, decodeFacts(JSON.parse(result.factsJson) as EncodedFacts));
        decodeMs += performance.now() - started;
        encodedJson.set(result.file, result.factsJson);
        parsedFiles++;
      } else if (result.status === 'unchanged') {
        files.set(result.file, cached.get(result.file)!);
        cachedFiles++;
      } else continue;
      bytes += sizeOf.get(result.file) ?? 0;
    }
  };
  const run = await runJobs(jobs, {
    workers,
    setup: workerSetup(),
    workerScript,
    prestarted,
    // Small batches when parsing everything: this thread starts reading facts sooner, and the last batch ends sooner.
    // Large ones when most files are only hashed.
    batchSize: cached.size > 0 ? 64 : 4,
    onProgress: options.onProgress,
    onResults: take,
    signal: options.signal,
  });
  lap('extract');
  phases.facts = Math.round(factsMs);
  if (decodeMs > 0) phases.decode = Math.round(decodeMs);
  // Stable order (discovery order) regardless of which worker finished first.
  const ordered = new Map<string, FileFacts>();
  for (const s of sources) {
    const facts = files.get(s.file);
    if (facts) ordered.set(s.file, facts);
  }
  const manifest = sources.map((s) => ({ file: s.file, size: s.size, mtimeMs: s.mtimeMs, hash: ordered.get(s.file)?.hash ?? '' }));
  const stats: IndexStats = {
    files: ordered.size,
    ms: 0,
    parsedFiles,
    cachedFiles,
    bytes,
    workers: parsedFiles > 0 ? workers : 0,
    parseErrorFiles: 0,
    phases: { ...phases, workerBusy: Math.round(run.workerMs), workerRead: Math.round(run.readMs) },
  };
  const index = new SpdkIndex(root, ordered, problems, stats);
  stats.ms = Math.round(performance.now() - started);
  if (cache) {
    index.snapshotTarget = { cache, key: FactCache.snapshotKey(manifest, optionsKey) };
    // The index is ready now; the cache is written behind it (the pack first: the manifest vouches for it).
    index.persisted = (async () => {
      try {
        if (parsedFiles > 0) await cache.save(root, ordered.values(), encodedJson);
        cache.saveManifest(manifest);
      } catch (error) {
        problems.push({ file: '.', kind: 'unreadable', message: `cache not saved: ${(error as Error).message}` });
      }
    })();
  }
  return index;
}

/**
 * Worker threads for a cold index: one that parses, beside this thread, which reads the facts; on machines with more
 * than two cores, up to two more that do whole files.
 */
export function defaultWorkerCount(cores = availableParallelism()): number {
  return Math.max(1, Math.min(3, cores - 1));
}

/** Biggest files first, so the last batches are small and the workers finish together. */
export function extractionOrder<T extends { size: number }>(sources: readonly T[]): T[] {
  return [...sources].sort((a, b) => b.size - a.size);
}

/**
 * The labelled index of one tree, with lookups for the editor and CLI and single-file updates. It starts either from
 * facts (linked at once) or from a saved snapshot of its labels, when nothing changed since it was saved; then the
 * facts are loaded on the first question the snapshot cannot answer (an edit, a struct lookup).
 */
export class SpdkIndex {
  private modelState: IndexModel | undefined;
  private snapshot: IndexDocument | undefined;
  private loadFacts: (() => Map<string, FileFacts>) | undefined;
  private functionsByFile = new Map<string, FunctionDefinition[]>();
  private snapshotFunctions: Map<string, FunctionLabels[]> | undefined;
  /** Where `saveSnapshot` writes, and the generation the saved labels belong to. */
  snapshotTarget: { cache: FactCache; key: string } | undefined;
  /** Settles when the on-disk cache holds this index's facts. */
  persisted: Promise<void> = Promise.resolve();
  private snapshotGeneration = -1;

  constructor(
    readonly root: string,
    files: Map<string, FileFacts> | undefined,
    readonly problems: IndexProblem[],
    readonly stats: IndexStats,
  ) {
    if (files) this.link(files);
  }

  static fromSnapshot(root: string, snapshot: IndexDocument, stats: IndexStats, loadFacts: () => Map<string, FileFacts>): SpdkIndex {
    const index = new SpdkIndex(root, undefined, snapshot.problems, stats);
    index.snapshot = snapshot;
    index.loadFacts = loadFacts;
    index.snapshotFunctions = new Map();
    for (const fn of snapshot.functions) pushTo(index.snapshotFunctions, fn.file, fn);
    for (const list of index.snapshotFunctions.values()) list.sort((a, b) => a.line - b.line);
    return index;
  }

  private link(files: Map<string, FileFacts>): void {
    const started = performance.now();
    this.modelState = new IndexModel(files);
    for (const facts of files.values()) this.indexDefinitions(facts);
    this.stats.phases.link = Math.round(performance.now() - started);
    this.stats.parseErrorFiles = [...files.values()].filter((f) => f.parseErrors > 0).length;
    this.snapshotGeneration = this.modelState.generation;
  }

  /** The linked model; an index that started from a snapshot loads its facts now. */
  get model(): IndexModel {
    if (!this.modelState) {
      const facts = this.loadFacts!();
      this.link(facts);
      this.snapshot = undefined;
      this.snapshotFunctions = undefined;
    }
    return this.modelState!;
  }

  get files(): Map<string, FileFacts> {
    return this.model.files;
  }

  private indexDefinitions(facts: FileFacts): void {
    this.functionsByFile.set(facts.file, [...facts.functions].sort((a, b) => a.line - b.line));
  }

  /** The full document (every function labelled): what `--json` writes. */
  get document(): IndexDocument {
    if (this.snapshot) return { ...this.snapshot, stats: this.stats };
    return this.model.memoize('document', () => {
      const started = performance.now();
      const document = indexDocument(this.model, this.root, this.stats, this.problems);
      this.stats.phases.label = Math.round(performance.now() - started);
      return document;
    });
  }

  /** Saves the labels for the next start, when they still describe the files as they were indexed. */
  async saveSnapshot(): Promise<boolean> {
    await this.persisted;
    if (!this.snapshotTarget || this.snapshot || !this.modelState || this.modelState.generation !== this.snapshotGeneration) return false;
    this.snapshotTarget.cache.saveSnapshot(this.snapshotTarget.key, this.document);
    return true;
  }

  /**
   * Replace one file's facts from new text (an edit or a save). `keepTree` keeps the file's syntax tree for the next
   * edit (open documents only). Returns what had to be relinked.
   */
  updateFile(extractor: FactExtractor, file: string, text: string, keepTree = false): { facts: FileFacts; relinked: 'file' | 'all' } {
    const model = this.model;
    const facts = keepTree ? extractor.extractOpen(file, text) : extractor.extract(file, text);
    const relinked = model.update(facts);
    this.indexDefinitions(facts);
    return { facts, relinked };
  }

  removeFile(file: string): void {
    this.model.remove(file);
    this.functionsByFile.delete(file);
  }

  /** Labels of the function whose definition spans `line` (1-based) in `file`. */
  functionAt(file: string, line: number): FunctionLabels | undefined {
    if (this.snapshotFunctions) return lastStartingAtOrBefore(this.snapshotFunctions.get(file), line);
    const found = lastStartingAtOrBefore(this.functionsByFile.get(file), line);
    if (!found) return undefined;
    const labels = functionLabels(this.model, functionKey(file, found.name));
    return labels && labels.line !== found.line ? { ...labels, line: found.line, endLine: found.endLine } : labels;
  }

  /** Labels of every function defined in `file`, in line order (what CodeLens shows). */
  functionsIn(file: string): FunctionLabels[] {
    if (this.snapshotFunctions) return this.snapshotFunctions.get(file) ?? [];
    const defs = this.functionsByFile.get(file) ?? [];
    return defs.map((d) => this.functionAt(file, d.line)).filter((l): l is FunctionLabels => l !== undefined);
  }

  /** Is the index still answering from its saved snapshot (facts not loaded yet)? */
  get answersFromSnapshot(): boolean {
    return this.snapshot !== undefined;
  }

  /** Labels of every definition named `name` (static functions can share a name across files). */
  functionsNamed(name: string): FunctionLabels[] {
    if (this.snapshot) return this.snapshot.functions.filter((f) => f.name === name);
    const defs = this.model.symbols.functions.get(name) ?? [];
    return defs.map((d) => functionLabels(this.model, functionKey(d.file, name))).filter((l): l is FunctionLabels => l !== undefined);
  }

  rpcMethods(): RpcMethod[] {
    if (this.snapshot) return this.snapshot.rpcMethods;
    return rpcMethods(this.model);
  }

  bdevModules(): BdevModule[] {
    if (this.snapshot) return this.snapshot.bdevModules;
    return bdevModules(this.model);
  }

  type(name: string): TypeLabels | undefined {
    if (this.snapshot) return this.snapshot.types.find((t) => t.name === name);
    return this.model.memoize('typesByName', () => new Map(typeOwnership(this.model).map((t) => [t.name, t]))).get(name);
  }

  /** The struct defined at `line` in `file`, with its labels if it has any. */
  structAt(file: string, line: number): { name: string; labels?: TypeLabels } | undefined {
    const facts = this.files.get(file);
    if (!facts) return undefined;
    let best: { name: string; line: number } | undefined;
    for (const s of facts.structs) {
      const last = s.fields.length > 0 ? s.fields[s.fields.length - 1].line + 1 : s.line + 1;
      if (s.line <= line && line <= last && (!best || s.line >= best.line)) best = { name: s.name, line: s.line };
    }
    return best ? { name: best.name, labels: this.type(best.name) } : undefined;
  }
}

/** In a list sorted by `line`, the definition that spans `line`. */
function lastStartingAtOrBefore<T extends { line: number; endLine: number }>(list: T[] | undefined, line: number): T | undefined {
  if (!list) return undefined;
  let lo = 0;
  let hi = list.length - 1;
  let found: T | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].line <= line) {
      found = list[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found && line <= found.endLine ? found : undefined;
}
