// Is a function's work done when it returns? It is not when part of it finishes later: it hands a callback to
// something that calls it after returning, sends a message, registers a poller, queues an item that another context
// takes off, or calls a function that does one of these. Callbacks called before the callee returns do not count.
import type { ContextKind } from '../knowledge/contextKinds';
import type { IndexModel } from '../model/indexModel';
import { fileOfKey, nameOfKey } from './callbackEvidence';
import { curatedArgumentKinds, destinationOf, holderOfPath, isGenericKind, isTestFile, notesOf } from './callbackFlow';
import { kindOfRegistration, kindOfSlot, contextsOf } from './execContext';
import { pushTo } from '../util/multiMap';
import { COMPLETION_DRIVERS } from '../knowledge/spdkApis';

export interface AsyncReason {
  /** 1: a continuation runs later; 2: work queued or a poller registered; 3: a handler registered; 4: a callee's. */
  rank: number;
  text: string;
  line: number;
  /** Only on a path that handles a failure: the function's normal path does not leave this work behind. */
  onFailure?: boolean;
  /** The same-file helpers called on the way to the work (`text` is then theirs), nearest first. */
  via?: string[];
  /** The work is on the failure path of the last helper in `via`, not on this function's. */
  viaFailure?: boolean;
  /** Left behind on every path through the function (no branch, loop or case around it, nor around a call on the way). */
  everyPath?: boolean;
  /** Handed to `spdk_thread_exec_msg`, which runs it at once when the caller is already on that thread. */
  mayRunAtOnce?: boolean;
}

/**
 * The reason as a sentence: `calls bdev_nvme_start_ctrlr_destruct (then nvme_ctrlr_put_ref), which hands ...`. ASCII
 * only: one character above 0x7f makes V8 keep the whole saved index as a two-byte string, twice the memory.
 */
export function reasonSentence(r: AsyncReason): string {
  if (!r.via || r.via.length === 0) return r.text;
  const then = r.via.length > 1 ? ` (then ${r.via.slice(1).join(', ')})` : '';
  return `calls ${r.via[0]}${then}, which ${r.viaFailure ? 'on a failure path ' : ''}${r.text}`;
}

/** Contexts that run later, from a loop: an item they take off a list was waiting for them. */
const DEFERRED_KINDS = new Set<ContextKind>([
  'poller', 'interrupt', 'thread_message', 'for_each_thread_step', 'for_each_channel_step', 'reactor_event',
  'bdev_io_completion', 'bdev_io_wait', 'blob_completion', 'lvol_completion', 'nvme_completion', 'accel_completion', 'buffer_wait',
]);

/** Kinds that register a handler someone else calls on their own schedule, rather than a continuation of this work. */
const HANDLER_KINDS = new Set<ContextKind>([
  'rpc_handler', 'bdev_event', 'io_channel_create', 'io_channel_destroy', 'subsystem_hook', 'bdev_module_hook', 'bdev_fn_table',
  'struct_slot', 'callback_argument', 'app_shutdown',
]);

const MAX_CALLEE_DEPTH = 6;
const CONTINUES_ITERATION = /for_each_channel_continue$/;
/** SPDK APIs whose own work is done when they return, though they start other work: other modules examine a new bdev. */
const DONE_ON_RETURN = new Set(['spdk_bdev_register']);
/** The calls by which a function sends itself to a thread. */
export const SELF_HOP_APIS = new Set(['spdk_thread_send_msg', 'spdk_thread_exec_msg']);

/** Why the function is asynchronous, most decisive first; empty when its work is done when it returns. */
export function asyncReasons(model: IndexModel, key: string): AsyncReason[] {
  return reasonsOf(model, key, 0, { visiting: new Set(), cuts: 0 });
}

/** The functions on the way down, and how often the walk stopped at a cycle or the depth bound. */
interface Walk {
  visiting: Set<string>;
  cuts: number;
}

function reasonsOf(model: IndexModel, key: string, depth: number, walk: Walk): AsyncReason[] {
  const memo = model.memoize('asyncReasons', () => new Map<string, AsyncReason[]>());
  const cached = memo.get(key);
  if (cached) return cached;
  if (depth > MAX_CALLEE_DEPTH || walk.visiting.has(key)) {
    walk.cuts++;
    return [];
  }
  const cutsBefore = walk.cuts;
  walk.visiting.add(key);
  const failures = failureRanges(model, key);
  const own = ownReasonsOnPaths(model, key, failures);
  // A per-channel step that moves the iteration on has done its own work: the next step is the iteration's.
  const step = contextsOf(model, key).some((c) => c.kind === 'for_each_channel_step');
  // What it started before it spins on completions until they come (`nvme_wait_for_completion`) is done by then.
  const waitLine = lastWaitLine(model, key);
  const found = [...own, ...calleeReasons(model, key, depth, walk, failures)].filter((r) => r.line >= waitLine && (!step || !r.via?.some((v) => CONTINUES_ITERATION.test(v)))).sort(
    (a, b) => Number(a.onFailure ?? false) - Number(b.onFailure ?? false) || a.rank - b.rank || (a.via?.length ?? 0) - (b.via?.length ?? 0) || a.line - b.line,
  );
  // The same reason on several lines (three reads queued alike) is one reason, at its first line.
  const sentences = new Set<string>();
  const reasons = found.filter((r) => {
    const sentence = reasonSentence(r);
    return !sentences.has(sentence) && sentences.add(sentence) !== undefined;
  });
  walk.visiting.delete(key);
  // Cut short by depth or a cycle below: not memoised, as reached from elsewhere it may see further.
  if (depth === 0 || walk.cuts === cutsBefore) memo.set(key, reasons);
  return reasons;
}

/** Shared by every function without reasons of its own (most of them): one empty list, never changed. */
const NO_REASONS: AsyncReason[] = [];

/** Its own reasons, each marked when it is on a failure path or on every path (memoised: a walk meets them often). */
function ownReasonsOnPaths(model: IndexModel, key: string, failures: readonly BranchRange[]): AsyncReason[] {
  const memo = model.memoize('ownAsyncReasons', () => new Map<string, AsyncReason[]>());
  let own = memo.get(key);
  if (!own) {
    const found = ownReasons(model, key);
    const unguarded = found.length > 0 ? unguardedLines(model, key) : undefined;
    own = found.length === 0 ? NO_REASONS : found.map((r) => ({
      ...r,
      ...(onFailurePath(failures, r.line) && { onFailure: true }),
      ...(unguarded?.has(r.line) && !r.mayRunAtOnce && { everyPath: true }),
    }));
    memo.set(key, own);
  }
  return own;
}

/** Reasons in the function's own body: hand-offs, its callback parameters' fates, queued work. */
function ownReasons(model: IndexModel, key: string): AsyncReason[] {
  const file = fileOfKey(key);
  const reasons: AsyncReason[] = [];
  for (const h of model.handoffsOf(key)) {
    if ('api' in h) {
      // `if (!on the app thread) { spdk_thread_send_msg(app_thread, self, arg); return; }`: a hop to the owner, after
      // which the same function does its work there before it returns.
      // A function that asserts the thread it runs on and sends itself a message is running again later (a retry
      // while something is in progress), not hopping to its owner.
      // So is one that sends itself to the thread it is on (`spdk_get_thread()`).
      if (h.targetName === nameOfKey(key) && SELF_HOP_APIS.has(h.api) && !assertsItsThread(model, key) && !sendsToItsOwnThread(model, key, h.line)) continue;
      let kind = kindOfRegistration(model.symbols, h);
      if (isGenericKind(kind)) {
        const learnt = destinationOf(model, h.api, h.arg, file);
        if (learnt?.synchronous) continue;
        // The API's body is in the tree and shows no deferral: not a reason either way.
        if (!learnt && model.resolve(h.api, file)) continue;
        if (learnt) kind = learnt.kind;
      }
      // Waiting for a buffer or a free bdev_io is a pause on the way, not the operation's own continuation.
      const rank = HANDLER_KINDS.has(kind) || kind === 'async_callback' ? 3 : kind === 'poller' || kind === 'buffer_wait' || kind === 'bdev_io_wait' ? 2 : 1;
      reasons.push({ rank, line: h.line, text: `hands ${h.targetName} to ${h.api}: it runs later, as ${kind.replace(/_/g, ' ')}`, ...(h.api === 'spdk_thread_exec_msg' && { mayRunAtOnce: true }) });
    } else {
      const kind = kindOfSlot(h);
      reasons.push({ rank: DEFERRED_KINDS.has(kind) ? 1 : 3, line: h.line, text: `stores ${h.targetName} in ${h.structName}.${h.field}: whoever holds it calls it later` });
    }
  }
  const def = model.definitionOf(key);
  def?.params.forEach((p, arg) => {
    if (!model.symbols.isFunctionType(p.type)) return;
    const destination = destinationOf(model, nameOfKey(key), arg, file);
    if (destination?.synchronous) return;
    const how = destination?.steps[0]?.note ?? `takes ${p.name} (${p.type}) and returns before calling it`;
    reasons.push({ rank: destination ? 1 : 3, line: destination?.steps[0]?.line ?? def.line, text: `calls back ${p.name} later (${how})` });
  });
  const locals = new Set(def?.params.map((p) => p.name));
  for (const call of model.callsOf(key)) {
    const kinds = curatedArgumentKinds(model, call.callee, file);
    for (let arg = 0; arg < kinds.length && arg < call.args.length; arg++) {
      const kind = kinds[arg];
      const a = call.args[arg];
      // A function chosen at run time (`msg_fn` in a local) sent as a message is deferred work all the same.
      if (!kind || !DEFERRED_KINDS.has(kind) || a.kind !== 'other' || !/^[A-Za-z_]\w*$/.test(a.text) || locals.has(a.text)) continue;
      reasons.push({ rank: 1, line: call.line, text: `hands ${a.text} (a function chosen at run time) to ${call.callee}: it runs later, as ${kind.replace(/_/g, ' ')}` });
    }
  }
  for (const q of notesOf(model, key, 'queue')) {
    if (q.detail !== 'insert') continue;
    const holder = holderOfPath(model.symbols, q.file, q.path);
    if (!holder) continue;
    const drainer = drainersOf(model, `${holder.structName}.${holder.field}`).find((d) => d.key !== key && !(isTestFile(d.file) && !isTestFile(file)) && (d.kind || d.driver));
    const when = drainer?.kind ? `(${drainer.kind.replace(/_/g, ' ')})` : `(from ${drainer?.driver}, at the next poll)`;
    if (drainer) reasons.push({ rank: 2, line: q.line, text: `queues on ${holder.structName}.${holder.field}; ${nameOfKey(drainer.key)} ${when} takes it off later` });
  }
  return reasons;
}

/** Functions that take items off a list field, with the deferred context they run in when they have one. */
export function drainersOf(model: IndexModel, slot: string): { key: string; file: string; line: number; kind?: ContextKind; driver?: string }[] {
  const bySlot = model.memoize('queueDrainers', () => {
    const map = new Map<string, { key: string; file: string; line: number }[]>();
    for (const facts of model.files.values()) {
      for (const n of facts.notes ?? []) {
        if (!n.caller) continue;
        const takesOff = n.kind === 'queue' ? n.detail === 'remove' : n.kind === 'field_address' && takesOffListItWasHanded(model, n.name, facts.file);
        if (!takesOff) continue;
        const holder = holderOfPath(model.symbols, facts.file, n.path);
        if (holder) pushTo(map, `${holder.structName}.${holder.field}`, { key: `${facts.file}#${n.caller}`, file: facts.file, line: n.line });
      }
    }
    return map;
  });
  return (bySlot.get(slot) ?? []).map((d) => {
    const kind = contextsOf(model, d.key).map((c) => c.kind).find((k) => DEFERRED_KINDS.has(k));
    // `_nvme_qpair_complete_abort_queued_reqs`, called from spdk_nvme_qpair_process_completions: taken off at the next poll.
    const driver = kind ? undefined : model.callersOf(d.key).map(nameOfKey).find((c) => c in COMPLETION_DRIVERS);
    return { ...d, kind, ...(driver && { driver }) };
  });
}

/** Lines of the function with a call made on every path through it. */
function unguardedLines(model: IndexModel, key: string): Set<number> {
  const lines = new Set<number>();
  for (const call of model.callsOf(key)) if (!call.guarded) lines.add(call.line);
  return lines;
}

/**
 * A static helper of the same file that is asynchronous makes its caller asynchronous too (`spdk_bdev_close` through
 * `bdev_close`). Any other function does so only with work it leaves behind on every path through it
 * (`spdk_bdev_part_free` unregisters the part's io_device): a public function that defers work only on some rare path
 * would otherwise make half the tree asynchronous. SPDK's APIs that finish later without a callback are listed.
 */
function calleeReasons(model: IndexModel, key: string, depth: number, walk: Walk, failures: readonly BranchRange[]): AsyncReason[] {
  const file = fileOfKey(key);
  const seen = new Set<string>();
  const reasons: AsyncReason[] = [];
  for (const call of model.callsOf(key)) {
    if (seen.has(call.callee)) continue;
    seen.add(call.callee);
    const onFailure = onFailurePath(failures, call.line);
    const later = FINISHES_LATER[call.callee];
    if (later) {
      reasons.push({ rank: 2, line: call.line, text: `calls ${call.callee}: ${later}`, ...(onFailure && { onFailure }) });
      continue;
    }
    const callee = model.resolve(call.callee, file);
    if (!callee || callee === key || (isTestFile(fileOfKey(callee)) && !isTestFile(file))) continue;
    const helper = fileOfKey(callee) === file && staticFunctionsOf(model, file).has(call.callee);
    if (!helper && DONE_ON_RETURN.has(call.callee)) continue;
    // Handlers it registers (rank 3) and its own callback parameters are the callee's business, not this caller's.
    const inner = reasonsOf(model, callee, depth + 1, walk).filter((r) => r.rank !== 3 && !r.text.startsWith('calls back ') && (helper || (r.everyPath && !r.onFailure)));
    if (inner.length === 0) continue;
    // Sorted normal path first: a callee that defers work only when it fails defers it only on this caller's failures.
    const first = inner[0];
    reasons.push({
      rank: 4,
      line: call.line,
      text: first.text,
      via: [call.callee, ...(first.via ?? [])],
      ...((first.viaFailure || (first.onFailure && !onFailure)) && { viaFailure: true }),
      ...((onFailure || first.onFailure) && { onFailure: true }),
      ...(!call.guarded && first.everyPath && { everyPath: true }),
    });
  }
  // `dev->destroy_channel(dev, ch)`: through a struct field, when every function stored there leaves work behind.
  for (const n of notesOf(model, key, 'field_call')) {
    const holder = holderOfPath(model.symbols, file, n.path, n.name);
    const slot = holder && `${holder.structName}.${holder.field}`;
    if (!slot || seen.has(slot)) continue;
    seen.add(slot);
    if (SLOTS_FINISHING_LATER[slot]) {
      reasons.push({ rank: 2, line: n.line, text: `calls ${slot}: ${SLOTS_FINISHING_LATER[slot]}`, ...(onFailurePath(failures, n.line) && { onFailure: true }) });
      continue;
    }
    const stored = (slotImplementations(model).get(slot) ?? []).filter((k) => k !== key && !(isTestFile(fileOfKey(k)) && !isTestFile(file)));
    // Every implementation must leave work behind: the first that does not ends the look.
    let first: AsyncReason | undefined;
    for (const impl of stored) {
      const reason = reasonsOf(model, impl, depth + 1, walk).find((r) => r.rank !== 3 && !r.text.startsWith('calls back ') && r.everyPath && !r.onFailure);
      first = reason && (first ?? reason);
      if (!reason) break;
    }
    if (!first) continue;
    const onFailure = onFailurePath(failures, n.line);
    reasons.push({
      rank: 4,
      line: n.line,
      text: first.text,
      via: [`${slot} (${stored.map(nameOfKey).join(', ')})`, ...(first.via ?? [])],
      ...(onFailure && { onFailure: true }),
    });
  }
  return reasons;
}

/** Functions stored in each struct field (`struct spdk_bs_dev.destroy_channel`), as keys. */
function slotImplementations(model: IndexModel): Map<string, string[]> {
  return model.memoize('slotImplementations', () => {
    const map = new Map<string, string[]>();
    for (const links of model.allLinks()) {
      for (const s of links.slots) {
        const slot = `${s.structName}.${s.field}`;
        if (!map.get(slot)?.includes(s.targetKey)) pushTo(map, slot, s.targetKey);
      }
    }
    return map;
  });
}

/** `nvme_wait_for_completion(...)`: the caller waits until the command it submitted completes. */
const WAITS_FOR_COMPLETION = /^(?:spdk_)?nvme_wait_for_\w+$/;
/** Calls that run completions inside them: in a loop (`while (!done) ...`), the caller spins until its own comes. */
const DRIVES_COMPLETIONS = /^(?:spdk_nvme_ctrlr_process_admin_completions|spdk_nvme_qpair_process_completions|nvme_qpair_process_completions|spdk_thread_poll)$/;

/** The last line where the function waits for completions it drives itself (0: it never does). */
function lastWaitLine(model: IndexModel, key: string): number {
  let last = 0;
  for (const call of model.callsOf(key)) {
    if (call.line > last && (WAITS_FOR_COMPLETION.test(call.callee) || (call.guarded && DRIVES_COMPLETIONS.test(call.callee)))) last = call.line;
  }
  return last;
}

function sendsToItsOwnThread(model: IndexModel, key: string, line: number): boolean {
  return model.callsOf(key).some((c) => c.line === line && SELF_HOP_APIS.has(c.callee) && c.args[0]?.kind === 'call' && c.args[0].callee === 'spdk_get_thread');
}

function assertsItsThread(model: IndexModel, key: string): boolean {
  return notesOf(model, key, 'thread_check').some((n) => n.detail === 'assert');
}

/** A block of a function: its first and last lines, and the condition that leads into it (`rc == -ENOMEM`, `err:`). */
export interface BranchRange {
  first: number;
  last: number;
  condition: string;
}

/** The function's `branch` notes of one name (`failure`, `condition`), as ranges. */
export function branchRanges(model: IndexModel, key: string, name: 'failure' | 'condition'): BranchRange[] {
  return notesOf(model, key, 'branch')
    .filter((n) => n.name === name)
    .map((n) => ({ first: n.line, last: Number(n.detail), condition: n.path.fields[0] ?? '' }));
}

/** The innermost of the ranges around a line: the one that starts last. */
export function innermostAt(ranges: readonly BranchRange[], line: number): BranchRange | undefined {
  let best: BranchRange | undefined;
  for (const r of ranges) if (line >= r.first && line <= r.last && (!best || r.first > best.first)) best = r;
  return best;
}

/** Shared by every function without a failure block (most of them): one empty list, never changed. */
const NO_RANGES: BranchRange[] = [];

/** The blocks that handle a failure (`if (rc != 0) { SPDK_ERRLOG(...); ... }`, after `err:`), first line to last. */
export function failureRanges(model: IndexModel, key: string): BranchRange[] {
  const memo = model.memoize('failureRanges', () => new Map<string, BranchRange[]>());
  let ranges = memo.get(key);
  if (!ranges) {
    ranges = branchRanges(model, key, 'failure');
    // Only functions with failure blocks are kept: most have none, and recomputing nothing is cheap.
    if (ranges.length > 0) memo.set(key, ranges);
    else ranges = NO_RANGES;
  }
  return ranges;
}

/** The condition of the innermost failure block around a line, as written (`rc == -ENOMEM`, `err:`), if any. */
export function failureConditionAt(model: IndexModel, key: string, line: number): string | undefined {
  return innermostAt(failureRanges(model, key), line)?.condition || undefined;
}

export function onFailurePath(ranges: readonly BranchRange[], line: number): boolean {
  return ranges.some((r) => line >= r.first && line <= r.last);
}

/** SPDK APIs whose work goes on after they return although they take no callback. */
const FINISHES_LATER: Record<string, string> = {
  spdk_put_io_channel: 'the channel is released later, by a message to its thread',
  spdk_io_device_unregister: 'the io_device goes away only after every channel of it is released',
  spdk_thread_exit: 'the thread exits only once its pollers and messages are done',
  spdk_bdev_unregister: 'the bdev is torn down later, after its open descriptors are closed',
  spdk_nvme_ctrlr_disconnect_io_qpair: 'the qpair disconnects later; its poll group reports it through the disconnected-qpair callback',
  nvme_transport_qpair_submit_request: "the transport sends the command; the request's cb_fn runs when the qpair's completions are processed",
  spdk_bdev_part_base_hotremove: 'each part bdev on the base is unregistered, and goes away once its descriptors are closed',
  spdk_bdev_part_submit_request: 'the IO goes on to the base bdev; the part layer completes it when the base bdev does',
  spdk_bdev_part_submit_request_ext: 'the IO goes on to the base bdev; the part layer completes it when the base bdev does',
};

/** Hooks whose contract is to finish later and say so: calling one hands the rest of the work over. */
const SLOTS_FINISHING_LATER: Record<string, string> = {
  'struct spdk_subsystem.init': 'the subsystem finishes its init when it calls spdk_subsystem_init_next, which may be later',
  'struct spdk_subsystem.fini': 'the subsystem finishes its fini when it calls spdk_subsystem_fini_next, which may be later',
};

/** Names of the static functions a file defines: the helpers whose reasons carry over to their callers whatever path. */
export function staticFunctionsOf(model: IndexModel, file: string): Set<string> {
  const byFile = model.memoize('staticFunctionsByFile', () => {
    const map = new Map<string, Set<string>>();
    for (const facts of model.files.values()) map.set(facts.file, new Set(facts.functions.filter((f) => f.isStatic).map((f) => f.name)));
    return map;
  });
  return byFile.get(file) ?? new Set();
}

/** `_process_io_stailq(&ch->queued)`: the helper takes items off the list its caller hands it. */
function takesOffListItWasHanded(model: IndexModel, callee: string, file: string): boolean {
  const key = model.resolve(callee, file);
  return key !== undefined && notesOf(model, key, 'queue').some((q) => q.detail === 'remove' && q.path.rootType === '');
}
