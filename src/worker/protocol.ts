// Messages between the indexer and its worker threads. Plain data only.
import type { FileFacts } from '../core/facts/fileFacts';
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
  | { file: string; status: 'facts'; facts: FileFacts; problem?: IndexProblem }
  | { file: string; status: 'skipped'; problem: IndexProblem };

export type WorkerResponse =
  | { type: 'ready' }
  | { type: 'results'; id: number; results: JobResult[]; parseMs: number }
  | { type: 'fatal'; message: string };
