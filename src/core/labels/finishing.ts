// Who finishes the operation a function is part of, what it releases, and what it does where it handles a failure:
// the book's questions 5 to 7, read from the body. An IO completed through the module's own helpers counts as
// completed here (`bdev_nvme_readv_done` → `bdev_nvme_io_complete_nvme_status` → ... → `spdk_bdev_io_complete`).
import { valueText, type ValueSummary } from '../facts/fileFacts';
import { COMPLETION_DRIVERS, IO_OBJECTS, RPC_REPLY_API } from '../knowledge/spdkApis';
import type { IndexModel } from '../model/indexModel';
import type { ContextEvidence, FinishStep, FlowStep, IoRole } from '../model/indexTypes';
import { baseTypeName } from '../parse/cText';
import { fileOfKey, nameOfKey } from './callbackEvidence';
import { branchRanges, failureConditionAt, failureRanges, innermostAt, onFailurePath, staticFunctionsOf } from './asyncWork';
import { fieldInvokers, holderOfPath, isTestFile, notesOf } from './callbackFlow';
import { typedCallResultsOf } from './functionObject';

const MAX_HELPER_DEPTH = 5;

/** Any API that completes or frees one of the IO objects: one test per call before the object-by-object ones. */
export const IO_API = new RegExp(IO_OBJECTS.flatMap((io) => [io.completes.source, io.frees.source]).join('|'));

/** `spdk_bdev_io_complete(io, SPDK_BDEV_IO_STATUS_NOMEM)` → `NOMEM`. */
export function statusOf(args: readonly ValueSummary[]): string | undefined {
  for (const a of args) {
    const text = valueText(a);
    const m = text ? /^SPDK_BDEV_IO_STATUS_([A-Z_]+)$/.exec(text.trim()) : null;
    if (m) return m[1];
  }
  return undefined;
}

/** Memory and handles given back: the allocator's own release, a pool's put, SPDK's put/close of a handle. */
const RELEASES: Record<string, { verb: string; arg: number }> = {
  free: { verb: 'frees', arg: 0 },
  spdk_free: { verb: 'frees', arg: 0 },
  spdk_dma_free: { verb: 'frees', arg: 0 },
  rte_free: { verb: 'frees', arg: 0 },
  spdk_mempool_put: { verb: 'returns to its mempool', arg: 1 },
  spdk_put_io_channel: { verb: 'puts back', arg: 0 },
  spdk_bdev_close: { verb: 'closes', arg: 0 },
};

const RELEASE_NAME = /free|put|release|destroy|close|fini|cleanup/;

/** Calls that give a failure its meaning beyond ending the operation. */
const FAILURE_APIS: Record<string, string> = {
  spdk_bdev_queue_io_wait: 'waits for a free bdev_io and tries again (spdk_bdev_queue_io_wait)',
};

/** The `when` of a completion that fails its IO outside any failure block. */
export const FAILS_THE_IO = 'fails the IO';

/** Completing with FAILED, NOMEM, an NVMe or SCSI error handles a failure (an abort's ABORTED is what it was asked to do). */
function failingStatus(status: string | undefined): boolean {
  return status !== undefined && !/^(SUCCESS|ABORTED|PENDING)$/.test(status);
}

/**
 * IO objects the function completes or frees: by its own calls, in call order, then through helpers of its module
 * (same file, or the same directory for a module split in files: raid0.c → bdev_raid.c's raid_bdev_io_complete),
 * with the chain. A helper counts for what it does on its normal path.
 */
export function ioRolesOf(model: IndexModel, key: string): IoRole[] {
  const roles = rolesThroughHelpers(model, key, 0, new Set());
  return [...roles.filter((r) => !r.chain), ...roles.filter((r) => r.chain)];
}

/**
 * Names of the functions that complete or free an IO object, directly or through callers of such functions up to
 * the helper depth: a call to any other name cannot lead to an IO role, so it is not resolved at all.
 */
function ioHelperNames(model: IndexModel): Set<string> {
  return model.memoize('ioHelperNames', () => {
    const names = new Set<string>();
    const callers = new Map<string, Set<string>>();
    for (const links of model.allLinks()) {
      for (const [caller, calls] of links.callsByFunction) {
        for (const call of calls) {
          if (IO_API.test(call.callee)) names.add(caller);
          let set = callers.get(call.callee);
          if (!set) callers.set(call.callee, (set = new Set()));
          set.add(caller);
        }
      }
    }
    let frontier = [...names];
    for (let depth = 0; depth < MAX_HELPER_DEPTH && frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const name of frontier) {
        for (const caller of callers.get(name) ?? []) {
          if (names.has(caller)) continue;
          names.add(caller);
          next.push(caller);
        }
      }
      frontier = next;
    }
    return names;
  });
}

/** A helper's IO roles, and the parameter it takes its IO in (`bdev_null_abort_io(ch, bio_to_abort)`: 1), or -1. */
interface Helper {
  roles: IoRole[];
  ioParam: number;
}

const NOT_A_HELPER: Helper = { roles: [], ioParam: -1 };

function helperOf(model: IndexModel, key: string, name: string, depth: number, visiting: Set<string>): Helper {
  const file = fileOfKey(key);
  const callee = model.resolve(name, file);
  if (!callee || callee === key || isTestFile(fileOfKey(callee)) || !fileOfKey(callee).startsWith(`${file.slice(0, file.lastIndexOf('/'))}/`)) return NOT_A_HELPER;
  const roles = rolesThroughHelpers(model, callee, depth + 1, visiting);
  if (roles.length === 0) return NOT_A_HELPER;
  return { roles, ioParam: (model.definitionOf(callee)?.params ?? []).findIndex((p) => /_(io|request|req|task)\s*\*/.test(p.type)) };
}

function rolesThroughHelpers(model: IndexModel, key: string, depth: number, visiting: Set<string>): IoRole[] {
  const memo = model.memoize('ioRoles', () => new Map<string, IoRole[]>());
  const cached = memo.get(key);
  if (cached) return cached;
  if (depth > MAX_HELPER_DEPTH || visiting.has(key)) return [];
  visiting.add(key);
  const failures = failureRanges(model, key);
  const roles: IoRole[] = [];
  const helpers = new Map<string, Helper>();
  // On a failure path, or failing the IO by its status: with the condition of the block, if there is one.
  const failure = (line: number, status: string | undefined) => {
    const onFailure = onFailurePath(failures, line);
    if (!onFailure && !failingStatus(status)) return {};
    return { onFailure: true as const, when: (onFailure ? failureConditionAt(model, key, line) : undefined) ?? FAILS_THE_IO };
  };
  for (const call of model.callsOf(key)) {
    let direct = false;
    if (IO_API.test(call.callee)) for (const io of IO_OBJECTS) {
      const role = io.completes.test(call.callee) ? 'completes' : io.frees.test(call.callee) ? 'frees' : undefined;
      if (!role) continue;
      direct = true;
      const arg = valueText(call.args[0]);
      const status = role === 'completes' ? statusOf(call.args) : undefined;
      roles.push({ object: io.object, role, via: call.callee, line: call.line, ...(arg && { arg }), ...(status && { status }), ...failure(call.line, status) });
    }
    if (direct || !ioHelperNames(model).has(call.callee)) continue;
    let helper = helpers.get(call.callee);
    if (!helper) helpers.set(call.callee, (helper = helperOf(model, key, call.callee, depth, visiting)));
    // What the helper does on its normal path, or does only by failing the IO (`crypto_io_fail`); what it does on its
    // own failure paths is not this caller's. For one call, a normal role wins over a failing one.
    const passed = helper.roles.filter((r) => r.role !== 'must_free' && (!r.onFailure || r.when === FAILS_THE_IO));
    for (const inner of passed) {
      if (inner.onFailure && passed.some((r) => !r.onFailure && r.object === inner.object && r.role === inner.role)) continue;
      if (roles.some((r) => r.object === inner.object && r.role === inner.role && r.line === call.line)) continue;
      const arg = helper.ioParam >= 0 ? valueText(call.args[helper.ioParam]) : undefined;
      // The status the caller hands the helper (`raid_bdev_io_complete(raid_io, SPDK_BDEV_IO_STATUS_FAILED)`) is the one it completes with.
      const status = inner.role === 'completes' ? (statusOf(call.args) ?? inner.status) : undefined;
      roles.push({
        object: inner.object,
        role: inner.role,
        via: inner.via,
        line: call.line,
        chain: [call.callee, ...(inner.chain ?? [])],
        ...(arg && { arg }),
        ...(status && { status }),
        ...failure(call.line, status),
      });
    }
  }
  visiting.delete(key);
  if (roles.length > 0) memo.set(key, roles);
  return roles.length > 0 ? roles : NO_ROLES;
}

/** Shared empty results for the many functions that have none: never changed. */
const NO_STEPS: FinishStep[] = [];
const NO_ROLES: IoRole[] = [];

/** The function's variables that hold its objects: parameters of struct type and locals cast from a `void *`. */
export function objectVariables(model: IndexModel, key: string): Map<string, string> {
  // Not memoised: a Map per function would stay for the index's life, and building one again is a few lookups.
  const def = model.definitionOf(key);
  const vars = new Map<string, string>();
  for (const p of def?.params ?? []) {
    const type = baseTypeName(p.type);
    if (/^(struct|union) /.test(type) && p.type.includes('*')) vars.set(p.name, type);
  }
  for (const n of notesOf(model, key, 'cast')) if (n.detail) vars.set(n.detail, n.path.rootType);
  // `iter = spdk_io_channel_iter_get_ctx(i)`, `ctx = calloc(...)`: a local of struct type filled by a call.
  for (const r of typedCallResultsOf(model, key)) {
    if (r.variable && !vars.has(r.variable)) vars.set(r.variable, baseTypeName(r.type));
  }
  return vars;
}

/** `ctx`, `ctx->buf`, `&ctx->buf`: the variable an argument starts from, and the rest of its path. */
function argumentRoot(text: string): { root: string; rest: string } | undefined {
  const m = /^&?\s*\(?\s*([A-Za-z_]\w*)((?:\s*(?:->|\.)\s*[A-Za-z_]\w*)*)\s*\)?$/.exec(text.trim());
  return m ? { root: m[1], rest: m[2].replace(/\s+/g, '') } : undefined;
}

/** What the function releases of its own objects (Q6), each with the line and whether it is on a failure path. */
export function releasesOf(model: IndexModel, key: string): FinishStep[] {
  const memo = model.memoize('releases', () => new Map<string, FinishStep[]>());
  let steps = memo.get(key);
  if (!steps) {
    steps = computeReleases(model, key);
    if (steps.length === 0) return NO_STEPS;
    memo.set(key, steps);
  }
  return steps;
}

function computeReleases(model: IndexModel, key: string): FinishStep[] {
  const vars = objectVariables(model, key);
  const failures = failureRanges(model, key);
  // `if (status->timed_out) { free(status); }`: the blocks that free only when their condition holds.
  const conditions = branchRanges(model, key, 'condition');
  const file = fileOfKey(key);
  const out: FinishStep[] = [];
  for (const call of model.callsOf(key)) {
    const known = RELEASES[call.callee];
    // A helper is looked at only when its name says it gives something back; its body must then free its object.
    if (!known && (!RELEASE_NAME.test(call.callee) || call.callee.startsWith('spdk_jsonrpc_'))) continue;
    const text = valueText(call.args[known?.arg ?? 0]);
    const arg = text ? argumentRoot(text) : undefined;
    if (!arg) continue;
    const wrapper = !known && releaseWrapper(model, call.callee, file);
    const verb = known?.verb ?? (wrapper ? 'frees' : undefined);
    if (!verb) continue;
    const type = vars.get(arg.root);
    const what = type ? `${arg.root}${arg.rest} (${arg.rest ? `a field of ${type}` : type})` : call.callee === 'free' || call.callee === 'spdk_free' ? undefined : `${arg.root}${arg.rest}`;
    if (!what) continue;
    // The innermost condition it is under: a free that happens only sometimes says when.
    const when = innermostAt(conditions, call.line);
    const sentence = `${verb} ${what}${wrapper ? ` through ${call.callee}` : ''}${when ? ` (only when ${when.condition})` : ''}`;
    const failing = onFailurePath(failures, call.line);
    const failWhen = failing ? failureConditionAt(model, key, call.line) : undefined;
    const step: FinishStep = { text: sentence, via: call.callee, line: call.line, ...(type && !arg.rest && !when && { type }), ...(failing && { onFailure: true }), ...(failWhen && { when: failWhen }) };
    if (!out.some((s) => s.text === step.text && s.onFailure === step.onFailure)) out.push(step);
  }
  return out;
}

const ALLOCATORS = new Set(['calloc', 'malloc', 'spdk_zmalloc', 'spdk_malloc', 'spdk_dma_zmalloc', 'spdk_dma_malloc', 'spdk_mempool_get']);

/**
 * Who frees the context the function hands on with a callback (Q6 for the "synthetic stack frame"): a callback it
 * hands off that casts its `void *` argument to a struct this function allocates or works on, and frees it on its
 * normal path, or hands it on to one that does (two hops: an RPC's done callback that waits for examine, whose
 * callback frees). `the struct rpc_get_stats_ctx, allocated here at line 98, is freed by rpc_thread_get_stats_done`.
 */
export function handedReleasesOf(model: IndexModel, key: string): FinishStep[] {
  const file = fileOfKey(key);
  const allocated = allocatedIn(model, key);
  const known = knownObjectTypes(model, key, allocated);
  const out: FinishStep[] = [];
  const add = (text: string, via: string, line: number) => {
    if (!out.some((x) => x.text === text)) out.push({ text, via, line });
  };
  for (const f of freersOf(model, key, known, 0)) {
    const where = allocated.has(f.type) ? `, allocated here at line ${allocated.get(f.type)},` : '';
    add(`the ${f.type}${where} is freed by ${freerText(f, file)}`, f.chain[0].name, f.chain[0].line);
  }
  // `rpc_thread_get_stats_for_each(request, ...)`: a static helper of the file that allocates and hands on for it.
  const statics = staticFunctionsOf(model, file);
  for (const call of model.callsOf(key)) {
    const callee = statics.has(call.callee) ? model.resolve(call.callee, file) : undefined;
    if (!callee || callee === key) continue;
    const theirs = allocatedIn(model, callee);
    for (const f of freersOf(model, callee, new Set(theirs.keys()), 0)) {
      add(`the ${f.type}, allocated in ${call.callee} at line ${theirs.get(f.type)}, is freed by ${freerText(f, file)}`, call.callee, call.line);
    }
  }
  return out;
}

/** The struct types a function allocates or holds in its variables: what handedReleasesOf follows to their freer. */
function knownObjectTypes(model: IndexModel, key: string, allocated = allocatedIn(model, key)): Set<string> {
  return new Set([...allocated.keys(), ...objectVariables(model, key).values()]);
}

/**
 * What the callbacks it hands over free when they run, of objects it never had (`_device_unregister_cb`, handed to
 * spdk_io_device_unregister, frees the ioat devices): each callback's own unconditional releases of whole objects, at
 * most two per callback. The fate of what the function itself had is handedReleasesOf's.
 */
export function laterReleasesOf(model: IndexModel, key: string): FinishStep[] {
  const out: FinishStep[] = [];
  const seen = new Set<string>();
  const known = knownObjectTypes(model, key);
  for (const h of model.handoffsOf(key)) {
    if (!('api' in h) || h.targetKey === key || seen.has(h.targetKey)) continue;
    seen.add(h.targetKey);
    for (const r of releasesOf(model, h.targetKey).filter((x) => x.type && !x.onFailure && !known.has(x.type)).slice(0, 2)) {
      out.push({ text: `later, ${h.targetName} (handed to ${h.api}) ${r.text}`, via: h.targetName, line: h.line });
    }
  }
  return out;
}

/**
 * `bdev_nvme_reset_destroy_qpair_done`, kept in `struct nvme_ctrlr_channel_iter.cpl` and called by
 * `nvme_ctrlr_each_channel_cpl`, which frees the iterator right after: the struct that carried the callback is freed
 * by the function that calls through it. From the context chain, or a direct store of the function in a field.
 */
export function carrierReleasesOf(model: IndexModel, key: string, contexts: readonly ContextEvidence[]): FinishStep[] {
  const carriers: { holder: string; invoker: string }[] = [];
  for (const c of contexts) {
    const step = 'flow' in c ? c.flow?.find((s: FlowStep) => s.holder && s.invoker) : undefined;
    if (step) carriers.push({ holder: step.holder!, invoker: step.invoker! });
  }
  for (const s of model.slotsOf(key)) {
    for (const invoker of fieldInvokers(model).get(`${s.structName}.${s.field}`) ?? []) {
      if (!isTestFile(invoker.file)) carriers.push({ holder: s.structName, invoker: invoker.key });
    }
  }
  const out: FinishStep[] = [];
  for (const c of carriers) {
    if (c.invoker === key) continue;
    const freed = releasesOf(model, c.invoker).find((r) => r.type === c.holder && !r.onFailure);
    if (!freed) continue;
    const text = `the ${c.holder} that holds it is freed by ${nameOfKey(c.invoker)} (${fileOfKey(c.invoker) === fileOfKey(key) ? '' : `${fileOfKey(c.invoker)}:`}line ${freed.line}) once it has called it`;
    if (!out.some((x) => x.text === text)) out.push({ text, via: nameOfKey(c.invoker), line: model.definitionOf(key)?.line ?? 1 });
  }
  return out;
}

/** The structs a function allocates (directly or through an allocator helper of the tree), with the line. */
function allocatedIn(model: IndexModel, key: string): Map<string, number> {
  const allocated = new Map<string, number>();
  for (const r of typedCallResultsOf(model, key)) {
    if (ALLOCATORS.has(r.callee) || allocatesType(model, r.callee, fileOfKey(key), baseTypeName(r.type))) allocated.set(baseTypeName(r.type), r.line);
  }
  return allocated;
}

interface Freer {
  type: string;
  /** The callbacks from the one this function hands off to the one that frees, with where each is handed on. */
  chain: { name: string; key: string; api: string; line: number }[];
  /** The free, in the last callback's file. */
  line: number;
}

function freersOf(model: IndexModel, key: string, types: Set<string>, depth: number): Freer[] {
  if (types.size === 0) return [];
  const out: Freer[] = [];
  for (const h of model.handoffsOf(key)) {
    if (!('api' in h) || h.targetKey === key) continue;
    const hop = { name: h.targetName, key: h.targetKey, api: h.api, line: h.line };
    const freed = releasesOf(model, h.targetKey).filter((r) => !r.onFailure && r.type && types.has(r.type));
    for (const r of freed) out.push({ type: r.type!, chain: [hop], line: r.line });
    if (depth >= 1) continue;
    const left = new Set([...types].filter((t) => !freed.some((r) => r.type === t)));
    // The callback hands the same context on: it casts its argument to one of the types left.
    const cast = new Set(notesOf(model, h.targetKey, 'cast').map((n) => n.path.rootType).filter((t) => left.has(t)));
    for (const inner of freersOf(model, h.targetKey, cast, depth + 1)) out.push({ ...inner, chain: [hop, ...inner.chain] });
  }
  return out;
}

function freerText(f: Freer, file: string): string {
  const last = f.chain[f.chain.length - 1];
  const at = `${fileOfKey(last.key) === file ? '' : `${fileOfKey(last.key)}:`}line ${f.line}`;
  if (f.chain.length === 1) return `${last.name} (${at}), the callback it hands to ${last.api}`;
  // ASCII only, like every text the saved index keeps (see reasonSentence).
  return `${last.name} (${at}), reached through ${f.chain.slice(0, -1).map((c) => `${c.name} (via ${c.api})`).join(', then ')}, then ${last.api}`;
}

/** `bdev_iostat_ctx_alloc()`: a function of the tree that returns a T it allocated itself. */
function allocatesType(model: IndexModel, name: string, file: string, type: string): boolean {
  const key = model.resolve(name, file);
  if (!key || isTestFile(fileOfKey(key))) return false;
  const def = model.definitionOf(key);
  if (!def || baseTypeName(def.returnType) !== type) return false;
  return typedCallResultsOf(model, key).some((r) => ALLOCATORS.has(r.callee) && baseTypeName(r.type) === type);
}

/**
 * `free_rpc_bdev_null_create(&req)`, `bdev_nvme_ctrlr_opts_free(opts)`: a function of the tree whose normal path frees
 * what its first parameter points to (or the fields of it), directly or through another such function.
 */
function releaseWrapper(model: IndexModel, name: string, file: string, depth = 0): boolean {
  if (depth > 3) return false;
  const memo = model.memoize('releaseWrappers', () => new Map<string, boolean>());
  const key = model.resolve(name, file);
  // `free_rpc_bdev_null_create`, generated by a decoder macro: SPDK names its release helpers so.
  if (!key) return /^free_\w+|_free$/.test(name);
  if (isTestFile(fileOfKey(key))) return false;
  const known = memo.get(key);
  if (known !== undefined) return known;
  memo.set(key, false); // a cycle frees nothing
  const first = model.definitionOf(key)?.params[0];
  const failures = failureRanges(model, key);
  const conditions = branchRanges(model, key, 'condition');
  // It frees the object itself on every normal path; only a `free_*`/`*_free` helper may free just its fields.
  const fieldsCount = /^free_\w+|_free$/.test(name);
  const frees =
    first !== undefined &&
    /\*/.test(first.type) &&
    model.callsOf(key).some((c) => {
      if (onFailurePath(failures, c.line) || onFailurePath(conditions, c.line)) return false;
      const text = valueText(c.args[0]);
      const arg = text ? argumentRoot(text) : undefined;
      if (arg?.root !== first.name || (arg.rest !== '' && !fieldsCount)) return false;
      return RELEASES[c.callee]?.verb === 'frees' || releaseWrapper(model, c.callee, fileOfKey(key), depth + 1);
    });
  memo.set(key, frees);
  return frees;
}

/** Every API finishesOf looks at by name: one test per call first. */
const FINISH_API = /^spdk_jsonrpc_|for_each_channel_continue$|process_(admin_)?completions$|^spdk_sock_group_poll$|^spdk_bdev_queue_io_wait$/;

/** SPDK calls that report a step of a module or subsystem done: the layer above goes on from there. */
const DONE_APIS: Record<string, string> = {
  spdk_bdev_module_examine_done: 'tells the bdev layer this module has finished examining the bdev',
  spdk_bdev_module_init_done: "tells the bdev layer the module's init is done",
  spdk_bdev_module_fini_done: "tells the bdev layer the module's fini is done (the next module's starts)",
  spdk_bdev_module_fini_start_done: "tells the bdev layer the module's fini_start is done",
  spdk_bdev_destruct_done: "tells the bdev layer the bdev's destruct has finished (its unregister completes)",
  spdk_subsystem_init_next: "ends this subsystem's init and starts the next one's",
  spdk_subsystem_fini_next: "ends this subsystem's fini and starts the next one's",
  spdk_accel_task_complete: "completes the accel task: back to its pool, then the user's callback",
  spdk_accel_module_finish: "tells the accel framework this module's fini is done (the next module's starts)",
  spdk_nvmf_request_complete: 'completes the NVMe-oF request: its response goes back to the host',
};


/**
 * How the function finishes an operation someone else started (Q5): it calls the completion its caller stored
 * (`req->cb_fn(req->cb_arg, ...)`) or passed (`cb_fn(cb_arg)`), answers an RPC request, or moves a channel iteration
 * on. IO completions are the IO roles.
 */
export function finishesOf(model: IndexModel, key: string): FinishStep[] {
  const def = model.definitionOf(key);
  if (!def) return [];
  const file = fileOfKey(key);
  const failures = failureRanges(model, key);
  const out: FinishStep[] = [];
  const push = (s: FinishStep) => {
    if (!out.some((x) => x.text === s.text && x.onFailure === s.onFailure && x.when === s.when)) out.push(s);
  };
  const flag = (line: number) => {
    if (!onFailurePath(failures, line)) return {};
    const when = failureConditionAt(model, key, line);
    return { onFailure: true as const, ...(when && { when }) };
  };
  const vars = objectVariables(model, key);
  for (const n of notesOf(model, key, 'field_call')) {
    const holder = holderOfPath(model.symbols, file, n.path, n.name);
    if (!holder || !/(^|_)(cb|cpl|done|complete|completion|fn)(_|$)|cb_fn|cpl_fn/.test(n.name)) continue;
    const local = [...vars].find(([, type]) => type === n.path.rootType)?.[0];
    push({ text: `calls the completion stored in ${holder.structName}.${holder.field}${local ? ` (${local}->${[...n.path.fields, n.name].join('.')})` : ''}`, via: `${holder.structName}.${holder.field}`, line: n.line, ...flag(n.line) });
  }
  // `if (nvme_ctrlr->resetting) { return -EBUSY; }`: the error its caller gets back, and when; `task->status =
  // SPDK_BDEV_IO_STATUS_NOMEM` under `status == -ENOMEM`: the status a failure gives the IO (the innermost block's).
  const statuses = new Map<string, FinishStep>();
  for (const n of notesOf(model, key, 'branch')) {
    if (n.name !== 'failure') continue;
    for (const action of n.path.fields.slice(1)) {
      if (action.startsWith('returns ')) push({ text: action, via: 'return', line: n.line, onFailure: true, when: n.path.fields[0] });
      const status = action.startsWith('status ') ? action.slice(7) : undefined;
      if (status && (statuses.get(status)?.line ?? 0) < n.line) {
        statuses.set(status, { text: `sets the IO's status to ${status}${status === 'NOMEM' ? ' (the bdev layer keeps the IO and submits it again once other IO completes)' : ''}`, via: status, line: n.line, onFailure: true, when: n.path.fields[0] });
      }
    }
  }
  for (const s of statuses.values()) push(s);
  const fnParams = new Set(def.params.filter((p) => model.symbols.isFunctionType(p.type)).map((p) => p.name));
  for (const call of model.callsOf(key)) {
    if (!fnParams.has(call.callee) && !FINISH_API.test(call.callee) && !DONE_APIS[call.callee]) continue;
    if (fnParams.has(call.callee)) push({ text: `calls back ${call.callee}, the completion its caller passed`, via: call.callee, line: call.line, ...flag(call.line) });
    else if (RPC_REPLY_API.test(call.callee) && call.callee !== 'spdk_jsonrpc_begin_result') {
      const error = call.callee.startsWith('spdk_jsonrpc_send_error_response');
      push({ text: error ? `answers the RPC request with an error${errorReplyDetail(call.args)}` : 'answers the RPC request', via: call.callee, line: call.line, ...flag(call.line) });
    } else if (call.callee === 'spdk_for_each_channel_continue' || call.callee === 'spdk_bdev_for_each_channel_continue') {
      // A non-zero status ends the iteration: the done callback runs next, with that status.
      const status = valueText(call.args[1])?.trim();
      const stops = status !== undefined && status !== '0';
      const constant = stops && /^(-\s*\w+|\d+)$/.test(status);
      const text = !stops
        ? 'hands the iteration on to the next channel (its done callback, if it was given one, runs after the last)'
        : constant
          ? `ends the iteration early with status ${status}: the done callback runs next`
          : `hands the iteration on with status ${status} (a non-zero status ends it: the done callback, if any, runs next)`;
      push({ text, via: call.callee, line: call.line, ...flag(call.line) });
    } else if (DONE_APIS[call.callee]) {
      push({ text: DONE_APIS[call.callee], via: call.callee, line: call.line, ...flag(call.line) });
    } else if (COMPLETION_DRIVERS[call.callee]) {
      push({ text: COMPLETION_DRIVERS[call.callee], via: call.callee, line: call.line, ...flag(call.line) });
    } else if (FAILURE_APIS[call.callee] && onFailurePath(failures, call.line)) {
      push({ text: FAILURE_APIS[call.callee], via: call.callee, line: call.line, ...flag(call.line) });
    }
  }
  return out;
}

/** ` (INVALID_PARAMS, "Invalid parameters")`, ` (code rc)`: the code an error reply sends, and its message when a short literal. */
function errorReplyDetail(args: readonly ValueSummary[]): string {
  const code = valueText(args[1])?.trim().replace(/^SPDK_JSONRPC_ERROR_/, '');
  if (!code) return '';
  const text = args[2]?.kind === 'string' ? args[2].text : '';
  // ASCII only: one wider character would make the whole saved index two-byte text.
  const message = text && text.length <= 42 && /^[\x20-\x7e]*$/.test(text) ? `, "${text}"` : '';
  return /^[A-Z_]+$/.test(code) ? ` (${code}${message})` : ` (code ${code}${message})`;
}
