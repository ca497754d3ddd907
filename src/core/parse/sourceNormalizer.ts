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

/** Inserts `;` after column-0 macro invocations at brace depth 0 that are not followed by `;`, `{` or `,`. */
function terminateFileScopeMacroStatements(text: string): string {
  const insertAt: number[] = [];
  let depth = 0;
  let i = 0;
  const n = text.length;
  let lineStart = true;
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (lineStart && depth === 0 && isUpperStart(ch)) {
      const end = macroStatementEnd(text, i);
      if (end > 0) {
        insertAt.push(end);
        i = end;
        lineStart = false;
        continue;
      }
    }
    lineStart = false;
    if (ch === 10 /* \n */) {
      lineStart = true;
      i++;
    } else if (ch === 47 /* / */ && text.charCodeAt(i + 1) === 42 /* * */) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (ch === 47 && text.charCodeAt(i + 1) === 47) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? n : eol;
    } else if (ch === 34 /* " */ || ch === 39 /* ' */) {
      i = skipQuoted(text, i);
    } else if (ch === 35 /* # */ && isFirstOnLine(text, i)) {
      i = endOfDirective(text, i);
    } else {
      if (ch === 123 /* { */) depth++;
      else if (ch === 125 /* } */ && depth > 0) depth--;
      i++;
    }
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

function isFirstOnLine(text: string, at: number): boolean {
  for (let i = at - 1; i >= 0; i--) {
    const ch = text[i];
    if (ch === '\n') return true;
    if (ch !== ' ' && ch !== '\t') return false;
  }
  return true;
}

function isUpperStart(ch: number): boolean {
  return (ch >= 65 && ch <= 90) || ch === 95;
}
