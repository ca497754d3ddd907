// Links each file's raw facts across the tree: expands macro calls, finds every function handed to an API or stored in
// a function-pointer slot, and groups calls by the function that makes them.
import type { FieldStore, ValueSummary } from '../facts/fileFacts';
import { baseTypeName } from '../parse/cText';
import type { MacroExpander } from '../model/macroExpander';
import type { FunctionSymbol, SymbolTable } from '../model/symbolTable';

export interface EffectiveCall {
  callee: string;
  args: ValueSummary[];
  macro?: string;
  line: number;
  file: string;
  /** Function containing the call; empty at file scope. */
  caller: string;
}

export interface CallbackRegistration {
  /** The function handed off. */
  target: FunctionSymbol;
  api: string;
  arg: number;
  type: string;
  macro?: string;
  in: string;
  file: string;
  line: number;
}

export interface SlotRegistration {
  target: FunctionSymbol;
  structName: string;
  field: string;
  fieldType: string;
  variable?: string;
  in: string;
  file: string;
  line: number;
}

/** A struct field set from a call's result (`ch->thread = spdk_get_thread()`). */
export interface FieldCallStore {
  structName: string;
  field: string;
  callee: string;
  in: string;
  file: string;
  line: number;
}

export interface LinkedCalls {
  /** Calls each function makes, by `file#name`. */
  callsByFunction: Map<string, EffectiveCall[]>;
  fileScopeCalls: EffectiveCall[];
  registrations: CallbackRegistration[];
  slots: SlotRegistration[];
  fieldCallStores: FieldCallStore[];
}

export function functionKey(file: string, name: string): string {
  return `${file}#${name}`;
}

export function linkCalls(symbols: SymbolTable, expander: MacroExpander): LinkedCalls {
  const linked: LinkedCalls = { callsByFunction: new Map(), fileScopeCalls: [], registrations: [], slots: [], fieldCallStores: [] };
  for (const facts of symbols.files.values()) {
    const file = facts.file;
    for (const call of facts.calls) {
      if (!call.callee) continue;
      for (const expanded of expander.expand(call, file)) {
        const effective: EffectiveCall = { callee: expanded.callee, args: expanded.args, line: call.line, file, caller: call.caller };
        if (expanded.macro) effective.macro = expanded.macro;
        if (call.caller) {
          const key = functionKey(file, call.caller);
          const list = linked.callsByFunction.get(key);
          if (list) list.push(effective);
          else linked.callsByFunction.set(key, [effective]);
        } else linked.fileScopeCalls.push(effective);
        collectRegistrations(symbols, effective, linked.registrations);
      }
    }
    for (const store of facts.fieldStores) linkFieldStore(symbols, file, store, linked);
  }
  return linked;
}

function collectRegistrations(symbols: SymbolTable, call: EffectiveCall, out: CallbackRegistration[]): void {
  let params: ReturnType<SymbolTable['parametersOf']> | null = null;
  call.args.forEach((arg, index) => {
    if (arg.kind !== 'ident') return;
    const target = symbols.resolveFunction(arg.name, call.file);
    if (!target) return;
    params ??= symbols.parametersOf(call.callee, call.file);
    const registration: CallbackRegistration = {
      target,
      api: call.callee,
      arg: index,
      type: params?.[index]?.type ?? '',
      in: call.caller,
      file: call.file,
      line: call.line,
    };
    if (call.macro) registration.macro = call.macro;
    out.push(registration);
  });
}

/** Follows `rootType.fields…` through struct definitions to the struct that holds the stored field. */
function resolveHolder(symbols: SymbolTable, file: string, store: FieldStore): { structName: string; field: string; fieldType: string } | undefined {
  const target = store.target;
  if (!target.rootType) return undefined;
  let structName = target.rootType;
  for (const step of target.fields) {
    const struct = symbols.struct(structName, file);
    if (!struct) return undefined;
    const field = step.startsWith('#') ? struct.item.fields[Number(step.slice(1))] : struct.item.fields.find((f) => f.name === step);
    if (!field) return undefined;
    structName = baseTypeName(field.type);
  }
  const struct = symbols.struct(structName, file);
  if (store.position !== undefined) {
    const field = struct?.item.fields[store.position];
    if (!field) return undefined;
    return { structName, field: field.name, fieldType: field.type };
  }
  const field = struct?.item.fields.find((f) => f.name === store.field);
  return { structName, field: store.field, fieldType: field?.type ?? '' };
}

function linkFieldStore(symbols: SymbolTable, file: string, store: FieldStore, linked: LinkedCalls): void {
  const value = store.value;
  if (value.kind === 'string') return;
  const global = store.target.rootType === '' && store.base ? symbols.global(store.base, file) : undefined;
  const effective: FieldStore = global ? { ...store, target: { rootType: baseTypeName(global.item.type), fields: store.target.fields } } : store;
  let holder = resolveHolder(symbols, file, effective);
  if (!holder && effective.target.rootType === '' && store.field) holder = uniqueHolderOfField(symbols, store.field, value.kind === 'ident');
  if (!holder) return;
  if (value.kind !== 'ident' && value.kind !== 'call') return;
  if (value.kind === 'call') {
    linked.fieldCallStores.push({ structName: holder.structName, field: holder.field, callee: value.callee, in: store.caller, file, line: store.line });
    return;
  }
  const target = symbols.resolveFunction(value.name, file);
  if (!target) return;
  // A function stored into a data field (a `void *ctx`) is not a registration.
  if (holder.fieldType && !symbols.isFunctionType(holder.fieldType)) return;
  const slot: SlotRegistration = { target, structName: holder.structName, field: holder.field, fieldType: holder.fieldType, in: store.caller, file, line: store.line };
  if (store.variable) slot.variable = store.variable;
  linked.slots.push(slot);
}

const fieldOwners = new WeakMap<SymbolTable, Map<string, { structName: string; fieldType: string }[]>>();

/** When the base expression's type is unknown, a field name held by exactly one struct (as a function pointer) names it. */
function uniqueHolderOfField(symbols: SymbolTable, field: string, functionPointerOnly: boolean): { structName: string; field: string; fieldType: string } | undefined {
  let owners = fieldOwners.get(symbols);
  if (!owners) {
    owners = new Map();
    for (const [name, defs] of symbols.structs) {
      for (const f of defs[0].item.fields) {
        const list = owners.get(f.name);
        const entry = { structName: name, fieldType: f.type };
        if (list) list.push(entry);
        else owners.set(f.name, [entry]);
      }
    }
    fieldOwners.set(symbols, owners);
  }
  const candidates = (owners.get(field) ?? []).filter((o) => !functionPointerOnly || symbols.isFunctionType(o.fieldType));
  if (candidates.length !== 1) return undefined;
  return { structName: candidates[0].structName, field, fieldType: candidates[0].fieldType };
}
