// Who calls a function, across files, and the shortest chain of direct calls up to a function whose context is known.
import { functionKey, nameOfKey } from '../labels/callbackEvidence';
import { fieldInvokers, isTestFile } from '../labels/callbackFlow';
import { directContexts } from '../labels/execContext';
import type { IndexModel } from '../model/indexModel';
import type { CallEvidence, SlotEvidence } from '../model/indexTypes';

export interface CallerEdge {
  caller: string;
  file: string;
  line: number;
  /** A call through a struct field that holds the function (`ops->ctrlr_create_io_qpair(...)`), not by name. */
  slot?: string;
}

/** Every direct call in the tree, reversed: callee key → its callers (test code left out). */
export function callersIndex(model: IndexModel, cache?: Map<string, unknown>, only?: readonly string[]): Map<string, CallerEdge[]> {
  return model.memoize('check:callers', () => {
    // After an edit, the last table with the edited files' calls taken out and put back: a full rebuild resolves every call.
    const kept = only ? (cache?.get('check:callers') as Map<string, CallerEdge[]> | undefined) : undefined;
    const map = kept ?? new Map<string, CallerEdge[]>();
    const files = kept ? new Set(only) : undefined;
    // Calls through fields are all taken out and put back: an edit may change either the store or the call.
    if (files) for (const [key, edges] of map) map.set(key, edges.filter((e) => !files.has(e.file) && !e.slot));
    for (const links of model.allLinks()) {
      if (isTestFile(links.file) || (files && !files.has(links.file))) continue;
      for (const [callee, calls] of links.callsByCallee) {
        const key = model.resolve(callee, links.file);
        if (!key) continue;
        let list = map.get(key);
        for (const call of calls) {
          if (!call.caller) continue;
          if (!list) map.set(key, (list = []));
          list.push({ caller: functionKey(links.file, call.caller), file: links.file, line: call.line });
        }
      }
    }
    const invokers = fieldInvokers(model);
    for (const links of model.allLinks()) {
      if (isTestFile(links.file)) continue;
      for (const s of links.slots) {
        const slot = `${s.structName}.${s.field}`;
        for (const invoker of invokers.get(slot) ?? []) {
          if (isTestFile(invoker.file)) continue;
          let list = map.get(s.targetKey);
          if (!list) map.set(s.targetKey, (list = []));
          if (!list.some((e) => e.slot === slot && e.caller === invoker.key)) list.push({ caller: invoker.key, file: invoker.file, line: invoker.line, slot });
        }
      }
    }
    cache?.set('check:callers', map);
    return map;
  });
}

export interface ContextChain {
  /** The function whose context is known, first; then each callee down to the function asked about. */
  chain: { key: string; line: number }[];
  context: CallEvidence | SlotEvidence;
}

const MAX_DEPTH = 8;
const MAX_VISITED = 3000;

/**
 * The shortest chain of direct calls from a function with an accepted context down to `key` (itself included).
 * Breadth-first, bounded in depth and in functions visited; `stop` cuts a caller off (it guards the call).
 */
export function chainFromContext(
  model: IndexModel,
  key: string,
  accept: (c: CallEvidence | SlotEvidence) => boolean,
  stop: (key: string) => boolean = () => false,
  callers: Map<string, CallerEdge[]> = callersIndex(model),
): ContextChain | undefined {
  const seen = new Set<string>([key]);
  let frontier: { key: string; path: { key: string; line: number }[] }[] = [{ key, path: [{ key, line: 0 }] }];
  for (let depth = 0; depth <= MAX_DEPTH && frontier.length > 0; depth++) {
    const next: typeof frontier = [];
    for (const node of frontier) {
      const hit = directContexts(model, node.key).find(accept);
      if (hit) return { chain: node.path, context: hit };
      if (stop(node.key)) continue;
      for (const edge of callers.get(node.key) ?? []) {
        if (seen.has(edge.caller) || seen.size > MAX_VISITED) continue;
        seen.add(edge.caller);
        next.push({ key: edge.caller, path: [{ key: edge.caller, line: edge.line }, ...node.path] });
      }
    }
    frontier = next;
  }
  return undefined;
}

/** `a → b → c` from a chain, in SPDK's names. */
export function chainText(chain: ContextChain['chain']): string {
  return chain.map((c) => nameOfKey(c.key)).join(' → ');
}
