// Messages between the indexer and its worker threads. Plain data.
import type { ParsedFile } from './factExtractor';
import type { IndexProblem } from '../model/indexTypes';

/**
 * What a worker does with the files it is sent:
 * - `parse`: reads, normalizes, parses and queries them, and sends back each file as a ParsedFile (plain data); the
 *   indexer's thread turns it into facts (factsOfParsedFile) and keeps them.
 * - `full`: does all of it and sends back the facts as compact JSON, which the indexer's thread decodes.
 * The first worker parses: its partner in extraction is the thread that keeps the facts, so no facts are encoded,
 * sent and decoded, and each half of the extractor is optimised by V8 in one thread only. Extra workers, on machines
 * with more cores, are `full`.
 */
export type WorkerRole = 'parse' | 'full';

export interface WorkerSetup {
  grammarsDir: string;
  maxFileBytes: number;
  role?: WorkerRole;
}

export interface ExtractJob {
  path: string;
  file: string;
  /** Content hash of the cached facts, if any: the worker answers `unchanged` when the file still has it. */
  knownHash?: string;
}

export interface ExtractRequest {
  type: 'extract';
  id: number;
  jobs: ExtractJob[];
}

export type IndexerRequest = ExtractRequest;

export type JobResult =
  | { file: string; status: 'unchanged'; hash: string; problem?: IndexProblem }
  /** From a `full` worker: facts as compact JSON text (factsCodec), cheaper to send than an object graph. */
  | { file: string; status: 'facts'; factsJson: string; problem?: IndexProblem }
  /** From a `parse` worker: the file parsed and queried; its facts are still to be read. */
  | { file: string; status: 'parsed'; parsed: ParsedFile; problem?: IndexProblem }
  | { file: string; status: 'skipped'; problem: IndexProblem };

export type WorkerResponse =
  | { type: 'ready' }
  /** `workMs`: time spent on the batch (reading included); `readMs`: reading and hashing alone. */
  | { type: 'results'; id: number; results: JobResult[]; workMs: number; readMs: number }
  | { type: 'fatal'; message: string };
