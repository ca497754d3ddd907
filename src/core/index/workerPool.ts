// A small pool of index workers. Jobs go out in batches to whichever worker is free; the first worker parses, and the
// caller reads the facts out of what it sends back (see WorkerRole). A worker that dies is replaced and its batches
// reported as failed, so one bad file never stops the index.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ExtractJob, IndexerRequest, JobResult, WorkerResponse, WorkerRole, WorkerSetup } from './workerProtocol';

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

/** The roles of `count` workers: the first parses (the indexer's thread reads the facts), any others do whole files. */
export function workerRoles(count: number): WorkerRole[] {
  return ['parse', ...Array.from({ length: Math.max(0, count - 1) }, (): WorkerRole => 'full')];
}

/** A worker started ahead of its jobs, with what it said or how it ended before the pool took it over. */
interface EarlyWorker {
  worker: Worker;
  role: WorkerRole;
  messages: WorkerResponse[];
  ended?: string;
  stopListening: () => void;
}

function spawnWorker(workerScript: string, setup: WorkerSetup, role: WorkerRole): Worker {
  return new Worker(workerScript, { workerData: { ...setup, role } satisfies WorkerSetup });
}

function startWorker(workerScript: string, setup: WorkerSetup, role: WorkerRole): EarlyWorker {
  const worker = spawnWorker(workerScript, setup, role);
  const early: EarlyWorker = { worker, role, messages: [], stopListening: () => undefined };
  const onMessage = (message: WorkerResponse) => early.messages.push(message);
  const onError = (error: Error) => (early.ended ??= error.message);
  const onExit = (code: number) => (early.ended ??= `exited with code ${code}`);
  worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  early.stopListening = () => worker.off('message', onMessage).off('error', onError).off('exit', onExit);
  return early;
}

/**
 * Workers started before the jobs are known, so their start (loading the bundle and compiling the grammar's WASM)
 * overlaps the caller's discovery. `runJobs` takes them over; whatever it does not take, `dispose` ends.
 */
export class PrestartedWorkers {
  private readonly waiting: EarlyWorker[] = [];

  constructor(count: number, setup: WorkerSetup, workerScript: string) {
    for (const role of workerRoles(count)) this.waiting.push(startWorker(workerScript, setup, role));
  }

  /** The prestarted worker of that role, if any. */
  take(role: WorkerRole): EarlyWorker | undefined {
    const index = this.waiting.findIndex((w) => w.role === role);
    if (index < 0) return undefined;
    const [early] = this.waiting.splice(index, 1);
    early.stopListening();
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

interface Batch {
  id: number;
  jobs: ExtractJob[];
}

/** One running worker and the batches it answers for. */
interface Slot {
  role: WorkerRole;
  worker: Worker;
  inFlight: Map<number, Batch>;
  replacements: number;
  alive: boolean;
}

/**
 * Batches a worker may hold at once. A parse worker alone is sent every batch at once: it runs ahead of the caller's
 * thread, which reads facts out of each answer, and should never wait on it (with three batches, then sixteen, it
 * waited through much of a cold index of SPDK); what waits is bounded by the tree itself. Beside whole-file workers
 * it holds sixteen, and they two, so that the rest goes to whichever worker is free.
 */
function inFlightLimit(role: WorkerRole, slots: readonly { role: WorkerRole }[]): number {
  if (role === 'full') return 2;
  return slots.some((s) => s.role === 'full') ? 16 : Number.POSITIVE_INFINITY;
}

export async function runJobs(
  jobs: ExtractJob[],
  options: {
    workers: number;
    setup: WorkerSetup;
    workerScript: string;
    batchSize?: number;
    onProgress?: (done: number, total: number) => void;
    /**
     * Called with each batch as it arrives, so the caller's work overlaps the workers'. The workers already have their
     * next batches when it is called.
     */
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
  const queue: Batch[] = [];
  for (let i = 0; i < jobs.length; i += batchSize) queue.push({ id: queue.length + 1, jobs: jobs.slice(i, i + batchSize) });
  const total = jobs.length;
  let workerMs = 0;
  let readMs = 0;
  let done = 0;
  const slots: Slot[] = [];
  /** Batches answered (or failed): a late answer for one of them is ignored. */
  const completed = new Set<number>();

  return new Promise<PoolRun>((resolve, reject) => {
    let settled = false;
    let pending = queue.length;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      for (const slot of slots) {
        slot.alive = false;
        void slot.worker.terminate();
      }
      options.prestarted?.dispose();
      if (error) reject(error);
      else resolve({ results, workerMs, readMs });
    };
    if (options.signal?.aborted) return finish(new Error('indexing cancelled'));
    options.signal?.addEventListener('abort', () => finish(new Error('indexing cancelled')), { once: true });

    const feed = () => {
      for (const slot of slots) {
        if (!slot.alive) continue;
        const limit = inFlightLimit(slot.role, slots);
        while (slot.inFlight.size < limit && queue.length > 0) {
          const batch = queue.shift()!;
          slot.inFlight.set(batch.id, batch);
          slot.worker.postMessage({ type: 'extract', id: batch.id, jobs: batch.jobs } satisfies IndexerRequest);
        }
      }
    };

    const batchDone = (id: number, batchResults: JobResult[]) => {
      if (completed.has(id)) return;
      completed.add(id);
      if (options.onResults) options.onResults(batchResults);
      else results.push(...batchResults);
      done += batchResults.length;
      options.onProgress?.(done, total);
      pending--;
      if (pending === 0) finish();
    };

    const fail = (batch: Batch, reason: string) =>
      batchDone(
        batch.id,
        batch.jobs.map((job) => ({ file: job.file, status: 'skipped' as const, problem: { file: job.file, kind: 'parse_failed' as const, message: `index worker died on this batch: ${reason}` } })),
      );

    const onMessage = (slot: Slot, message: WorkerResponse) => {
      if (settled || !slot.alive) return;
      if (message.type === 'ready') feed();
      else if (message.type === 'results') {
        workerMs += message.workMs;
        readMs += message.readMs;
        slot.inFlight.delete(message.id);
        feed(); // before the caller's share of this batch, so the worker is never idle during it
        batchDone(message.id, message.results);
      } else if (message.type === 'fatal') finish(new Error(`index worker failed to start: ${message.message}`));
    };

    const onDeath = (slot: Slot, reason: string) => {
      if (settled || !slot.alive) return;
      slot.alive = false;
      for (const batch of slot.inFlight.values()) fail(batch, reason);
      slot.inFlight.clear();
      if (settled) return;
      if (slot.replacements >= 3) return finish(new Error(`index workers keep dying: ${reason}`));
      // Replaced only when there is work left for it (the other workers finish what they hold).
      if (queue.length > 0) start(slot.role, slot.replacements + 1, slots.indexOf(slot));
    };

    const start = (role: WorkerRole, replacements: number, at: number) => {
      const early = replacements === 0 && at < 0 ? options.prestarted?.take(role) : undefined;
      const worker = early?.worker ?? spawnWorker(options.workerScript, options.setup, role);
      const slot: Slot = { role, worker, inFlight: new Map(), replacements, alive: true };
      if (at < 0) slots.push(slot);
      else slots[at] = slot;
      worker.on('message', (message: WorkerResponse) => onMessage(slot, message));
      worker.on('error', (error) => onDeath(slot, error.message));
      worker.on('exit', (code) => onDeath(slot, `exited with code ${code}`));
      // A prestarted worker may already be ready (or gone): replay what it said before this pool listened.
      if (early) {
        for (const message of early.messages) onMessage(slot, message);
        if (early.ended !== undefined) onDeath(slot, early.ended);
      }
    };

    for (const role of workerRoles(Math.max(1, Math.min(options.workers, queue.length)))) start(role, 0, -1);
    options.prestarted?.dispose(); // more were started than there are batches
  });
}
