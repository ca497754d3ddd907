// Plain-data facts extracted from one C file. They cross the worker boundary and the on-disk cache unchanged,
// so every field is JSON-serialisable and names only what the source text says (no cross-file knowledge).
import type { SuppressionComment } from './suppressionComments';

/** Bumped whenever extraction changes, so stale cache entries are never reused. */
export const FACTS_VERSION = 24;

/**
 * What an argument (or an assigned value) is, after casts, `&`, `*` and parentheses are peeled off. Literal text,
 * sizeof types and other expressions all go in `text`: three object shapes rather than five, so the code that reads
 * `kind` stays polymorphic in V8 (past four shapes it turns megamorphic, several percent of a cold index).
 */
export type ValueSummary =
  | { kind: 'ident'; name: string }
  | { kind: 'string'; text: string }
  | { kind: 'sizeof'; text: string }
  | { kind: 'call'; callee: string }
  | { kind: 'other'; text: string };

// The facts a cold index makes by the hundred thousand (values, calls, stores, typed call results) are made by the
// constructors below, not by object literals; they stay plain data (fields only, no methods), so JSON and structured
// clone see the same thing. Why: V8 tracks where each object literal is allocated, and once most objects from one
// place outlive a collection it starts allocating them in the old generation, throwing away every optimised function
// that had that place inlined (twice: when it starts watching, and when it decides). On SPDK master this recompiled
// about ten of the extractor's largest functions twice over, about 0.25 s of CPU per cold index. Objects made by
// `new` have no such allocation site.

class IdentValue {
  declare kind: 'ident';
  declare name: string;
  constructor(name: string) {
    this.kind = 'ident';
    this.name = name;
  }
}

class TextValue<K extends 'string' | 'sizeof' | 'other'> {
  declare kind: K;
  declare text: string;
  constructor(kind: K, text: string) {
    this.kind = kind;
    this.text = text;
  }
}

class CallValue {
  declare kind: 'call';
  declare callee: string;
  constructor(callee: string) {
    this.kind = 'call';
    this.callee = callee;
  }
}

/** A value that is a plain name. */
export function identValue(name: string): ValueSummary {
  return new IdentValue(name);
}

/** A string literal, sizeof type or other expression, by its text. */
export function textValue(kind: 'string' | 'sizeof' | 'other', text: string): ValueSummary {
  return new TextValue(kind, text);
}

/** A call's result, by its callee. */
export function callValue(callee: string): ValueSummary {
  return new CallValue(callee);
}

/** The text of a value that names something (`ctx`, `&ctx->buf`, `SPDK_BDEV_IO_STATUS_FAILED`); none for calls and literals. */
export function valueText(v: ValueSummary | undefined): string | undefined {
  return v?.kind === 'ident' ? v.name : v?.kind === 'other' ? v.text : undefined;
}

export interface Parameter {
  name: string;
  /** Declared type as written, typedef names kept; for raw function pointers, the declaration minus its name. */
  type: string;
}

export interface FunctionDefinition {
  name: string;
  line: number;
  endLine: number;
  isStatic: boolean;
  returnType: string;
  params: Parameter[];
  doc?: string;
}

export interface FunctionPrototype {
  name: string;
  line: number;
  returnType: string;
  params: Parameter[];
  doc?: string;
}

export interface CallbackTypedef {
  name: string;
  line: number;
  returnType: string;
  params: Parameter[];
  doc?: string;
  /** `typedef void spdk_log_cb(...)`: a function type, not a pointer; a `spdk_log_cb *` is then the callback. */
  functionType?: true;
}

export interface StructField {
  name: string;
  type: string;
  line: number;
  isFunctionPointer: boolean;
  /** Parameters, when the field is a raw function pointer. */
  params?: Parameter[];
}

export interface StructDefinition {
  /** `struct foo`, `union foo`, or the typedef name of an anonymous struct. */
  name: string;
  line: number;
  fields: StructField[];
  doc?: string;
}

export interface MacroDefinition {
  name: string;
  line: number;
  params: string[];
  body: string;
}

export interface CallSite {
  /** Function or macro name; empty when called through an expression. */
  callee: string;
  /** Field name for calls through a function pointer field (`bdev->fn_table->submit_request(...)`). */
  calleeField?: string;
  line: number;
  /** Name of the function definition that contains the call; empty at file scope. */
  caller: string;
  args: ValueSummary[];
  /** Inside a branch, a loop or a switch of its function: not made on every path through it. */
  guarded?: boolean;
}

/** Where a struct lives: a declared type (`struct spdk_app_opts`), then a path of fields into it. */
export interface StructPath {
  rootType: string;
  fields: string[];
}

/** `x.f = v`, `x->f = v`, or `.f = v` / positional element of an initializer. */
export interface FieldStore {
  /** The struct that holds the field; `rootType` is empty when the base variable's type is not declared in this file. */
  target: StructPath;
  /** Field name; for positional initializers, empty and `position` says which. */
  field: string;
  position?: number;
  value: ValueSummary;
  line: number;
  caller: string;
  /** Name of the variable being initialised, for initializers. */
  variable?: string;
  /** The base variable, when its type is not declared in this file (a global from elsewhere). */
  base?: string;
}

// Calls and field stores are made only by the two functions below, every field always present (undefined when it does
// not apply; JSON leaves such fields out) and in one order. Each then has one object shape in V8, so the code that
// reads them, here and in the index, is never recompiled for a shape that a rarer kind of call or store brings.

/** A call site; `calleeField` only for calls through a function pointer field. */
export function callSite(callee: string, calleeField: string | undefined, line: number, caller: string, args: ValueSummary[], guarded?: boolean): CallSite {
  return new CallSiteRecord(callee, calleeField, line, caller, args, guarded || undefined);
}

class CallSiteRecord implements CallSite {
  declare callee: string;
  declare calleeField: string | undefined;
  declare line: number;
  declare caller: string;
  declare args: ValueSummary[];
  declare guarded: boolean | undefined;
  constructor(callee: string, calleeField: string | undefined, line: number, caller: string, args: ValueSummary[], guarded: boolean | undefined) {
    this.callee = callee;
    this.calleeField = calleeField;
    this.line = line;
    this.caller = caller;
    this.args = args;
    this.guarded = guarded;
  }
}

class FieldStoreRecord implements FieldStore {
  declare target: StructPath;
  declare field: string;
  declare position: number | undefined;
  declare value: ValueSummary;
  declare line: number;
  declare caller: string;
  declare variable: string | undefined;
  declare base: string | undefined;
  constructor(target: StructPath, field: string, position: number | undefined, value: ValueSummary, line: number, caller: string, variable: string | undefined, base: string | undefined) {
    this.target = target;
    this.field = field;
    this.position = position;
    this.value = value;
    this.line = line;
    this.caller = caller;
    this.variable = variable;
    this.base = base;
  }
}

class StructPathRecord implements StructPath {
  declare rootType: string;
  declare fields: string[];
  constructor(rootType: string, fields: string[]) {
    this.rootType = rootType;
    this.fields = fields;
  }
}

/** A struct type and a path of fields into it. */
export function structPath(rootType: string, fields: string[]): StructPath {
  return new StructPathRecord(rootType, fields);
}

/** A field store; `position`, `variable` and `base` only where the store has them (see FieldStore). */
export function fieldStore(
  target: StructPath,
  field: string,
  position: number | undefined,
  value: ValueSummary,
  line: number,
  caller: string,
  variable: string | undefined,
  base: string | undefined,
): FieldStore {
  return new FieldStoreRecord(target, field, position, value, line, caller, variable, base);
}

/** The same call on another line. */
export function callSiteAt(call: CallSite, line: number): CallSite {
  return callSite(call.callee, call.calleeField, line, call.caller, call.args, call.guarded);
}

/** The same store on another line. */
export function fieldStoreAt(store: FieldStore, line: number): FieldStore {
  return fieldStore(store.target, store.field, store.position, store.value, line, store.caller, store.variable, store.base);
}

/** `struct T *x = f(...)` or `x = f(...)` where x has a struct type. */
export interface TypedCallResult {
  callee: string;
  type: string;
  line: number;
  caller: string;
  /** The local it is kept in (`iter` of `iter = spdk_io_channel_iter_get_ctx(i)`); empty at file scope. */
  variable: string;
}

class TypedCallResultRecord implements TypedCallResult {
  declare callee: string;
  declare type: string;
  declare line: number;
  declare caller: string;
  declare variable: string;
  constructor(callee: string, type: string, line: number, caller: string, variable: string) {
    this.callee = callee;
    this.type = type;
    this.line = line;
    this.caller = caller;
    this.variable = variable;
  }
}

export function typedCallResult(callee: string, type: string, line: number, caller: string, variable: string): TypedCallResult {
  return new TypedCallResultRecord(callee, type, line, caller, variable);
}

/**
 * A statement of a body that the answers need beyond calls and stores (plain data, lines 1-based):
 * - `cast`: `struct T *x = ctx;` where `ctx` is a `void *` local or parameter (`name`: ctx, `detail`: x, `path`: T);
 * - `store`: `a->f = p;` where `p` is a local or parameter (`name`: p, `path`: a's type and fields through to f);
 * - `field_call`: `a->b.f(...)` (`name`: f, `path`: a's type and fields b);
 * - `thread_check`: `spdk_thread_is_app_thread(NULL)` (`name`: app_thread), `spdk_io_channel_get_thread(ch) ==
 *   spdk_get_thread()` (`name`: channel_thread) or `x->thread == spdk_get_thread()`
 *   (`name`: owner, `path`: x's type and fields through to thread), `detail`: assert or guard;
 * - `queue`: a list/ring insertion or removal (`name`: the macro or API, `detail`: insert or remove, `path`: the list,
 *   or no type and the local's name for a list the function was handed);
 * - `field_address`: `f(&x->list)` (`name`: f, `detail`: the argument's index, `path`: x's type and fields);
 * - `branch`: `case SPDK_BDEV_EVENT_REMOVE:` or `if (type == ...)` for the constants the lifecycle paths follow
 *   (`name`: the constant, `line`: the label's, `detail`: the branch's last line); `name` `failure` for a block
 *   that handles a failure (logs an error, tests a failed status, leaves with one) or the code after an error label
 *   (`path.fields`: the condition, or `else` or `label:`, then `returns -EXXX` when the block returns an error code
 *   and `status NOMEM` for each IO status the block assigns);
 *   `name` `condition` for another `if` block that frees memory (`path.fields[0]`: its condition, at most 80 chars).
 */
export interface BodyNote {
  kind: 'cast' | 'store' | 'field_call' | 'thread_check' | 'queue' | 'field_address' | 'branch';
  caller: string;
  line: number;
  name: string;
  path: StructPath;
  detail: string;
}

export function bodyNote(kind: BodyNote['kind'], caller: string, line: number, name: string, path: StructPath, detail: string): BodyNote {
  // Plain objects all through: notes are few, and the cache and the worker hand them on as JSON.
  return { kind, caller, line, name, path: { rootType: path.rootType, fields: path.fields }, detail };
}

export interface GlobalVariable {
  name: string;
  type: string;
  line: number;
  isStatic: boolean;
}

/** `enum foo { A, B = 2 }`, or an anonymous enum named by its typedef; anonymous ones keep an empty name. */
export interface EnumDefinition {
  name: string;
  line: number;
  constants: { name: string; line: number }[];
}

/** A name defined without a signature of its own: an object-like macro or a plain typedef (`typedef uint64_t spdk_blob_id`). */
export interface NamedDefinition {
  name: string;
  line: number;
}

export interface FileFacts {
  /** Path relative to the index root, with `/`. */
  file: string;
  hash: string;
  functions: FunctionDefinition[];
  prototypes: FunctionPrototype[];
  typedefs: CallbackTypedef[];
  structs: StructDefinition[];
  macros: MacroDefinition[];
  calls: CallSite[];
  fieldStores: FieldStore[];
  typedCallResults: TypedCallResult[];
  globals: GlobalVariable[];
  notes: BodyNote[];
  enums: EnumDefinition[];
  /** Object-like macros (`#define SPDK_BDEV_SMALL_BUF_MAX_SIZE 8192`); function-like ones are in `macros`. */
  constants: NamedDefinition[];
  /** Typedefs that are not callback types (those are in `typedefs`) nor anonymous structs (in `structs`). */
  aliases: NamedDefinition[];
  /** Number of ERROR/MISSING nodes tree-sitter produced (facts inside them are still extracted). */
  parseErrors: number;
  /** `spdk-lens: ignore <rule>` comments (absent when the file has none). */
  suppressions?: SuppressionComment[];
}

export function emptyFileFacts(file: string, hash: string): FileFacts {
  return {
    file,
    hash,
    functions: [],
    prototypes: [],
    typedefs: [],
    structs: [],
    macros: [],
    calls: [],
    fieldStores: [],
    typedCallResults: [],
    globals: [],
    notes: [],
    enums: [],
    constants: [],
    aliases: [],
    parseErrors: 0,
  };
}
