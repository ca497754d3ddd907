// From every file's facts to the labelled index: link calls across files, then run each labeler.
import type { FileFacts, Parameter } from '../facts/fileFacts';
import { IO_OBJECTS, LABEL_APIS } from '../knowledge/spdkApis';
import { labelBdevModules } from '../labels/bdevModules';
import { functionKey, linkCalls, type LinkedCalls } from '../labels/callbackEvidence';
import { allContexts, directContexts, inferHelperContexts } from '../labels/execContext';
import { labelTypeOwnership } from '../labels/ownership';
import { labelRpcMethods } from '../labels/rpc';
import { INDEX_SCHEMA, type FunctionLabels, type IndexDocument, type IndexProblem, type IndexStats, type IoRole } from './indexTypes';
import { MacroExpander } from './macroExpander';
import { SymbolTable } from './symbolTable';

export interface BuiltIndex {
  document: IndexDocument;
  symbols: SymbolTable;
  linked: LinkedCalls;
}

export function signatureText(name: string, returnType: string, params: Parameter[]): string {
  const list = params.map((p) => (p.type.includes('(*)') ? p.type.replace('(*)', `(*${p.name})`) : `${p.type}${p.type.endsWith('*') ? '' : ' '}${p.name}`.trim()));
  return `${returnType}${returnType.endsWith('*') ? '' : ' '}${name}(${list.join(', ') || 'void'})`;
}

export function buildIndex(root: string, files: Map<string, FileFacts>, problems: IndexProblem[], stats: IndexStats): BuiltIndex {
  const phases: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - t);
    t = now;
  };
  const symbols = new SymbolTable(files);
  const expander = new MacroExpander((name, fromFile) => symbols.macro(name, fromFile));
  lap('symbols');
  const linked = linkCalls(symbols, expander);
  lap('link');
  const direct = directContexts(symbols, linked);
  const inferred = inferHelperContexts(symbols, linked, direct);
  lap('contexts');
  const rpcMethods = labelRpcMethods(symbols, linked);
  const rpcByHandler = new Map<string, string[]>();
  for (const m of rpcMethods) {
    if (!m.handlerFile) continue;
    const key = functionKey(m.handlerFile, m.handler);
    rpcByHandler.set(key, [...(rpcByHandler.get(key) ?? []), m.method]);
  }
  const handsOff = new Map<string, FunctionLabels['handsOff']>();
  const addHandOff = (key: string, entry: FunctionLabels['handsOff'][number]) => {
    const list = handsOff.get(key);
    if (list) list.push(entry);
    else handsOff.set(key, [entry]);
  };
  for (const r of linked.registrations) if (r.in) addHandOff(functionKey(r.file, r.in), { fn: r.target.item.name, api: r.api, line: r.line });
  for (const s of linked.slots) if (s.in) addHandOff(functionKey(s.file, s.in), { fn: s.target.item.name, slot: `${s.structName}.${s.field}`, line: s.line });

  const functions: FunctionLabels[] = [];
  for (const facts of files.values()) {
    for (const fn of facts.functions) {
      const key = functionKey(facts.file, fn.name);
      const calls = linked.callsByFunction.get(key) ?? [];
      const contexts = allContexts(key, direct, inferred);
      const ioRoles: IoRole[] = [];
      const apiCalls: FunctionLabels['apiCalls'] = [];
      for (const call of calls) {
        if (LABEL_APIS.test(call.callee)) apiCalls.push({ api: call.callee, line: call.line });
        for (const io of IO_OBJECTS) {
          if (io.completes.test(call.callee)) ioRoles.push({ object: io.object, role: 'completes', via: call.callee, line: call.line });
          else if (io.frees.test(call.callee)) ioRoles.push({ object: io.object, role: 'frees', via: call.callee, line: call.line });
        }
      }
      for (const io of IO_OBJECTS) {
        if (!io.completionTypedef) continue;
        const registered = contexts.find((c) => 'type' in c && c.type === io.completionTypedef);
        if (registered) ioRoles.push({ object: io.object, role: 'must_free', via: io.completionTypedef, line: fn.line });
      }
      const label: FunctionLabels = {
        name: fn.name,
        file: facts.file,
        line: fn.line,
        endLine: fn.endLine,
        static: fn.isStatic,
        signature: signatureText(fn.name, fn.returnType, fn.params),
        contexts,
        completesBdevIo: ioRoles.some((r) => r.object === 'bdev_io' && r.role === 'completes'),
        freesBdevIo: ioRoles.some((r) => r.object === 'bdev_io' && r.role === 'frees'),
        ioRoles,
        async: false,
        apiCalls,
        handsOff: handsOff.get(key) ?? [],
      };
      const callbackParam = fn.params.find((p) => symbols.isFunctionType(p.type));
      if (callbackParam) {
        label.async = true;
        label.asyncReason = `takes callback ${callbackParam.name} (${callbackParam.type}): returns before the work completes`;
      } else if (label.handsOff.some((h) => h.api)) {
        const h = label.handsOff.find((x) => x.api)!;
        label.async = true;
        label.asyncReason = `hands ${h.fn} to ${h.api} (line ${h.line}): part of its work runs later`;
      }
      const methods = rpcByHandler.get(key);
      if (methods) label.rpcMethods = methods;
      functions.push(label);
    }
  }
  lap('functions');
  const types = labelTypeOwnership(symbols, linked);
  lap('types');
  const bdevModules = labelBdevModules(symbols, linked);
  lap('modules');
  stats.phases = { ...stats.phases, ...phases };
  const document: IndexDocument = { schema: INDEX_SCHEMA, root, stats, functions, types, rpcMethods, bdevModules, problems };
  return { document, symbols, linked };
}
