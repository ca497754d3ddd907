// JSON-RPC methods: method name → handler (from whatever call spdk_rpc_register_method receives, usually through
// SPDK_RPC_REGISTER), and whether the handler replies before returning or only from a callback it hands off.
import { RPC_REPLY_API } from '../knowledge/spdkApis';
import type { RpcMethod } from '../model/indexTypes';
import type { SymbolTable } from '../model/symbolTable';
import { functionKey, type EffectiveCall, type LinkedCalls } from './callbackEvidence';

export function labelRpcMethods(symbols: SymbolTable, linked: LinkedCalls): RpcMethod[] {
  const params = symbols.parametersOf('spdk_rpc_register_method', 'include/spdk/rpc.h');
  const handlerIndex = params?.findIndex((p) => p.type.includes('spdk_rpc_method_handler')) ?? -1;
  const methodIndex = params?.findIndex((p) => /char \*/.test(p.type)) ?? -1;
  const methods: RpcMethod[] = [];
  const registrationCalls = [...linked.fileScopeCalls];
  for (const calls of linked.callsByFunction.values()) registrationCalls.push(...calls);
  const handoffs = handoffsByFunction(linked);
  for (const call of registrationCalls) {
    if (call.callee !== 'spdk_rpc_register_method') continue;
    const method = call.args[methodIndex >= 0 ? methodIndex : 0];
    const handler = call.args[handlerIndex >= 0 ? handlerIndex : 1];
    if (!method || method.kind !== 'string' || !handler || handler.kind !== 'ident') continue;
    const entry: RpcMethod = { method: method.value, handler: handler.name, file: call.file, line: call.line, reply: 'none' };
    const target = symbols.resolveFunction(handler.name, call.file);
    if (target) {
      entry.handlerFile = target.file;
      entry.handlerLine = target.item.line;
      Object.assign(entry, replyMode(symbols, linked, handoffs, functionKey(target.file, target.item.name)));
      const decoded = decodedParams(symbols, linked.callsByFunction.get(functionKey(target.file, target.item.name)) ?? [], target.file);
      if (decoded.length > 0) entry.params = decoded;
    }
    methods.push(entry);
  }
  return methods.sort((a, b) => a.method.localeCompare(b.method));
}

function handoffsByFunction(linked: LinkedCalls): Map<string, string[]> {
  const map = new Map<string, string[]>();
  const add = (from: string, to: string) => {
    const list = map.get(from);
    if (list) list.push(to);
    else map.set(from, [to]);
  };
  for (const r of linked.registrations) if (r.in) add(functionKey(r.file, r.in), functionKey(r.target.file, r.target.item.name));
  for (const s of linked.slots) if (s.in) add(functionKey(s.file, s.in), functionKey(s.target.file, s.target.item.name));
  return map;
}

function firstReply(linked: LinkedCalls, key: string): EffectiveCall | undefined {
  return linked.callsByFunction.get(key)?.find((c) => RPC_REPLY_API.test(c.callee));
}

/** Functions reached by direct calls from `start` (itself included), up to `depth` levels, within the tree. */
function directClosure(symbols: SymbolTable, linked: LinkedCalls, start: string[], depth: number): string[] {
  const seen = new Set(start);
  let frontier = start;
  for (let d = 0; d < depth && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const key of frontier) {
      const file = key.slice(0, key.indexOf('#'));
      for (const call of linked.callsByFunction.get(key) ?? []) {
        const target = symbols.resolveFunction(call.callee, file);
        if (!target) continue;
        const k = functionKey(target.file, target.item.name);
        if (!seen.has(k)) {
          seen.add(k);
          next.push(k);
        }
      }
    }
    frontier = next;
  }
  return [...seen];
}

function replyMode(symbols: SymbolTable, linked: LinkedCalls, handoffs: Map<string, string[]>, handlerKey: string): Pick<RpcMethod, 'reply' | 'replyEvidence'> {
  const syncScope = directClosure(symbols, linked, [handlerKey], 2);
  // Callbacks handed off by the handler or its helpers, then everything they call or hand off in turn.
  let asyncFrontier = syncScope.flatMap((k) => handoffs.get(k) ?? []);
  const seen = new Set<string>(syncScope);
  for (let round = 0; round < 4 && asyncFrontier.length > 0; round++) {
    const reached = directClosure(symbols, linked, asyncFrontier.filter((k) => !seen.has(k)), 2);
    for (const key of reached) {
      if (seen.has(key)) continue;
      seen.add(key);
      const reply = firstReply(linked, key);
      if (reply) return { reply: 'async', replyEvidence: { fn: key.slice(key.indexOf('#') + 1), file: reply.file, line: reply.line } };
    }
    asyncFrontier = reached.flatMap((k) => handoffs.get(k) ?? []).filter((k) => !seen.has(k));
  }
  for (const key of syncScope) {
    const reply = firstReply(linked, key);
    if (reply) return { reply: 'sync', replyEvidence: { fn: key.slice(key.indexOf('#') + 1), file: reply.file, line: reply.line } };
  }
  return { reply: 'none' };
}

/** Names of the params a handler decodes with spdk_json_decode_object(params, decoders, ...). */
function decodedParams(symbols: SymbolTable, calls: EffectiveCall[], file: string): string[] {
  const names: string[] = [];
  for (const call of calls) {
    if (!/^spdk_json_decode_object(_relaxed)?$/.test(call.callee)) continue;
    const decoders = call.args[1];
    if (!decoders || decoders.kind !== 'ident') continue;
    const global = symbols.global(decoders.name, file);
    const facts = global && symbols.files.get(global.file);
    if (!facts) continue;
    for (const store of facts.fieldStores) {
      if (store.variable !== decoders.name || store.value.kind !== 'string') continue;
      if (store.field === 'name' || store.position === 0) names.push(store.value.value);
    }
  }
  return [...new Set(names)];
}
