// Messages between the indexer and its worker threads. Plain data only.
import type { IndexProblem } from '../core/model/indexTypes';

export interface WorkerSetup {
  grammarsDir: string;
  maxFileBytes: number;
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

export type JobResult =
  | { file: string; status: 'unchanged'; hash: string; problem?: IndexProblem }
  /** Facts travel as compact JSON text (factsCodec): cheaper to send than an object graph, and cached as is. */
  | { file: string; status: 'facts'; factsJson: string; problem?: IndexProblem }
  | { file: string; status: 'skipped'; problem: IndexProblem };

export type WorkerResponse =
  | { type: 'ready' }
  | { type: 'results'; id: number; results: JobResult[]; parseMs: number; readMs: number }
  | { type: 'fatal'; message: string };
