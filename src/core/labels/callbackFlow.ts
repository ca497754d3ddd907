// Callback flow learnt from the code: what each function does with its function-typed parameters (calls it before
// returning, stores it in a struct field, forwards it to another function), and so where a callback handed to a
// wrapper finally runs: `nvme_ctrlr_for_each_channel(fn)` stores fn in an iterator that a for_each_channel step calls.
import type { BodyNote, StructPath } from '../facts/fileFacts';
import { CONTEXT_BY_API_ARGUMENT, CONTEXT_BY_SLOT, CONTEXT_BY_TYPEDEF, type ContextKind } from '../knowledge/contextKinds';
import type { IndexModel } from '../model/indexModel';
import type { FlowStep } from '../model/indexTypes';
import { fieldNamed, type SymbolTable } from '../model/symbolTable';
import { baseTypeName } from '../parse/cText';
import { pushTo } from '../util/multiMap';
import { fileOfKey, functionKey, nameOfKey } from './callbackEvidence';


/** Where a callback handed to `api` as argument `arg` ends up. */
export interface CallbackDestination {
  kind: ContextKind;
  /** Called before the API returns (an iterator or visitor): it runs in the caller's context. */
  synchronous: boolean;
  steps: FlowStep[];
}

/** Kinds that say nothing about where code runs; a learnt destination may replace them. */
export function isGenericKind(kind: ContextKind): boolean {
  return kind === 'async_callback' || kind === 'callback_argument' || kind === 'struct_slot';
}

/** Wrappers deeper than this are not followed: the chain is cut, and the registration keeps its plain kind. */
const MAX_FLOW_DEPTH = 8;

interface Fate {
  kind: 'invoked' | 'stored' | 'forwarded';
  line: number;
  /** stored: `struct x.field`; forwarded: the callee's key or API name. */
  structName?: string;
  field?: string;
  callee?: string;
  calleeKey?: string;
  arg?: number;
}

/** `rootType.fields…` → the struct that holds the last field, and that field; undefined when a step is unknown. */
export function holderOfPath(symbols: SymbolTable, file: string, path: StructPath, last?: string): { structName: string; field: string } | undefined {
  const steps = last === undefined ? path.fields.slice(0, -1) : path.fields;
  const field = last ?? path.fields[path.fields.length - 1];
  if (!path.rootType || !field) return undefined;
  let structName = resolveStructName(symbols, file, path.rootType);
  for (const step of steps) {
    const struct = symbols.struct(structName, file);
    const next = struct ? fieldNamed(struct.item.fields, step) : undefined;
    if (!next) return undefined;
    structName = resolveStructName(symbols, file, baseTypeName(next.type));
  }
  return { structName, field };
}

function resolveStructName(symbols: SymbolTable, file: string, type: string): string {
  if (symbols.struct(type, file) || type.includes(' ')) return type;
  return symbols.struct(`struct ${type}`, file) ? `struct ${type}` : type;
}

/** Notes of one kind across the tree, by function key (memoised per model generation). */
function notesByFunction(model: IndexModel, kind: BodyNote['kind']): Map<string, (BodyNote & { file: string })[]> {
  return model.memoize(`notes:${kind}`, () => {
    const map = new Map<string, (BodyNote & { file: string })[]>();
    for (const facts of model.files.values()) {
      for (const n of facts.notes ?? []) if (n.kind === kind && n.caller) pushTo(map, functionKey(facts.file, n.caller), { ...n, file: facts.file });
    }
    return map;
  });
}

export function notesOf(model: IndexModel, key: string, kind: BodyNote['kind']): (BodyNote & { file: string })[] {
  return notesByFunction(model, kind).get(key) ?? [];
}

/** Every call through a function-pointer field, by `struct x.field`: who invokes what a slot holds. */
export function fieldInvokers(model: IndexModel): Map<string, { key: string; file: string; line: number }[]> {
  return model.memoize('fieldInvokers', () => {
    const map = new Map<string, { key: string; file: string; line: number }[]>();
    for (const [key, notes] of notesByFunction(model, 'field_call')) {
      for (const n of notes) {
        const holder = holderOfPath(model.symbols, n.file, n.path, n.name);
        if (holder) pushTo(map, `${holder.structName}.${holder.field}`, { key, file: n.file, line: n.line });
      }
    }
    return map;
  });
}

/** What `key` does with its parameter number `arg` (a function pointer), read from its body. */
function fatesOf(model: IndexModel, key: string, arg: number): Fate[] {
  return model.memoize(`fates:${key}#${arg}`, () => {
    const def = model.definitionOf(key);
    const param = def?.params[arg];
    if (!def || !param?.name) return [];
    const file = fileOfKey(key);
    const fates: Fate[] = [];
    for (const call of model.callsOf(key)) {
      if (call.callee === param.name) fates.push({ kind: 'invoked', line: call.line });
      call.args.forEach((a, index) => {
        if (a.kind === 'other' && a.text === param.name && call.callee !== param.name) {
          fates.push({ kind: 'forwarded', line: call.line, callee: call.callee, calleeKey: resolveOutsideTests(model, call.callee, file), arg: index });
        }
      });
    }
    for (const n of notesOf(model, key, 'store')) {
      if (n.name !== param.name) continue;
      const holder = holderOfPath(model.symbols, file, n.path);
      if (holder) fates.push({ kind: 'stored', line: n.line, structName: holder.structName, field: holder.field });
    }
    return fates;
  });
}

/** The curated kind of an API argument or of the parameter's typedef, when it says where code runs. */
function curatedKind(model: IndexModel, api: string, arg: number, file: string): ContextKind | undefined {
  return model.memoize(`curated:${api}#${arg}`, () => curatedKindOnce(model, api, arg, file));
}

function curatedKindOnce(model: IndexModel, api: string, arg: number, file: string): ContextKind | undefined {
  const byApi = CONTEXT_BY_API_ARGUMENT[`${api}#${arg}`];
  if (byApi) return byApi;
  const params = model.symbols.parametersOf(api, file);
  const type = params && arg < params.length ? params[arg].type : '';
  return type ? CONTEXT_BY_TYPEDEF[baseTypeName(type)] : undefined;
}

/**
 * Where a function handed to `api` as argument `arg` (from `file`) runs. Undefined when neither SPDK's own
 * typedefs nor the wrapper's body tell.
 */
export function destinationOf(model: IndexModel, api: string, arg: number, file: string): CallbackDestination | undefined {
  return resolveDestination(model, api, resolveOutsideTests(model, api, file), arg, file, 0, new Set());
}

/** Test code never decides what library code does: a stub in test/ is not the definition lib/ calls. */
export function isTestFile(file: string): boolean {
  return file.startsWith('test/') || file.includes('/test/');
}

function resolveOutsideTests(model: IndexModel, name: string, file: string): string | undefined {
  const key = model.resolve(name, file);
  return key && isTestFile(fileOfKey(key)) && !isTestFile(file) ? undefined : key;
}

function resolveDestination(model: IndexModel, api: string, apiKey: string | undefined, arg: number, file: string, depth: number, visiting: Set<string>): CallbackDestination | undefined {
  const curated = curatedKind(model, api, arg, file);
  // SPDK's public APIs are described by their typedefs; a wrapper's typedef (often spdk_msg_fn) says less than its body.
  if (curated && (!apiKey || CONTEXT_BY_API_ARGUMENT[`${api}#${arg}`] || isPublicApi(model, api))) return { kind: curated, synchronous: false, steps: [] };
  const learnt = apiKey && depth <= MAX_FLOW_DEPTH ? cachedDestination(model, api, apiKey, arg, depth, visiting) : undefined;
  if (curated && (!learnt || isGenericKind(learnt.kind))) return { kind: curated, synchronous: false, steps: [] };
  return learnt;
}

function isPublicApi(model: IndexModel, name: string): boolean {
  return model.symbols.prototypes.get(name)?.some((p) => p.file.startsWith('include/')) ?? false;
}

function cachedDestination(model: IndexModel, api: string, apiKey: string, arg: number, depth: number, visiting: Set<string>): CallbackDestination | undefined {
  const memoKey = `destination:${apiKey}#${arg}`;
  const cached = model.peek<{ value?: CallbackDestination }>(memoKey);
  if (cached) return cached.value;
  if (visiting.has(memoKey)) return undefined;
  visiting.add(memoKey);
  const value = learnDestination(model, api, apiKey, arg, depth, visiting);
  visiting.delete(memoKey);
  // A result cut short by a cycle is not memoised: entered from elsewhere, the chain may resolve.
  if (depth === 0 || value) model.remember(memoKey, { value });
  return value;
}

function learnDestination(model: IndexModel, api: string, apiKey: string, arg: number, depth: number, visiting: Set<string>): CallbackDestination | undefined {
  const file = fileOfKey(apiKey);
  const param = model.definitionOf(apiKey)?.params[arg]?.name ?? `argument ${arg}`;
  const fates = fatesOf(model, apiKey, arg);
  // Deferred fates first: a wrapper that both calls its callback on an error path and stores it runs it later.
  for (const fate of fates) {
    if (fate.kind === 'stored') {
      const found = storedDestination(model, api, param, fate, file, depth, visiting);
      if (found) return found;
    }
  }
  for (const fate of fates) {
    if (fate.kind !== 'forwarded' || !fate.callee) continue;
    const next = resolveDestination(model, fate.callee, fate.calleeKey, fate.arg!, file, depth + 1, visiting);
    if (!next || next.synchronous) continue;
    return { ...next, steps: [{ note: `${api} passes ${param} on to ${fate.callee} (argument ${fate.arg})`, file, line: fate.line }, ...next.steps] };
  }
  // Kept or passed on where this tree cannot follow it: it still runs after the call returns.
  const deferred = fates.find((f) => f.kind === 'stored' || (f.kind === 'forwarded' && isDeferred(model, f, file, depth, visiting)));
  if (deferred) {
    const where = deferred.kind === 'stored' ? `stores ${param} in ${deferred.structName}.${deferred.field}` : `passes ${param} on to ${deferred.callee}`;
    return { kind: 'async_callback', synchronous: false, steps: [{ note: `${api} ${where}`, file, line: deferred.line }] };
  }
  const invoked = fates.find((f) => f.kind === 'invoked');
  if (invoked) return { kind: 'sync_callback', synchronous: true, steps: [{ note: `${api} calls ${param} before it returns`, file, line: invoked.line }] };
  return undefined;
}

/** Passed on to a function this tree can read or SPDK's typedefs describe, and run later there (unknown is not later). */
function isDeferred(model: IndexModel, fate: Fate, file: string, depth: number, visiting: Set<string>): boolean {
  if (!fate.callee) return false;
  return resolveDestination(model, fate.callee, fate.calleeKey, fate.arg!, file, depth + 1, visiting)?.synchronous === false;
}

/** The arguments of `api` that SPDK's typedefs say where they run (`spdk_thread_send_msg` argument 1: thread message). */
export function curatedArgumentKinds(model: IndexModel, api: string, file: string): readonly (ContextKind | undefined)[] {
  const byApi = model.memoize('curatedArgumentKinds', () => new Map<string, (ContextKind | undefined)[]>());
  let kinds = byApi.get(api);
  if (!kinds) {
    const params = model.symbols.parametersOf(api, file) ?? [];
    kinds = params.map((p, arg) => (model.symbols.isFunctionType(p.type) ? curatedKind(model, api, arg, file) : undefined));
    byApi.set(api, kinds);
  }
  return kinds;
}

function storedDestination(model: IndexModel, api: string, param: string, fate: Fate, file: string, depth: number, visiting: Set<string>): CallbackDestination | undefined {
  const slot = `${fate.structName}.${fate.field}`;
  const stored: FlowStep = { note: `${api} stores ${param} in ${slot}`, file, line: fate.line };
  const bySlot = CONTEXT_BY_SLOT[slot] ?? CONTEXT_BY_SLOT[fate.structName!];
  if (bySlot) return { kind: bySlot, synchronous: false, steps: [stored] };
  const invoked = invokedThrough(model, fate.structName!, fate.field!, depth, visiting);
  return invoked && { ...invoked, steps: [stored, ...invoked.steps] };
}

/** Where what a slot holds runs: in the context of a function that calls through the slot (test code aside). */
function invokedThrough(model: IndexModel, structName: string, field: string, depth: number, visiting: Set<string>): CallbackDestination | undefined {
  const slot = `${structName}.${field}`;
  const testStruct = isTestFile(structFile(model, structName));
  for (const invoker of fieldInvokers(model).get(slot) ?? []) {
    if (isTestFile(invoker.file) && !testStruct) continue;
    const kind = invokerKind(model, invoker.key, depth, visiting);
    if (kind) {
      const step: FlowStep = { note: `called through ${slot} by ${nameOfKey(invoker.key)} (${kind.title})`, file: invoker.file, line: invoker.line, holder: structName, invoker: invoker.key };
      return { kind: kind.kind, synchronous: false, steps: [step, ...kind.steps] };
    }
  }
  return undefined;
}

/**
 * The one informative context of the function that invokes a slot: its own registrations, learnt the same way, or for
 * a static helper nobody registers, the one context all its callers share. Shares the chain's depth and cycle guard.
 */
function invokerKind(model: IndexModel, key: string, depth: number, visiting: Set<string>): { kind: ContextKind; title: string; steps: FlowStep[] } | undefined {
  const guard = `invoker:${key}`;
  if (depth > MAX_FLOW_DEPTH || visiting.has(guard)) return undefined;
  visiting.add(guard);
  try {
    const kinds = new Map<ContextKind, FlowStep[]>();
    for (const r of model.registrationsOf(key)) {
      if (isTestFile(r.file) && !isTestFile(fileOfKey(key))) continue;
      const destination = resolveDestination(model, r.api, resolveOutsideTests(model, r.api, r.file), r.arg, r.file, depth + 1, visiting);
      if (destination && !destination.synchronous && !isGenericKind(destination.kind) && !kinds.has(destination.kind)) {
        kinds.set(destination.kind, [{ note: `${nameOfKey(key)} is passed to ${r.api}${r.in ? ` in ${r.in}` : ''}`, file: r.file, line: r.line }, ...destination.steps]);
      }
    }
    if (kinds.size === 0 && model.registrationsOf(key).length === 0 && model.slotsOf(key).length === 0 && model.definitionOf(key)?.isStatic) {
      // A static helper such as `req_complete`: it runs where every one of its callers runs.
      for (const caller of model.callersOf(key).filter((c) => c !== key)) {
        const inherited = invokerKind(model, caller, depth + 1, visiting);
        if (!inherited) return undefined;
        if (!kinds.has(inherited.kind)) kinds.set(inherited.kind, [{ note: `${nameOfKey(key)} is called from ${nameOfKey(caller)}`, file: fileOfKey(key), line: model.definitionOf(key)?.line ?? 1 }, ...inherited.steps]);
      }
    }
    if (kinds.size !== 1) return undefined;
    const [[kind, steps]] = [...kinds];
    return { kind, title: kind.replace(/_/g, ' '), steps };
  } finally {
    visiting.delete(guard);
  }
}

/** Where a function stored in `structName.field` runs: the context of whoever calls through that field. */
export function slotDestination(model: IndexModel, structName: string, field: string): CallbackDestination | undefined {
  return invokedThrough(model, structName, field, 0, new Set());
}

function structFile(model: IndexModel, structName: string): string {
  return model.symbols.structs.get(structName)?.[0]?.file ?? '';
}
