// Execution context of each function: from the APIs and slots it is registered with, and, for static helpers that
// are only ever called from one context, inherited from their callers.
import { CONTEXT_BY_API_ARGUMENT, CONTEXT_BY_SLOT, CONTEXT_BY_TYPEDEF, type ContextKind } from '../knowledge/contextKinds';
import type { CallEvidence, ContextEvidence, InferredContext, SlotEvidence } from '../model/indexTypes';
import type { IndexModel } from '../model/indexModel';
import { baseTypeName } from '../parse/cText';
import type { SymbolTable } from '../model/symbolTable';
import { fileOfKey, nameOfKey, type CallbackRegistration, type SlotRegistration } from './callbackEvidence';
import { destinationOf, isGenericKind, isTestFile, slotDestination } from './callbackFlow';

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

const COMPLETION_KINDS = new Set<ContextKind>(['bdev_io_completion', 'blob_completion', 'lvol_completion', 'nvme_completion', 'accel_completion']);

/** Every registration of the function as evidence: calls that receive it, then slots that store it. */
export function directContexts(model: IndexModel, key: string): (CallEvidence | SlotEvidence)[] {
  const memo = model.memoize('directContexts', () => new Map<string, (CallEvidence | SlotEvidence)[]>());
  const cached = memo.get(key);
  if (cached) return cached;
  const computed = ((): (CallEvidence | SlotEvidence)[] => {
    const out: (CallEvidence | SlotEvidence)[] = [];
    const libraryCode = !isTestFile(fileOfKey(key));
    for (const r of model.registrationsOf(key)) {
      if (libraryCode && isTestFile(r.file)) continue;
      const evidence: CallEvidence = { kind: kindOfRegistration(model.symbols, r), api: r.api, arg: r.arg, type: r.type, in: r.in, file: r.file, line: r.line };
      if (r.macro) evidence.macro = r.macro;
      // The destination learnt through a wrapper, or SPDK's typedef when the API is its own.
      const learnt = destinationOf(model, r.api, r.arg, r.file);
      // What the wrapper does with it is more precise, except that a completion stays one even when its API delivers
      // it through a message (blob_persist completes its callers from a message to the same thread).
      if (learnt && (isGenericKind(evidence.kind) || (!isGenericKind(learnt.kind) && !COMPLETION_KINDS.has(evidence.kind)))) {
        evidence.kind = learnt.kind;
        if (learnt.steps.length > 0) evidence.flow = learnt.steps;
      }
      out.push(evidence);
    }
    for (const s of model.slotsOf(key)) {
      if (libraryCode && isTestFile(s.file)) continue;
      const evidence: SlotEvidence = { kind: kindOfSlot(s), slot: `${s.structName}.${s.field}`, in: s.in, file: s.file, line: s.line };
      if (s.variable) evidence.variable = s.variable;
      if (isGenericKind(evidence.kind)) {
        const learnt = slotDestination(model, s.structName, s.field);
        if (learnt) {
          evidence.kind = learnt.kind;
          evidence.flow = learnt.steps;
        }
      }
      out.push(evidence);
    }
    return out;
  })();
  memo.set(key, computed);
  return computed;
}

/** Kinds that say where code runs (a generic "passed as a function" does not). */
function isInformative(kind: ContextKind): boolean {
  return kind !== 'callback_argument' && kind !== 'struct_slot';
}

const MAX_INFERENCE_DEPTH = 6;

/**
 * A static function that nobody registers, called only from functions whose (direct or inferred) contexts all share
 * one kind, inherits that kind; `via` is the caller chain from the labelled function down to it.
 */
export function inferredContext(model: IndexModel, key: string, depth = 0, visiting = new Set<string>()): InferredContext | undefined {
  const memoKey = `inferred:${key}`;
  const cached = model.peek<{ value?: InferredContext }>(memoKey);
  if (cached) return cached.value;
  if (depth > MAX_INFERENCE_DEPTH || visiting.has(key)) return undefined;
  visiting.add(key);
  const value = computeInferred(model, key, depth, visiting);
  visiting.delete(key);
  // Results cut short by the depth limit or a cycle are not memoised: another path may reach further.
  if (depth === 0 || value) model.remember(memoKey, { value });
  return value;
}

function computeInferred(model: IndexModel, key: string, depth: number, visiting: Set<string>): InferredContext | undefined {
  if (directContexts(model, key).length > 0) return undefined;
  const def = model.definitionOf(key);
  if (!def?.isStatic) return undefined;
  const callers = model.callersOf(key).filter((c) => c !== key);
  if (callers.length === 0) return undefined;
  let common: ContextKind | undefined;
  let via: string[] | undefined;
  for (const caller of callers) {
    const direct = directContexts(model, caller);
    let kind: ContextKind | undefined;
    let callerVia: string[] = [];
    if (direct.length > 0) {
      const kinds = new Set(direct.map((d) => d.kind).filter(isInformative));
      if (kinds.size !== 1) return undefined;
      kind = [...kinds][0];
    } else {
      const inherited = inferredContext(model, caller, depth + 1, visiting);
      if (!inherited) return undefined;
      kind = inherited.kind;
      callerVia = inherited.via;
    }
    if (common && common !== kind) return undefined;
    if (!common || (via && callerVia.length + 1 < via.length)) via = [...callerVia, nameOfKey(caller)];
    common = kind;
  }
  return common && via ? { kind: common, inferred: true, via } : undefined;
}

export function contextsOf(model: IndexModel, key: string): ContextEvidence[] {
  const direct = directContexts(model, key);
  if (direct.length > 0) return direct;
  const inferred = inferredContext(model, key);
  return inferred ? [inferred] : [];
}

/** Registrations of a library function made by test code: shown apart, never deciding its context. */
export function testRegistrationCount(model: IndexModel, key: string): number {
  if (isTestFile(fileOfKey(key))) return 0;
  return model.registrationsOf(key).filter((r) => isTestFile(r.file)).length + model.slotsOf(key).filter((s) => isTestFile(s.file)).length;
}
