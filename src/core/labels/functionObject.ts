// The object a function works on, and what SPDK's own asserts say about the thread it runs on: the first two of the
// book's questions, read from the body (a `void *ctx` cast on the first lines, the channel context, struct parameters).
import { valueText, type TypedCallResult } from '../facts/fileFacts';
import type { IndexModel } from '../model/indexModel';
import type { FunctionObject, ThreadAssertion } from '../model/indexTypes';
import { baseTypeName } from '../parse/cText';
import { fileOfKey } from './callbackEvidence';
import { holderOfPath, notesOf } from './callbackFlow';
import { contextsOf } from './execContext';
import { channelContextTypes } from './ownership';

/** Handles that say where, not what: a function taking a channel works on the channel's context, found separately. */
const NOT_THE_OBJECT = new Set(['struct spdk_io_channel', 'struct spdk_json_write_ctx', 'struct spdk_json_val', 'struct spdk_thread', 'struct spdk_io_channel_iter']);

/** Iterators, JSON writers and the like carry the object, they are not it. */
function isPlumbing(type: string): boolean {
  return NOT_THE_OBJECT.has(type) || /_iter$/.test(type);
}

/** Names SPDK gives the `void *` a callback gets back: `ctx`, `cb_arg`, `arg`, `ctx_buf`, `io_device`, `_ctx`. */
const CONTEXT_ARGUMENT = /(?:^|_)(?:ctx|arg|context|ctx_buf|io_device|cb_data|priv)$/i;

export function functionObjects(model: IndexModel, key: string): FunctionObject[] {
  const def = model.definitionOf(key);
  if (!def) return [];
  const file = fileOfKey(key);
  const params = new Map(def.params.map((p) => [p.name, p]));
  const out: FunctionObject[] = [];
  const add = (o: FunctionObject) => {
    if (!out.some((x) => x.type === o.type)) out.push(o);
  };
  // The callback's argument, cast on the way in: what the registering code passed as cb_arg. A buffer cast further on
  // (`(struct spdk_iobuf_buffer *)buf`) comes after the struct handed in beside it (`struct spdk_iobuf_channel *ch`).
  const structParam = def.params.some((p) => p.type.includes('*') && /^(struct|union) /.test(baseTypeName(p.type)) && !isPlumbing(baseTypeName(p.type)));
  const casts = notesOf(model, key, 'cast').filter((n) => params.has(n.name) && !isPlumbing(n.path.rootType));
  const firstCasts = casts.filter((n) => !structParam || CONTEXT_ARGUMENT.test(n.name));
  for (const n of firstCasts) add({ type: n.path.rootType, how: `${n.name} cast to ${n.path.rootType} *`, line: n.line });
  for (const r of typedCallResultsOf(model, key)) {
    if (isPlumbing(baseTypeName(r.type))) continue;
    if (r.callee === 'spdk_io_channel_get_ctx' || r.callee === 'spdk_io_channel_iter_get_ctx') add({ type: baseTypeName(r.type), how: `${r.callee === 'spdk_io_channel_get_ctx' ? 'its channel context' : 'the iteration context'}, from ${r.callee}`, line: r.line });
    else if (isChannelContextGetter(model, r.callee, file)) add({ type: baseTypeName(r.type), how: `its channel context, from ${r.callee} (which reads spdk_io_channel_get_ctx)`, line: r.line });
  }
  // `bdev = __bdev_from_io_dev(io_device)`: a converting macro applied to a `void *` parameter is a cast of it.
  for (const r of typedCallResultsOf(model, key)) {
    const type = baseTypeName(r.type);
    if (isPlumbing(type) || !/^(struct|union) /.test(type) || !model.symbols.macro(r.callee, file)) continue;
    const call = model.files.get(file)?.calls.find((c) => c.caller === def.name && c.callee === r.callee && c.line === r.line);
    const name = valueText(call?.args[0]);
    const param = name ? params.get(name) : undefined;
    if (param && /^void\s*\*$/.test(param.type.trim())) add({ type, how: `${param.name} converted to ${type} * by ${r.callee}`, line: r.line });
  }
  // The unit of work handed in (a request, an IO, a task) is what the function is about; the bdev and its
  // descriptor beside it are where it goes.
  const byWork = [...def.params].sort((a, b) => Number(isWorkItem(b.type)) - Number(isWorkItem(a.type)));
  for (const p of byWork) {
    const type = baseTypeName(p.type);
    if (!/^(struct|union) /.test(type) || isPlumbing(type)) continue;
    if (!model.symbols.struct(type, file) && !type.startsWith('struct spdk_')) continue;
    add({ type, how: `parameter ${p.name}`, line: def.line });
  }
  for (const n of casts) add({ type: n.path.rootType, how: `${n.name} cast to ${n.path.rootType} *`, line: n.line });
  for (const n of notesOf(model, key, 'cast')) {
    if (!params.has(n.name) && !isPlumbing(n.path.rootType)) add({ type: n.path.rootType, how: `${n.name} cast to ${n.path.rootType} *`, line: n.line });
  }
  // No argument says it: the struct whose fields it sets (a module's global job or controller).
  if (out.length === 0) {
    const counts = new Map<string, { n: number; line: number; field: string }>();
    for (const st of model.files.get(file)?.fieldStores ?? []) {
      if (st.caller !== def.name || isPlumbing(st.target.rootType) || !/^(struct|union) /.test(st.target.rootType)) continue;
      const seen = counts.get(st.target.rootType);
      if (seen) seen.n++;
      else counts.set(st.target.rootType, { n: 1, line: st.line, field: [...st.target.fields, st.field].join('.') });
    }
    const [top] = [...counts].sort((a, b) => b[1].n - a[1].n);
    if (top) add({ type: top[0], how: top[1].n > 1 ? `sets its fields (${top[1].field}, +${top[1].n - 1})` : `sets its field ${top[1].field}`, line: top[1].line });
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
    const channelTypes = channelContextTypes(model);
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
    if (n.name === 'app_thread' || n.name === 'channel_thread') {
      out.push({ thread: n.name === 'app_thread' ? 'app thread' : "the io_channel's thread", kind: n.detail === 'assert' ? 'assert' : 'guard', line: n.line });
      continue;
    }
    const holder = holderOfPath(model.symbols, file, n.path);
    if (holder) out.push({ thread: `the thread in ${holder.structName}.${holder.field}`, kind: n.detail === 'assert' ? 'assert' : 'guard', line: n.line, struct: holder.structName });
  }
  return out;
}

function isWorkItem(type: string): boolean {
  return /_(io|request|req|task|cmd)\s*\*/.test(type);
}

/** `__io_ch_to_bdev_ch(ch)`: a macro or helper of the tree that takes a channel and reads its context with spdk_io_channel_get_ctx. */
function isChannelContextGetter(model: IndexModel, callee: string, file: string): boolean {
  // `#define __io_ch_to_bdev_ch(io_ch) ((struct spdk_bdev_channel *)spdk_io_channel_get_ctx(io_ch))`
  const macro = model.symbols.macro(callee, file);
  if (macro) return macro.params.length === 1 && /\bspdk_io_channel_get_ctx\s*\(/.test(macro.body);
  const key = model.resolve(callee, file);
  const def = key ? model.definitionOf(key) : undefined;
  if (!key || !def || !def.params.some((p) => baseTypeName(p.type) === 'struct spdk_io_channel')) return false;
  return model.callsOf(key).some((c) => c.callee === 'spdk_io_channel_get_ctx');
}

/** The typed call results of one function (`struct x *p = f(...)`), indexed once per model. */
export function typedCallResultsOf(model: IndexModel, key: string): TypedCallResult[] {
  const byFunction = model.memoize('typedCallResultsByFunction', () => {
    const map = new Map<string, TypedCallResult[]>();
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
