// Small, fast readers of C text fragments. Tree-sitter finds the boundaries (a call's argument list, a declaration,
// an initializer); these turn the fragment's text into plain data without a WASM round trip per child node.

import { callValue, identValue, textValue, type Parameter, type ValueSummary } from '../facts/fileFacts';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const IDENT_GLOBAL = /[A-Za-z_][A-Za-z0-9_]*/g;
const TYPE_QUALIFIERS = new Set(['const', 'volatile', 'restrict', '__restrict', 'static', 'extern', 'inline', '__inline', '__inline__', 'register', 'auto', 'thread_local', '_Thread_local', '__thread']);
const TYPE_KEYWORDS = new Set([
  'void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', 'bool', '_Bool', 'struct', 'union', 'enum',
  ...TYPE_QUALIFIERS,
]);

export function isIdentifier(text: string): boolean {
  return IDENT.test(text);
}

/** Where a comment or a literal may start: the regex engine finds these, the loop below handles only them. */
const COMMENT_OR_LITERAL = /["'/]/g;

/** Replaces comments with spaces (keeping newlines, so offsets and rows survive) and leaves strings intact. */
export function blankComments(text: string): string {
  if (!text.includes('/')) return text;
  const tokens = COMMENT_OR_LITERAL;
  tokens.lastIndex = 0;
  let out = '';
  let last = 0;
  const n = text.length;
  while (tokens.test(text)) {
    const i = tokens.lastIndex - 1;
    const ch = text.charCodeAt(i);
    if (ch !== 47 /* / */) {
      tokens.lastIndex = skipQuoted(text, i);
      continue;
    }
    const next = text.charCodeAt(i + 1);
    if (next === 42 /* * */) {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? n : close + 2;
      out += text.slice(last, i) + blank(text, i, end);
      last = end;
      tokens.lastIndex = end;
    } else if (next === 47) {
      const eol = text.indexOf('\n', i);
      const end = eol < 0 ? n : eol;
      out += text.slice(last, i) + spaces(end - i);
      last = end;
      tokens.lastIndex = end;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Blanks preprocessor directive lines (with their continuations) so they do not split declarations. */
export function blankPreprocessorLines(text: string): string {
  if (!text.includes('#')) return text;
  return text.replace(/^[ \t]*#(?:[^\n]*\\\r?\n)*[^\n]*/gm, (line) => blank(line, 0, line.length));
}

/** text[from, to) with every character but line feeds replaced by a space. */
function blank(text: string, from: number, to: number): string {
  let newline = text.indexOf('\n', from);
  if (newline < 0 || newline >= to) return spaces(to - from);
  let out = '';
  let at = from;
  while (newline >= 0 && newline < to) {
    out += spaces(newline - at) + '\n';
    at = newline + 1;
    newline = text.indexOf('\n', at);
  }
  return out + spaces(to - at);
}

const SPACES = ' '.repeat(4096);

/** `count` spaces: a view of one shared string, rather than a new one each time. */
export function spaces(count: number): string {
  return count <= SPACES.length ? SPACES.slice(0, count) : ' '.repeat(count);
}

export function skipQuoted(text: string, open: number): number {
  const quote = text.charCodeAt(open);
  let i = open + 1;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === 92) i += 2;
    else if (ch === quote || ch === 10) return i + 1;
    else i++;
  }
  return i;
}

export interface Piece {
  text: string;
  /** Offset of the piece's first character in the text that was split. */
  offset: number;
}

/** Splits at `separator` outside (), [], {} and quotes. Pieces keep their offsets; empty trailing pieces are dropped. */
export function splitTopLevel(text: string, separator: ',' | ';'): Piece[] {
  const sep = separator.charCodeAt(0);
  const pieces: Piece[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 40 || ch === 91 || ch === 123) depth++;
    else if (ch === 41 || ch === 93 || ch === 125) depth--;
    else if (ch === 34 || ch === 39) i = skipQuoted(text, i) - 1;
    else if (ch === sep && depth === 0) {
      pieces.push({ text: text.slice(start, i), offset: start });
      start = i + 1;
    }
  }
  if (text.slice(start).trim() !== '') pieces.push({ text: text.slice(start), offset: start });
  return pieces;
}

/**
 * Index of the bracket closing the one at `open` (any of ( [ {), or -1. With `openers`, leaves there the openers still
 * open where the scan stopped (see BracketMatcher).
 */
export function matchingClose(text: string, open: number, openers?: number[]): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 40 || ch === 91 || ch === 123) {
      depth++;
      openers?.push(i);
    } else if (ch === 41 || ch === 93 || ch === 125) {
      depth--;
      openers?.pop();
      if (depth === 0) return i;
    } else if (ch === 34 || ch === 39) i = skipQuoted(text, i) - 1;
  }
  return -1;
}

/**
 * Index of the `)` closing the `(` at `open` as a file-scope statement reads it: quoted literals and block comments
 * skipped, and -1 when a `{`, `}` or `;` comes first, or the text ends. `openers` as in matchingClose.
 */
export function statementParenClose(text: string, open: number, openers?: number[]): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 40) {
      depth++;
      openers?.push(i);
    } else if (ch === 41) {
      depth--;
      openers?.pop();
      if (depth === 0) return i;
    } else if (ch === 34 || ch === 39) i = skipQuoted(text, i) - 1;
    else if (ch === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return -1;
      i = close + 1;
    } else if (ch === 123 || ch === 125 || ch === 59) return -1; // braces or `;` inside: not a simple invocation
  }
  return -1;
}

/**
 * One matching rule (matchingClose by default, or statementParenClose) asked about many openers of one text. When a
 * scan finds no match, every opener it left open is remembered as unmatched: a body full of unclosed calls (`a(b(` on
 * every line), or a file of unclosed invocations (`A(` on every line), then costs two passes, not one pass per
 * bracket. Matched scans cost what the rule costs.
 */
export class BracketMatcher {
  private unmatched: Set<number> | undefined;

  constructor(
    private readonly text: string,
    private readonly closeFrom: (text: string, open: number, openers?: number[]) => number = matchingClose,
  ) {}

  closeOf(open: number): number {
    if (this.unmatched?.has(open)) return -1;
    const close = this.closeFrom(this.text, open);
    if (close < 0) {
      const openers: number[] = [];
      this.closeFrom(this.text, open, openers);
      const unmatched = (this.unmatched ??= new Set());
      for (const o of openers) unmatched.add(o);
    }
    return close;
  }
}

/** Does `(inner)` look like a cast's type name rather than an expression? */
function looksLikeTypeName(inner: string): boolean {
  const t = inner.trim();
  if (t === '') return false;
  if (/^(struct|union|enum|const|volatile|unsigned|signed)\b/.test(t)) return true;
  // `(void *)`, `(uint64_t)`, `(spdk_msg_fn)`: identifiers and stars only, ending in a type-ish word or `*`.
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\s*\*|\s+[A-Za-z_][A-Za-z0-9_]*)*\s*\**$/.test(t)) return false;
  const words = t.match(IDENT_GLOBAL) ?? [];
  if (t.includes('*')) return true;
  return words.length > 1 || TYPE_KEYWORDS.has(words[0] ?? '') || /_t$|_fn$|_cb$|_cb_t$|_func$|_fn_t$/.test(words[0] ?? '');
}

/** Peels casts, `&`, `*` and parentheses off an expression. */
export function peelExpression(text: string): string {
  let t = text.trim();
  for (let guard = 0; guard < 16; guard++) {
    if (t.startsWith('&') && !t.startsWith('&&')) {
      t = t.slice(1).trim();
      continue;
    }
    if (t.startsWith('*')) {
      t = t.slice(1).trim();
      continue;
    }
    if (t.startsWith('(')) {
      const close = matchingClose(t, 0);
      if (close < 0) break;
      const inner = t.slice(1, close);
      const rest = t.slice(close + 1).trim();
      if (rest === '') {
        t = inner.trim();
        continue;
      }
      // After a type name only a unary operator or an operand can follow: `(spdk_msg_fn)&fn`, `(int)-1`.
      if (looksLikeTypeName(inner) && !/^(?:[,;?:|=<>/%^]|&&)/.test(rest)) {
        t = rest;
        continue;
      }
    }
    break;
  }
  return t;
}

const SIZEOF = /^sizeof\s*\(\s*((?:struct|union)\s+[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*)\s*\)$/;
const CALL = /^([A-Za-z_][A-Za-z0-9_]*)\s*\(/;

/** What an argument or assigned value is, in the shape the linker needs. */
export function summarizeValue(text: string): ValueSummary {
  const t = peelExpression(text);
  if (IDENT.test(t)) return identValue(t);
  if (t.startsWith('"')) return textValue('string', joinStringLiterals(t));
  const sizeofMatch = SIZEOF.exec(t);
  if (sizeofMatch) return textValue('sizeof', sizeofMatch[1].replace(/\s+/g, ' '));
  const call = CALL.exec(t);
  if (call && matchingClose(t, call[0].length - 1) === t.length - 1) return callValue(call[1]);
  return textValue('other', t.length > 48 ? t.slice(0, 45) + '...' : t);
}

/** `"a" "b"` → `ab`; macros between literals (PRIu64) are kept by name. */
function joinStringLiterals(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      const end = skipQuoted(text, i);
      out += text.slice(i + 1, end - 1);
      i = end;
    } else if (/\s/.test(ch)) i++;
    else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
      if (!m) break;
      out += m[0];
      i += m[0].length;
    }
  }
  return out;
}

/** Splits the text of a call's argument list, `(a, b, c)`, into argument texts. */
export function splitArguments(argumentListText: string): Piece[] {
  const open = argumentListText.indexOf('(');
  const close = argumentListText.lastIndexOf(')');
  if (open < 0 || close < open) return [];
  const inner = argumentListText.slice(open + 1, close);
  if (inner.trim() === '') return [];
  const pieces = splitTopLevel(inner, ',');
  for (let i = 0; i < pieces.length; i++) pieces[i].offset += open + 1;
  return pieces;
}

export interface DeclaratorShape {
  name: string;
  /** Pointer stars, array brackets and the like, kept so the type can be written out. */
  pointerDepth: number;
  isArray: boolean;
  /** Parameters when the declarator is a function or function pointer. */
  params?: Parameter[];
  isFunctionPointer: boolean;
  isFunction: boolean;
}

/**
 * Reads a declarator such as `*name`, `name[4]`, `(*name)(int a)`, `name(void *ctx)`, `*const name`.
 * Returns undefined when there is no name (abstract declarators).
 */
export function readDeclarator(text: string): DeclaratorShape | undefined {
  let t = text.trim();
  if (t.includes('__attribute__')) t = t.replace(/__attribute__\s*\(\(.*?\)\)/g, '').trim();
  let pointerDepth = 0;
  while (t.startsWith('*') || /^(const|volatile|restrict|__restrict)\b/.test(t)) {
    if (t.startsWith('*')) {
      pointerDepth++;
      t = t.slice(1).trim();
    } else t = t.replace(/^\w+/, '').trim();
  }
  if (t.startsWith('(')) {
    // Function pointer: `(*name)(params)` or `(*name[4])(params)`.
    const close = matchingClose(t, 0);
    if (close < 0) return undefined;
    const inner = readDeclarator(t.slice(1, close));
    const rest = t.slice(close + 1).trim();
    if (!inner) return undefined;
    if (rest.startsWith('(')) {
      const paramsClose = matchingClose(rest, 0);
      return {
        name: inner.name,
        pointerDepth: inner.pointerDepth,
        isArray: inner.isArray,
        params: readParameterList(rest.slice(0, paramsClose + 1)),
        isFunctionPointer: inner.pointerDepth > 0,
        isFunction: inner.pointerDepth === 0,
      };
    }
    return inner;
  }
  const nameMatch = /^[A-Za-z_][A-Za-z0-9_]*/.exec(t);
  if (!nameMatch) return undefined;
  const rest = t.slice(nameMatch[0].length).trim();
  if (rest.startsWith('(')) {
    const paramsClose = matchingClose(rest, 0);
    return {
      name: nameMatch[0],
      pointerDepth,
      isArray: false,
      params: readParameterList(rest.slice(0, paramsClose + 1)),
      isFunctionPointer: false,
      isFunction: true,
    };
  }
  // Same property order as above, with `params` undefined: one object shape for every declarator.
  return { name: nameMatch[0], pointerDepth, isArray: rest.startsWith('['), params: undefined, isFunctionPointer: false, isFunction: false };
}

/** `(struct spdk_bdev *bdev, spdk_msg_fn fn, void (*cb)(void *))` → names and types as written. */
export function readParameterList(text: string): Parameter[] {
  const pieces = splitArguments(text);
  const params: Parameter[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const p = collapseSpace(pieces[i].text);
    if (p === 'void' || p === '...' || p === '') continue;
    params.push(readParameter(p));
  }
  // At its exact length: the facts keep every parameter list, and a pushed array holds room for 17.
  return params.length > 0 ? params.slice() : params;
}

/** One parameter: `const struct foo *name` → { name, type: 'const struct foo *' }. */
function readParameter(text: string): Parameter {
  const p = collapseSpace(text);
  // Raw function pointer: everything but the name is the type.
  const fnPtr = /\(\s*\*\s*(?:const\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*\)/.exec(p);
  if (fnPtr) {
    return { name: fnPtr[1], type: collapseSpace(p.slice(0, fnPtr.index) + '(*)' + p.slice(fnPtr.index + fnPtr[0].length)) };
  }
  const split = splitTypeAndName(p);
  return split ?? { name: '', type: p };
}

/** `struct foo *x[4]` → { type: 'struct foo *[4]'-ish, name: 'x' }; undefined when there is no declarator name. */
function splitTypeAndName(text: string): Parameter | undefined {
  const t = text.trim();
  const m = trailingDeclaratorName(t);
  if (!m) return undefined;
  const before = t.slice(0, m.index).trim();
  // A lone type word (`int`, `spdk_msg_fn`) or `struct x` has no name after it.
  if (!hasNonQualifierWord(before) || /\b(struct|union|enum)\s*$/.test(before)) return undefined;
  const type = collapseSpace(before + (m[2] ? ' ' + m[2].replace(/\s+/g, '') : ''));
  return { name: m[1], type: type.includes('*') ? type.replace(/\s+\*/g, ' *').replace(/\*\s+\*/g, '**') : type };
}

/** Does `text` hold a word (a letter or `_`, then word characters) that is not a type qualifier? */
function hasNonQualifierWord(text: string): boolean {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isIdentifierStartCode(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isWordCode(text.charCodeAt(j))) j++;
    if (!TYPE_QUALIFIERS.has(text.slice(i, j))) return true;
    i = j;
  }
  return false;
}

/** After a name: blanks and `[...]` groups up to the end of the text. */
const ARRAY_SUFFIX = /\s*(?:\[[^\]]*\]\s*)*$/y;

/**
 * The leftmost `name` followed only by blanks and `[...]` groups, as `/([A-Za-z_]\w*)\s*((?:\[[^\]]*\]\s*)*)$/`
 * finds it, without that regex's quadratic retries inside every word: a match can only start at the first
 * non-digit of a word, and only the word's end decides whether the rest fits.
 */
function trailingDeclaratorName(t: string): { index: number; 1: string; 2: string } | undefined {
  const n = t.length;
  let i = 0;
  while (i < n) {
    if (!isWordCode(t.charCodeAt(i))) {
      i++;
      continue;
    }
    let start = i;
    while (i < n && isWordCode(t.charCodeAt(i))) i++;
    while (start < i && isDigitCode(t.charCodeAt(start))) start++;
    if (start === i) continue;
    ARRAY_SUFFIX.lastIndex = i;
    if (ARRAY_SUFFIX.test(t)) {
      // The group is what follows the blanks: it can only start with `[`.
      let group = i;
      while (group < n && isRegExpSpaceCode(t.charCodeAt(group))) group++;
      return { index: start, 1: t.slice(start, i), 2: t.slice(group) };
    }
  }
  return undefined;
}

/** Is this character code a letter, digit or `_` (what `\w` and `\b` take as a word character)? */
export function isWordCode(ch: number): boolean {
  return isDigitCode(ch) || isIdentifierStartCode(ch);
}

function isIdentifierStartCode(ch: number): boolean {
  return (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122) || ch === 95;
}

/** Is this character code one that `\s` matches, and `trim` removes (JavaScript's white space and line terminators)? */
export function isRegExpSpaceCode(ch: number): boolean {
  if (ch <= 32) return isAsciiSpaceCode(ch);
  if (ch < 0xa0) return false;
  return ch === 0xa0 || ch === 0x1680 || (ch >= 0x2000 && ch <= 0x200a) || ch === 0x2028 || ch === 0x2029 || ch === 0x202f || ch === 0x205f || ch === 0x3000 || ch === 0xfeff;
}

/** Is every character of text[from, to) a space by `isSpace` (isRegExpSpaceCode: empty once trimmed)? */
export function isBlankRange(text: string, from: number, to: number, isSpace: (ch: number) => boolean): boolean {
  for (let i = from; i < to; i++) if (!isSpace(text.charCodeAt(i))) return false;
  return true;
}

export function isDigitCode(ch: number): boolean {
  return ch >= 48 && ch <= 57;
}

export function collapseSpace(text: string): string {
  // Most fragments are printable ASCII with single inner spaces, maybe with blanks around (`ch->done ` before its
  // `=`): those need no regex, only the blanks cut off.
  const n = text.length;
  let first = 0;
  while (first < n && isAsciiSpaceCode(text.charCodeAt(first))) first++;
  let last = n;
  while (last > first && isAsciiSpaceCode(text.charCodeAt(last - 1))) last--;
  for (let i = first; i < last; i++) {
    const ch = text.charCodeAt(i);
    if (ch < 32 || ch > 126 || (ch === 32 && text.charCodeAt(i + 1) === 32)) return text.replace(/\s+/g, ' ').trim();
  }
  return first === 0 && last === n ? text : text.slice(first, last);
}

export function isAsciiSpaceCode(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

/** The base type a declaration names: `static const struct foo` → `struct foo`; `spdk_msg_fn` stays. */
export function baseTypeName(typeText: string): string {
  const t = collapseSpace(typeText.includes('__attribute__') ? typeText.replace(/__attribute__\s*\(\(.*?\)\)/g, ' ') : typeText);
  // `struct a::b` names the anonymous struct of member b of struct a (see extractFacts' readFields).
  const tagged = /\b(struct|union|enum)\s+([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)/.exec(t);
  if (tagged) return `${tagged[1]} ${tagged[2]}`;
  const words = (t.match(IDENT_GLOBAL) ?? []).filter((w) => !TYPE_QUALIFIERS.has(w) && w !== 'SPDK_ATOMIC');
  return words.join(' ');
}

/** Text before `start` ends with a `/** ... *\/` comment (only blank space between): return it cleaned. */
export function docCommentBefore(text: string, start: number): string | undefined {
  let i = start - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  if (i < 1 || text[i] !== '/' || text[i - 1] !== '*') return undefined;
  const open = text.lastIndexOf('/*', i - 2);
  if (open < 0 || text[open + 2] !== '*') return undefined;
  const body = text.slice(open + 3, i - 1);
  // Each line without its leading ` * ` and trailing blanks (no array of lines: one string built as it goes).
  let joined = '';
  for (let from = 0; ; ) {
    const eol = body.indexOf('\n', from);
    if (from > 0) joined += '\n';
    joined += body.slice(from, eol < 0 ? body.length : eol).replace(/^\s*\*\s?/, '').trimEnd();
    if (eol < 0) break;
    from = eol + 1;
  }
  const cleaned = joined.trim();
  return cleaned.length > 4000 ? cleaned.slice(0, 4000) + '…' : cleaned;
}

/**
 * Offsets where each line starts, for turning an offset into a 1-based line with a binary search. Counted first, then
 * filled: no array grown line by line (and copied as it grows).
 */
export function lineStarts(text: string): Int32Array {
  let count = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  const starts = new Int32Array(count);
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[line++] = i + 1;
  return starts;
}

export function lineAt(starts: ArrayLike<number>, offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

export interface DeclarationParts {
  /** Type specifiers and qualifiers, with any struct body removed: `static const struct foo`. */
  specifiers: string;
  declarators: { text: string; initializer?: string; offset: number; initializerOffset?: number }[];
}

/** Splits `static struct foo *a = x, b[2];` into its specifiers and declarators. Struct bodies are dropped. */
export function readDeclaration(text: string): DeclarationParts | undefined {
  let t = text.trimEnd();
  if (t.endsWith(';')) t = t.slice(0, -1);
  t = dropTypeBodies(t);
  // Find where the first declarator starts. The tokens are those of /[A-Za-z_][A-Za-z0-9_]*|\S/g (a name, or any other
  // single character), read in place.
  let declStart = -1;
  let previousWordStart = -1;
  let sawTypeWord = false;
  const n = t.length;
  for (let i = 0; i < n; ) {
    const ch = t.charCodeAt(i);
    if (isRegExpSpaceCode(ch)) {
      i++;
      continue;
    }
    if (isIdentifierStartCode(ch)) {
      let end = i + 1;
      while (end < n && isWordCode(t.charCodeAt(end))) end++;
      if (isAttributeKeyword(t, i, end)) {
        const open = t.indexOf('(', i);
        const close = open < 0 ? -1 : matchingClose(t, open);
        if (close < 0) return undefined;
        i = close + 1;
        continue;
      }
      if (previousWordStart >= 0) sawTypeWord = true;
      previousWordStart = i;
      i = end;
      continue;
    }
    if (ch === 40 && previousWordStart >= 0 && /^[A-Z][A-Z0-9_]*$/.test(t.slice(previousWordStart, i).trim())) {
      // A type-like macro (`TAILQ_HEAD(foo)`, `SPDK_ATOMIC(int)`) followed by more declaration: part of the specifiers.
      const close = matchingClose(t, i);
      const after = close < 0 ? '' : t.slice(close + 1).trim();
      if (close >= 0 && /^[A-Za-z_*(]/.test(after)) {
        i = close + 1;
        sawTypeWord = true;
        previousWordStart = -1;
        continue;
      }
    }
    if (ch === 42 /* * */ || (ch === 40 /* ( */ && (previousWordStart < 0 || !sawTypeWord))) {
      declStart = i;
    } else if (ch === 40 || ch === 61 /* = */ || ch === 44 /* , */ || ch === 91 /* [ */ || ch === 58 /* : */) {
      declStart = previousWordStart;
    } else {
      i++;
      continue;
    }
    break;
  }
  if (declStart < 0) declStart = previousWordStart;
  if (declStart <= 0) return undefined;
  const specifiers = collapseSpace(t.slice(0, declStart));
  if (specifiers === '') return undefined;
  const declarators = splitTopLevel(t.slice(declStart), ',').map((piece) => {
    const eq = topLevelIndexOf(piece.text, '=');
    const offset = declStart + piece.offset;
    // One object shape for both cases (initializer or not).
    if (eq < 0) return { text: piece.text.trim(), initializer: undefined, offset, initializerOffset: undefined };
    return {
      text: piece.text.slice(0, eq).trim(),
      initializer: piece.text.slice(eq + 1),
      offset,
      initializerOffset: offset + eq + 1,
    };
  });
  return { specifiers, declarators };
}

function isAttributeKeyword(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length !== 13 && length !== 10) return false;
  const word = text.slice(start, end);
  return word === '__attribute__' || word === '__declspec';
}

/** `struct foo { ... } x` → `struct foo x`; keeps offsets of what follows by padding with spaces. */
function dropTypeBodies(text: string): string {
  let out = text;
  let from = 0;
  for (;;) {
    const open = out.indexOf('{', from);
    if (open < 0) return out;
    const close = matchingClose(out, open);
    if (close < 0) return out;
    const before = out.slice(0, open).trimEnd();
    if (!/\b(struct|union|enum)(\s+[A-Za-z_][A-Za-z0-9_]*)?$/.test(before) || topLevelIndexOf(before, '=') >= 0) {
      from = close + 1;
      continue;
    }
    out = out.slice(0, open) + spaces(close + 1 - open) + out.slice(close + 1);
    from = close + 1;
  }
}

/** Index of `ch` outside brackets and quotes (for `=`, ignores `==`, `<=`, `>=`, `!=`). */
function topLevelIndexOf(text: string, ch: string): number {
  const code = ch.charCodeAt(0);
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth--;
    else if (c === 34 || c === 39) i = skipQuoted(text, i) - 1;
    else if (c === code && depth === 0) {
      if (ch === '=' && (text[i + 1] === '=' || '=!<>'.includes(text[i - 1] ?? ''))) continue;
      return i;
    }
  }
  return -1;
}
