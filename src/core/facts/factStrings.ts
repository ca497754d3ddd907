// One copy of each distinct string in the facts of an index. A name that extraction cut out of a function body is, in
// V8, a view of that body's text and keeps all of it alive; while the facts are young, the garbage collector copies
// those texts too, twice each. Interning gives every fact string a compact copy of its own, shared by all the facts
// that spell the same name (on SPDK master: about a third less collection time in the thread that keeps the facts, and
// faster lookups when linking, since equal names are then the same string).
import type { FileFacts, Parameter, ValueSummary } from './fileFacts';

export class StringInterner {
  // A property key is always a compact string in V8: storing one here makes the copy, or finds the one made before.
  private readonly table: Record<string, string> = Object.create(null) as Record<string, string>;

  intern(text: string): string {
    // V8 copies any cut shorter than 13 characters: such a string holds nothing else alive.
    if (text.length < 13) return text;
    const known = this.table[text];
    if (known !== undefined) return known;
    this.table[text] = text;
    return text;
  }
}

/** Interns every string of one file's facts, in place; returns the same facts. */
export function internFactStrings(facts: FileFacts, strings: StringInterner): FileFacts {
  const s = (text: string) => strings.intern(text);
  // The calls of one function share their caller's string: intern it once per run of calls.
  let caller = '';
  let callerInterned = '';
  for (const call of facts.calls) {
    call.callee = s(call.callee);
    if (call.caller !== caller) {
      caller = call.caller;
      callerInterned = s(caller);
    }
    call.caller = callerInterned;
    if (call.calleeField !== undefined) call.calleeField = s(call.calleeField);
    const args = call.args;
    for (let i = 0; i < args.length; i++) internValue(args[i], strings);
  }
  for (const store of facts.fieldStores) {
    store.target.rootType = s(store.target.rootType);
    const fields = store.target.fields;
    for (let i = 0; i < fields.length; i++) fields[i] = s(fields[i]);
    store.field = s(store.field);
    store.caller = s(store.caller);
    internValue(store.value, strings);
    if (store.variable !== undefined) store.variable = s(store.variable);
    if (store.base !== undefined) store.base = s(store.base);
  }
  for (const result of facts.typedCallResults) {
    result.callee = s(result.callee);
    result.type = s(result.type);
    result.caller = s(result.caller);
  }
  for (const fn of facts.functions) {
    fn.name = s(fn.name);
    fn.returnType = s(fn.returnType);
    internParameters(fn.params, strings);
  }
  for (const prototype of facts.prototypes) {
    prototype.name = s(prototype.name);
    prototype.returnType = s(prototype.returnType);
    internParameters(prototype.params, strings);
  }
  for (const typedef of facts.typedefs) {
    typedef.name = s(typedef.name);
    typedef.returnType = s(typedef.returnType);
    internParameters(typedef.params, strings);
  }
  for (const struct of facts.structs) {
    struct.name = s(struct.name);
    for (const field of struct.fields) {
      field.name = s(field.name);
      field.type = s(field.type);
      if (field.params) internParameters(field.params, strings);
    }
  }
  for (const macro of facts.macros) {
    macro.name = s(macro.name);
    macro.body = s(macro.body);
    const params = macro.params;
    for (let i = 0; i < params.length; i++) params[i] = s(params[i]);
  }
  for (const global of facts.globals) {
    global.name = s(global.name);
    global.type = s(global.type);
  }
  return facts;
}

function internParameters(params: Parameter[], strings: StringInterner): void {
  for (const p of params) {
    p.name = strings.intern(p.name);
    p.type = strings.intern(p.type);
  }
}

function internValue(value: ValueSummary, strings: StringInterner): void {
  switch (value.kind) {
    case 'ident':
      value.name = strings.intern(value.name);
      break;
    case 'string':
      value.value = strings.intern(value.value);
      break;
    case 'sizeof':
      value.type = strings.intern(value.type);
      break;
    case 'call':
      value.callee = strings.intern(value.callee);
      break;
    case 'other':
      value.text = strings.intern(value.text);
      break;
  }
}
