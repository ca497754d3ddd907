// From a poller's name as thread_get_pollers reports it to the function that runs it. SPDK_POLLER_REGISTER names a
// poller after its function (#fn), but spdk_poller_register_named takes any string, sometimes printed at runtime
// (lib/nvmf/transport.c: snprintf(poller_name, ..., "nvmf_%s", transport name) for nvmf_tgroup_poll, seen as
// "nvmf_TCP"), and spdk_poller_register gives none, so SPDK prints the function's address instead.
import { fileOfKey, nameOfKey, type EffectiveCall } from '../labels/callbackEvidence';
import type { IndexModel } from '../model/indexModel';
import type { FunctionLabels } from '../model/indexTypes';
import type { ValueSummary } from '../facts/fileFacts';

const NAMED_POLLER_API = 'spdk_poller_register_named';
/** Calls that print a name into their first argument, and the index of their format argument. */
const PRINT_INTO: Record<string, number> = { snprintf: 2, sprintf: 1 };

/** One spdk_poller_register_named call whose name is not simply the function's. */
export interface PollerNameRegistration {
  /** The registered function and where it is defined (`file#name`). */
  fn: string;
  fnKey?: string;
  /** The name: literal text, or a printf format (`nvmf_%s`) when `format` is true. */
  name: string;
  format: boolean;
  /** The registration call. */
  file: string;
  line: number;
  in: string;
}

/** One printf conversion (`%s`, `%08lx`, `%" PRIu64` as written after string pasting) or `%%`. */
const CONVERSION = /%%|%[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|j|z|t|L)?[diouxXeEfFgGaAcspn]|%\s*PRI[diouxX]\d+/g;

/** A printf format as a whole-string pattern: each conversion matches any non-empty text, `%%` a percent sign. */
export function pollerNamePattern(format: string): RegExp {
  let source = '';
  const conversion = new RegExp(CONVERSION.source, 'g');
  let last = 0;
  for (let m = conversion.exec(format); m; m = conversion.exec(format)) {
    source += escapeRegExp(format.slice(last, m.index)) + (m[0] === '%%' ? '%' : '.+?');
    last = m.index + m[0].length;
  }
  source += escapeRegExp(format.slice(last));
  return new RegExp(`^${source}$`);
}

/** A format's text outside its conversions. */
function fixedText(format: string): string {
  return format.replace(CONVERSION, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** An argument that names a variable or a field (`poller_name`, `group->name`), as text without spaces. */
function lvalueText(value: ValueSummary | undefined): string | undefined {
  if (value?.kind === 'ident') return value.name;
  if (value?.kind === 'other' && /^[A-Za-z_][\w.>\s-]*$/.test(value.text)) return value.text.replace(/\s+/g, '');
  return undefined;
}

/** What a name argument holds: a literal, or a buffer the same function printed a format into before the call. */
function nameOf(call: EffectiveCall, printCalls: readonly { callee: string; call: EffectiveCall }[]): { name: string; format: boolean } | undefined {
  const arg = call.args[3];
  if (arg?.kind === 'string') return { name: arg.text, format: false };
  const buffer = lvalueText(arg);
  if (buffer === undefined) return undefined;
  // The last print into that buffer above the registration, in the same function.
  let best: { format: string; line: number } | undefined;
  for (const { callee, call: print } of printCalls) {
    const formatIndex = PRINT_INTO[callee];
    const format = formatIndex === undefined ? undefined : print.args[formatIndex];
    if (print.caller !== call.caller || print.line > call.line || lvalueText(print.args[0]) !== buffer || format?.kind !== 'string') continue;
    if (!best || print.line >= best.line) best = { format: format.text, line: print.line };
  }
  return best ? { name: best.format, format: /%/.test(best.format) } : undefined;
}

/** Every spdk_poller_register_named call that names its poller by something else than the function's own name. */
export function pollerNameRegistrations(model: IndexModel): PollerNameRegistration[] {
  return model.memoize('pollerNameRegistrations', () => {
    const out: PollerNameRegistration[] = [];
    for (const links of model.allLinks()) {
      const calls = links.callsByCallee.get(NAMED_POLLER_API);
      if (!calls) continue;
      const printCalls = Object.keys(PRINT_INTO).flatMap((callee) => (links.callsByCallee.get(callee) ?? []).map((call) => ({ callee, call })));
      for (const call of calls) {
        const fnArg = call.args[0];
        if (fnArg?.kind !== 'ident') continue;
        const named = nameOf(call, printCalls);
        if (!named || (!named.format && named.name === fnArg.name)) continue;
        const registration: PollerNameRegistration = { fn: fnArg.name, name: named.name, format: named.format, file: links.file, line: call.line, in: call.caller };
        const key = model.resolve(fnArg.name, links.file);
        if (key) registration.fnKey = key;
        out.push(registration);
      }
    }
    return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  });
}

export type PollerResolution =
  | { fn: FunctionLabels; how: 'function_name' }
  | { fn: FunctionLabels; how: 'registered_name'; registration: PollerNameRegistration }
  | { fn?: undefined; how: 'address'; reason: string }
  | { fn?: undefined; how: 'unknown'; reason: string };

/** A registration's name as a pattern, and the length of its text outside conversions. */
interface NameMatcher {
  name: string;
  pattern: RegExp;
  fixedLength: number;
}

/** Worked out once per registration (each refresh resolves every poller against every registration), again if its name changed. */
const nameMatchers = new WeakMap<PollerNameRegistration, NameMatcher>();

function nameMatcherOf(registration: PollerNameRegistration): NameMatcher {
  let matcher = nameMatchers.get(registration);
  if (matcher?.name !== registration.name) {
    matcher = { name: registration.name, pattern: pollerNamePattern(registration.name), fixedLength: fixedText(registration.name).length };
    nameMatchers.set(registration, matcher);
  }
  return matcher;
}

function isPoller(fn: FunctionLabels): boolean {
  return fn.contexts.some((c) => c.kind === 'poller');
}

/**
 * The function behind a poller name: a function of that name labelled `poller` first, then a registration that gives
 * that name (literal or printf format), then any function of that name.
 */
export function resolvePollerName(name: string, functionsNamed: (name: string) => readonly FunctionLabels[], registrations: readonly PollerNameRegistration[]): PollerResolution {
  const same = functionsNamed(name);
  const poller = same.find(isPoller);
  if (poller) return { fn: poller, how: 'function_name' };
  // A literal name first, then the format with the most fixed text; a format that is only conversions ("%s") says nothing.
  const matching = registrations
    .filter((r) => (r.format ? nameMatcherOf(r).fixedLength > 0 && nameMatcherOf(r).pattern.test(name) : r.name === name))
    .sort((a, b) => Number(a.format) - Number(b.format) || nameMatcherOf(b).fixedLength - nameMatcherOf(a).fixedLength);
  for (const registration of matching) {
    const candidates = functionsNamed(registration.fn);
    const fn = (registration.fnKey ? candidates.find((f) => f.file === fileOfKey(registration.fnKey!) && f.name === nameOfKey(registration.fnKey!)) : undefined) ?? candidates.find(isPoller) ?? candidates[0];
    if (fn) return { fn, how: 'registered_name', registration };
  }
  if (same[0]) return { fn: same[0], how: 'function_name' };
  if (/^0x[0-9a-f]+$/i.test(name)) return { how: 'address', reason: 'registered with spdk_poller_register (no name), so SPDK names it by its function\'s address' };
  return { how: 'unknown', reason: 'no function by that name or registered under it in the indexed tree' };
}
