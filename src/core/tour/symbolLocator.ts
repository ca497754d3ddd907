// Finds where a named SPDK symbol is defined, from the index's per-file facts: what tour anchors and book mentions
// resolve through. Also the checkout's files on disk, for anchors and mentions the index does not parse (README.md).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { walkTree, type TreeListing } from '../book/treeListing';
import type { FileFacts } from '../facts/fileFacts';
import type { RpcMethod } from '../model/indexTypes';
import { pushTo } from '../util/multiMap';
import type { AnchorKind } from './tourTypes';

/** The part of `SpdkIndex` symbol lookup needs (an `SpdkIndex` is one). */
export interface IndexView {
  readonly files: Map<string, FileFacts>;
  rpcMethods(): RpcMethod[];
}

/** Files of the checkout as the editor sees them; the host can serve unsaved text. */
export interface SourceWorkspace {
  /** What is at `path` (relative to the root, `/`-separated). */
  stat(path: string): 'file' | 'folder' | undefined;
  readText(path: string): string | undefined;
  /** Every file and folder of the checkout (walked once, on first use): what bare file names resolve against. */
  listing?(): TreeListing;
}

export function diskWorkspace(root: string): SourceWorkspace {
  let listing: TreeListing | undefined;
  return {
    listing: () => (listing ??= walkTree(root)),
    stat(path) {
      try {
        const s = statSync(join(root, path));
        return s.isDirectory() ? 'folder' : s.isFile() ? 'file' : undefined;
      } catch {
        return undefined;
      }
    },
    readText(path) {
      try {
        return readFileSync(join(root, path), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

export type SymbolKind = Exclude<AnchorKind, 'file'> | 'prototype' | 'global' | 'enum' | 'enumConstant';

export interface SymbolLocation {
  /** As the index names it: `bdev_null_create`, `struct spdk_thread`, `struct spdk_bdev_fn_table.submit_request`. */
  symbol: string;
  kind: SymbolKind;
  file: string;
  line: number;
  endLine?: number;
}

/** `spdk_foo()` → `spdk_foo`; `struct  x` → `struct x`. */
export function normalizeSymbol(symbol: string): string {
  return symbol.trim().replace(/\(\s*\)$/, '').replace(/\s+/g, ' ');
}

/** Struct names a bare or tagged name can mean, most specific first. */
function structNames(name: string): string[] {
  if (/^(struct|union|enum) /.test(name)) return [name];
  return [`struct ${name}`, `union ${name}`, `enum ${name}`, name];
}

/** Every definition the index knows, by name, built once per index generation. */
export class SymbolLocator {
  private readonly byName = new Map<string, SymbolLocation[]>();
  private readonly byFile = new Map<string, SymbolLocation[]>();
  /** `submit_request` → the field in every struct that has one. */
  private readonly fieldsByName = new Map<string, SymbolLocation[]>();

  constructor(readonly index: IndexView) {
    for (const facts of index.files.values()) this.addFile(facts);
    for (const rpc of safeRpcMethods(index)) {
      const file = rpc.handlerFile ?? rpc.file;
      const line = rpc.handlerLine ?? rpc.line;
      const endLine = rpc.handlerFile ? this.lookup(rpc.handler, ['function']).find((s) => s.file === rpc.handlerFile)?.endLine : undefined;
      this.add({ symbol: rpc.method, kind: 'rpc', file, line, endLine });
      // The registration line is where the method is named; a file anchor on the RPC file finds it there too.
      if (file !== rpc.file) this.add({ symbol: rpc.method, kind: 'rpc', file: rpc.file, line: rpc.line });
    }
  }

  private add(location: SymbolLocation): void {
    pushTo(this.byName, location.symbol, location);
    pushTo(this.byFile, location.file, location);
  }

  private addFile(facts: FileFacts): void {
    const file = facts.file;
    for (const f of facts.functions) this.add({ symbol: f.name, kind: 'function', file, line: f.line, endLine: f.endLine });
    for (const p of facts.prototypes) this.add({ symbol: p.name, kind: 'prototype', file, line: p.line });
    for (const t of facts.typedefs) this.add({ symbol: t.name, kind: 'typedef', file, line: t.line });
    for (const m of facts.macros) this.add({ symbol: m.name, kind: 'macro', file, line: m.line });
    for (const s of facts.structs) {
      const endLine = s.fields.length > 0 ? s.fields[s.fields.length - 1].line + 1 : undefined;
      this.add({ symbol: s.name, kind: 'struct', file, line: s.line, endLine });
      for (const field of s.fields) {
        const location: SymbolLocation = { symbol: `${s.name}.${field.name}`, kind: 'field', file, line: field.line };
        this.add(location);
        pushTo(this.fieldsByName, field.name, location);
      }
    }
    for (const g of facts.globals) this.add({ symbol: g.name, kind: 'global', file, line: g.line });
    // Facts cached by an older extractor have no enums, constants or aliases.
    for (const e of facts.enums ?? []) {
      const endLine = e.constants.length > 0 ? e.constants[e.constants.length - 1].line + 1 : undefined;
      if (e.name) this.add({ symbol: e.name, kind: 'enum', file, line: e.line, endLine });
      for (const c of e.constants) this.add({ symbol: c.name, kind: 'enumConstant', file, line: c.line });
    }
    for (const c of facts.constants ?? []) this.add({ symbol: c.name, kind: 'macro', file, line: c.line });
    for (const a of facts.aliases ?? []) this.add({ symbol: a.name, kind: 'typedef', file, line: a.line });
  }

  /** The field `name` in every struct that has one. */
  fieldsNamed(name: string): SymbolLocation[] {
    return this.fieldsByName.get(name) ?? [];
  }

  /** Every name the index defines (functions, types, fields as `struct x.f`, constants, RPC methods). */
  names(): IterableIterator<string> {
    return this.byName.keys();
  }

  /** Definitions of `symbol` of the given kinds (any kind when none), in index order. */
  lookup(symbol: string, kinds?: readonly SymbolKind[]): SymbolLocation[] {
    const name = normalizeSymbol(symbol);
    const names = new Set([name]);
    const wantsStruct = !kinds || kinds.includes('struct') || kinds.includes('typedef');
    if (wantsStruct) for (const n of structNames(name)) names.add(n);
    const fieldDot = name.lastIndexOf('.');
    if ((!kinds || kinds.includes('field')) && fieldDot > 0) {
      for (const n of structNames(name.slice(0, fieldDot))) names.add(`${n}${name.slice(fieldDot)}`);
    }
    const out: SymbolLocation[] = [];
    for (const n of names) for (const s of this.byName.get(n) ?? []) if (!kinds || kinds.includes(s.kind) || (s.kind === 'struct' && kinds.includes('typedef'))) out.push(s);
    return out;
  }

  /** Definitions in one file; `prototype` answers a `function` anchor on a header. */
  lookupInFile(file: string, symbol: string, kind?: AnchorKind): SymbolLocation[] {
    const kinds = kindsFor(kind);
    const found = this.lookup(symbol, kinds).filter((s) => s.file === file);
    // The definition beats a prototype in the same file; a struct beats a field of the same name.
    return found.sort((a, b) => rank(a.kind) - rank(b.kind));
  }

  /** Every definition recorded in one file, by line. */
  definitionsIn(file: string): SymbolLocation[] {
    return [...(this.byFile.get(file) ?? [])].sort((a, b) => a.line - b.line);
  }

  /** The function or struct whose definition spans `line`: what a line anchor is upgraded to. */
  enclosing(file: string, line: number): SymbolLocation | undefined {
    let best: SymbolLocation | undefined;
    for (const s of this.byFile.get(file) ?? []) {
      if (s.kind !== 'function' && s.kind !== 'struct') continue;
      const end = s.endLine ?? s.line;
      if (s.line <= line && line <= end && (!best || s.line > best.line)) best = s;
    }
    return best;
  }

  hasFile(file: string): boolean {
    return this.index.files.has(file);
  }
}

function safeRpcMethods(index: IndexView): RpcMethod[] {
  try {
    return index.rpcMethods();
  } catch {
    return [];
  }
}

export function kindsFor(kind: AnchorKind | undefined): SymbolKind[] | undefined {
  if (!kind || kind === 'file') return undefined;
  if (kind === 'function') return ['function', 'prototype'];
  if (kind === 'typedef') return ['typedef', 'struct'];
  return [kind];
}

const RANK: Record<SymbolKind, number> = { function: 0, struct: 1, rpc: 2, typedef: 3, enum: 4, macro: 5, global: 6, enumConstant: 7, field: 8, prototype: 9 };

function rank(kind: SymbolKind): number {
  return RANK[kind];
}

/** Among definitions elsewhere, the one in the same folder as `file`, or the only one outside unit tests. */
export function nearestTo(file: string, candidates: SymbolLocation[]): SymbolLocation | undefined {
  const definitions = candidates.filter((c) => c.kind !== 'prototype');
  const pool = definitions.length > 0 ? definitions : candidates;
  if (pool.length <= 1) return pool[0];
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
  const sameDir = pool.filter((c) => dir && c.file.startsWith(dir));
  if (sameDir.length === 1) return sameDir[0];
  const notTests = pool.filter((c) => !c.file.startsWith('test/'));
  const files = new Set(notTests.map((c) => c.file));
  return files.size === 1 ? notTests.sort((a, b) => rank(a.kind) - rank(b.kind))[0] : undefined;
}
