// The object a function works on, and what SPDK's own asserts say about the thread it runs on: the first two of the
// book's questions, read from the body (a `void *ctx` cast on the first lines, the channel context, struct parameters).
import type { IndexModel } from '../model/indexModel';
import type { FunctionObject, ThreadAssertion } from '../model/indexTypes';
import { baseTypeName } from '../parse/cText';
import { fileOfKey } from './callbackEvidence';
import { holderOfPath, notesOf } from './callbackFlow';
import { contextsOf } from './execContext';
import { typeOwnership } from './ownership';

/** Handles that say where, not what: a function taking a channel works on the channel's context, found separately. */
const NOT_THE_OBJECT = new Set(['struct spdk_io_channel', 'struct spdk_json_write_ctx', 'struct spdk_json_val', 'struct spdk_thread', 'struct spdk_io_channel_iter']);

/** Iterators, JSON writers and the like carry the object, they are not it. */
function isPlumbing(type: string): boolean {
  return NOT_THE_OBJECT.has(type) || /_iter$/.test(type);
}

export function functionObjects(model: IndexModel, key: string): FunctionObject[] {
  const def = model.definitionOf(key);
  if (!def) return [];
  const file = fileOfKey(key);
  const params = new Map(def.params.map((p) => [p.name, p]));
  const out: FunctionObject[] = [];
  const add = (o: FunctionObject) => {
    if (!out.some((x) => x.type === o.type)) out.push(o);
  };
  // The callback's argument, cast on the way in: what the registering code passed as cb_arg.
  for (const n of notesOf(model, key, 'cast')) {
    if (params.has(n.name) && !isPlumbing(n.path.rootType)) add({ type: n.path.rootType, how: `${n.name} cast to ${n.path.rootType} *`, line: n.line });
  }
  for (const r of typedCallResultsOf(model, key)) {
    if ((r.callee === 'spdk_io_channel_get_ctx' || r.callee === 'spdk_io_channel_iter_get_ctx') && !isPlumbing(baseTypeName(r.type))) add({ type: baseTypeName(r.type), how: `${r.callee === 'spdk_io_channel_get_ctx' ? 'its channel context' : 'the iteration context'}, from ${r.callee}`, line: r.line });
  }
  for (const p of def.params) {
    const type = baseTypeName(p.type);
    if (!/^(struct|union) /.test(type) || isPlumbing(type)) continue;
    if (!model.symbols.struct(type, file) && !type.startsWith('struct spdk_')) continue;
    add({ type, how: `parameter ${p.name}`, line: def.line });
  }
  for (const n of notesOf(model, key, 'cast')) {
    if (!params.has(n.name) && !isPlumbing(n.path.rootType)) add({ type: n.path.rootType, how: `${n.name} cast to ${n.path.rootType} *`, line: n.line });
  }
  // Nothing else: the handle itself is the object (spdk_put_io_channel works on the channel).
  if (out.length === 0) {
    for (const p of def.params) {
      const type = baseTypeName(p.type);
      if (NOT_THE_OBJECT.has(type)) add({ type, how: `parameter ${p.name}`, line: def.line });
    }
  }
  // A per-channel step works on the channel it visits.
  if (contextsOf(model, key).some((c) => c.kind === 'for_each_channel_step')) {
    const channelTypes = new Set(typeOwnership(model).filter((t) => t.ownership === 'io_channel_ctx').map((t) => t.name));
    const channel = out.findIndex((o) => channelTypes.has(o.type));
    if (channel > 0) out.unshift(...out.splice(channel, 1));
  }
  return out.slice(0, 4);
}

/** `assert(spdk_thread_is_app_thread(NULL))` and `assert(x->thread == spdk_get_thread())` in the function, as statements. */
export function threadAssertions(model: IndexModel, key: string): ThreadAssertion[] {
  const file = fileOfKey(key);
  const out: ThreadAssertion[] = [];
  for (const n of notesOf(model, key, 'thread_check')) {
    if (n.name === 'app_thread') {
      out.push({ thread: 'app thread', kind: n.detail === 'assert' ? 'assert' : 'guard', line: n.line });
      continue;
    }
    const holder = holderOfPath(model.symbols, file, n.path);
    if (holder) out.push({ thread: `the thread in ${holder.structName}.${holder.field}`, kind: n.detail === 'assert' ? 'assert' : 'guard', line: n.line, struct: holder.structName });
  }
  return out;
}

function typedCallResultsOf(model: IndexModel, key: string) {
  const byFunction = model.memoize('typedCallResultsByFunction', () => {
    const map = new Map<string, { callee: string; type: string; line: number }[]>();
    for (const facts of model.files.values()) {
      for (const r of facts.typedCallResults) {
        if (!r.caller) continue;
        const k = `${facts.file}#${r.caller}`;
        let list = map.get(k);
        if (!list) map.set(k, (list = []));
        list.push(r);
      }
    }
    return map;
  });
  return byFunction.get(key) ?? [];
}
