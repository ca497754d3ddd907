// Worker thread: reads, hashes, parses and extracts the files it is sent, and returns plain facts.
import { parentPort, workerData } from 'node:worker_threads';
import { encodeFacts } from '../core/facts/factsCodec';
import { FactExtractor } from '../core/index/factExtractor';
import { readSource } from '../core/index/sourceText';
import type { ExtractRequest, JobResult, WorkerResponse, WorkerSetup } from './protocol';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('indexWorker must run in a worker thread');
  const setup = workerData as WorkerSetup;
  const send = (message: WorkerResponse) => port.postMessage(message);
  let extractor: FactExtractor;
  try {
    extractor = await FactExtractor.create(setup.grammarsDir);
  } catch (error) {
    send({ type: 'fatal', message: (error as Error).message });
    return;
  }
  port.on('message', (request: ExtractRequest) => {
    if (request.type !== 'extract') return;
    const results: JobResult[] = [];
    const started = performance.now();
    let readMs = 0;
    for (const job of request.jobs) {
      const readStarted = performance.now();
      const read = readSource(job.path, job.file, setup.maxFileBytes);
      readMs += performance.now() - readStarted;
      if (!read.ok) {
        results.push({ file: job.file, status: 'skipped', problem: read.problem });
        continue;
      }
      if (job.knownHash === read.hash) {
        results.push({ file: job.file, status: 'unchanged', hash: read.hash, ...(read.problem ? { problem: read.problem } : {}) });
        continue;
      }
      try {
        const facts = extractor.extract(job.file, read.text, read.hash);
        results.push({ file: job.file, status: 'facts', factsJson: JSON.stringify(encodeFacts(facts)), ...(read.problem ? { problem: read.problem } : {}) });
      } catch (error) {
        results.push({ file: job.file, status: 'skipped', problem: { file: job.file, kind: 'parse_failed', message: (error as Error).message } });
      }
    }
    send({ type: 'results', id: request.id, results, parseMs: performance.now() - started, readMs });
  });
  send({ type: 'ready' });
}

void main();
