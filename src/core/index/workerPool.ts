// A small pool of index workers. Jobs go out in batches, biggest files first, to whichever worker is free; a worker
// that dies is replaced and its batch reported as failed, so one bad file never stops the index.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ExtractJob, JobResult, WorkerResponse, WorkerSetup } from '../../worker/protocol';

/** dist/worker.js next to the running bundle, or found by walking up from the source tree (tests). */
export function findWorkerScript(from: string = __dirname): string {
  if (existsSync(join(from, 'worker.js'))) return join(from, 'worker.js');
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'dist', 'worker.js');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`SPDK Lens: dist/worker.js not found above ${from}; run "npm run build".`);
    dir = parent;
  }
}

/** A worker started ahead of its jobs, with what it said or how it ended before the pool took it over. */
interface EarlyWorker {
  worker: Worker;
  messages: WorkerResponse[];
  ended?: string;
  stopListening: () => void;
}

/**
 * Workers started before the jobs are known, so their start (loading the bundle and compiling the grammar's WASM)
 * overlaps the caller's discovery. `runJobs` takes them over; whatever it does not take, `dispose` ends.
 */
export class PrestartedWorkers {
  private readonly waiting: EarlyWorker[] = [];

  constructor(count: number, setup: WorkerSetup, workerScript: string) {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(workerScript, { workerData: setup });
      const early: EarlyWorker = { worker, messages: [], stopListening: () => undefined };
      const onMessage = (message: WorkerResponse) => early.messages.push(message);
      const onError = (error: Error) => (early.ended ??= error.message);
      const onExit = (code: number) => (early.ended ??= `exited with code ${code}`);
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      early.stopListening = () => worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      this.waiting.push(early);
    }
  }

  take(): EarlyWorker | undefined {
    const early = this.waiting.shift();
    early?.stopListening();
    return early;
  }

  dispose(): void {
    for (const early of this.waiting.splice(0)) {
      early.stopListening();
      void early.worker.terminate();
    }
  }
}

export interface PoolRun {
  results: JobResult[];
  /** Sum over workers of the time spent reading, parsing and extracting. */
  workerMs: number;
  /** Of which reading and hashing files. */
  readMs: number;
}

export async function runJobs(
  jobs: ExtractJob[],
  options: {
    workers: number;
    setup: WorkerSetup;
    workerScript: string;
    batchSize?: number;
    onProgress?: (done: number, total: number) => void;
    /** Called with each batch as it arrives, so the caller's work overlaps the workers'. */
    onResults?: (results: JobResult[]) => void;
    signal?: AbortSignal;
    /** Workers already starting (same setup and script); used first, the rest are ended. */
    prestarted?: PrestartedWorkers;
  },
): Promise<PoolRun> {
  const results: JobResult[] = [];
  if (jobs.length === 0) {
    options.prestarted?.dispose();
    return { results, workerMs: 0, readMs: 0 };
  }
  const batchSize = options.batchSize ?? 8;
  const queue: ExtractJob[][] = [];
  for (let i = 0; i < jobs.length; i += batchSize) queue.push(jobs.slice(i, i + batchSize));
  const total = jobs.length;
  let workerMs = 0;
  let readMs = 0;
  let done = 0;
  let nextId = 1;
  const count = Math.max(1, Math.min(options.workers, queue.length));
  const live = new Set<Worker>();

  return new Promise<PoolRun>((resolve, reject) => {
    let settled = false;
    let pending = queue.length;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      for (const w of live) void w.terminate();
      live.clear();
      options.prestarted?.dispose();
      if (error) reject(error);
      else resolve({ results, workerMs, readMs });
    };
    if (options.signal?.aborted) return finish(new Error('indexing cancelled'));
    options.signal?.addEventListener('abort', () => finish(new Error('indexing cancelled')), { once: true });

    const start = (replacements: number) => {
      const early = replacements === 0 ? options.prestarted?.take() : undefined;
      const worker = early?.worker ?? new Worker(options.workerScript, { workerData: options.setup });
      live.add(worker);
      // Two batches in flight per worker, so it never waits for this thread to hand it the next one.
      const inFlight = new Map<number, ExtractJob[]>();
      const dispatch = () => {
        const batch = queue.shift();
        if (!batch) {
          if (inFlight.size === 0) {
            live.delete(worker);
            void worker.terminate();
          }
          return;
        }
        const id = nextId++;
        inFlight.set(id, batch);
        worker.postMessage({ type: 'extract', id, jobs: batch });
      };
      const batchDone = (batchResults: JobResult[]) => {
        if (options.onResults) options.onResults(batchResults);
        else results.push(...batchResults);
        done += batchResults.length;
        options.onProgress?.(done, total);
        pending--;
        if (pending === 0) finish();
      };
      const onMessage = (message: WorkerResponse) => {
        if (settled) return;
        if (message.type === 'ready') {
          dispatch();
          dispatch();
        } else if (message.type === 'results') {
          inFlight.delete(message.id);
          workerMs += message.parseMs;
          readMs += message.readMs;
          dispatch();
          batchDone(message.results);
        } else if (message.type === 'fatal') finish(new Error(`index worker failed to start: ${message.message}`));
      };
      worker.on('message', onMessage);
      const onDeath = (reason: string) => {
        if (settled || !live.has(worker)) return;
        live.delete(worker);
        const lost = [...inFlight.values()];
        inFlight.clear();
        for (const jobs of lost) {
          batchDone(jobs.map((job) => ({ file: job.file, status: 'skipped' as const, problem: { file: job.file, kind: 'parse_failed' as const, message: `index worker died on this batch: ${reason}` } })));
        }
        if (settled) return;
        if (replacements >= 3) finish(new Error(`index workers keep dying: ${reason}`));
        else if (queue.length > 0) start(replacements + 1);
      };
      worker.on('error', (error) => onDeath(error.message));
      worker.on('exit', (code) => onDeath(`exited with code ${code}`));
      // A prestarted worker may already be ready (or gone): replay what it said before this pool listened.
      if (early) {
        for (const message of early.messages) onMessage(message);
        if (early.ended !== undefined) onDeath(early.ended);
      }
    };
    for (let i = 0; i < count; i++) start(0);
    options.prestarted?.dispose(); // more were started than there are batches
  });
}
