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

function firstReply(model: IndexModel, key: string): EffectiveCall | undefined {
  return model.callsOf(key).find((c) => RPC_REPLY_API.test(c.callee));
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
export function replyMode(model: IndexModel, handlerKey: string): Pick<RpcMethod, 'reply' | 'replyEvidence'> {
  const seen = new Set<string>();
  const syncScope = directClosure(model, [handlerKey], 2, seen);
  let frontier = syncScope.flatMap((k) => model.handoffsOf(k).map((h) => h.targetKey));
  for (let round = 0; round < 4 && frontier.length > 0; round++) {
    const reached = directClosure(model, frontier, 2, seen);
    for (const key of reached) {
      const reply = firstReply(model, key);
      if (reply) return { reply: 'async', replyEvidence: { fn: nameOfKey(key), file: fileOfKey(key), line: reply.line } };
    }
    frontier = reached.flatMap((k) => model.handoffsOf(k).map((h) => h.targetKey));
  }
  for (const key of syncScope) {
    const reply = firstReply(model, key);
    if (reply) return { reply: 'sync', replyEvidence: { fn: nameOfKey(key), file: fileOfKey(key), line: reply.line } };
  }
  return { reply: 'none' };
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

