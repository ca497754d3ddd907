// Follows a call of a function-like macro into the calls its body makes, mapping macro parameters to the
// arguments written at the call site: `SPDK_POLLER_REGISTER(fn, arg, 0)` → `spdk_poller_register_named(fn, arg, 0, "fn")`.
import { textValue, type CallSite, type MacroDefinition, type ValueSummary } from '../facts/fileFacts';
import { matchingClose, peelExpression, skipQuoted, splitArguments, summarizeValue } from '../parse/cText';

/** One call a macro body makes; each argument is either a macro parameter or a fixed value. */
interface TemplateCall {
  callee: string;
  /** When the callee itself is a macro parameter (`fn(x)` in the body). */
  calleeParam?: number;
  /** When the callee is pasted from pieces (`get_reg_ ## sz ## _async(...)`): literal text or a parameter's argument. */
  calleePasted?: (string | { param: number })[];
  args: ({ param: number } | { value: ValueSummary })[];
}

/** `.field = param` inside a struct initializer the macro body defines (`struct spdk_trace_register_fn reg = { .reg_fn = fn }`). */
interface TemplateStore {
  structName: string;
  field: string;
  param: number;
}

export interface ExpandedStore {
  structName: string;
  field: string;
  value: ValueSummary;
  macro: string;
}

export interface ExpandedCall {
  callee: string;
  args: ValueSummary[];
  /** Macro written at the call site (the outermost one). */
  macro?: string;
}

const NOT_CALLS = new Set([
  'if', 'while', 'for', 'switch', 'return', 'sizeof', 'typeof', '__typeof__', '__typeof', 'defined', '_Static_assert',
  'static_assert', '__attribute__', '__builtin_expect', 'alignof', '_Alignof', '__alignof__', 'offsetof', '__builtin_offsetof',
  'do', 'else', 'case', '__asm__', 'asm', 'constructor', 'destructor', 'aligned', 'section', 'used', 'unused', 'format',
]);
const MAX_DEPTH = 8;

export class MacroExpander {
  private readonly templates = new WeakMap<MacroDefinition, TemplateCall[]>();
  private readonly storeTemplates = new WeakMap<MacroDefinition, TemplateStore[]>();

  constructor(private readonly lookup: (name: string, fromFile: string) => MacroDefinition | undefined) {}

  isMacro(name: string, fromFile: string): boolean {
    return this.lookup(name, fromFile) !== undefined;
  }

  /** The calls a call site finally makes. A non-macro call yields itself; a macro yields what its body calls. */
  expand(call: Pick<CallSite, 'callee' | 'args'>, fromFile: string): ExpandedCall[] {
    const macro = call.callee ? this.lookup(call.callee, fromFile) : undefined;
    if (!macro) return [{ callee: call.callee, args: call.args }];
    const out: ExpandedCall[] = [];
    this.expandInto(macro, call.args, fromFile, call.callee, 0, out, new Set([macro.name]));
    return out;
  }

  /** Struct fields the macro's body initialises from its arguments (one level of macro only). */
  expandStores(call: Pick<CallSite, 'callee' | 'args'>, fromFile: string): ExpandedStore[] {
    const macro = call.callee ? this.lookup(call.callee, fromFile) : undefined;
    if (!macro) return [];
    let stores = this.storeTemplates.get(macro);
    if (!stores) {
      stores = readStoreTemplates(macro);
      this.storeTemplates.set(macro, stores);
    }
    return stores.flatMap((s) => {
      const value = call.args[s.param];
      return value ? [{ structName: s.structName, field: s.field, value, macro: macro.name }] : [];
    });
  }

  private expandInto(
    macro: MacroDefinition,
    args: ValueSummary[],
    fromFile: string,
    outermost: string,
    depth: number,
    out: ExpandedCall[],
    active: Set<string>,
  ): void {
    // Plain loops with bounds checks: argument lists arrive as arrays of several kinds (see docs/performance.md).
    for (const template of this.templateOf(macro)) {
      // map(), not push(): an exact-size array (the index keeps every expanded call's arguments).
      const mappedArgs: ValueSummary[] = template.args.map((a) => ('param' in a ? (argumentAt(args, a.param) ?? textValue('other', '')) : a.value));
      let callee = template.callee;
      if (template.calleeParam !== undefined) {
        const actual = argumentAt(args, template.calleeParam);
        if (!actual || actual.kind !== 'ident') continue;
        callee = actual.name;
      }
      if (template.calleePasted) {
        let pasted: string | undefined = '';
        for (const piece of template.calleePasted) {
          const text = typeof piece === 'string' ? piece : tokenText(argumentAt(args, piece.param));
          if (text === undefined) {
            pasted = undefined;
            break;
          }
          pasted += text;
        }
        if (pasted === undefined) continue;
        callee = pasted;
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(callee)) continue;
      }
      const inner = depth < MAX_DEPTH && !active.has(callee) ? this.lookup(callee, fromFile) : undefined;
      if (inner) {
        active.add(callee);
        this.expandInto(inner, mappedArgs, fromFile, outermost, depth + 1, out, active);
        active.delete(callee);
      } else out.push({ callee, args: mappedArgs, macro: outermost });
    }
  }

  private templateOf(macro: MacroDefinition): TemplateCall[] {
    let template = this.templates.get(macro);
    if (!template) {
      template = readTemplate(macro);
      this.templates.set(macro, template);
    }
    return template;
  }
}

const CALL_START = /([A-Za-z_][A-Za-z0-9_]*)\s*\(/g;

function readTemplate(macro: MacroDefinition): TemplateCall[] {
  const body = macro.body;
  const paramIndex = new Map(macro.params.map((p, i) => [p === '...' ? '__VA_ARGS__' : p, i]));
  const calls: TemplateCall[] = [];
  CALL_START.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CALL_START.exec(body))) {
    const at = m.index;
    // Skip names inside string literals.
    if (insideString(body, at)) continue;
    const name = m[1];
    if (NOT_CALLS.has(name)) continue;
    const before = body.slice(Math.max(0, at - 2), at);
    const pasted = /((?:[A-Za-z_][A-Za-z0-9_]*\s*##\s*)+)$/.exec(body.slice(0, at));
    if (!pasted && before.endsWith('#')) continue; // a stringified name
    const open = at + m[0].length - 1;
    const close = matchingClose(body, open);
    if (close < 0) continue;
    if (body.slice(close + 1).trimStart().startsWith('##')) continue;
    // A definition (`static void name(void) {`, `__attribute__((constructor)) reg_ ## fn(void) {`) is not a call.
    const prefix = body.slice(0, pasted ? at - pasted[1].length : at).trimEnd();
    const definesFunction = pasted !== null || /(\b(void|int|bool|static|inline|char|long|unsigned|struct\s+[A-Za-z_][A-Za-z0-9_]*)|[*)])$/.test(prefix);
    if (definesFunction && /^\s*\{/.test(body.slice(close + 1))) continue;
    const argTexts = splitArguments(body.slice(open, close + 1)).map((p) => p.text.trim());
    const args = argTexts.map((text) => {
      if (text.includes('##') || text.startsWith('#')) return { value: textValue('other', text) };
      const peeled = peelExpression(text);
      const index = paramIndex.get(peeled);
      if (index !== undefined) return { param: index };
      return { value: summarizeValue(text) };
    });
    const template: TemplateCall = { callee: name, args };
    if (pasted) {
      template.calleePasted = [...pasted[1].split('##').map((p) => p.trim()).filter((p) => p !== ''), name].map((piece) => {
        const index = paramIndex.get(piece);
        return index === undefined ? piece : { param: index };
      });
    } else {
      const calleeParam = paramIndex.get(name);
      if (calleeParam !== undefined) template.calleeParam = calleeParam;
    }
    calls.push(template);
  }
  return calls;
}

function insideString(text: string, at: number): boolean {
  let i = 0;
  while (i < at) {
    const ch = text.charCodeAt(i);
    if (ch === 34 || ch === 39) {
      const end = skipQuoted(text, i);
      if (end > at) return true;
      i = end;
    } else i++;
  }
  return false;
}

const STRUCT_INITIALIZER = /\b(struct|union)\s+([A-Za-z_][A-Za-z0-9_]*)\s+[^=;{}]*=\s*\{/g;

function readStoreTemplates(macro: MacroDefinition): TemplateStore[] {
  const body = macro.body;
  const paramIndex = new Map(macro.params.map((p, i) => [p, i]));
  const stores: TemplateStore[] = [];
  STRUCT_INITIALIZER.lastIndex = 0;
  for (let m = STRUCT_INITIALIZER.exec(body); m; m = STRUCT_INITIALIZER.exec(body)) {
    const open = m.index + m[0].length - 1;
    const close = matchingClose(body, open);
    if (close < 0) continue;
    for (const element of splitArguments(`(${body.slice(open + 1, close)})`)) {
      const designated = /^\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/s.exec(element.text);
      if (!designated) continue;
      const param = paramIndex.get(peelExpression(designated[2]));
      if (param !== undefined) stores.push({ structName: `${m[1]} ${m[2]}`, field: designated[1], param });
    }
  }
  return stores;
}

function argumentAt(args: ValueSummary[], index: number): ValueSummary | undefined {
  return index < args.length ? args[index] : undefined;
}

/** The text a macro argument pastes as: a name, or a literal such as `4`. */
function tokenText(value: ValueSummary | undefined): string | undefined {
  if (!value) return undefined;
  if (value.kind === 'ident') return value.name;
  if (value.kind === 'other' && /^[A-Za-z0-9_]+$/.test(value.text)) return value.text;
  return undefined;
}
