// JSON-RPC methods: method name → handler (from whatever call spdk_rpc_register_method receives, usually through
// SPDK_RPC_REGISTER), and whether the handler replies before returning or only from a callback it hands off.
import { RPC_REPLY_API } from '../knowledge/spdkApis';
import type { IndexModel } from '../model/indexModel';
import type { RpcMethod } from '../model/indexTypes';
import { fileOfKey, nameOfKey, type EffectiveCall } from './callbackEvidence';

export interface RpcRegistration {
  method: string;
  handler: string;
  handlerKey?: string;
  file: string;
  line: number;
}

/** Every registered method with its handler; cheap, so function labels can name the methods a handler serves. */
export function rpcRegistrations(model: IndexModel): RpcRegistration[] {
  return model.memoize('rpcRegistrations', () => {
    const params = model.symbols.parametersOf('spdk_rpc_register_method', 'include/spdk/rpc.h');
    const handlerIndex = params?.findIndex((p) => p.type.includes('spdk_rpc_method_handler')) ?? -1;
    const methodIndex = params?.findIndex((p) => /char \*/.test(p.type)) ?? -1;
    const out: RpcRegistration[] = [];
    const consider = (file: string, call: EffectiveCall) => {
      if (call.callee !== 'spdk_rpc_register_method') return;
      const method = call.args[methodIndex >= 0 ? methodIndex : 0];
      const handler = call.args[handlerIndex >= 0 ? handlerIndex : 1];
      if (!method || method.kind !== 'string' || !handler || handler.kind !== 'ident') return;
      const registration: RpcRegistration = { method: method.text, handler: handler.name, file, line: call.line };
      const handlerKey = model.resolve(handler.name, file);
      if (handlerKey) registration.handlerKey = handlerKey;
      out.push(registration);
    };
    for (const links of model.allLinks()) {
      for (const call of links.callsByCallee.get('spdk_rpc_register_method') ?? []) consider(links.file, call);
    }
    return out.sort((a, b) => a.method.localeCompare(b.method));
  });
}

export function rpcMethods(model: IndexModel): RpcMethod[] {
  return model.memoize('rpcMethods', () => rpcRegistrations(model).map((r) => describeMethod(model, r)));
}

function describeMethod(model: IndexModel, r: RpcRegistration): RpcMethod {
  const entry: RpcMethod = { method: r.method, handler: r.handler, file: r.file, line: r.line, reply: 'none' };
  if (!r.handlerKey) return entry;
  const def = model.definitionOf(r.handlerKey);
  entry.handlerFile = fileOfKey(r.handlerKey);
  if (def) entry.handlerLine = def.line;
  Object.assign(entry, replyMode(model, r.handlerKey));
  const decoded = decodedParams(model, r.handlerKey);
  if (decoded.length > 0) entry.params = decoded;
  return entry;
}

/** A reply that carries a result: `spdk_jsonrpc_begin_result` or `spdk_jsonrpc_send_bool_response`. */
const SUCCESS_REPLY = /^spdk_jsonrpc_(begin_result|send_bool_response)$/;

function firstReply(model: IndexModel, key: string, success: boolean): EffectiveCall | undefined {
  return model.callsOf(key).find((c) => RPC_REPLY_API.test(c.callee) && (success ? SUCCESS_REPLY.test(c.callee) : c.callee.startsWith('spdk_jsonrpc_send_error_response')));
}

/** Functions reached by direct calls from `start` (included), up to `depth` levels. */
function directClosure(model: IndexModel, start: string[], depth: number, seen: Set<string>): string[] {
  const reached: string[] = [];
  let frontier = start.filter((k) => !seen.has(k));
  for (const k of frontier) seen.add(k);
  reached.push(...frontier);
  for (let d = 0; d < depth && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const key of frontier) {
      const file = fileOfKey(key);
      for (const call of model.callsOf(key)) {
        const target = model.resolve(call.callee, file);
        if (target && !seen.has(target)) {
          seen.add(target);
          next.push(target);
        }
      }
    }
    reached.push(...next);
    frontier = next;
  }
  return reached;
}

/**
 * async: a callback the handler (or a helper it calls) hands off eventually replies — the handler returns first, and
 * a success reply means the work finished later. sync: the handler's own code replies before it returns.
 */
export function replyMode(model: IndexModel, handlerKey: string): Pick<RpcMethod, 'reply' | 'replyEvidence' | 'errorReply' | 'convergence'> {
  const seen = new Set<string>();
  const syncScope = directClosure(model, [handlerKey], 2, seen);
  const errorReply = syncScope.map((k) => ({ key: k, call: firstReply(model, k, false) })).find((e) => e.call);
  const error = errorReply ? { errorReply: { fn: nameOfKey(errorReply.key), file: fileOfKey(errorReply.key), line: errorReply.call!.line } } : {};
  const waited = new Set<string>();
  const handoffs = (keys: string[]) =>
    keys.flatMap((k) =>
      model.handoffsOf(k).map((h) => {
        if ('api' in h && h.api === 'spdk_bdev_wait_for_examine') waited.add(h.targetKey);
        return h.targetKey;
      }),
    );
  let frontier = handoffs(syncScope);
  // A callback that only reports errors comes before the one that replies with the result: look for the result first.
  let laterError: { key: string; call: EffectiveCall } | undefined;
  for (let round = 0; round < 4 && frontier.length > 0; round++) {
    const reached = directClosure(model, frontier, 2, seen);
    for (const key of reached) {
      const reply = firstReply(model, key, true);
      if (!reply) {
        const failure = laterError ? undefined : firstReply(model, key, false);
        if (failure) laterError = { key, call: failure };
        continue;
      }
      const convergence = waited.has(key) ? 'the success reply waits for spdk_bdev_wait_for_examine: the bdev graph has settled when the client hears back' : undefined;
      return { reply: 'async', replyEvidence: { fn: nameOfKey(key), file: fileOfKey(key), line: reply.line }, ...error, ...(convergence ? { convergence } : {}) };
    }
    frontier = handoffs(reached);
  }
  if (laterError) return { reply: 'async', replyEvidence: { fn: nameOfKey(laterError.key), file: fileOfKey(laterError.key), line: laterError.call.line }, ...error };
  for (const key of syncScope) {
    const reply = firstReply(model, key, true);
    if (!reply) continue;
    const registers = syncScope.some((k) => model.callsOf(k).some((c) => c.callee === 'spdk_bdev_register'));
    const convergence = registers ? 'replies as soon as the new bdev is registered: other modules may still be examining it (and building on it) after the client hears success' : undefined;
    return { reply: 'sync', replyEvidence: { fn: nameOfKey(key), file: fileOfKey(key), line: reply.line }, ...error, ...(convergence ? { convergence } : {}) };
  }
  return errorReply ? { reply: 'sync', replyEvidence: error.errorReply!, ...error } : { reply: 'none' };
}

/** Names of the params a handler decodes with spdk_json_decode_object(params, decoders, ...). */
function decodedParams(model: IndexModel, handlerKey: string): string[] {
  const names: string[] = [];
  const file = fileOfKey(handlerKey);
  for (const call of model.callsOf(handlerKey)) {
    if (!/^spdk_json_decode_object(_relaxed)?$/.test(call.callee)) continue;
    const decoders = call.args[1];
    if (!decoders || decoders.kind !== 'ident') continue;
    const global = model.symbols.global(decoders.name, file);
    const facts = global && model.files.get(global.file);
    if (!facts) continue;
    for (const store of facts.fieldStores) {
      if (store.variable !== decoders.name || store.value.kind !== 'string') continue;
      if (store.field === 'name' || store.position === 0) names.push(store.value.text);
    }
  }
  return [...new Set(names)];
}

