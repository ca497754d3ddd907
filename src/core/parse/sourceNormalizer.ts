// Rewrites the few SPDK macro idioms that tree-sitter-c cannot parse into plain C that it can, without
// changing the number of lines, so every row tree-sitter reports is the row in the real file.
//
// - `TAILQ_FOREACH(x, head, link) {` and friends become `while        (x, head, link) {` (same length).
// - `TAILQ_HEAD(, elem)` / `TAILQ_HEAD(name, elem)` lose their first argument (same length).
// - File-scope macro invocations that SPDK writes without a trailing `;` (`SPDK_RPC_REGISTER(...)`,
//   `SPDK_BDEV_MODULE_REGISTER(...)`, `SPDK_LOG_REGISTER_COMPONENT(...)`) get one, so they do not swallow
//   the declaration that follows. This is the only rewrite that shifts byte offsets (never rows).

import { skipQuoted } from './cText';
import { endOfDirective } from './functionBodies';

const LOOP_MACRO = /\b([A-Z][A-Z0-9_]*_FOREACH[A-Z0-9_]*|[A-Z][A-Z0-9_]*_FOR_EACH[A-Z0-9_]*)(\s*\()/g;
const LIST_HEAD_MACRO = /\b((?:TAILQ|STAILQ|LIST|SLIST|CIRCLEQ|RB|SPLAY)_HEAD\s*\()([^,()]*),/g;
const UPPER_NAME = /[A-Z_][A-Z0-9_]*/y;

const DIRECTIVE = /^[ \t]*#(?:[^\n]*\\\r?\n)*[^\n]*/gm;

export function normalizeSourceForParsing(text: string): string {
  // Macro definitions are left as written: `#define TAILQ_FOREACH(...)` must stay a definition. Directive spans are
  // only needed when a rewrite matches, so they are found on first use.
  let directives: [number, number][] | undefined;
  const inDirective = (offset: number) => {
    if (!directives) {
      directives = [];
      DIRECTIVE.lastIndex = 0;
      for (let m = DIRECTIVE.exec(text); m; m = DIRECTIVE.exec(text)) directives.push([m.index, m.index + m[0].length]);
    }
    let lo = 0;
    let hi = directives.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (offset < directives[mid][0]) hi = mid - 1;
      else if (offset >= directives[mid][1]) lo = mid + 1;
      else return true;
    }
    return false;
  };
  let out = text;
  // Each regex needs its literal part somewhere in the text; most headers have neither, so skip the regex scan.
  if (text.includes('_FOREACH') || text.includes('_FOR_EACH')) {
    out = out.replace(LOOP_MACRO, (match: string, name: string, paren: string, offset: number) =>
      inDirective(offset) ? match : 'while' + ' '.repeat(name.length - 5) + paren,
    );
  }
  // Offsets below are in `out`, as before: the loop rewrite keeps every length.
  if (out.includes('_HEAD')) {
    out = out.replace(LIST_HEAD_MACRO, (match: string, head: string, first: string, offset: number) =>
      inDirective(offset) ? match : head + ' '.repeat(first.length + 1),
    );
  }
  return terminateFileScopeMacroStatements(out);
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
  let depth = 0;
  let from = 0;
  // The first line starts like any other: a macro in column 0, or a directive.
  if (isUpperStart(text.charCodeAt(0))) {
    const end = macroStatementEnd(text, 0);
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
      const end = macroStatementEnd(text, i);
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
  const parts: string[] = [];
  let last = 0;
  for (const at of insertAt) {
    parts.push(text.slice(last, at), ';');
    last = at;
  }
  parts.push(text.slice(last));
  return parts.join('');
}

/** If an uppercase macro invocation `NAME(...)` starts at `start` and is a statement missing its `;`, returns the offset just after its `)`. */
function macroStatementEnd(text: string, start: number): number {
  UPPER_NAME.lastIndex = start;
  const name = UPPER_NAME.exec(text);
  if (!name) return -1;
  let i = start + name[0].length;
  if (text.charCodeAt(i) !== 40 /* ( */) return -1;
  const close = matchingParen(text, i);
  if (close < 0) return -1;
  // What follows on the rest of the line must be blank (or a comment); then the next token decides.
  const next = nextTokenChar(text, close + 1);
  if (next === '' || next === ';' || next === '{' || next === ',' || next === '=' || next === ')') return -1;
  if (!restOfLineIsBlank(text, close + 1)) return -1;
  return close + 1;
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 40) depth++;
    else if (ch === 41) {
      depth--;
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
