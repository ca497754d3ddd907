// Execution context of each function: from the APIs and slots it is registered with, and, for static helpers that
// are only ever called from one context, inherited from their callers.
import { CONTEXT_BY_API_ARGUMENT, CONTEXT_BY_SLOT, CONTEXT_BY_TYPEDEF, type ContextKind } from '../knowledge/contextKinds';
import type { CallEvidence, ContextEvidence, InferredContext, SlotEvidence } from '../model/indexTypes';
import { baseTypeName } from '../parse/cText';
import type { SymbolTable } from '../model/symbolTable';
import { functionKey, type CallbackRegistration, type EffectiveCall, type LinkedCalls, type SlotRegistration } from './callbackEvidence';

export function kindOfRegistration(symbols: SymbolTable, r: Pick<CallbackRegistration, 'api' | 'arg' | 'type'>): ContextKind {
  const byApi = CONTEXT_BY_API_ARGUMENT[`${r.api}#${r.arg}`];
  if (byApi) return byApi;
  if (!r.type) return 'callback_argument';
  const byTypedef = CONTEXT_BY_TYPEDEF[baseTypeName(r.type)];
  if (byTypedef) return byTypedef;
  return symbols.isFunctionType(r.type) ? 'async_callback' : 'callback_argument';
}

export function kindOfSlot(s: Pick<SlotRegistration, 'structName' | 'field' | 'fieldType'>): ContextKind {
  return (
    CONTEXT_BY_SLOT[`${s.structName}.${s.field}`] ??
    CONTEXT_BY_SLOT[s.structName] ??
    (s.fieldType ? CONTEXT_BY_TYPEDEF[baseTypeName(s.fieldType)] : undefined) ??
    'struct_slot'
  );
}

/** Direct contexts of every function that is registered somewhere, by `file#name`. */
export function directContexts(symbols: SymbolTable, linked: LinkedCalls): Map<string, (CallEvidence | SlotEvidence)[]> {
  const contexts = new Map<string, (CallEvidence | SlotEvidence)[]>();
  const add = (key: string, evidence: CallEvidence | SlotEvidence) => {
    const list = contexts.get(key);
    if (list) list.push(evidence);
    else contexts.set(key, [evidence]);
  };
  for (const r of linked.registrations) {
    const evidence: CallEvidence = { kind: kindOfRegistration(symbols, r), api: r.api, arg: r.arg, type: r.type, in: r.in, file: r.file, line: r.line };
    if (r.macro) evidence.macro = r.macro;
    add(functionKey(r.target.file, r.target.item.name), evidence);
  }
  for (const s of linked.slots) {
    const evidence: SlotEvidence = { kind: kindOfSlot(s), slot: `${s.structName}.${s.field}`, in: s.in, file: s.file, line: s.line };
    if (s.variable) evidence.variable = s.variable;
    add(functionKey(s.target.file, s.target.item.name), evidence);
  }
  return contexts;
}

/** Kinds that say something about where code runs (a generic "passed as a function" does not). */
function isInformative(kind: ContextKind): boolean {
  return kind !== 'callback_argument' && kind !== 'struct_slot';
}

/**
 * A static function that nobody registers, called only from functions whose (direct or inferred) contexts all
 * share one kind, inherits that kind. Runs breadth-first from the labelled functions, so `via` is a shortest path.
 */
export function inferHelperContexts(
  symbols: SymbolTable,
  linked: LinkedCalls,
  direct: Map<string, (CallEvidence | SlotEvidence)[]>,
): Map<string, InferredContext> {
  // callers[f] = functions that call f (same file only: static helpers are file-local).
  const callers = new Map<string, Set<string>>();
  for (const [callerKey, calls] of linked.callsByFunction) {
    const file = callerKey.slice(0, callerKey.indexOf('#'));
    for (const call of calls) {
      const target = symbols.resolveFunction(call.callee, file);
      if (!target || !target.item.isStatic) continue;
      const key = functionKey(target.file, target.item.name);
      if (key === callerKey) continue;
      let set = callers.get(key);
      if (!set) callers.set(key, (set = new Set()));
      set.add(callerKey);
    }
  }
  const registeredAnywhere = new Set(direct.keys());
  const kindsOf = (key: string, inferred: Map<string, InferredContext>): Set<ContextKind> | undefined => {
    const d = direct.get(key);
    if (d) {
      const kinds = new Set(d.map((e) => e.kind).filter(isInformative));
      return kinds.size > 0 ? kinds : undefined;
    }
    const i = inferred.get(key);
    return i ? new Set([i.kind]) : undefined;
  };
  const inferred = new Map<string, InferredContext>();
  let frontier = [...direct.keys()];
  for (let round = 0; round < 6 && frontier.length > 0; round++) {
    const next: string[] = [];
    const candidates = new Set<string>();
    for (const labelled of frontier) {
      const file = labelled.slice(0, labelled.indexOf('#'));
      for (const call of linked.callsByFunction.get(labelled) ?? []) {
        const target = symbols.resolveFunction(call.callee, file);
        if (target?.item.isStatic) candidates.add(functionKey(target.file, target.item.name));
      }
    }
    for (const candidate of candidates) {
      if (registeredAnywhere.has(candidate) || inferred.has(candidate)) continue;
      const callerKeys = callers.get(candidate);
      if (!callerKeys || callerKeys.size === 0) continue;
      let common: ContextKind | undefined;
      let via: string[] | undefined;
      let consistent = true;
      for (const callerKey of callerKeys) {
        const kinds = kindsOf(callerKey, inferred);
        if (!kinds || kinds.size !== 1) {
          consistent = false;
          break;
        }
        const kind = [...kinds][0];
        if (common && common !== kind) {
          consistent = false;
          break;
        }
        common = kind;
        via ??= [...(inferred.get(callerKey)?.via ?? []), callerKey.slice(callerKey.indexOf('#') + 1)];
      }
      if (!consistent || !common || !via) continue;
      inferred.set(candidate, { kind: common, inferred: true, via });
      next.push(candidate);
    }
    frontier = next;
  }
  return inferred;
}

export function allContexts(
  key: string,
  direct: Map<string, (CallEvidence | SlotEvidence)[]>,
  inferred: Map<string, InferredContext>,
): ContextEvidence[] {
  const d = direct.get(key);
  if (d) return d;
  const i = inferred.get(key);
  return i ? [i] : [];
}

export type { EffectiveCall };
