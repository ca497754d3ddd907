// A small pool of index workers. Jobs go out in batches to whichever worker is free. Two workers run as a pipeline:
// one parses, the other turns what it parsed into facts (see WorkerRole). A worker that dies is replaced and its
// batches reported as failed, so one bad file never stops the index.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { ExtractJob, IndexerRequest, JobResult, WorkerResponse, WorkerRole, WorkerSetup } from '../../worker/protocol';

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

/** The roles of `count` workers: one alone does everything; two or more start with a parse → extract pipeline. */
export function workerRoles(count: number): WorkerRole[] {
  if (count <= 1) return ['full'];
  return ['parse', 'extract', ...Array.from({ length: count - 2 }, (): WorkerRole => 'full')];
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

/** Joins a parse worker to its extract partner with a fresh channel. */
function connect(parse: Worker, extract: Worker): void {
  const channel = new MessageChannel();
  parse.postMessage({ type: 'connect', port: channel.port1 } satisfies IndexerRequest, [channel.port1]);
  extract.postMessage({ type: 'connect', port: channel.port2 } satisfies IndexerRequest, [channel.port2]);
}

/**
 * Workers started before the jobs are known, so their start (loading the bundle and compiling the grammar's WASM)
 * overlaps the caller's discovery. `runJobs` takes them over; whatever it does not take, `dispose` ends.
 */
export class PrestartedWorkers {
  private readonly waiting: EarlyWorker[] = [];

  constructor(count: number, setup: WorkerSetup, workerScript: string) {
    for (const role of workerRoles(count)) this.waiting.push(startWorker(workerScript, setup, role));
    const parse = this.waiting.find((w) => w.role === 'parse');
    const extract = this.waiting.find((w) => w.role === 'extract');
    if (parse && extract) connect(parse.worker, extract.worker);
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
  /** Batches this worker must answer for; `fromPool` false: handed to an extract worker by its parse partner. */
  inFlight: Map<number, { batch: Batch; fromPool: boolean }>;
  replacements: number;
  alive: boolean;
  prestarted: boolean;
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

    const partnerOf = (slot: Slot): Slot | undefined =>
      slot.role === 'parse' ? slots.find((s) => s.role === 'extract') : slot.role === 'extract' ? slots.find((s) => s.role === 'parse') : undefined;

    const send = (slot: Slot, batch: Batch) => {
      slot.inFlight.set(batch.id, { batch, fromPool: true });
      slot.worker.postMessage({ type: 'extract', id: batch.id, jobs: batch.jobs } satisfies IndexerRequest);
    };

    /**
     * Keeps parse and full workers busy with two batches each. An extract worker only takes what its partner hands
     * it: letting it take whole batches when idle was slower (3.53 s against 3.34 s on SPDK master), since it then
     * had to warm up the parsing half of the extractor too. A parse worker waits while its partner has four batches
     * to read, so parsed texts never pile up in memory on a machine where extracting is the slower half.
     */
    const feed = () => {
      for (const slot of slots) {
        if (!slot.alive || slot.role === 'extract') continue;
        if (slot.role === 'parse' && (partnerOf(slot)?.inFlight.size ?? 0) >= 4) continue;
        let sent = 0;
        for (const entry of slot.inFlight.values()) if (entry.fromPool) sent++;
        for (; sent < 2 && queue.length > 0; sent++) send(slot, queue.shift()!);
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
      else if (message.type === 'handedOff') {
        workerMs += message.parseMs;
        readMs += message.readMs;
        const entry = slot.inFlight.get(message.id);
        slot.inFlight.delete(message.id);
        // Its partner answers for it now (unless the answer came first).
        const partner = partnerOf(slot);
        if (entry && partner && !completed.has(message.id)) partner.inFlight.set(message.id, { batch: entry.batch, fromPool: false });
        feed();
      } else if (message.type === 'results') {
        workerMs += message.parseMs;
        readMs += message.readMs;
        // An extract worker may answer for a batch before the pool has read that its partner handed it over.
        if (!slot.inFlight.delete(message.id)) partnerOf(slot)?.inFlight.delete(message.id);
        batchDone(message.id, message.results);
        feed();
      } else if (message.type === 'fatal') finish(new Error(`index worker failed to start: ${message.message}`));
    };

    const onDeath = (slot: Slot, reason: string) => {
      if (settled || !slot.alive) return;
      slot.alive = false;
      for (const { batch } of slot.inFlight.values()) fail(batch, reason);
      slot.inFlight.clear();
      if (settled) return;
      if (slot.replacements >= 3) return finish(new Error(`index workers keep dying: ${reason}`));
      // Half a pipeline cannot go on alone: the other half is restarted with it, and its batches (not to blame) are
      // parsed again.
      const partner = partnerOf(slot);
      const stopPartner = partner?.alive === true;
      if (partner && stopPartner) {
        partner.alive = false;
        void partner.worker.terminate();
        for (const { batch } of partner.inFlight.values()) if (!completed.has(batch.id)) queue.unshift(batch);
        partner.inFlight.clear();
      }
      // Replacements only when there is work left for them (the other workers finish what they hold).
      if (queue.length === 0) return;
      if (partner && stopPartner) start(partner.role, partner.replacements, slots.indexOf(partner));
      start(slot.role, slot.replacements + 1, slots.indexOf(slot));
      if (partner) joinPipeline();
    };

    const start = (role: WorkerRole, replacements: number, at: number) => {
      const early = replacements === 0 && at < 0 ? options.prestarted?.take(role) : undefined;
      const worker = early?.worker ?? spawnWorker(options.workerScript, options.setup, role);
      const slot: Slot = { role, worker, inFlight: new Map(), replacements, alive: true, prestarted: early !== undefined };
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

    /** Joins the parse and extract workers, unless they were prestarted together (already joined). */
    const joinPipeline = () => {
      const parse = slots.find((s) => s.role === 'parse');
      const extract = slots.find((s) => s.role === 'extract');
      if (!parse?.alive || !extract?.alive || (parse.prestarted && extract.prestarted)) return;
      connect(parse.worker, extract.worker);
    };

    for (const role of workerRoles(Math.max(1, Math.min(options.workers, queue.length)))) start(role, 0, -1);
    joinPipeline();
    options.prestarted?.dispose(); // more were started than there are batches
  });
}
