// The index document: what the CLI writes with --json and what the editor, graph and tour read.
// Plain JSON; paths are relative to the root with `/`, lines 1-based.
import type { ContextKind } from '../knowledge/contextKinds';

export const INDEX_SCHEMA = 'spdk-lens/index@1';

/** A function handed to an API as an argument: `spdk_thread_send_msg(thread, fn, ctx)`. */
export interface CallEvidence {
  kind: ContextKind;
  /** The function that finally receives the callback, after SPDK's macros are expanded. */
  api: string;
  /** 0-based argument index in `api`. */
  arg: number;
  /** The parameter's declared type as written (typedef name kept); empty when `api` has no prototype here. */
  type: string;
  /** The macro written at the call site, when the call came through one (`SPDK_POLLER_REGISTER`). */
  macro?: string;
  /** Function containing the registration; empty at file scope. */
  in: string;
  file: string;
  line: number;
  /** When `api` is a wrapper: how the callback reaches the place that runs it (stored in a field, called by a step). */
  flow?: FlowStep[];
}

/** One step from a registration to where the callback runs. */
export interface FlowStep {
  note: string;
  file: string;
  line: number;
  /** A call through a struct field: the struct holding the function, and the function (key) that calls through it. */
  holder?: string;
  invoker?: string;
}

/** A function stored in a function-pointer field: `.submit_request = fn` or `x->cb = fn`. */
export interface SlotEvidence {
  kind: ContextKind;
  /** `struct <type>.<field>`. */
  slot: string;
  /** The variable initialised, for initializers (`null_fn_table`). */
  variable?: string;
  in: string;
  file: string;
  line: number;
  /** Who calls what the slot holds, and in which context, when the slot's struct is not one SPDK Lens knows. */
  flow?: FlowStep[];
}

/** A context inherited by a static helper that is only ever called from functions running in that context. */
export interface InferredContext {
  kind: ContextKind;
  inferred: true;
  /** Caller chain from the labelled function down to this one. */
  via: string[];
}

export type ContextEvidence = CallEvidence | SlotEvidence | InferredContext;

export interface IoRole {
  /** bdev_io, nvme_request, nvmf_request, accel_task. */
  object: string;
  role: 'completes' | 'frees' | 'must_free';
  /** The API called (or, for must_free, the callback typedef). */
  via: string;
  line: number;
  /** The module's helpers called on the way to `via`, nearest first (`line` is the call of the first). */
  chain?: string[];
  /** Only where the function handles a failure. */
  onFailure?: boolean;
  /** The argument that carries the IO (`bdev_io`, `raid_io`): which IO, when a function handles two. */
  arg?: string;
  /** The status it completes with, when the call names one (`NOMEM`, `FAILED`, `ABORTED`). */
  status?: string;
  /** On a failure path: the condition of the block (`rc == -ENOMEM`, `err:`). */
  when?: string;
}

/** One way the function finishes or releases something, or acts on a failure: a sentence, the call, its line. */
export interface FinishStep {
  text: string;
  via: string;
  line: number;
  onFailure?: boolean;
  /** The struct released, when the step releases a whole object of a known type on every path through it. */
  type?: string;
  /** On a failure path: the condition of the block (`rc == -ENOMEM`, `err:`). */
  when?: string;
}

/** A struct the function works on, and how the code shows it. */
export interface FunctionObject {
  type: string;
  /** `ctx cast to struct nvme_ctrlr *`, `its channel context, from spdk_io_channel_get_ctx`, `parameter bdev_io`. */
  how: string;
  line: number;
}

/** What SPDK's own code asserts (or checks before going on) about the thread a function runs on. */
export interface ThreadAssertion {
  /** `app thread`, or `the thread in struct spdk_bdev_desc.thread`. */
  thread: string;
  kind: 'assert' | 'guard';
  line: number;
  /** The struct whose thread field is compared. */
  struct?: string;
}

export interface FunctionLabels {
  name: string;
  file: string;
  line: number;
  endLine: number;
  static: boolean;
  signature: string;
  contexts: ContextEvidence[];
  completesBdevIo: boolean;
  freesBdevIo: boolean;
  ioRoles: IoRole[];
  /** Takes a completion callback or hands work to one: the call returns before the work is done. */
  async: boolean;
  asyncReason?: string;
  /** The reasons found (up to 8), most decisive first; `asyncReason` is the first one as a sentence. */
  asyncReasons?: { text: string; line: number }[];
  /**
   * Runs on the app thread or an io_channel's thread because the code that starts it does: an RPC, a module hook, an
   * assert, a submit up the chain (`chain` from that function down to this one). Absent when it is the first of it.
   */
  starterThread?: { thread: string; chain: string[]; why: string; file: string; line: number; direct?: boolean };
  /** How it finishes an operation someone else started: a stored or passed completion, an RPC reply (question 5). */
  finishes?: FinishStep[];
  /** What it frees, returns or puts back of the objects it works on (question 6). */
  releases?: FinishStep[];
  /** Work left to finish later only on a path that handles a failure (up to 4): the normal path is unaffected. */
  asyncOnFailure?: { text: string; line: number; when?: string }[];
  /** Direct calls of the SPDK APIs that matter for the labels, with lines. */
  apiCalls: { api: string; line: number }[];
  /** Functions this one hands off as callbacks (for the async call hierarchy). */
  handsOff: { fn: string; api?: string; slot?: string; line: number }[];
  rpcMethods?: string[];
  /** The structs it works on, most telling first. */
  objects?: FunctionObject[];
  threadAssertions?: ThreadAssertion[];
  /** Registrations from test code, left out of the contexts above (tests never decide a library label). */
  testRegistrations?: number;
}

export type OwnershipKind = 'io_channel_ctx' | 'thread_affine' | 'global_state' | 'core_handle';

export interface TypeLabels {
  name: string;
  file: string;
  line: number;
  ownership: OwnershipKind;
  /** Plain words: "per-thread context of io_device &g_null_bdev_head". */
  summary: string;
  ioDevice?: string;
  ownerField?: string;
  evidence: { file: string; line: number; note: string }[];
}

export interface RpcMethod {
  method: string;
  handler: string;
  file: string;
  line: number;
  /** sync: replies before returning; async: replies only from a callback it hands off. */
  reply: 'sync' | 'async' | 'none';
  /** The success reply (a result), or the only reply found. */
  replyEvidence?: { fn: string; file: string; line: number };
  /** The first error reply in the handler or its direct helpers. */
  errorReply?: { fn: string; file: string; line: number };
  /** Whether the success reply means the bdev graph has settled. */
  convergence?: string;
  handlerFile?: string;
  handlerLine?: number;
  /** Params decoded with spdk_json_decode_object: field names of the decoder table. */
  params?: string[];
}

export interface BdevModule {
  name: string;
  file: string;
  line: number;
  variable: string;
  fnTable?: string;
  fnTableFile?: string;
  fnTableLine?: number;
  /** Opens or claims a base bdev: a virtual bdev stacked on others. */
  virtual: boolean;
  virtualEvidence?: { api: string; file: string; line: number };
  hooks: { slot: string; fn: string }[];
  fnTableSlots: { slot: string; fn: string }[];
}

export interface IndexProblem {
  file: string;
  kind: 'unreadable' | 'binary' | 'too_large' | 'non_utf8' | 'symlink_loop' | 'parse_failed' | 'parse_errors';
  message: string;
}

export interface IndexStats {
  files: number;
  ms: number;
  parsedFiles: number;
  cachedFiles: number;
  bytes: number;
  workers: number;
  parseErrorFiles: number;
  phases: Record<string, number>;
}

export interface IndexDocument {
  schema: typeof INDEX_SCHEMA;
  root: string;
  stats: IndexStats;
  functions: FunctionLabels[];
  types: TypeLabels[];
  rpcMethods: RpcMethod[];
  bdevModules: BdevModule[];
  problems: IndexProblem[];
}
