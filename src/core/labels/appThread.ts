// Which thread a callback that runs "on the thread that started it" runs on, when the code that started it is known
// to run on the app thread: an RPC handler, a module or subsystem hook, the app's start function, or a function
// whose own assert says so. `rpc_thread_get_stats_done` runs on the app thread because `rpc_thread_get_stats` is an RPC.
import type { ContextKind } from '../knowledge/contextKinds';
import type { IndexModel } from '../model/indexModel';
import { fileOfKey, functionKey, nameOfKey } from './callbackEvidence';
import { contextsOf } from './execContext';
import { threadAssertions } from './functionObject';

/** Contexts that run on the thread of the code that registered the callback (or called the helper). */
const STARTER_THREAD = new Set<ContextKind>([
  'sync_callback', 'for_each_channel_done', 'for_each_thread_done', 'async_callback', 'bdev_io_completion', 'blob_completion',
  'lvol_completion', 'io_device_unregister_done', 'bdev_event', 'buffer_wait', 'bdev_io_wait', 'accel_completion',
]);

/** Contexts SPDK runs on the app thread. */
const APP_THREAD_KINDS = new Set<ContextKind>(['rpc_handler', 'subsystem_hook', 'app_start', 'app_shutdown']);

/** Module hooks that run on the app thread (not the per-IO fn_table slots). */
const APP_THREAD_SLOTS = /\.(module_init|module_fini|fini_start|examine_config|examine_disk|async_init|init_complete)$/;

const MAX_DEPTH = 4;

export interface AppThreadEvidence {
  /** From the function that is known to run on the app thread down to this one. */
  chain: string[];
  /** Why the first of the chain runs there. */
  why: string;
  file: string;
  line: number;
}

export function appThreadOf(model: IndexModel, key: string): AppThreadEvidence | undefined {
  const memo = model.memoize('appThread', () => new Map<string, AppThreadEvidence | null>());
  return search(model, key, 0, new Set(), memo) ?? undefined;
}

function search(model: IndexModel, key: string, depth: number, visiting: Set<string>, memo: Map<string, AppThreadEvidence | null>): AppThreadEvidence | null {
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

function own(model: IndexModel, key: string): AppThreadEvidence | null {
  const name = nameOfKey(key);
  const assert = threadAssertions(model, key).find((a) => a.thread === 'app thread' && a.kind === 'assert');
  if (assert) return { chain: [name], why: `${name} asserts it runs on the app thread`, file: fileOfKey(key), line: assert.line };
  for (const c of contextsOf(model, key)) {
    if ('inferred' in c) continue;
    if (APP_THREAD_KINDS.has(c.kind) || (c.kind === 'bdev_module_hook' && 'slot' in c && APP_THREAD_SLOTS.test(c.slot))) {
      return { chain: [name], why: `${name} runs as ${c.kind.replace(/_/g, ' ')}, on the app thread`, file: c.file, line: c.line };
    }
  }
  return null;
}

/** Through the function that registered it (for the kinds that run where they were started) or its only callers. */
function inherited(model: IndexModel, key: string, depth: number, visiting: Set<string>, memo: Map<string, AppThreadEvidence | null>): AppThreadEvidence | null {
  const contexts = contextsOf(model, key);
  const starters: string[] = [];
  for (const c of contexts) {
    if ('inferred' in c) {
      starters.push(...model.callersOf(key));
      continue;
    }
    if (!STARTER_THREAD.has(c.kind) || !('in' in c) || !c.in) continue;
    starters.push(functionKey(c.file, c.in));
  }
  if (contexts.length === 0 && model.definitionOf(key)?.isStatic) starters.push(...model.callersOf(key));
  if (starters.length === 0) return null;
  // Every starter must run on the app thread: one that does not leaves the thread open.
  let first: AppThreadEvidence | null = null;
  for (const s of new Set(starters)) {
    if (s === key) continue;
    const e = search(model, s, depth + 1, visiting, memo);
    if (!e) return null;
    first ??= e;
  }
  return first && { ...first, chain: [...first.chain, nameOfKey(key)] };
}
