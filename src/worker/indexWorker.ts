// Worker thread: reads, hashes, parses and extracts the files it is sent, and returns plain facts. In a pipeline it
// does one half of that (see WorkerRole).
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { encodeFacts } from '../core/facts/factsCodec';
import type { FileFacts } from '../core/facts/fileFacts';
import { FactExtractor, factsOfParsedFile } from '../core/index/factExtractor';
import { readSource } from '../core/index/sourceText';
import type { IndexProblem } from '../core/model/indexTypes';
import type { ExtractJob, HandedOffBatch, HandedOffFile, IndexerRequest, JobResult, WorkerResponse, WorkerSetup } from './protocol';

function factsResult(file: string, extract: () => FileFacts, problem: IndexProblem | undefined): JobResult {
  try {
    return { file, status: 'facts', factsJson: JSON.stringify(encodeFacts(extract())), ...(problem ? { problem } : {}) };
  } catch (error) {
    return { file, status: 'skipped', problem: { file, kind: 'parse_failed', message: (error as Error).message } };
  }
}

/** Reads one job; answers it at once when it needs no parse (unreadable, too large, binary, unchanged). */
function readJob(job: ExtractJob, maxFileBytes: number): { text: string; hash: string; problem?: IndexProblem } | { result: JobResult } {
  const read = readSource(job.path, job.file, maxFileBytes);
  if (!read.ok) return { result: { file: job.file, status: 'skipped', problem: read.problem } };
  if (job.knownHash === read.hash) return { result: { file: job.file, status: 'unchanged', hash: read.hash, ...(read.problem ? { problem: read.problem } : {}) } };
  return read;
}

/** Facts of what a parse worker handed over (or the answers it had already). */
function resultsOfHandedOff(files: HandedOffFile[]): JobResult[] {
  return files.map((f) => ('result' in f ? f.result : factsResult(f.parsed.file, () => factsOfParsedFile(f.parsed), f.problem)));
}

/** Reads each job in turn and hands it on (read, or already answered); returns the time spent reading. */
function readEach(jobs: ExtractJob[], maxFileBytes: number, handle: (job: ExtractJob, read: ReturnType<typeof readJob>) => void): number {
  let readMs = 0;
  for (const job of jobs) {
    const readStarted = performance.now();
    const read = readJob(job, maxFileBytes);
    readMs += performance.now() - readStarted;
    handle(job, read);
  }
  return readMs;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('indexWorker must run in a worker thread');
  const setup = workerData as WorkerSetup;
  const role = setup.role ?? 'full';
  const send = (message: WorkerResponse) => port.postMessage(message);
  let partner: MessagePort | undefined;
  // The port arrives before anything to parse; keep it even while the grammar is still loading.
  const early: IndexerRequest[] = [];
  const onEarly = (request: IndexerRequest) => early.push(request);
  port.on('message', onEarly);
  // The extract half of a pipeline reads plain data and needs no grammar: it starts without one (faster, and without
  // a WASM heap); it loads one only if it is ever sent whole files.
  let extractor: FactExtractor | undefined;
  const loadExtractor = () => FactExtractor.create(setup.grammarsDir).then((created) => (extractor = created));
  try {
    if (role !== 'extract') await loadExtractor();
  } catch (error) {
    send({ type: 'fatal', message: (error as Error).message });
    return;
  }

  /** A whole batch, read to facts here (`full`; an `extract` worker too, if it is ever sent whole files). */
  const extractWhole = (id: number, jobs: ExtractJob[]) => {
    const started = performance.now();
    const results: JobResult[] = [];
    const readMs = readEach(jobs, setup.maxFileBytes, (job, read) =>
      results.push('result' in read ? read.result : factsResult(job.file, () => extractor!.extract(job.file, read.text, read.hash), read.problem)),
    );
    send({ type: 'results', id, results, parseMs: performance.now() - started, readMs });
  };

  /** The first half of a batch (`parse`): read and parse, then hand it to the partner. */
  const parseAndHandOff = (id: number, jobs: ExtractJob[]) => {
    const started = performance.now();
    const files: HandedOffFile[] = [];
    const readMs = readEach(jobs, setup.maxFileBytes, (job, read) => {
      if ('result' in read) files.push(read);
      else {
        try {
          files.push({ parsed: extractor!.parse(job.file, read.text, read.hash), ...(read.problem ? { problem: read.problem } : {}) });
        } catch (error) {
          files.push({ result: { file: job.file, status: 'skipped', problem: { file: job.file, kind: 'parse_failed', message: (error as Error).message } } });
        }
      }
    });
    if (!partner) {
      // No partner to hand it to (never expected): finish the batch here rather than lose it.
      send({ type: 'results', id, results: resultsOfHandedOff(files), parseMs: performance.now() - started, readMs });
      return;
    }
    partner.postMessage({ id, files } satisfies HandedOffBatch);
    send({ type: 'handedOff', id, parseMs: performance.now() - started, readMs });
  };

  /** The second half (`extract`): facts from what the partner parsed. */
  const extractHandedOff = (batch: HandedOffBatch) => {
    const started = performance.now();
    send({ type: 'results', id: batch.id, results: resultsOfHandedOff(batch.files), parseMs: performance.now() - started, readMs: 0 });
  };

  const onRequest = (request: IndexerRequest) => {
    if (request.type === 'connect') {
      partner = request.port;
      if (role === 'extract') partner.on('message', extractHandedOff);
    } else if (request.type === 'extract') {
      if (role === 'parse') parseAndHandOff(request.id, request.jobs);
      else if (extractor) extractWhole(request.id, request.jobs);
      else {
        loadExtractor().then(
          () => extractWhole(request.id, request.jobs),
          (error: Error) => send({ type: 'fatal', message: error.message }),
        );
      }
    }
  };
  port.off('message', onEarly);
  port.on('message', onRequest);
  for (const request of early) onRequest(request);
  send({ type: 'ready' });
}

void main();
