// Rewrites the few SPDK macro idioms that tree-sitter-c cannot parse into plain C that it can, without
// changing the number of lines, so every row tree-sitter reports is the row in the real file.
//
// - `TAILQ_FOREACH(x, head, link) {` and friends become `while        (x, head, link) {` (same length).
// - `TAILQ_HEAD(, elem)` / `TAILQ_HEAD(name, elem)` lose their first argument (same length).
// - File-scope macro invocations that SPDK writes without a trailing `;` (`SPDK_RPC_REGISTER(...)`,
//   `SPDK_BDEV_MODULE_REGISTER(...)`, `SPDK_LOG_REGISTER_COMPONENT(...)`) get one, so they do not swallow
//   the declaration that follows. This is the only rewrite that shifts byte offsets (never rows).
// - Characters outside Latin-1 (typographic quotes and dashes in comments, mostly) become one Latin-1 stand-in each,
//   so the text is held as one-byte. See latin1Text; doc comments are still shown as written.

import { BracketMatcher, docCommentBefore, isWordCode, lineStarts, skipQuoted, statementParenClose } from './cText';
import { endOfDirective } from './functionBodies';

/** A loop macro's name: an uppercase identifier with `_FOREACH` or `_FOR_EACH` after its first letter. */
const LOOP_MACRO_NAME = /^[A-Z][A-Z0-9_]*_FOR_?EACH[A-Z0-9_]*$/;
const LIST_HEAD_NAMES = new Set(['TAILQ', 'STAILQ', 'LIST', 'SLIST', 'CIRCLEQ', 'RB', 'SPLAY']);
/** After a macro name: blanks and the `(` of its arguments. */
const OPEN_PAREN = /\s*\(/y;
/** After `XXX_HEAD(`: the first argument, up to its comma. */
const FIRST_ARGUMENT = /[^,()]*,/y;
const LEADING_HASH = /[ \t]*#/y;
const UPPER_NAME = /[A-Z_][A-Z0-9_]*/y;

export function normalizeSourceForParsing(original: string): string {
  const text = latin1Text(original);
  // Both rewrites keep every length and touch different words, so both are found in the text as read and applied in
  // one copy: a new copy of a large file costs about a millisecond per 300 KB here.
  const edits: Edit[] = [];
  // Each rewrite needs its literal part somewhere in the text; most headers have neither.
  if (text.includes('_FOREACH') || text.includes('_FOR_EACH')) findLoopMacros(text, edits);
  if (text.includes('_HEAD')) findListHeadNames(text, edits);
  return terminateFileScopeMacroStatements(applyEdits(text, edits));
}

const OUTSIDE_LATIN1 = /[^\x00-\xff]/g;

/** Stand-ins that read like the character they replace; any other character outside Latin-1 becomes `?`. */
const LATIN1_STAND_INS = new Map<string, string>([
  ...[...'\u2018\u2019\u201a\u201b\u2032\u201c\u201d\u201e\u201f\u2033'].map((quote): [string, string] => [quote, "'"]),
  ...[...'\u2010\u2011\u2012\u2013\u2014\u2015\u2212'].map((dash): [string, string] => [dash, '-']),
  ['\u2026', '.'],
  ['\u2192', '>'],
  ['\u2190', '<'],
  ['\uff0c', ','],
]);

/**
 * The text with every UTF-16 unit outside Latin-1 replaced by one Latin-1 character (lengths, offsets and rows kept),
 * so V8 holds it as one-byte text (see docs/performance.md). Double quotes become single ones: a `"` inside a string
 * literal would end it. Doc comments are read back from the original (docCommentAsWritten); string arguments keep the
 * stand-ins.
 */
export function latin1Text(text: string): string {
  OUTSIDE_LATIN1.lastIndex = 0;
  if (!OUTSIDE_LATIN1.test(text)) return text;
  const standIns = text.replace(OUTSIDE_LATIN1, (ch) => LATIN1_STAND_INS.get(ch) ?? '?');
  // Every character now fits one byte; a string built by replace() over two-byte text is still two-byte, so copy it
  // into one-byte form.
  return Buffer.from(standIns, 'latin1').toString('latin1');
}

/** Does the file have characters latin1Text replaces? Only then is its original text kept, for its doc comments. */
export function hasTextOutsideLatin1(text: string): boolean {
  OUTSIDE_LATIN1.lastIndex = 0;
  return OUTSIDE_LATIN1.test(text);
}

/** The file as read, for doc comments as written; its line starts are counted on the first doc comment asked for. */
export class OriginalText {
  private starts: Int32Array | undefined;
  constructor(readonly text: string) {}
  lineStart(row: number): number {
    this.starts ??= lineStarts(this.text);
    return this.starts[Math.min(row, this.starts.length) - 1];
  }
}

/**
 * `doc`, read before `start` in a normalized `text`, as the original file has it (stand-ins back to the characters
 * they replaced). Rows never move, so it is looked for on the same row; a `;` the normalizer added earlier on that row
 * moves columns, hence the small shifts. When no match is found, `doc` as read.
 */
export function docCommentAsWritten(doc: string, text: string, row: number, start: number, original: OriginalText): string {
  const column = start - (text.lastIndexOf('\n', start - 1) + 1);
  const lineStart = original.lineStart(row);
  const expected = latin1Text(doc);
  for (let shift = 0; shift <= Math.min(2, column); shift++) {
    const found = docCommentBefore(original.text, lineStart + column - shift);
    if (found !== undefined && latin1Text(found) === expected) return found;
  }
  return doc;
}

/** Replace `length` characters at `start` with `replacement` (of the same length). */
interface Edit {
  start: number;
  replacement: string;
}

function applyEdits(text: string, edits: Edit[]): string {
  if (edits.length === 0) return text;
  edits.sort((a, b) => a.start - b.start);
  let out = '';
  let last = 0;
  for (const edit of edits) {
    out += text.slice(last, edit.start) + edit.replacement;
    last = edit.start + edit.replacement.length;
  }
  return out + text.slice(last);
}

/** `TAILQ_FOREACH(x, head, link)` → `while        (x, head, link)`. Macro definitions are left alone. */
function findLoopMacros(text: string, edits: Edit[]): void {
  // The next `_FOREACH` and `_FOR_EACH` at or after `from`, each searched again only once passed.
  let from = 0;
  let nextForeach = text.indexOf('_FOREACH');
  let nextForEach = text.indexOf('_FOR_EACH');
  for (;;) {
    if (nextForeach >= 0 && nextForeach < from) nextForeach = text.indexOf('_FOREACH', from);
    if (nextForEach >= 0 && nextForEach < from) nextForEach = text.indexOf('_FOR_EACH', from);
    const at = nextForeach < 0 ? nextForEach : nextForEach < 0 ? nextForeach : Math.min(nextForeach, nextForEach);
    if (at < 0) return;
    const start = wordStart(text, at);
    const end = wordEnd(text, at);
    from = end;
    OPEN_PAREN.lastIndex = end;
    if (!OPEN_PAREN.test(text) || !LOOP_MACRO_NAME.test(text.slice(start, end)) || isInDirective(text, start)) continue;
    edits.push({ start, replacement: 'while' + ' '.repeat(end - start - 5) });
  }
}

/** `TAILQ_HEAD(name, elem)` and `TAILQ_HEAD(, elem)` lose their first argument. */
function findListHeadNames(text: string, edits: Edit[]): void {
  for (let at = text.indexOf('_HEAD'); at >= 0; at = text.indexOf('_HEAD', at + 5)) {
    const start = wordStart(text, at);
    if (!LIST_HEAD_NAMES.has(text.slice(start, at))) continue;
    OPEN_PAREN.lastIndex = at + 5;
    if (!OPEN_PAREN.test(text)) continue;
    const argument = OPEN_PAREN.lastIndex;
    FIRST_ARGUMENT.lastIndex = argument;
    if (!FIRST_ARGUMENT.test(text) || isInDirective(text, start)) continue;
    const comma = FIRST_ARGUMENT.lastIndex;
    edits.push({ start: argument, replacement: ' '.repeat(comma - argument) });
    at = comma - 5;
  }
}

function wordStart(text: string, at: number): number {
  let i = at;
  while (i > 0 && isWordCode(text.charCodeAt(i - 1))) i--;
  return i;
}

function wordEnd(text: string, at: number): number {
  let i = at;
  while (i < text.length && isWordCode(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Is `offset` on a preprocessor directive: a line that starts with `#`, or a line continued (`\` at its end) from
 * one? Walks up from the offset's line through the lines that continue into it. A line starts after `\n`, and (as `^`
 * in a multiline regex has it) after a lone `\r`, U+2028 or U+2029 too.
 */
function isInDirective(text: string, offset: number): boolean {
  let lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let limit = offset;
  for (;;) {
    if (startsDirective(text, lineStart, limit)) return true;
    if (lineStart === 0) return false;
    // Is the previous line continued into this one (`\` then an optional `\r` before its newline)?
    let end = lineStart - 2;
    if (end >= 0 && text.charCodeAt(end) === 13) end--;
    if (end < 0 || text.charCodeAt(end) !== 92) return false;
    limit = lineStart - 1;
    lineStart = text.lastIndexOf('\n', lineStart - 2) + 1;
  }
}

/** Does a directive start in [from, limit] of one line: `[ \t]*#` at its start, or after a lone line terminator? */
function startsDirective(text: string, from: number, limit: number): boolean {
  for (let at = from; ; ) {
    LEADING_HASH.lastIndex = at;
    if (LEADING_HASH.test(text)) return true;
    let next = -1;
    for (let i = at; i < limit; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 13 || ch === 0x2028 || ch === 0x2029) {
        next = i + 1;
        break;
      }
    }
    if (next < 0) return false;
    at = next;
  }
}

/**
 * What the scan below must stop at, inside braces: a brace, a quote, a `/` (maybe a comment), a directive (a `#`
 * first on its line). At file scope also a newline followed by an uppercase letter: a macro invocation in column 0.
 * The regex engine skips everything else, which is most of the text.
 */
const TOKENS_IN_BRACES = /[{}"'/]|\n[ \t]*#/g;
const TOKENS_AT_FILE_SCOPE = /[{}"'/]|\n[ \t]*#|\n[A-Z_]/g;
const DIRECTIVE_AT_START = /[ \t]*#/y;

/** Inserts `;` after column-0 macro invocations at brace depth 0 that are not followed by `;`, `{` or `,`. */
function terminateFileScopeMacroStatements(text: string): string {
  const insertAt: number[] = [];
  const parens = new BracketMatcher(text, statementParenClose);
  let depth = 0;
  let from = 0;
  // The first line starts like any other: a macro in column 0, or a directive.
  if (isUpperStart(text.charCodeAt(0))) {
    const end = macroStatementEnd(text, 0, parens);
    if (end > 0) {
      insertAt.push(end);
      from = end;
    }
  }
  DIRECTIVE_AT_START.lastIndex = 0;
  if (from === 0 && DIRECTIVE_AT_START.test(text)) from = endOfDirective(text, DIRECTIVE_AT_START.lastIndex - 1);
  let tokens = TOKENS_AT_FILE_SCOPE;
  tokens.lastIndex = from;
  while (tokens.test(text)) {
    const i = tokens.lastIndex - 1;
    const ch = text.charCodeAt(i);
    let next = -1;
    if (ch === 123 /* { */) depth++;
    else if (ch === 125 /* } */) {
      if (depth > 0) depth--;
    } else if (ch === 34 /* " */ || ch === 39 /* ' */) next = skipQuoted(text, i);
    else if (ch === 47 /* / */) {
      const after = text.charCodeAt(i + 1);
      if (after === 42 /* * */) {
        const close = text.indexOf('*/', i + 2);
        next = close < 0 ? text.length : close + 2;
      } else if (after === 47) {
        const eol = text.indexOf('\n', i);
        next = eol < 0 ? text.length : eol;
      }
    } else if (ch === 35 /* # */) next = endOfDirective(text, i);
    else {
      // A newline at file scope, then an uppercase letter in column 0 (at i): maybe a macro statement.
      const end = macroStatementEnd(text, i, parens);
      if (end > 0) {
        insertAt.push(end);
        next = end;
      }
    }
    const wanted = depth === 0 ? TOKENS_AT_FILE_SCOPE : TOKENS_IN_BRACES;
    if (wanted !== tokens) {
      wanted.lastIndex = tokens.lastIndex;
      tokens = wanted;
    }
    if (next >= 0) tokens.lastIndex = next;
  }
  if (insertAt.length === 0) return text;
  // Concatenation, not Array.join: faster on sliced strings.
  let out = '';
  let last = 0;
  for (const at of insertAt) {
    out += text.slice(last, at) + ';';
    last = at;
  }
  return out + text.slice(last);
}

/**
 * If an uppercase macro invocation `NAME(...)` starts at `start` and is a statement missing its `;` (the file's last
 * statement included), returns the offset just after its `)`.
 */
function macroStatementEnd(text: string, start: number, parens: BracketMatcher): number {
  UPPER_NAME.lastIndex = start;
  const name = UPPER_NAME.exec(text);
  if (!name) return -1;
  let i = start + name[0].length;
  if (text.charCodeAt(i) !== 40 /* ( */) return -1;
  const close = parens.closeOf(i);
  if (close < 0) return -1;
  // What follows on the rest of the line must be blank (or a comment); then the next token decides.
  const next = nextTokenChar(text, close + 1);
  if (next === ';' || next === '{' || next === ',' || next === '=' || next === ')') return -1;
  if (!restOfLineIsBlank(text, close + 1)) return -1;
  return close + 1;
}

function nextTokenChar(text: string, from: number): string {
  let i = from;
  while (i < text.length) {
    const ch = text[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') i++;
    else if (ch === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return '';
      i = close + 2;
    } else if (ch === '/' && text[i + 1] === '/') {
      const eol = text.indexOf('\n', i);
      if (eol < 0) return '';
      i = eol;
    } else return ch;
  }
  return '';
}

function restOfLineIsBlank(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') return true;
    if (ch === ' ' || ch === '\t' || ch === '\r') continue;
    if (ch === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) return true;
    return false;
  }
  return true;
}

function isUpperStart(ch: number): boolean {
  return (ch >= 65 && ch <= 90) || ch === 95;
}
