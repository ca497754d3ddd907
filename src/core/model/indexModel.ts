// The linked, labelled model of a tree. Links are kept per file and aggregated into a few reverse indexes, so an
// edit that keeps a file's declarations relinks that file alone; labels are computed on demand and memoised until
// the next change.
import type { FileFacts } from '../facts/fileFacts';
import {
  fileOfKey,
  functionKey,
  linkFile,
  nameOfKey,
  type CallbackRegistration,
  type EffectiveCall,
  type FileLinks,
  type SlotRegistration,
} from '../labels/callbackEvidence';
import { pullFrom, pushTo } from '../util/multiMap';
import { MacroExpander } from './macroExpander';
import { SymbolTable } from './symbolTable';

export type Handoff = CallbackRegistration | SlotRegistration;

export class IndexModel {
  symbols!: SymbolTable;
  private expander!: MacroExpander;
  private readonly links = new Map<string, FileLinks>();
  private readonly handoffs = new Map<string, Map<string, Handoff[]>>();
  private readonly registrationsByTarget = new Map<string, CallbackRegistration[]>();
  private readonly slotsByTarget = new Map<string, SlotRegistration[]>();
  private memo = new Map<string, unknown>();
  /** Declaration signature of each file updated so far (see update): an edit then computes only the new one. */
  private readonly signatures = new Map<string, string>();
  /** Bumped on every change; consumers can tell whether what they computed is still current. */
  generation = 0;

  constructor(readonly files: Map<string, FileFacts>) {
    this.relinkAll();
  }

  private relinkAll(): void {
    this.symbols = new SymbolTable(this.files);
    this.expander = new MacroExpander((name, fromFile) => this.symbols.macro(name, fromFile));
    this.links.clear();
    this.handoffs.clear();
    this.registrationsByTarget.clear();
    this.slotsByTarget.clear();
    for (const facts of this.files.values()) this.addLinks(linkFile(this.symbols, this.expander, facts));
    this.changed();
  }

  private changed(): void {
    this.generation++;
    this.memo = new Map();
  }

  private addLinks(links: FileLinks): void {
    this.links.set(links.file, links);
    const byFunction = new Map<string, Handoff[]>();
    for (const r of links.registrations) {
      pushTo(this.registrationsByTarget, r.targetKey, r);
      if (r.in) pushTo(byFunction, r.in, r);
    }
    for (const s of links.slots) {
      pushTo(this.slotsByTarget, s.targetKey, s);
      if (s.in) pushTo(byFunction, s.in, s);
    }
    this.handoffs.set(links.file, byFunction);
  }

  private removeLinks(file: string): void {
    const links = this.links.get(file);
    if (!links) return;
    for (const r of links.registrations) pullFrom(this.registrationsByTarget, r.targetKey, (x) => x.file === file);
    for (const s of links.slots) pullFrom(this.slotsByTarget, s.targetKey, (x) => x.file === file);
    this.links.delete(file);
    this.handoffs.delete(file);
  }

  /**
   * Takes new facts for one file. Returns 'file' when only that file had to be relinked (its declarations are
   * unchanged), 'all' when a declaration changed and every file was relinked.
   */
  update(facts: FileFacts): 'file' | 'all' {
    const previous = this.files.get(facts.file);
    const signature = SymbolTable.declarationSignature(facts);
    const previousSignature = previous && (this.signatures.get(facts.file) ?? SymbolTable.declarationSignature(previous));
    this.signatures.set(facts.file, signature);
    if (signature !== previousSignature) {
      this.files.set(facts.file, facts);
      this.relinkAll();
      return 'all';
    }
    this.symbols.replaceFile(facts);
    this.removeLinks(facts.file);
    this.addLinks(linkFile(this.symbols, this.expander, facts));
    this.changed();
    return 'file';
  }

  remove(file: string): void {
    this.signatures.delete(file);
    if (!this.files.delete(file)) return;
    this.relinkAll();
  }

  linksOf(file: string): FileLinks | undefined {
    return this.links.get(file);
  }

  allLinks(): IterableIterator<FileLinks> {
    return this.links.values();
  }

  callsOf(key: string): EffectiveCall[] {
    return this.links.get(fileOfKey(key))?.callsByFunction.get(nameOfKey(key)) ?? [];
  }

  /** Functions the function hands off as callbacks or stores in slots. */
  handoffsOf(key: string): Handoff[] {
    return this.handoffs.get(fileOfKey(key))?.get(nameOfKey(key)) ?? [];
  }

  registrationsOf(key: string): CallbackRegistration[] {
    return this.registrationsByTarget.get(key) ?? [];
  }

  slotsOf(key: string): SlotRegistration[] {
    return this.slotsByTarget.get(key) ?? [];
  }

  /**
   * Functions of the same file that call this one directly (each once). Same file only: it serves the inference for
   * static helpers, which nothing outside their file can call.
   */
  callersOf(key: string): string[] {
    const file = fileOfKey(key);
    const byCallee = this.memoize(`callers:${file}`, () => {
      const map = new Map<string, Set<string>>();
      for (const [caller, calls] of this.links.get(file)?.callsByFunction ?? []) {
        for (const call of calls) {
          let set = map.get(call.callee);
          if (!set) map.set(call.callee, (set = new Set()));
          set.add(caller);
        }
      }
      return map;
    });
    return [...(byCallee.get(nameOfKey(key)) ?? [])].map((caller) => functionKey(file, caller));
  }

  /** The function definition a callee name refers to from `file`, as a key. */
  resolve(name: string, file: string): string | undefined {
    const target = this.symbols.resolveFunction(name, file);
    return target ? functionKey(target.file, target.item.name) : undefined;
  }

  definitionOf(key: string) {
    const name = nameOfKey(key);
    const file = fileOfKey(key);
    return this.symbols.functions.get(name)?.find((f) => f.file === file)?.item;
  }

  /** Computes once per generation. */
  memoize<T>(name: string, compute: () => T): T {
    if (this.memo.has(name)) return this.memo.get(name) as T;
    return this.remember(name, compute());
  }

  peek<T>(name: string): T | undefined {
    return this.memo.get(name) as T | undefined;
  }

  remember<T>(name: string, value: T): T {
    this.memo.set(name, value);
    return value;
  }
}
