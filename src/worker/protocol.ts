// Messages between the indexer and its worker threads, and between the two stages of a worker pipeline. Plain data.
import type { ParsedFile } from '../core/index/factExtractor';
import type { MessagePort } from 'node:worker_threads';
import type { IndexProblem } from '../core/model/indexTypes';

/**
 * What a worker does:
 * - `full`: reads, parses and extracts the files it is sent;
 * - `parse`: reads and parses them (tree-sitter and its query), and hands the plain result to its `extract` partner;
 * - `extract`: turns what its `parse` partner hands it into facts.
 * Two workers run as a parse → extract pipeline rather than as two `full` workers: V8 then optimises each half of the
 * extractor once instead of twice, which on two cores was about 1.5 s of CPU per cold index of SPDK.
 */
export type WorkerRole = 'full' | 'parse' | 'extract';

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

/** Gives a `parse` or `extract` worker the port to its partner (a new one when the partner was replaced). */
export interface ConnectRequest {
  type: 'connect';
  port: MessagePort;
}

export type IndexerRequest = ExtractRequest | ConnectRequest;

export type JobResult =
  | { file: string; status: 'unchanged'; hash: string; problem?: IndexProblem }
  /** Facts travel as compact JSON text (factsCodec): cheaper to send than an object graph, and cached as is. */
  | { file: string; status: 'facts'; factsJson: string; problem?: IndexProblem }
  | { file: string; status: 'skipped'; problem: IndexProblem };

/** One file from `parse` to `extract`: either parsed, or already answered (unchanged, skipped). */
export type HandedOffFile = { parsed: ParsedFile; problem?: IndexProblem } | { result: JobResult };

/** A batch from `parse` to `extract`, over their own port. */
export interface HandedOffBatch {
  id: number;
  files: HandedOffFile[];
}

export type WorkerResponse =
  | { type: 'ready' }
  | { type: 'results'; id: number; results: JobResult[]; parseMs: number; readMs: number }
  /** From `parse`: the batch went on to `extract`, which will answer for it. */
  | { type: 'handedOff'; id: number; parseMs: number; readMs: number }
  | { type: 'fatal'; message: string };
