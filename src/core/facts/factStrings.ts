// One copy of each distinct string in the facts of an index (and one summary of each plain-name argument). A name that extraction cut out of a function body is, in
// V8, a view of that body's text and keeps all of it alive; while the facts are young, the garbage collector copies
// those texts too, twice each. Interning gives every fact string a compact copy of its own, shared by all the facts
// that spell the same name (on SPDK master: about a third less collection time in the thread that keeps the facts, and
// faster lookups when linking, since equal names are then the same string).
import { identValue, type CallSite, type FieldStore, type FileFacts, type GlobalVariable, type MacroDefinition, type Parameter, type StructDefinition, type TypedCallResult, type ValueSummary } from './fileFacts';

export class StringInterner {
  // A property key is always a compact string in V8: storing one here makes the copy, or finds the one made before.
  private readonly table: Record<string, string> = Object.create(null) as Record<string, string>;
  /** One summary object per name passed as an argument: most arguments are plain names, and facts never change them. */
  private readonly identifiers = new Map<string, ValueSummary>();
  /** Likewise for the other kinds of value, by their text (on SPDK master, 200,000 values with 40,000 distinct texts). */
  private readonly others = new Map<string, ValueSummary>();
  private readonly literals = new Map<string, ValueSummary>();
  private readonly sizeofs = new Map<string, ValueSummary>();
  private readonly calls = new Map<string, ValueSummary>();

  /** The shared summary of an argument that is the plain name `name`. */
  identifier(name: string): ValueSummary {
    const interned = this.intern(name);
    let value = this.identifiers.get(interned);
    if (value === undefined) {
      value = identValue(interned);
      this.identifiers.set(interned, value);
    }
    return value;
  }

  /** The shared summary equal to `value` (`value` itself, interned, the first time its text is seen). */
  value(value: ValueSummary): ValueSummary {
    switch (value.kind) {
      case 'ident':
        return this.identifier(value.name);
      case 'call':
        return this.sharedValue(this.calls, value.callee, value);
      case 'string':
        return this.sharedValue(this.literals, value.text, value);
      case 'sizeof':
        return this.sharedValue(this.sizeofs, value.text, value);
      default:
        return this.sharedValue(this.others, value.text, value);
    }
  }

  private sharedValue(table: Map<string, ValueSummary>, text: string, value: ValueSummary): ValueSummary {
    const known = table.get(text);
    if (known !== undefined) return known;
    const interned = this.intern(text);
    if (value.kind === 'call') value.callee = interned;
    else if (value.kind !== 'ident') value.text = interned;
    table.set(interned, value);
    return value;
  }

  /** The strings of the file being interned: a small table, where repeated names are found without a probe of the big one. */
  private recent = new Map<string, string>();

  /** Called before each file's facts. */
  nextFile(): void {
    if (this.recent.size > 0) this.recent = new Map();
  }

  intern(text: string): string {
    // V8 copies any cut shorter than 13 characters: such a string holds nothing else alive.
    if (text.length < 13) return text;
    let known = this.recent.get(text);
    if (known !== undefined) return known;
    known = this.table[text];
    if (known === undefined) {
      known = internalized(text);
      this.table[known] = known;
    }
    this.recent.set(known, known);
    return known;
  }
}

/**
 * The compact copy V8 makes of `text` when it becomes a property key. `text` itself turns into a forwarding string to
 * that copy: returning it instead would hand the rest of the index one more kind of string, and each string operation
 * V8 optimises expects at most four kinds (past that, its loads go megamorphic).
 */
function internalized(text: string): string {
  // A null-prototype object is a dictionary from the start: no hidden class is made per key.
  const holder = Object.create(null) as Record<string, 0>;
  holder[text] = 0;
  for (const key in holder) return key;
  return text;
}

/**
 * Interns every string of one file's facts, in place; returns the same facts. One small function per kind of fact:
 * V8 optimises each on its own (as one function it took about 100 ms of compiling, several times over).
 */
export function internFactStrings(facts: FileFacts, strings: StringInterner): FileFacts {
  strings.nextFile();
  internCalls(facts.calls, strings);
  internFieldStores(facts.fieldStores, strings);
  internTypedCallResults(facts.typedCallResults, strings);
  internSignatures(facts.functions, strings);
  internSignatures(facts.prototypes, strings);
  internSignatures(facts.typedefs, strings);
  internStructs(facts.structs, strings);
  internMacros(facts.macros, strings);
  internGlobals(facts.globals, strings);
  return facts;
}

function internCalls(calls: CallSite[], strings: StringInterner): void {
  // The calls of one function share their caller's string: intern it once per run of calls.
  let caller = '';
  let callerInterned = '';
  for (const call of calls) {
    call.callee = strings.intern(call.callee);
    if (call.caller !== caller) {
      caller = call.caller;
      callerInterned = strings.intern(caller);
    }
    call.caller = callerInterned;
    if (call.calleeField !== undefined) call.calleeField = strings.intern(call.calleeField);
    // Each argument is swapped for its shared summary: the one made while scanning dies young, so the collector
    // never copies it (the calls of SPDK master pass about 250,000 arguments, with 50,000 distinct values).
    const args = call.args;
    for (let i = 0; i < args.length; i++) args[i] = strings.value(args[i]);
  }
}

function internFieldStores(stores: FieldStore[], strings: StringInterner): void {
  for (const store of stores) {
    store.target.rootType = strings.intern(store.target.rootType);
    const fields = store.target.fields;
    for (let i = 0; i < fields.length; i++) fields[i] = strings.intern(fields[i]);
    store.field = strings.intern(store.field);
    store.caller = strings.intern(store.caller);
    store.value = strings.value(store.value);
    if (store.variable !== undefined) store.variable = strings.intern(store.variable);
    if (store.base !== undefined) store.base = strings.intern(store.base);
  }
}

function internTypedCallResults(results: TypedCallResult[], strings: StringInterner): void {
  for (const result of results) {
    result.callee = strings.intern(result.callee);
    result.type = strings.intern(result.type);
    result.caller = strings.intern(result.caller);
  }
}

function internSignatures(signatures: { name: string; returnType: string; params: Parameter[] }[], strings: StringInterner): void {
  for (const signature of signatures) {
    signature.name = strings.intern(signature.name);
    signature.returnType = strings.intern(signature.returnType);
    internParameters(signature.params, strings);
  }
}

function internStructs(structs: StructDefinition[], strings: StringInterner): void {
  for (const struct of structs) {
    struct.name = strings.intern(struct.name);
    for (const field of struct.fields) {
      field.name = strings.intern(field.name);
      field.type = strings.intern(field.type);
      if (field.params) internParameters(field.params, strings);
    }
  }
}

function internMacros(macros: MacroDefinition[], strings: StringInterner): void {
  for (const macro of macros) {
    macro.name = strings.intern(macro.name);
    macro.body = strings.intern(macro.body);
    const params = macro.params;
    for (let i = 0; i < params.length; i++) params[i] = strings.intern(params[i]);
  }
}

function internGlobals(globals: GlobalVariable[], strings: StringInterner): void {
  for (const global of globals) {
    global.name = strings.intern(global.name);
    global.type = strings.intern(global.type);
  }
}

function internParameters(params: Parameter[], strings: StringInterner): void {
  for (const p of params) {
    p.name = strings.intern(p.name);
    p.type = strings.intern(p.type);
  }
}
