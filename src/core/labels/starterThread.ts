// Which thread a function runs on because of the code that starts it: the app thread (an RPC handler, a module or
// subsystem hook, the app's start, a function whose own assert says so), an io_channel's thread (a submit, a channel
// callback, a per-channel step, a function handed the channel or its context), the thread an assert or a message's
// target names (`nvme_ctrlr->thread`), or a blobstore's metadata thread. Found through registrations, struct fields and
// direct callers; every starter must agree. `rpc_thread_get_stats_done` runs on the app thread because
// `rpc_thread_get_stats` is an RPC.
import type { ContextKind } from '../knowledge/contextKinds';
import type { IndexModel } from '../model/indexModel';
import type { CallEvidence, SlotEvidence } from '../model/indexTypes';
import { fileOfKey, functionKey, nameOfKey, type FileLinks } from './callbackEvidence';
import { pushTo } from '../util/multiMap';
import { fieldInvokers, holderOfPath, isTestFile } from './callbackFlow';
import { objectVariables } from './finishing';
import { valueText } from '../facts/fileFacts';
import { SELF_HOP_APIS } from './asyncWork';
import { contextsOf } from './execContext';
import { threadAssertions } from './functionObject';
import { channelContextTypes } from './ownership';
import { baseTypeName } from '../parse/cText';

/** Contexts that run on the thread of the code that registered the callback (or called the helper). */
const STARTER_THREAD = new Set<ContextKind>([
  'sync_callback', 'for_each_channel_done', 'for_each_thread_done', 'async_callback', 'bdev_io_completion', 'blob_completion',
  'lvol_completion', 'io_device_unregister_done', 'bdev_event', 'buffer_wait', 'bdev_io_wait', 'accel_completion',
  // A poller or interrupt runs on the thread that registered it.
  'poller', 'interrupt',
]);

/**
 * NVMe IO commands complete on the thread that polls their qpair, which is the one that submitted them (a qpair is used
 * by one thread); admin commands complete wherever the admin queue is polled, so they are not here.
 */
const IO_QPAIR_SUBMIT = /^spdk_nvme_(?:ns_cmd_\w+|ctrlr_cmd_io_raw\w*|zns_\w+)$/;

/** Contexts that run on the thread of one io_channel. */
const CHANNEL_THREAD_KINDS = new Set<ContextKind>(['io_channel_create', 'io_channel_destroy', 'for_each_channel_step']);

/** The bdev slot called on the thread of the channel the IO was submitted on. */
const CHANNEL_THREAD_SLOTS = /\.submit_request$/;

const APP_THREAD = 'the app thread';
const BLOB_MD_THREAD = 'the thread in struct spdk_blob_store.md_thread';
/** Blobstore calls that change metadata: SPDK runs them (and their completions) on the blobstore's metadata thread. */
const BLOB_METADATA_API = /^spdk_(?:bs_(?!io_|dev_)\w+|blob_(?:close|sync_md|resize|set_parent|set_external_parent|shallow_copy\w*))$/;
const CHANNEL_THREAD = "the io_channel's thread";

/** Contexts SPDK runs on the app thread. */
const APP_THREAD_KINDS = new Set<ContextKind>(['rpc_handler', 'subsystem_hook', 'app_start', 'app_shutdown']);

/** Module hooks that run on the app thread (not the per-IO fn_table slots). */
const APP_THREAD_SLOTS = /\.(module_init|module_fini|fini_start|examine_config|examine_disk|async_init|init_complete)$/;
/** The accel framework starts and stops its modules from the accel subsystem's init and fini, on the app thread. */
const ACCEL_APP_THREAD_SLOTS = /^struct spdk_accel_module_if\.(module_init|module_fini)$/;

const MAX_DEPTH = 6;

export interface StarterThreadEvidence {
  /** `the app thread`, `the io_channel's thread`, or `the thread in struct T.field`. */
  thread: string;
  /** From the function that is known to run on that thread down to this one. */
  chain: string[];
  /** Said of this function itself (a message sent to a named thread, a metadata completion), not through its starter. */
  direct?: boolean;
  /** Why the first of the chain runs there. */
  why: string;
  file: string;
  line: number;
}

export function starterThreadOf(model: IndexModel, key: string): StarterThreadEvidence | undefined {
  const memo = model.memoize('starterThread', () => new Map<string, StarterThreadEvidence | null>());
  const found = search(model, key, 0, { visiting: new Set(), cuts: 0 }, memo);
  return found && found !== CYCLE ? found : undefined;
}

/** A starter already on the way down: it adds nothing the others do not say. */
const CYCLE = 'cycle';

interface Walk {
  visiting: Set<string>;
  /** How often the walk stopped at the depth bound or a cycle: results that depend on that are not memoised. */
  cuts: number;
}

function search(model: IndexModel, key: string, depth: number, walk: Walk, memo: Map<string, StarterThreadEvidence | null>): StarterThreadEvidence | null | typeof CYCLE {
  const known = memo.get(key);
  if (known !== undefined) return known;
  if (walk.visiting.has(key)) {
    walk.cuts++;
    return CYCLE;
  }
  if (depth > MAX_DEPTH) {
    walk.cuts++;
    return null;
  }
  const cutsBefore = walk.cuts;
  walk.visiting.add(key);
  const found = own(model, key) ?? inherited(model, key, depth, walk, memo);
  walk.visiting.delete(key);
  if (found || walk.cuts === cutsBefore) memo.set(key, found);
  return found;
}

function own(model: IndexModel, key: string): StarterThreadEvidence | null {
  const name = nameOfKey(key);
  const assertions = threadAssertions(model, key);
  const asserts = assertions.filter((a) => a.kind === 'assert');
  const assert = asserts.find((a) => a.thread === 'app thread') ?? asserts[0];
  if (assert) {
    const thread = assert.thread === 'app thread' ? APP_THREAD : assert.thread;
    return { thread, chain: [name], why: `${name} asserts it runs on ${thread}`, file: fileOfKey(key), line: assert.line };
  }
  // `if (!spdk_thread_is_app_thread(NULL)) { spdk_thread_send_msg(app_thread, itself, ...); return; }`: its work runs there.
  const guard = assertions.find((a) => a.kind === 'guard' && a.thread === 'app thread');
  if (guard && model.handoffsOf(key).some((h) => 'api' in h && h.targetKey === key && SELF_HOP_APIS.has(h.api))) {
    return { thread: APP_THREAD, chain: [name], why: `${name} sends itself to the app thread when it is called elsewhere`, file: fileOfKey(key), line: guard.line, direct: true };
  }
  // The completion of a blobstore metadata operation runs on the blobstore's metadata thread, where those must start.
  const contexts = contextsOf(model, key).filter((c): c is CallEvidence | SlotEvidence => !('inferred' in c));
  const metadata = contexts.flatMap((c) => ('api' in c && c.kind === 'blob_completion' && BLOB_METADATA_API.test(c.api) ? [c] : []));
  if (metadata.length > 0 && metadata.length === contexts.length) {
    const m = metadata[0];
    return { thread: BLOB_MD_THREAD, chain: [name], why: `${name} completes ${m.api}, a metadata operation, which runs on the blobstore's metadata thread`, file: m.file, line: m.line, direct: true };
  }
  let channel: StarterThreadEvidence | null = null;
  for (const c of contexts) {
    const kind = c.kind.replace(/_/g, ' ');
    if (APP_THREAD_KINDS.has(c.kind) || ('slot' in c && ((c.kind === 'bdev_module_hook' && APP_THREAD_SLOTS.test(c.slot)) || ACCEL_APP_THREAD_SLOTS.test(c.slot)))) {
      // An accel module's hook is a plain struct slot to the reader: the thread is news, so it is said of it directly.
      const accel = 'slot' in c && ACCEL_APP_THREAD_SLOTS.test(c.slot);
      const as = accel && 'slot' in c ? `the ${c.slot.slice(c.slot.lastIndexOf('.') + 1)} hook of an accel module` : kind;
      return { thread: APP_THREAD, chain: [name], why: `${name} runs as ${as}, on the app thread`, file: c.file, line: c.line, ...(accel && { direct: true }) };
    }
    if (CHANNEL_THREAD_KINDS.has(c.kind) || (c.kind === 'bdev_fn_table' && 'slot' in c && CHANNEL_THREAD_SLOTS.test(c.slot))) {
      const as = 'slot' in c ? `${kind} ${c.slot.slice(c.slot.lastIndexOf('.') + 1)}` : kind;
      channel ??= { thread: CHANNEL_THREAD, chain: [name], why: `${name} runs as ${as}, on the thread of its io_channel`, file: c.file, line: c.line };
    }
  }
  if (channel) return channel;
  // A channel is used only on the thread that got it, so a function handed one runs there.
  const definition = model.definitionOf(key);
  if (definition?.params.some((p) => /^struct spdk_io_channel \*$/.test(p.type.replace(/\s+\*/, ' *')))) {
    return { thread: CHANNEL_THREAD, chain: [name], why: `${name} is handed an io_channel, so it runs on that channel's thread`, file: fileOfKey(key), line: definition.line };
  }
  // So does one handed a channel's context, which only that channel's thread touches.
  const channelTypes = channelContextTypes(model);
  const context = definition?.params.find((p) => p.type.includes('*') && channelTypes.has(baseTypeName(p.type)));
  if (definition && context) {
    return { thread: CHANNEL_THREAD, chain: [name], why: `${name} is handed ${baseTypeName(context.type)}, a per-thread channel context, so it runs on that channel's thread`, file: fileOfKey(key), line: definition.line };
  }
  return null;
}

/** Through what starts it: the code that registered it (for the kinds that run where they were started), the invokers of
 * the struct field it is kept in, a message's sender or named target, and its direct callers. */
function inherited(model: IndexModel, key: string, depth: number, walk: Walk, memo: Map<string, StarterThreadEvidence | null>): StarterThreadEvidence | null {
  const contexts = contextsOf(model, key);
  const starters: string[] = [];
  // Threads a message names itself: the app thread, or the thread an object keeps (`nvme_ctrlr->thread`).
  const named: StarterThreadEvidence[] = [];
  for (const c of contexts) {
    if (c.kind === 'thread_message' && 'api' in c && c.in) {
      const sender = functionKey(c.file, c.in);
      const target = messageTarget(model, sender, c.line, c.api, nameOfKey(key));
      if (!target) return null;
      if (target === 'sender') starters.push(sender);
      else named.push(target);
      continue;
    }
    if ('inferred' in c) continue; // its callers are starters below
    if ('slot' in c && c.kind === 'struct_slot') {
      // Stored in a field nobody names: it runs where the field is called, and where it is called directly.
      const invokers = fieldInvokers(model).get(c.slot) ?? [];
      if (invokers.length === 0) return null;
      starters.push(...invokers.map((i) => i.key));
      continue;
    }
    const ioCommand = c.kind === 'nvme_completion' && 'api' in c && IO_QPAIR_SUBMIT.test(c.api);
    if ((!STARTER_THREAD.has(c.kind) && !ioCommand) || !('in' in c) || !c.in) continue;
    starters.push(functionKey(c.file, c.in));
  }
  // A function also runs where its direct callers do, in any file; SPDK's public API may be called from anywhere.
  if (!isPublicApi(model, key)) starters.push(...callersAnywhere(model, key));
  else if (contexts.length === 0) return null;
  if (starters.length === 0 && named.length === 0) return null;
  // Every starter must run on the same known thread: one that does not leaves the thread open.
  let first: StarterThreadEvidence | null = null;
  for (const n of named) {
    if (first && n.thread !== first.thread) return null;
    first ??= n;
  }
  for (const s of new Set(starters)) {
    if (s === key) continue;
    const e = search(model, s, depth + 1, walk, memo);
    if (e === CYCLE) continue;
    if (!e || (first && e.thread !== first.thread)) return null;
    first ??= e;
  }
  if (!first) return null;
  // A thread named for this function itself stays its own; one inherited from a starter is told through the chain.
  if (first.direct && named.includes(first)) return first;
  const { direct: _direct, ...inherited } = first;
  return { ...inherited, chain: [...first.chain, nameOfKey(key)] };
}

/** The functions of the tree that call this one directly, in any file (its own file only for a static one). */
function callersAnywhere(model: IndexModel, key: string): string[] {
  const file = fileOfKey(key);
  // A static function is called from its own file only, unless a header defines it (static inline) for its includers.
  if (model.definitionOf(key)?.isStatic && !file.endsWith('.h')) return model.callersOf(key);
  // Per function, when asked: a whole-tree map would be rebuilt after every edit.
  const memo = model.memoize('callersAnywhere', () => new Map<string, string[]>());
  let found = memo.get(key);
  if (found) return found;
  const name = nameOfKey(key);
  const callers = new Set<string>();
  for (const links of filesCalling(model).get(name) ?? []) {
    const calls = links.callsByCallee.get(name);
    // Unit tests call library code from their own harness threads: they decide nothing about it.
    if (!calls || (isTestFile(links.file) && !isTestFile(file)) || model.resolve(name, links.file) !== key) continue;
    for (const call of calls) if (call.caller) callers.add(functionKey(links.file, call.caller));
  }
  found = [...callers];
  memo.set(key, found);
  return found;
}

/** The files with a call to each name: one pass over the tree's calls, instead of every file asked for every function. */
function filesCalling(model: IndexModel): Map<string, FileLinks[]> {
  return model.memoize('filesCalling', () => {
    const map = new Map<string, FileLinks[]>();
    for (const links of model.allLinks()) for (const name of links.callsByCallee.keys()) pushTo(map, name, links);
    return map;
  });
}

/** Declared in SPDK's public headers (`include/spdk/`): applications outside the tree call it too. */
function isPublicApi(model: IndexModel, key: string): boolean {
  return (model.symbols.prototypes.get(nameOfKey(key)) ?? []).some((p) => p.file.startsWith('include/spdk/'));
}

/**
 * Where `spdk_thread_send_msg(target, fn, ctx)` sends the message: back to the sender's own thread (`spdk_get_thread()`),
 * to the app thread, or to the thread a struct field keeps. Undefined when the code does not say.
 */
function messageTarget(model: IndexModel, sender: string, line: number, api: string, name: string): 'sender' | StarterThreadEvidence | undefined {
  const target = model.callsOf(sender).find((k) => k.line === line && k.callee === api)?.args[0];
  const from = nameOfKey(sender);
  if (target?.kind === 'call') {
    if (target.callee === 'spdk_get_thread') return 'sender';
    if (target.callee === 'spdk_thread_get_app_thread') return { thread: APP_THREAD, chain: [name], why: `${from} sends ${name} to spdk_thread_get_app_thread()`, file: fileOfKey(sender), line, direct: true };
    return undefined;
  }
  const access = /^([A-Za-z_]\w*)\s*(?:->|\.)\s*([\w\s.>-]+)$/.exec(valueText(target)?.trim() ?? '');
  const rootType = access && objectVariables(model, sender).get(access[1]);
  if (!access || !rootType) return undefined;
  const holder = holderOfPath(model.symbols, fileOfKey(sender), { rootType, fields: access[2].split(/\s*(?:->|\.)\s*/) });
  if (!holder || !/thread/.test(holder.field)) return undefined;
  const thread = `the thread in ${holder.structName}.${holder.field}`;
  return { thread, chain: [name], why: `${from} sends ${name} to ${valueText(target)!.trim()}`, file: fileOfKey(sender), line, direct: true };
}
