// Splits a file into the skeleton tree-sitter parses (every declaration, with function bodies emptied down to their
// newlines) and the function bodies, which bodyFacts reads with a fast statement scanner. Bodies are most of SPDK's
// text; parsing only the skeleton makes a cold index faster than a full parse, and rows stay those of the file.

import { BracketMatcher, skipQuoted, statementParenClose } from './cText';

export interface BodySpan {
  /** Offset of the body's `{` and `}` in the full (normalized) text. */
  open: number;
  close: number;
}

export interface SeparatedSource {
  skeleton: string;
  /** Skeleton offset of each emptied body's `{` → the body in the full text. */
  bodies: Map<number, BodySpan>;
}

export function separateFunctionBodies(text: string): SeparatedSource {
  const bodies = new Map<number, BodySpan>();
  // Concatenation, not Array.join: faster on sliced strings.
  let skeleton = '';
  let last = 0;
  let shift = 0; // skeleton offset = full offset - shift
  let depth = 0;
  const n = text.length;
  let i = 0;
  let lineStart = true;
  let lastSignificant = -1; // offset of the last non-space, non-comment character at file scope
  let parens: BracketMatcher | undefined;
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === 10) {
      lineStart = true;
      i++;
      continue;
    }
    if (ch === 32 || ch === 9 || ch === 13 || ch === 12 || ch === 11) {
      i++;
      continue;
    }
    if (ch === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf('*/', i + 2);
      if (close >= 0) {
        i = close + 2;
        continue;
      }
      // A comment that never closes runs to the end of the file. Cut, newlines kept: tree-sitter would otherwise look
      // for its end from every `/*` inside it, over the rest of the file each time.
      skeleton += text.slice(last, i) + '\n'.repeat(newlinesIn(text, i, n));
      last = n;
      break;
    }
    if (ch === 47 && text.charCodeAt(i + 1) === 47) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? n : eol;
      continue;
    }
    if (ch === 35 && lineStart) {
      i = endOfDirective(text, i);
      continue;
    }
    if (lineStart && depth === 0 && isUpperStart(ch)) {
      const end = macroMadeFunctionEnd(text, i, (parens ??= new BracketMatcher(text, statementParenClose)));
      if (end > 0) {
        // Cut like a body, newlines kept: tree-sitter has nothing to recover from, and rows stay those of the file.
        skeleton += text.slice(last, i);
        const newlineCount = newlinesIn(text, i, end);
        skeleton += '\n'.repeat(newlineCount);
        shift += end - i - newlineCount;
        last = end;
        i = end;
        lastSignificant = end - 1;
        lineStart = false;
        continue;
      }
    }
    lineStart = false;
    if (ch === 34 || ch === 39) {
      i = skipQuoted(text, i);
      lastSignificant = i - 1;
      continue;
    }
    if (ch === 123 /* { */) {
      if (depth === 0 && text.charCodeAt(lastSignificant) === 41 /* ) */ && !followsAttribute(text, lastSignificant)) {
        // Unbalanced braces (a truncated file, `#if` branches that each open a brace): the body ends at the next
        // `}` in column 0, SPDK's style for a function's end, or at the end of the file.
        const matched = matchBrace(text, i);
        const columnZeroClose = matched > 0 ? -1 : text.indexOf('\n}', i);
        const close = matched > 0 ? matched : columnZeroClose >= 0 ? columnZeroClose + 1 : n;
        // Keep `{`, the body's newlines and `}`: rows are unchanged, the text inside is gone.
        skeleton += text.slice(last, i + 1);
        // Count the body's newlines in place: no copy of the body, and one repeat instead of a string grown per line.
        const newlineCount = newlinesIn(text, i + 1, close);
        skeleton += '\n'.repeat(newlineCount);
        bodies.set(i - shift, { open: i, close });
        shift += close - (i + 1) - newlineCount;
        last = close;
        i = close + 1;
        lastSignificant = close;
        continue;
      }
      // `extern "C" {` wraps declarations without nesting them.
      if (!(depth === 0 && text.charCodeAt(lastSignificant) === 34)) depth++;
    } else if (ch === 125 /* } */) {
      if (depth > 0) depth--;
    }
    lastSignificant = i;
    i++;
  }
  skeleton += text.slice(last);
  return { skeleton, bodies };
}

/**
 * If a statement like `DEFINE_STUB(name, int, (struct x *x), 0);` starts at `start`, the offset just past its `;`;
 * else -1. That is: a macro named in capitals, invoked at file scope, one of whose arguments is a parameter list in
 * parentheses. No C grammar reads such a function-making macro (tree-sitter recovers with an error, slowly) and the
 * index lists nothing from it, so the parser is not shown it.
 */
export function macroMadeFunctionEnd(text: string, start: number, parens = new BracketMatcher(text, statementParenClose)): number {
  const n = text.length;
  let i = start;
  while (i < n && isMacroNameCode(text.charCodeAt(i))) i++;
  while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
  if (i === start || text.charCodeAt(i) !== 40 /* ( */) return -1;
  const close = parens.closeOf(i);
  if (close < 0) return -1;
  // The arguments, split at top-level commas (a scan bounded by the statement itself).
  let depth = 0;
  let argumentStart = i + 1;
  let hasParameterList = false;
  for (let j = i + 1; j < close && !hasParameterList; j++) {
    const ch = text.charCodeAt(j);
    if (ch === 40) depth++;
    else if (ch === 41) depth--;
    else if (ch === 44 && depth === 0) {
      hasParameterList = isParenthesizedParameterList(text, argumentStart, j);
      argumentStart = j + 1;
    } else if (ch === 34 || ch === 39) j = skipQuoted(text, j) - 1;
    else if (ch === 47 && text.charCodeAt(j + 1) === 42) {
      const commentEnd = text.indexOf('*/', j + 2);
      j = commentEnd < 0 ? close : commentEnd + 1;
    }
  }
  if (!hasParameterList) hasParameterList = isParenthesizedParameterList(text, argumentStart, close);
  if (!hasParameterList) return -1;
  let end = close + 1;
  while (end < n && (text.charCodeAt(end) === 32 || text.charCodeAt(end) === 9 || text.charCodeAt(end) === 13)) end++;
  return text.charCodeAt(end) === 59 /* ; */ ? end + 1 : -1;
}

function isMacroNameCode(ch: number): boolean {
  return (ch >= 65 && ch <= 90) || (ch >= 48 && ch <= 57) || ch === 95;
}

function isUpperStart(ch: number): boolean {
  return (ch >= 65 && ch <= 90) || ch === 95;
}

/** One parameter declaration: `void`, or words and `*` (type, then name), maybe an array suffix. */
const PARAMETER_DECLARATION = /^\s*(?:void|[A-Za-z_]\w*(?:\s*\*+\s*|\s+)(?:[A-Za-z_]\w*|\*)[\w\s*]*(?:\[[^\]]*\]\s*)*)\s*$/;

/** Is text[from, to) one parenthesized group, all of it, whose first piece declares a parameter? */
function isParenthesizedParameterList(text: string, from: number, to: number): boolean {
  let a = from;
  let b = to;
  while (a < b && isBlankCode(text.charCodeAt(a))) a++;
  while (b > a && isBlankCode(text.charCodeAt(b - 1))) b--;
  if (text.charCodeAt(a) !== 40 || text.charCodeAt(b - 1) !== 41) return false;
  let depth = 0;
  let firstPieceEnd = -1;
  for (let i = a; i < b; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 40) depth++;
    else if (ch === 41 && --depth === 0 && i !== b - 1) return false; // `(a) + (b)`: not one group
    else if (ch === 44 && depth === 1 && firstPieceEnd < 0) firstPieceEnd = i;
  }
  const pieceEnd = firstPieceEnd < 0 ? b - 1 : firstPieceEnd;
  // A declaration is short; the length check also keeps the regex's backtracking over a huge piece away.
  return pieceEnd - (a + 1) <= 512 && PARAMETER_DECLARATION.test(text.slice(a + 1, pieceEnd));
}

function isBlankCode(ch: number): boolean {
  return ch === 32 || ch === 9 || ch === 10 || ch === 13;
}

/** Line breaks in text[from, to), counted in place: no copy of the span. */
function newlinesIn(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = text.indexOf('\n', from); k >= 0 && k < to; k = text.indexOf('\n', k + 1)) count++;
  return count;
}

/** `__attribute__((packed)) {` opens a struct body, not a function body. */
function followsAttribute(text: string, closeParen: number): boolean {
  let depth = 0;
  for (let i = closeParen; i >= 0; i--) {
    const ch = text.charCodeAt(i);
    if (ch === 41) depth++;
    else if (ch === 40) {
      depth--;
      if (depth === 0) {
        let j = i - 1;
        while (j >= 0 && /\s/.test(text[j])) j--;
        const end = j + 1;
        while (j >= 0 && /[A-Za-z0-9_]/.test(text[j])) j--;
        const word = text.slice(j + 1, end);
        return word === '__attribute__' || word === '__declspec' || word === '__aligned' || word === 'SPDK_PACKED';
      }
    }
  }
  return false;
}

/**
 * What can change the brace depth of C text, or hide braces: a brace, a quote, a `/` (maybe a comment), and a
 * directive (a `#` first on its line). The regex engine skips everything else, faster than a loop over characters.
 */
const BRACE_TOKENS = /[{}"'/]|\n[ \t\r]*#/g;

/** Index of the `}` closing the `{` at `open`, skipping comments, literals and directives; -1 if unbalanced. */
function matchBrace(text: string, open: number): number {
  const tokens = BRACE_TOKENS;
  let depth = 0;
  tokens.lastIndex = open;
  while (tokens.test(text)) {
    const i = tokens.lastIndex - 1;
    const ch = text.charCodeAt(i);
    if (ch === 123 /* { */) depth++;
    else if (ch === 125 /* } */) {
      if (--depth === 0) return i;
    } else if (ch === 34 || ch === 39) tokens.lastIndex = skipQuoted(text, i);
    else if (ch === 47 /* / */) {
      const next = text.charCodeAt(i + 1);
      if (next === 42 /* * */) {
        const close = text.indexOf('*/', i + 2);
        if (close < 0) return -1;
        tokens.lastIndex = close + 2;
      } else if (next === 47) {
        const eol = text.indexOf('\n', i);
        if (eol < 0) return -1;
        tokens.lastIndex = eol;
      }
    } else tokens.lastIndex = endOfDirective(text, i); // `#`: on to the newline that ends the directive
  }
  return -1;
}

/** Offset of the newline ending a preprocessor directive (with its backslash continuations). */
export function endOfDirective(text: string, from: number): number {
  let i = from;
  for (;;) {
    const eol = text.indexOf('\n', i);
    if (eol < 0) return text.length;
    let j = eol - 1;
    if (text.charCodeAt(j) === 13) j--;
    if (text.charCodeAt(j) !== 92) return eol;
    i = eol + 1;
  }
}
