// Worker thread: reads, hashes and parses the files it is sent, and returns plain data: a `parse` worker each file
// parsed and queried (the indexer's thread reads the facts out of it), a `full` worker the facts as compact JSON (see
// WorkerRole).
import { parentPort, workerData } from 'node:worker_threads';
import { encodeFacts } from '../core/facts/factsCodec';
import { FactExtractor, factsOfParsedFile, type ParsedFile } from '../core/index/factExtractor';
import { QUERY_TIME_LIMIT_MS } from '../core/facts/extractFacts';
import { readSource } from '../core/index/sourceText';
import type { IndexProblem } from '../core/model/indexTypes';
import type { ExtractJob, IndexerRequest, JobResult, WorkerResponse, WorkerRole, WorkerSetup } from '../core/index/workerProtocol';

/** Reads one job; answers it at once when it needs no parse (unreadable, too large, binary, unchanged). */
function readJob(job: ExtractJob, maxFileBytes: number): { text: string; hash: string; problem?: IndexProblem } | { result: JobResult } {
  const read = readSource(job.path, job.file, maxFileBytes);
  if (!read.ok) return { result: { file: job.file, status: 'skipped', problem: read.problem } };
  if (job.knownHash === read.hash) return { result: { file: job.file, status: 'unchanged', hash: read.hash, ...(read.problem ? { problem: read.problem } : {}) } };
  return read;
}

/** What this worker's role makes of one read file; a file the extractor throws on is reported, not lost. */
function resultOf(extractor: FactExtractor, role: WorkerRole, file: string, text: string, hash: string, problem: IndexProblem | undefined): JobResult {
  try {
    const parsed = extractor.parse(file, text, hash);
    // One problem per file: what reading found comes first.
    const found = problem ?? (parsed.regions.queryStopped ? queryStoppedProblem(file) : undefined);
    const withProblem = found ? { problem: found } : {};
    if (role === 'parse') return { file, status: 'parsed', parsed, ...withProblem };
    return { file, status: 'facts', factsJson: JSON.stringify(encodeFacts(factsOfParsedFile(parsed))), ...withProblem };
  } catch (error) {
    return { file, status: 'skipped', problem: { file, kind: 'parse_failed', message: (error as Error).message } };
  }
}

function queryStoppedProblem(file: string): IndexProblem {
  const seconds = QUERY_TIME_LIMIT_MS / 1000;
  return { file, kind: 'parse_errors', message: `reading this file's syntax tree was stopped after ${seconds} s (nesting too deep to follow); its facts are incomplete` };
}

/** What of a parsed file can move to the indexer's thread without a copy: its line starts and packed regions. */
function transferables(parsed: ParsedFile): ArrayBuffer[] {
  return [parsed.prepared.lineStarts.buffer as ArrayBuffer, parsed.prepared.skeletonLineStarts.buffer as ArrayBuffer, parsed.regions.data.buffer as ArrayBuffer];
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('indexWorker must run in a worker thread');
  const setup = workerData as WorkerSetup;
  const role = setup.role ?? 'full';
  const send = (message: WorkerResponse, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  // Jobs may arrive while the grammar is still loading: keep them.
  const early: IndexerRequest[] = [];
  const onEarly = (request: IndexerRequest) => early.push(request);
  port.on('message', onEarly);
  let extractor: FactExtractor;
  try {
    extractor = await FactExtractor.create(setup.grammarsDir);
  } catch (error) {
    send({ type: 'fatal', message: (error as Error).message });
    return;
  }

  const onRequest = (request: IndexerRequest) => {
    if (request.type !== 'extract') return;
    const started = performance.now();
    const results: JobResult[] = [];
    const transfer: ArrayBuffer[] = [];
    let readMs = 0;
    for (const job of request.jobs) {
      const readStarted = performance.now();
      const read = readJob(job, setup.maxFileBytes);
      readMs += performance.now() - readStarted;
      if ('result' in read) {
        results.push(read.result);
        continue;
      }
      const result = resultOf(extractor, role, job.file, read.text, read.hash, read.problem);
      if (result.status === 'parsed') transfer.push(...transferables(result.parsed));
      results.push(result);
    }
    send({ type: 'results', id: request.id, results, workMs: performance.now() - started, readMs }, transfer);
  };
  port.off('message', onEarly);
  port.on('message', onRequest);
  send({ type: 'ready' });
  for (const request of early) onRequest(request);
}

void main();
