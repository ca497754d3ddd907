// Links one file's raw facts against the whole tree: expands macro calls, finds every function handed to an API or
// stored in a function-pointer slot, and groups calls by the function that makes them. Results name functions by
// key (`file#name`), never by object, so a re-indexed file never leaves stale lines behind in another file's links.
import type { FieldStore, FileFacts, ValueSummary } from '../facts/fileFacts';
import { baseTypeName } from '../parse/cText';
import type { MacroExpander } from '../model/macroExpander';
import { fieldNamed, type SymbolTable } from '../model/symbolTable';
import { pushTo } from '../util/multiMap';

/** A call as the compiler sees it, after macro expansion; its file is the FileLinks' file. */
export interface EffectiveCall {
  callee: string;
  args: ValueSummary[];
  macro?: string;
  line: number;
  /** Function containing the call; empty at file scope. */
  caller: string;
  /** Inside a branch, a loop or a case: not made on every path through its function. */
  guarded?: boolean;
}

interface Registration {
  /** `file#name` of the function handed off. */
  targetKey: string;
  targetName: string;
  /** Function containing the registration; empty at file scope. */
  in: string;
  file: string;
  line: number;
}

export interface CallbackRegistration extends Registration {
  api: string;
  arg: number;
  type: string;
  macro?: string;
}

export interface SlotRegistration extends Registration {
  structName: string;
  field: string;
  fieldType: string;
  variable?: string;
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

/**
 * One file's facts linked against the tree. Registrations and slots are found when the file is linked; the calls are
 * grouped by function and by callee only when a question first needs that grouping (labels, the call hierarchy, the
 * module graph), since linking a whole tree asks none.
 */
export class FileLinks {
  /** Every call of the file after macro expansion (file scope included), in source order. */
  readonly calls: EffectiveCall[] = [];
  readonly registrations: CallbackRegistration[] = [];
  readonly slots: SlotRegistration[] = [];
  readonly fieldCallStores: FieldCallStore[] = [];
  private grouped: { byFunction: Map<string, EffectiveCall[]>; fileScope: EffectiveCall[]; byCallee: Map<string, EffectiveCall[]> } | undefined;

  constructor(readonly file: string) {}

  /** Calls each function of this file makes, by function name. */
  get callsByFunction(): Map<string, EffectiveCall[]> {
    return this.group().byFunction;
  }

  get fileScopeCalls(): EffectiveCall[] {
    return this.group().fileScope;
  }

  /** Every call of the file (file scope included) by callee, for tree-wide questions like "who registers RPCs". */
  get callsByCallee(): Map<string, EffectiveCall[]> {
    return this.group().byCallee;
  }

  private group(): NonNullable<FileLinks['grouped']> {
    if (this.grouped) return this.grouped;
    const grouped = { byFunction: new Map<string, EffectiveCall[]>(), fileScope: [] as EffectiveCall[], byCallee: new Map<string, EffectiveCall[]>() };
    for (const call of this.calls) {
      pushTo(grouped.byCallee, call.callee, call);
      if (call.caller) pushTo(grouped.byFunction, call.caller, call);
      else grouped.fileScope.push(call);
    }
    return (this.grouped = grouped);
  }
}

export function functionKey(file: string, name: string): string {
  return `${file}#${name}`;
}

export function fileOfKey(key: string): string {
  return key.slice(0, key.lastIndexOf('#'));
}

export function nameOfKey(key: string): string {
  return key.slice(key.lastIndexOf('#') + 1);
}

export function linkFile(symbols: SymbolTable, expander: MacroExpander, facts: FileFacts): FileLinks {
  const file = facts.file;
  const links = new FileLinks(file);
  const add = (effective: EffectiveCall) => {
    links.calls.push(effective);
    collectRegistrations(symbols, file, effective, links.registrations);
  };
  for (const call of facts.calls) {
    if (!call.callee) continue;
    if (!expander.isMacro(call.callee, file)) {
      add(call); // the extracted call itself: no copy
      continue;
    }
    for (const store of expander.expandStores(call, file)) {
      if (store.value.kind !== 'ident') continue;
      const target = symbols.resolveFunction(store.value.name, file);
      const fieldType = symbols.field(store.structName, store.field, file)?.type ?? '';
      if (!target || (fieldType && !symbols.isFunctionType(fieldType))) continue;
      links.slots.push({
        targetKey: functionKey(target.file, target.item.name),
        targetName: target.item.name,
        structName: store.structName,
        field: store.field,
        fieldType,
        in: call.caller,
        file,
        line: call.line,
      });
    }
    for (const expanded of expander.expand(call, file)) {
      // Built field by field: a spread here was half of linking's own time (V8's slow object-clone path).
      const effective: EffectiveCall = { callee: expanded.callee, args: expanded.args, line: call.line, caller: call.caller };
      if (expanded.macro) effective.macro = expanded.macro;
      if (call.guarded) effective.guarded = true;
      add(effective);
    }
  }
  for (const store of facts.fieldStores) linkFieldStore(symbols, file, store, links);
  return links;
}

/** Tracing probes take a probe name, which is often also a function's: a label, never a callback. */
const PROBE_MACRO = /^(DTRACE_PROBE\d*|STAP_PROBE\d*|SPDK_DTRACE_PROBE\w*)$/;

function collectRegistrations(symbols: SymbolTable, file: string, call: EffectiveCall, out: CallbackRegistration[]): void {
  if (PROBE_MACRO.test(call.callee)) return;
  let params: ReturnType<SymbolTable['parametersOf']> | null = null;
  // A plain loop, bounds checked: the argument lists come as arrays of several kinds (literal, pushed, mapped) and
  // V8 deoptimised forEach and the out-of-range read of a short parameter list over and over.
  const args = call.args;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg.kind !== 'ident') continue;
    const target = symbols.resolveFunction(arg.name, file);
    if (!target) continue;
    params ??= symbols.parametersOf(call.callee, file);
    const registration: CallbackRegistration = {
      targetKey: functionKey(target.file, target.item.name),
      targetName: target.item.name,
      api: call.callee,
      arg: index,
      type: params && index < params.length ? params[index].type : '',
      in: call.caller,
      file,
      line: call.line,
    };
    if (call.macro) registration.macro = call.macro;
    out.push(registration);
  }
}

interface Holder {
  structName: string;
  field: string;
  fieldType: string;
}

/** Follows `rootType.fields…` through struct definitions to the struct that holds the stored field. */
function resolveHolder(symbols: SymbolTable, file: string, store: FieldStore): Holder | undefined {
  const target = store.target;
  if (!target.rootType) return undefined;
  let structName = target.rootType;
  // The array field the path stands on, if any: a positional step into it picks an element, not a field.
  let array: { holder: string; field: string; type: string } | undefined;
  for (const step of target.fields) {
    if (array && step.startsWith('#')) {
      array = undefined;
      continue;
    }
    const struct = symbols.struct(structName, file);
    if (!struct) return undefined;
    const field = step.startsWith('#') ? struct.item.fields[Number(step.slice(1))] : fieldNamed(struct.item.fields, step);
    if (!field) return undefined;
    array = field.type.includes('[') ? { holder: structName, field: field.name, type: field.type } : undefined;
    structName = baseTypeName(field.type);
  }
  // `.handlers = { fn_a, fn_b }`: elements of an array of function pointers belong to the array field.
  if (array && store.position !== undefined) return { structName: array.holder, field: array.field, fieldType: array.type };
  const struct = symbols.struct(structName, file);
  if (store.position !== undefined) {
    const field = struct?.item.fields[store.position];
    if (!field) return undefined;
    return { structName, field: field.name, fieldType: field.type };
  }
  const field = struct ? fieldNamed(struct.item.fields, store.field) : undefined;
  return { structName, field: store.field, fieldType: field?.type ?? '' };
}

function linkFieldStore(symbols: SymbolTable, file: string, store: FieldStore, links: FileLinks): void {
  const value = store.value;
  if (value.kind !== 'ident' && value.kind !== 'call') return;
  // A base variable declared in another file: a global, typed by its own declaration.
  const global = store.target.rootType === '' && store.base ? symbols.global(store.base, file) : undefined;
  const effective: FieldStore = global ? { ...store, target: { rootType: baseTypeName(global.item.type), fields: store.target.fields } } : store;
  let holder = resolveHolder(symbols, file, effective);
  if (!holder && effective.target.rootType === '' && store.field) {
    const owner = symbols.uniqueStructWithField(store.field, value.kind === 'ident');
    if (owner) holder = { structName: owner.structName, field: store.field, fieldType: owner.fieldType };
  }
  if (!holder) return;
  if (value.kind === 'call') {
    links.fieldCallStores.push({ structName: holder.structName, field: holder.field, callee: value.callee, in: store.caller, file, line: store.line });
    return;
  }
  const target = symbols.resolveFunction(value.name, file);
  if (!target) return;
  // A function stored into a data field (a `void *ctx`) is not a registration.
  if (holder.fieldType && !symbols.isFunctionType(holder.fieldType)) return;
  const slot: SlotRegistration = {
    targetKey: functionKey(target.file, target.item.name),
    targetName: target.item.name,
    structName: holder.structName,
    field: holder.field,
    fieldType: holder.fieldType,
    in: store.caller,
    file,
    line: store.line,
  };
  if (store.variable) slot.variable = store.variable;
  links.slots.push(slot);
}
