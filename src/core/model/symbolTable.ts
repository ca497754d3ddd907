// Cross-file lookup of what the facts declare: functions, prototypes, callback typedefs, structs, macros, globals.
import type {
  CallbackTypedef,
  FileFacts,
  FunctionDefinition,
  FunctionPrototype,
  GlobalVariable,
  MacroDefinition,
  Parameter,
  StructDefinition,
  StructField,
} from '../facts/fileFacts';
import { baseTypeName } from '../parse/cText';
import { pushTo } from '../util/multiMap';
import { dirOf } from '../util/paths';

export interface Located<T> {
  file: string;
  item: T;
}

export type FunctionSymbol = Located<FunctionDefinition>;

function isHeader(file: string): boolean {
  return file.endsWith('.h');
}

/** Prefer the same file, then the same folder, then public headers (include/), then any. */
function pickNearest<T>(candidates: Located<T>[] | undefined, fromFile: string): Located<T> | undefined {
  if (!candidates || candidates.length === 0) return undefined;
  if (candidates.length === 1) return candidates[0];
  // One pass, plain loop, no callbacks: this runs in every lookup.
  const dir = dirOf(fromFile);
  let sameDir: Located<T> | undefined;
  let header: Located<T> | undefined;
  let notTest: Located<T> | undefined;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i];
    if (c.file === fromFile) return c;
    if (!sameDir && dirOf(c.file) === dir) sameDir = c;
    if (!header && c.file.startsWith('include/')) header = c;
    if (!notTest && !c.file.startsWith('test/')) notTest = c;
  }
  // Public headers first; unit-test stubs (test/) last, so a stub never stands in for the real function.
  return sameDir ?? header ?? notTest ?? candidates[0];
}

export class SymbolTable {
  readonly functions = new Map<string, FunctionSymbol[]>();
  readonly prototypes = new Map<string, Located<FunctionPrototype>[]>();
  readonly typedefs = new Map<string, Located<CallbackTypedef>[]>();
  readonly structs = new Map<string, Located<StructDefinition>[]>();
  readonly macros = new Map<string, Located<MacroDefinition>[]>();
  readonly globals = new Map<string, Located<GlobalVariable>[]>();

  constructor(readonly files: Map<string, FileFacts>) {
    for (const facts of files.values()) this.addFile(facts);
  }

  private fieldOwners: Map<string, { structName: string; fieldType: string }[]> | undefined;

  addFile(facts: FileFacts): void {
    this.fieldOwners = undefined;
    const file = facts.file;
    for (const f of facts.functions) pushTo(this.functions, f.name, { file, item: f });
    for (const p of facts.prototypes) pushTo(this.prototypes, p.name, { file, item: p });
    for (const t of facts.typedefs) pushTo(this.typedefs, t.name, { file, item: t });
    for (const s of facts.structs) pushTo(this.structs, s.name, { file, item: s });
    for (const m of facts.macros) pushTo(this.macros, m.name, { file, item: m });
    for (const g of facts.globals) pushTo(this.globals, g.name, { file, item: g });
  }

  /** Swaps a file's facts for new ones with the same declaration signature, keeping every list's order. */
  replaceFile(next: FileFacts): void {
    const file = next.file;
    const swap = <T extends { name: string }>(map: Map<string, Located<T>[]>, items: T[]) => {
      const seen = new Map<string, number>();
      for (const item of items) {
        const list = map.get(item.name);
        if (!list) continue;
        const nth = seen.get(item.name) ?? 0;
        seen.set(item.name, nth + 1);
        let count = 0;
        for (let i = 0; i < list.length; i++) {
          if (list[i].file !== file) continue;
          if (count++ === nth) {
            list[i] = { file, item };
            break;
          }
        }
      }
    };
    swap(this.functions, next.functions);
    swap(this.prototypes, next.prototypes);
    swap(this.typedefs, next.typedefs);
    swap(this.structs, next.structs);
    swap(this.macros, next.macros);
    swap(this.globals, next.globals);
    this.files.set(file, next);
  }

  /** What other files can see of this one, without lines: when it is unchanged, their links stay valid. */
  static declarationSignature(facts: FileFacts): string {
    return JSON.stringify([
      facts.functions.map((f) => [f.name, f.isStatic, f.params]),
      facts.prototypes.map((p) => [p.name, p.params]),
      facts.typedefs.map((t) => [t.name, t.params]),
      facts.structs.map((s) => [s.name, s.fields.map((f) => [f.name, f.type, f.isFunctionPointer])]),
      facts.macros.map((m) => [m.name, m.params, m.body]),
      facts.globals.map((g) => [g.name, g.type, g.isStatic]),
    ]);
  }

  /**
   * The function definition an identifier in `fromFile` refers to: a definition in the same file, else a
   * non-static one elsewhere (nearest first). Undefined when the name is not a function defined in the tree.
   */
  resolveFunction(name: string, fromFile: string): FunctionSymbol | undefined {
    const candidates = this.functions.get(name);
    if (!candidates) return undefined;
    if (candidates.length === 1) {
      const only = candidates[0];
      if (only.file === fromFile || !only.item.isStatic) return only;
    }
    const visible: FunctionSymbol[] = [];
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i];
      if (c.file === fromFile) return c;
      if (!c.item.isStatic) visible.push(c);
    }
    if (visible.length === 0) {
      // A static function used from a header's inline code or a file that includes a .c file.
      if (!isHeader(fromFile) && !fromFile.endsWith('.c')) return undefined;
      const dir = dirOf(fromFile);
      for (let i = 0; i < candidates.length; i++) if (dirOf(candidates[i].file) === dir) return candidates[i];
      return undefined;
    }
    return pickNearest(visible, fromFile);
  }

  /** Is `name` a function (defined or declared) anywhere? */
  isFunctionName(name: string): boolean {
    return this.functions.has(name) || this.prototypes.has(name);
  }

  /** Parameters of a callable as declared: the public prototype first, else the definition. */
  parametersOf(name: string, fromFile: string): Parameter[] | undefined {
    const prototypes = this.prototypes.get(name);
    if (prototypes) {
      const header = prototypes.find((p) => p.file.startsWith('include/')) ?? pickNearest(prototypes, fromFile);
      if (header) return header.item.params;
    }
    return this.resolveFunction(name, fromFile)?.item.params ?? pickNearest(this.functions.get(name), fromFile)?.item.params;
  }

  /** Doc comment of a function: the public prototype's, else the definition's. */
  docOf(name: string, fromFile: string): string | undefined {
    const prototypes = this.prototypes.get(name);
    const withDoc = prototypes?.filter((p) => p.item.doc);
    const proto = withDoc && withDoc.length > 0 ? (withDoc.find((p) => p.file.startsWith('include/')) ?? withDoc[0]) : undefined;
    return proto?.item.doc ?? this.resolveFunction(name, fromFile)?.item.doc;
  }

  macro(name: string, fromFile: string): MacroDefinition | undefined {
    const candidates = this.macros.get(name);
    if (!candidates) return undefined;
    // A macro a .c file defines holds in that file only, and test code's never reaches library code: a unit test's
    // `#define spdk_put_io_channel ut_put_io_channel` is no call of the library's.
    const library = !fromFile.startsWith('test/');
    const visible = (c: Located<MacroDefinition>) => (c.file === fromFile || c.file.endsWith('.h')) && !(library && c.file.startsWith('test/'));
    // Most names have one definition: no list is made for them (this runs for every call linked).
    if (candidates.length === 1) return visible(candidates[0]) ? candidates[0].item : undefined;
    return pickNearest(candidates.filter(visible), fromFile)?.item;
  }

  callbackTypedef(name: string): Located<CallbackTypedef> | undefined {
    const list = this.typedefs.get(name);
    return list ? (list.find((t) => t.file.startsWith('include/')) ?? list[0]) : undefined;
  }

  struct(name: string, fromFile: string): Located<StructDefinition> | undefined {
    return pickNearest(this.structs.get(name), fromFile);
  }

  global(name: string, fromFile: string): Located<GlobalVariable> | undefined {
    return pickNearest(this.globals.get(name), fromFile);
  }

  /** Is this declared type a function pointer: a raw `(*)` or a callback typedef? */
  isFunctionType(type: string): boolean {
    if (type.includes('(*)')) return true;
    const defs = this.typedefs.get(baseTypeName(type));
    if (!defs) return false;
    // `spdk_msg_fn *msg_fn` receives a callback (an out-parameter); `spdk_log_cb *fn` is one.
    return !type.includes('*') || defs[0].item.functionType === true;
  }

  /** When a base expression's type is unknown, a field name held by exactly one struct names that struct. */
  uniqueStructWithField(field: string, functionPointerOnly: boolean): { structName: string; fieldType: string } | undefined {
    if (!this.fieldOwners) {
      this.fieldOwners = new Map();
      for (const [name, defs] of this.structs) {
        for (const f of defs[0].item.fields) pushTo(this.fieldOwners, f.name, { structName: name, fieldType: f.type });
      }
    }
    const candidates = (this.fieldOwners.get(field) ?? []).filter((o) => !functionPointerOnly || this.isFunctionType(o.fieldType));
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  /** Field `name` of the struct `structName` (through anonymous members, which the facts already flatten). */
  field(structName: string, name: string, fromFile: string): StructField | undefined {
    const struct = this.struct(structName, fromFile);
    return struct ? fieldNamed(struct.item.fields, name) : undefined;
  }
}

/** The first field called `name` (a plain loop: the linker calls this for every field store). */
export function fieldNamed(fields: readonly StructField[], name: string): StructField | undefined {
  for (let i = 0; i < fields.length; i++) if (fields[i].name === name) return fields[i];
  return undefined;
}
