// Which thread a callback that runs "on the thread that started it" runs on, when the code that started it is known
// to run on one: the app thread (an RPC handler, a module or subsystem hook, the app's start function, or a function
// whose own assert says so), or an io_channel's thread (a submit, a channel callback, a per-channel step, a function
// handed the channel). `rpc_thread_get_stats_done` runs on the app thread because `rpc_thread_get_stats` is an RPC.
import type { ContextKind } from '../knowledge/contextKinds';
import type { IndexModel } from '../model/indexModel';
import { fileOfKey, functionKey, nameOfKey } from './callbackEvidence';
import { fieldInvokers } from './callbackFlow';
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

/** Contexts that run on the thread of one io_channel. */
const CHANNEL_THREAD_KINDS = new Set<ContextKind>(['io_channel_create', 'io_channel_destroy', 'for_each_channel_step']);

/** The bdev slot called on the thread of the channel the IO was submitted on. */
const CHANNEL_THREAD_SLOTS = /\.submit_request$/;

const APP_THREAD = 'the app thread';
const CHANNEL_THREAD = "the io_channel's thread";

/** Contexts SPDK runs on the app thread. */
const APP_THREAD_KINDS = new Set<ContextKind>(['rpc_handler', 'subsystem_hook', 'app_start', 'app_shutdown']);

/** Module hooks that run on the app thread (not the per-IO fn_table slots). */
const APP_THREAD_SLOTS = /\.(module_init|module_fini|fini_start|examine_config|examine_disk|async_init|init_complete)$/;

const MAX_DEPTH = 4;

export interface StarterThreadEvidence {
  /** `the app thread` or `the io_channel's thread`. */
  thread: string;
  /** From the function that is known to run on that thread down to this one. */
  chain: string[];
  /** Why the first of the chain runs there. */
  why: string;
  file: string;
  line: number;
}

export function starterThreadOf(model: IndexModel, key: string): StarterThreadEvidence | undefined {
  const memo = model.memoize('starterThread', () => new Map<string, StarterThreadEvidence | null>());
  return search(model, key, 0, new Set(), memo) ?? undefined;
}

function search(model: IndexModel, key: string, depth: number, visiting: Set<string>, memo: Map<string, StarterThreadEvidence | null>): StarterThreadEvidence | null {
  const known = memo.get(key);
  if (known !== undefined) return known;
  if (depth > MAX_DEPTH || visiting.has(key)) return null;
  visiting.add(key);
  const found = own(model, key) ?? inherited(model, key, depth, visiting, memo);
  visiting.delete(key);
  // Only what was found is kept (and, below the top, what was not: a starter asked again need not be searched).
  if (found || depth > 0) memo.set(key, found);
  return found;
}

function own(model: IndexModel, key: string): StarterThreadEvidence | null {
  const name = nameOfKey(key);
  const asserts = threadAssertions(model, key).filter((a) => a.kind === 'assert');
  const assert = asserts.find((a) => a.thread === 'app thread') ?? asserts[0];
  if (assert) {
    const thread = assert.thread === 'app thread' ? APP_THREAD : assert.thread;
    return { thread, chain: [name], why: `${name} asserts it runs on ${thread}`, file: fileOfKey(key), line: assert.line };
  }
  let channel: StarterThreadEvidence | null = null;
  for (const c of contextsOf(model, key)) {
    if ('inferred' in c) continue;
    const kind = c.kind.replace(/_/g, ' ');
    if (APP_THREAD_KINDS.has(c.kind) || (c.kind === 'bdev_module_hook' && 'slot' in c && APP_THREAD_SLOTS.test(c.slot))) {
      return { thread: APP_THREAD, chain: [name], why: `${name} runs as ${kind}, on the app thread`, file: c.file, line: c.line };
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

/** Through the function that registered it (for the kinds that run where they were started) or its only callers. */
function inherited(model: IndexModel, key: string, depth: number, visiting: Set<string>, memo: Map<string, StarterThreadEvidence | null>): StarterThreadEvidence | null {
  const contexts = contextsOf(model, key);
  const starters: string[] = [];
  for (const c of contexts) {
    if ('inferred' in c) {
      starters.push(...model.callersOf(key));
      continue;
    }
    if ('slot' in c && c.kind === 'struct_slot') {
      // Stored in a field nobody names: it runs where the field is called, and where it is called directly.
      const invokers = fieldInvokers(model).get(c.slot) ?? [];
      // Callers are known in its own file only: a function other files can call may run anywhere.
      if (invokers.length === 0 || !model.definitionOf(key)?.isStatic) return null;
      starters.push(...invokers.map((i) => i.key), ...model.callersOf(key));
      continue;
    }
    if (!STARTER_THREAD.has(c.kind) || !('in' in c) || !c.in) continue;
    starters.push(functionKey(c.file, c.in));
  }
  if (contexts.length === 0 && model.definitionOf(key)?.isStatic) starters.push(...model.callersOf(key));
  if (starters.length === 0) return null;
  // Every starter must run on the same known thread: one that does not leaves the thread open.
  let first: StarterThreadEvidence | null = null;
  for (const s of new Set(starters)) {
    if (s === key) continue;
    const e = search(model, s, depth + 1, visiting, memo);
    if (!e || (first && e.thread !== first.thread)) return null;
    first ??= e;
  }
  return first && { ...first, chain: [...first.chain, nameOfKey(key)] };
}
