// Indexes a whole tree: discover sources, reuse cached facts whose content hash is unchanged, extract the rest in
// worker threads, then link and label. The result answers lookups and takes single-file updates.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { FileFacts } from '../facts/fileFacts';
import { findGrammarsDir } from '../parse/grammar';
import { buildIndex, type BuiltIndex } from '../model/buildIndex';
import type { FunctionLabels, IndexDocument, IndexProblem, IndexStats, TypeLabels } from '../model/indexTypes';
import { discoverSources, type DiscoveryOptions } from './fileDiscovery';
import { FactCache } from './factCache';
import type { FactExtractor } from './factExtractor';
import { DEFAULT_MAX_FILE_BYTES } from './sourceText';
import { findWorkerScript, runJobs } from './workerPool';

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
  const { files: sources, problems } = await discoverSources(root, options);
  lap('discover');
  const cache = options.cacheDir ? new FactCache(options.cacheDir, root) : undefined;
  const cached = cache ? await cache.load(root) : new Map<string, FileFacts>();
  lap('cacheLoad');
  // Biggest first, so the last batches are small and both workers finish together.
  const jobs = [...sources].sort((a, b) => b.size - a.size).map((s) => ({ path: s.path, file: s.file, knownHash: cached.get(s.file)?.hash }));
  const workers = options.workers ?? Math.max(1, Math.min(2, availableParallelism()));
  const run = await runJobs(jobs, {
    workers,
    setup: { grammarsDir: options.grammarsDir ?? findGrammarsDir(), maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES },
    workerScript: options.workerScript ?? findWorkerScript(),
    batchSize: cached.size > 0 ? 64 : 8,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  lap('extract');
  const files = new Map<string, FileFacts>();
  let parsedFiles = 0;
  let cachedFiles = 0;
  let bytes = 0;
  const sizeOf = new Map(sources.map((s) => [s.file, s.size]));
  for (const result of run.results) {
    if (result.problem) problems.push(result.problem);
    if (result.status === 'facts') {
      files.set(result.file, JSON.parse(result.factsJson) as FileFacts);
      parsedFiles++;
    } else if (result.status === 'unchanged') {
      files.set(result.file, cached.get(result.file)!);
      cachedFiles++;
    } else continue;
    bytes += sizeOf.get(result.file) ?? 0;
  }
  // Stable order (discovery order) regardless of which worker finished first.
  const ordered = new Map<string, FileFacts>();
  for (const s of sources) {
    const facts = files.get(s.file);
    if (facts) ordered.set(s.file, facts);
  }
  if (cache && parsedFiles > 0) await cache.save(root, ordered.values()).catch((error: Error) => problems.push({ file: '.', kind: 'unreadable', message: `cache not saved: ${error.message}` }));
  lap('cacheSave');
  const stats: IndexStats = {
    files: ordered.size,
    ms: 0,
    parsedFiles,
    cachedFiles,
    bytes,
    workers: parsedFiles > 0 ? workers : 0,
    parseErrorFiles: 0,
    phases: { ...phases, workerCpu: Math.round(run.workerMs), workerRead: Math.round(run.readMs) },
  };
  const index = new SpdkIndex(root, ordered, problems, stats);
  stats.ms = Math.round(performance.now() - started);
  return index;
}

/** The labelled index of one tree, with lookups for the editor and CLI and single-file updates. */
export class SpdkIndex {
  private built!: BuiltIndex;
  private functionsByFile = new Map<string, FunctionLabels[]>();
  private functionsByName = new Map<string, FunctionLabels[]>();
  private typesByName = new Map<string, TypeLabels>();

  constructor(
    readonly root: string,
    readonly files: Map<string, FileFacts>,
    private readonly baseProblems: IndexProblem[],
    private readonly stats: IndexStats,
  ) {
    this.rebuild();
  }

  get document(): IndexDocument {
    return this.built.document;
  }

  get symbols(): BuiltIndex['symbols'] {
    return this.built.symbols;
  }

  get linked(): BuiltIndex['linked'] {
    return this.built.linked;
  }

  private rebuild(): void {
    const started = performance.now();
    const problems = [...this.baseProblems];
    let parseErrorFiles = 0;
    for (const facts of this.files.values()) {
      if (facts.parseErrors > 0) parseErrorFiles++;
    }
    this.stats.parseErrorFiles = parseErrorFiles;
    this.built = buildIndex(this.root, this.files, problems, this.stats);
    this.functionsByFile.clear();
    this.functionsByName.clear();
    for (const fn of this.built.document.functions) {
      push(this.functionsByFile, fn.file, fn);
      push(this.functionsByName, fn.name, fn);
    }
    for (const list of this.functionsByFile.values()) list.sort((a, b) => a.line - b.line);
    this.typesByName = new Map(this.built.document.types.map((t) => [t.name, t]));
    this.stats.phases.label = Math.round(performance.now() - started);
  }

  /** Replace one file's facts from new text (an edit or a save) and relabel. */
  updateFile(extractor: FactExtractor, file: string, text: string, keepTree = false): FileFacts {
    const facts = keepTree ? extractor.extractOpen(file, text) : extractor.extract(file, text);
    this.files.set(file, facts);
    this.rebuild();
    return facts;
  }

  removeFile(file: string): void {
    if (this.files.delete(file)) this.rebuild();
  }

  /** The function whose definition spans `line` (1-based) in `file`. */
  functionAt(file: string, line: number): FunctionLabels | undefined {
    const list = this.functionsByFile.get(file);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    let found: FunctionLabels | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].line <= line) {
        found = list[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found && line <= found.endLine ? found : undefined;
  }

  functionsNamed(name: string): FunctionLabels[] {
    return this.functionsByName.get(name) ?? [];
  }

  type(name: string): TypeLabels | undefined {
    return this.typesByName.get(name);
  }

  /** The struct defined at `line` in `file`, with its labels if it has any. */
  structAt(file: string, line: number): { name: string; labels?: TypeLabels } | undefined {
    const facts = this.files.get(file);
    if (!facts) return undefined;
    let best: { name: string; line: number; endLine: number } | undefined;
    for (const s of facts.structs) {
      const last = s.fields.length > 0 ? s.fields[s.fields.length - 1].line + 1 : s.line + 1;
      if (s.line <= line && line <= last && (!best || s.line >= best.line)) best = { name: s.name, line: s.line, endLine: last };
    }
    return best ? { name: best.name, labels: this.typesByName.get(best.name) } : undefined;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
