// Reads a function body's statements without a syntax tree: calls with their arguments, field stores, typed locals,
// results of calls kept in struct pointers, and struct initializers. Function bodies are plain C statements, so a
// statement splitter and a few local rules see what a full parse would, at a fraction of its cost.
import {
  baseTypeName,
  BracketMatcher,
  blankComments,
  blankPreprocessorLines,
  collapseSpace,
  isBlankRange,
  isDigitCode,
  isIdentifier,
  isRegExpSpaceCode,
  isWordCode,
  readDeclaration,
  readDeclarator,
  skipQuoted,
  spaces,
  splitArguments,
  summarizeValue,
} from '../parse/cText';
import type { BodySpan } from '../parse/functionBodies';
import { bodyNote, callSite, callSiteAt, fieldStore, fieldStoreAt, identValue, structPath, textValue, typedCallResult, type BodyNote, type CallSite, type FieldStore, type StructPath, type TypedCallResult, type ValueSummary } from './fileFacts';

export interface BodyScope {
  caller: string;
  /** Parameters and locals: name → base type. Filled further as declarations are read. */
  locals: Map<string, string>;
  fileScopeTypes: Map<string, string>;
  /** The function's parameters: where a stored name is one, the store is a callback's (or a context's) fate. */
  params?: ReadonlySet<string>;
}

/** A brace initializer waiting to be read: `{ .f = fn, ... }` of a variable or compound literal. */
export interface PendingInitializer {
  type: string;
  isArray: boolean;
  variable: string;
  text: string;
  offset: number;
  /** The function it is in, once known. */
  scope: InitializerScope | undefined;
}

/** What an initializer needs of the function it is in: its name, and which names are its locals. */
export interface InitializerScope {
  name: string;
  locals: Map<string, string>;
}

/**
 * Every pending initializer is made here, with the same fields in the same order: V8 then reads them all through one
 * object shape (made in four places with three shapes, their reads were megamorphic).
 */
export function pendingInitializer(type: string, isArray: boolean, variable: string, text: string, offset: number, scope: InitializerScope | undefined): PendingInitializer {
  return { type, isArray, variable, text, offset, scope };
}

export interface BodyOutput {
  calls: CallSite[];
  fieldStores: FieldStore[];
  typedCallResults: TypedCallResult[];
  initializers: PendingInitializer[];
  notes: BodyNote[];
}

/**
 * Calls nested deeper than this in one statement, and assignments chained longer, are not read: each reads the rest of
 * its expression, so the cost would grow with the square of the statement. No real code comes near; a generated file might.
 */
const STATEMENT_CHAIN_LIMIT = 256;

const NOT_CALLEES = new Set([
  'if', 'while', 'for', 'switch', 'return', 'sizeof', 'typeof', '__typeof__', '__typeof', '_Alignof', 'alignof', '__alignof__',
  'defined', 'do', 'else', 'case', 'goto', '__attribute__', '__asm__', 'asm', '__asm', '__volatile__', 'volatile', '_Static_assert', 'static_assert',
  'offsetof', '__builtin_offsetof', '__builtin_types_compatible_p', '__extension__', 'void', 'int', 'char', 'long', 'short', 'unsigned', 'signed', 'bool', 'struct', 'union', 'enum',
]);
const STATEMENT_KEYWORDS = /^(return|goto|case|else|do|if|while|for|switch|break|continue|default|sizeof|typeof|__typeof__|__asm__|asm)\b/;
/** `struct foo *x`, `const spdk_msg_fn fn =`, `unsigned int i;`: a type followed by a declarator name. */
const DECLARATION_START =
  /^(?:(?:static|const|volatile|register|extern|unsigned|signed|_Thread_local|__thread|SPDK_ATOMIC)\s+)*(?:(?:struct|union|enum)\s+[A-Za-z_]\w*|[A-Za-z_]\w*)(?:\s+(?:const|volatile|int|long|char|short|double))*(?:\s*\*[\s*]*(?:const\s+|restrict\s+|__restrict\s+)?|\s+)[A-Za-z_]\w*\s*(?:[=;,[]|$)/;
const COMPOUND_LITERAL = /\(\s*((?:struct|union)\s+[A-Za-z_]\w*)\s*(\[\s*\d*\s*\])?\s*\)\s*\{/g;

export function scanFunctionBody(text: string, span: BodySpan, scope: BodyScope, lineOf: (offset: number) => number, out: BodyOutput): void {
  const base = span.open + 1;
  // Before the body's own declarations are read, the scope holds the parameters only.
  scope.params ??= new Set(scope.locals.keys());
  const source = blankPreprocessorLines(blankComments(text.slice(base, span.close)));
  const scan = blankStringContents(source);
  const brackets = new BracketMatcher(scan);
  let threadLocals: Set<string> | undefined;
  forEachStatement(scan, brackets, (start, end, nesting) => {
    // The statement trimmed, cut once.
    let first = start;
    while (first < end && isRegExpSpaceCode(source.charCodeAt(first))) first++;
    if (first === end) return;
    let last = end;
    while (isRegExpSpaceCode(source.charCodeAt(last - 1))) last--;
    const trimmed = source.slice(first, last);
    const at = base + first;
    const isDeclaration = !STATEMENT_KEYWORDS.test(trimmed) && DECLARATION_START.test(trimmed);
    if (isDeclaration) readLocalDeclaration(trimmed, at, scope, lineOf, out);
    else readAssignments(source, scan, start, end, base, scope, lineOf, out);
    readCalls(source, scan, brackets, start, end, base, scope, lineOf, out, guardedFrom(brackets, first, trimmed, nesting));
    if (trimmed.includes('{')) readCompoundLiterals(source, scan, brackets, start, end, base, out);
    if (trimmed.includes('spdk_get_thread') || trimmed.includes('spdk_thread_is_app_thread')) {
      // `thread = spdk_get_thread();` then `assert(thread == dev->unregister_thread);`: the local stands for the call.
      const current = CURRENT_THREAD_LOCAL.exec(trimmed);
      if (current) (threadLocals ??= new Set()).add(current[1]);
      readThreadCheck(trimmed, lineOf(at), scope, out);
    } else if (threadLocals && /^(?:assert|if|else\s+if)\b/.test(trimmed)) {
      const named = trimmed.replace(/\b[A-Za-z_]\w*\b/g, (w) => (threadLocals!.has(w) ? 'spdk_get_thread()' : w));
      if (named !== trimmed) readThreadCheck(named, lineOf(at), scope, out);
    }
  });
  if (BRANCH_CONSTANT.test(scan)) readBranches(scan, brackets, base, scope, lineOf, out);
  readFailureBranches(scan, brackets, base, scope, lineOf, out);
}

const IF_OPEN = /\bif\s*\(/g;
const ELSE_OPEN = /\belse\s*\{/g;
/** The block opens by logging an error: `{ SPDK_ERRLOG(...);`, `{ NVME_CTRLR_ERRLOG(...);`. */
const ERROR_LOG = /^\{?\s*[A-Z_]*ERRLOG\s*\(/;
/** `rc`, `rc != 0`, `rc < 0`, `ret == -ENOMEM`, `spdk_unlikely(rc)`: a status that says the call before failed. */
const FAILED_STATUS = /^\s*(?:spdk_unlikely\s*\()?\s*\(?\s*(?:rc|ret|rv|err|error|status|res|result|[a-z]*errno)\s*(?:!=\s*0|<\s*0|==\s*-\s*E[A-Z]+)?\s*\)?\s*\)?\s*$/;
/** The words ERROR_TEST needs, tested first: most conditions have none of them. */
const ERROR_WORDS = /error|timed_out|success|SUCCESS|FAILED/;
/** `spdk_nvme_cpl_is_pi_error(cpl)`, `!success`, `status != SPDK_BDEV_IO_STATUS_SUCCESS`: a test that finds a failure. */
const ERROR_TEST = /(?<!!\s*)\b\w*is_\w*error\s*\(|(?<!!\s*)\b[\w>.-]*timed_out\b|!\s*\(?\s*\w*success\b|!=\s*\w*SUCCESS\b|==\s*\w*STATUS_FAILED\b/;
/**
 * `if (spdk_likely(spdk_nvme_cpl_is_success(cpl))) goto complete;`, `if (spdk_likely(rc == 0)) return;`: the rest handles
 * the failure. A bare `rc == 0` is not enough: it often tests one of several outcomes (found in the retry list).
 */
const SUCCESS_TEST = /^\s*(?:spdk_likely\s*\(\s*(?:(?<!!\s*)\b\w*is_success\s*\(|!\s*(?:rc|ret|rv|err|error|status|[a-z]*errno)\s*\)|(?:rc|ret|rv|err|error|status|[a-z]*errno)\s*==\s*0\s*\))|(?<!!\s*)\b\w*is_success\s*\()/;
const LEAVES = /(?:\bgoto\s+(\w+)|\breturn\b[^;]*|\bcontinue);\s*\}?\s*$/;
/** The block completes with a success status before it leaves: `{ spdk_bdev_io_complete(io, ..._SUCCESS); continue; }`. */
const COMPLETES_SUCCESS = /\b\w*STATUS_SUCCESS\b/;
/** `now > ctx->keep_alive_timeout_tick`: a deadline passed, the peer or the device failed to answer in time. */
const DEADLINE_PASSED = /[<>]=?\s*[\w>.-]*(?:timeout|deadline|expir)\w*|(?:timeout|deadline|expir)\w*\s*[<>]/i;
/** An errno a failure returns or passes on: -EAGAIN, -EINPROGRESS and -EALREADY are outcomes, not failures. */
const ERRNO = 'E(?!INPROGRESS\\b|AGAIN\\b|ALREADY\\b)[A-Z]+';
/** `return -ENOMEM;`, `goto err;`, `cb_fn(cb_arg, -ENXIO)`, `..._STATUS_FAILED`, an error reply: the block ends the work with an error. */
const EXIT_WITH_ERROR = new RegExp(
  `\\breturn\\s+-\\s*${ERRNO}\\b|\\bgoto\\s+(?:err|error|fail|failed|failure|invalid)\\w*\\s*;|,\\s*-\\s*${ERRNO}\\s*\\)|\\bSTATUS_FAILED\\b|send_error_response`,
);
const ANY_LABEL = /^[ \t]*([A-Za-z_]\w*)[ \t]*:(?!:)/gm;
const CLEANUP_LABEL = /^(cleanup|free\w*|out_\w+)$/;
/** Labels that only failures jump to: `err:`, `error_free:`, `free_fail:`, `invalid:`. */
const ERROR_LABEL = /^(?:(?:err|error|fail|failed|failure|invalid)(?:_\w*)?|\w+_(?:err|error|fail|failed|failure))$/;

/** Where the block around `from` closes (the body's end at the top level): a `return` leaves only what follows in it. */
function enclosingClose(scan: string, from: number): number {
  let depth = 0;
  for (let i = from; i < scan.length; i++) {
    const ch = scan.charCodeAt(i);
    if (ch === 123) depth++;
    else if (ch === 125 && depth-- === 0) return i;
  }
  return scan.length;
}

const SETS_STATUS = /[\w\]>.-]\s*=\s*SPDK_BDEV_IO_STATUS_([A-Z_]+)\b/g;
const RETURNS_ERROR = new RegExp(`\\breturn\\s+(-\\s*${ERRNO})\\s*;`);
/** A call that frees or gives back memory: whether it happens only under a condition is part of the answer. */
const RELEASE_CALL = /\b(?:free|spdk_free|spdk_dma_free|spdk_mempool_put|free_\w+|\w+_free)\s*\(/;

/** A condition as a reader would quote it: one line, at most 80 characters, ASCII (the facts pack stays one-byte). */
function shortCondition(condition: string): string {
  const text = collapseSpace(condition)
    .trim()
    .replace(/^spdk_(?:un)?likely\s*\((.*)\)$/, '$1')
    .trim();
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A `condition` note over a block that releases memory only when its condition holds (the condition, cut to 80). */
function conditionNote(scan: string, open: number, end: number, condition: string, base: number, scope: BodyScope, lineOf: (offset: number) => number, out: BodyOutput): void {
  out.notes.push(bodyNote('branch', scope.caller, lineOf(base + firstStatement(scan, open, end)), 'condition', structPath('', [shortCondition(condition)]), String(lineOf(base + end))));
}

/** Where a block's first statement starts (`{` and blanks skipped): a call in the condition is not inside the block. */
function firstStatement(scan: string, open: number, end: number): number {
  let first = scan.charCodeAt(open) === 123 ? open + 1 : open;
  while (first < end && isRegExpSpaceCode(scan.charCodeAt(first))) first++;
  return first;
}

/** The statement or `{...}` block that follows an `if (...)` closing at `close`: where it starts and where it ends. */
function blockAfter(scan: string, brackets: BracketMatcher, close: number): { next: number; end: number } {
  let next = close + 1;
  while (next < scan.length && isRegExpSpaceCode(scan.charCodeAt(next))) next++;
  return { next, end: scan.charCodeAt(next) === 123 ? brackets.closeOf(next) : scan.indexOf(';', next) };
}

/** A block's own statements, its nested blocks blanked: an error logged in an inner `if` is that `if`'s failure. */
function ownStatements(block: string): string {
  if (!block.startsWith('{')) return block;
  let depth = 0;
  let out = '';
  let from = 0;
  for (let i = 0; i < block.length; i++) {
    const ch = block.charCodeAt(i);
    if (ch === 123 && ++depth === 2) out += block.slice(from, i);
    else if (ch === 125 && depth-- === 2) from = i + 1;
  }
  return out + block.slice(from);
}

/**
 * Where the function handles a failure: an `if` block that logs an error, tests a failed status or leaves with an
 * error, and everything after an error label. A `branch` note named `failure` from its first line to its last.
 */
function readFailureBranches(scan: string, brackets: BracketMatcher, base: number, scope: BodyScope, lineOf: (offset: number) => number, out: BodyOutput): void {
  IF_OPEN.lastIndex = 0;
  for (let m = IF_OPEN.exec(scan); m; m = IF_OPEN.exec(scan)) {
    const open = IF_OPEN.lastIndex - 1;
    const close = brackets.closeOf(open);
    if (close < 0) continue;
    const { next, end } = blockAfter(scan, brackets, close);
    if (end < 0) continue;
    const block = ownStatements(scan.slice(next, end + 1));
    const condition = scan.slice(open + 1, close);
    if (ERROR_LOG.test(block) || FAILED_STATUS.test(condition) || (ERROR_WORDS.test(condition) && ERROR_TEST.test(condition)) || DEADLINE_PASSED.test(condition) || EXIT_WITH_ERROR.test(block)) {
      // From the block's first statement: a call in the condition is what may fail, not the failure's handling.
      const first = firstStatement(scan, next, end);
      // `return -EBUSY;`: what the caller gets back, the one answer a failure of an API gives.
      const exit = RETURNS_ERROR.exec(block);
      const fields = [shortCondition(condition)];
      if (exit) fields.push(`returns ${exit[1].replace(/\s+/g, '')}`);
      // `task->status = SPDK_BDEV_IO_STATUS_NOMEM;` anywhere in the block: the status the failure gives the IO.
      const whole = scan.slice(next, end + 1);
      if (whole.includes('_STATUS_')) for (const m of whole.matchAll(SETS_STATUS)) if (m[1] !== 'SUCCESS' && !fields.includes(`status ${m[1]}`)) fields.push(`status ${m[1]}`);
      out.notes.push(bodyNote('branch', scope.caller, lineOf(base + first), 'failure', structPath('', fields), String(lineOf(base + end))));
      continue;
    }
    if (RELEASE_CALL.test(block)) conditionNote(scan, next, end, condition, base, scope, lineOf, out);
    // The success case leaves early: what follows, up to where it jumps, is the failure's.
    const leaves = SUCCESS_TEST.test(condition) || (block.includes('SUCCESS') && COMPLETES_SUCCESS.test(block)) ? LEAVES.exec(block) : null;
    if (!leaves) continue;
    const target = leaves[1] ? new RegExp(`^[ \\t]*${leaves[1]}[ \\t]*:(?!:)`, 'm').exec(scan.slice(end)) : null;
    const last = target ? end + target.index : enclosingClose(scan, end + 1);
    if (leaves[1] && !target) continue;
    out.notes.push(bodyNote('branch', scope.caller, lineOf(base + end + 1), 'failure', structPath('', [`not ${shortCondition(condition)}`]), String(lineOf(base + last))));
  }
  // `} else { spdk_jsonrpc_send_error_response(...); }`: an else that ends the work with an error.
  ELSE_OPEN.lastIndex = 0;
  for (let m = scan.includes('else') ? ELSE_OPEN.exec(scan) : null; m; m = ELSE_OPEN.exec(scan)) {
    const open = ELSE_OPEN.lastIndex - 1;
    const end = brackets.closeOf(open);
    if (end < 0) continue;
    const block = ownStatements(scan.slice(open, end + 1));
    if (!ERROR_LOG.test(block) && !EXIT_WITH_ERROR.test(block)) continue;
    out.notes.push(bodyNote('branch', scope.caller, lineOf(base + firstStatement(scan, open, end)), 'failure', structPath('', ['else']), String(lineOf(base + end))));
  }
  // One pass over the labels: the first error label, or a cleanup label the success path returned before (reached
  // by failures only: `return; cleanup: free_req(req);`).
  ANY_LABEL.lastIndex = 0;
  for (let label = ANY_LABEL.exec(scan); label; label = ANY_LABEL.exec(scan)) {
    const name = label[1];
    const failing = ERROR_LABEL.test(name) || (CLEANUP_LABEL.test(name) && /\breturn\b[^;{}]*;\s*$/.test(scan.slice(Math.max(0, label.index - 200), label.index)));
    if (!failing) continue;
    out.notes.push(bodyNote('branch', scope.caller, lineOf(base + label.index), 'failure', structPath('', [`${name}:`]), String(lineOf(base + scan.length))));
    break;
  }
}

/** The constants whose branches the lifecycle paths follow: a bdev event's REMOVE case, the RESET IO type. */
const BRANCH_CONSTANT = /\b(SPDK_BDEV_EVENT_REMOVE|SPDK_BDEV_IO_TYPE_RESET)\b/;
const BRANCH_LABEL = /\bcase\s+(SPDK_BDEV_EVENT_REMOVE|SPDK_BDEV_IO_TYPE_RESET)\s*:|\bif\s*\(/g;

/** `case X:` up to the next label of its switch, and `if (t == X) {...}`: a `branch` note from its line to its last. */
function readBranches(scan: string, brackets: BracketMatcher, base: number, scope: BodyScope, lineOf: (offset: number) => number, out: BodyOutput): void {
  const labels = BRANCH_LABEL;
  labels.lastIndex = 0;
  for (let m = labels.exec(scan); m; m = labels.exec(scan)) {
    if (m[1]) {
      const end = caseEnd(scan, labels.lastIndex);
      out.notes.push(bodyNote('branch', scope.caller, lineOf(base + m.index), m[1], structPath('', []), String(lineOf(base + end))));
      continue;
    }
    const open = labels.lastIndex - 1;
    const close = brackets.closeOf(open);
    if (close < 0) continue;
    const condition = /(?:==\s*(SPDK_BDEV_EVENT_REMOVE|SPDK_BDEV_IO_TYPE_RESET)\b|\b(SPDK_BDEV_EVENT_REMOVE|SPDK_BDEV_IO_TYPE_RESET)\s*==)/.exec(scan.slice(open, close));
    if (!condition) continue;
    const { end } = blockAfter(scan, brackets, close);
    if (end < 0) continue;
    out.notes.push(bodyNote('branch', scope.caller, lineOf(base + m.index), condition[1] ?? condition[2], structPath('', []), String(lineOf(base + end))));
  }
}

/** Where a case's statements end: before the next `case`/`default` label of the same switch, or at its closing brace. */
function caseEnd(scan: string, from: number): number {
  let depth = 0;
  const label = /\b(case|default)\b|[{}]/g;
  label.lastIndex = from;
  for (let m = label.exec(scan); m; m = label.exec(scan)) {
    if (m[0] === '{') depth++;
    else if (m[0] === '}') {
      if (depth === 0) return m.index;
      depth--;
    } else if (depth === 0) return lastNonBlankBefore(scan, m.index);
  }
  return scan.length - 1;
}

const QUOTE = /["']/g;

/** Copy of `text` with the inside of string and char literals replaced by spaces, so scans skip them. */
function blankStringContents(text: string): string {
  if (!text.includes('"') && !text.includes("'")) return text;
  const quotes = QUOTE;
  quotes.lastIndex = 0;
  let out = '';
  let last = 0;
  while (quotes.test(text)) {
    const i = quotes.lastIndex - 1;
    const quote = text.charCodeAt(i);
    let j = i + 1;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      if (c === 92) j += 2;
      else if (c === quote || c === 10) break;
      else j++;
    }
    const end = Math.min(j, text.length);
    out += text.slice(last, i + 1) + spaces(end - i - 1);
    last = end;
    quotes.lastIndex = end + 1; // past the closing quote (or the newline that ended an unterminated literal)
  }
  return out + text.slice(last);
}

/** Characters that end or nest a statement; the regex engine skips the rest. */
const STATEMENT_TOKENS = /[()[\]{};]/g;

/**
 * Calls `visit(start, end)` for each statement: split at `;`, `{` and `}` outside parentheses, except that the braces
 * of an initializer (`= {`) or compound literal (`(struct x){`) stay inside their statement.
 */
function forEachStatement(scan: string, brackets: BracketMatcher, visit: (start: number, end: number, nesting: number) => void): void {
  const tokens = STATEMENT_TOKENS;
  let depth = 0;
  // How many blocks of the body the statement is in: 0 for the body's own statements.
  let nesting = 0;
  let start = 0;
  const n = scan.length;
  tokens.lastIndex = 0;
  while (tokens.test(scan)) {
    const i = tokens.lastIndex - 1;
    const ch = scan.charCodeAt(i);
    if (ch === 40 || ch === 91) depth++;
    else if (ch === 41 || ch === 93) depth = depth > 0 ? depth - 1 : 0;
    else if (depth === 0 && (ch === 59 || ch === 125)) {
      visit(start, i, nesting);
      start = i + 1;
      if (ch === 125 && nesting > 0) nesting--;
    } else if (ch === 123) {
      const lastSignificant = lastNonBlankBefore(scan, i);
      const prev = lastSignificant >= 0 ? scan.charCodeAt(lastSignificant) : 0;
      if (prev === 61 /* = */ || prev === 44 /* , */ || (prev === 41 && isCompoundLiteralParen(scan, lastSignificant)) || depth > 0) {
        const close = brackets.closeOf(i);
        if (close > 0) {
          tokens.lastIndex = close + 1;
          continue;
        }
      }
      if (depth === 0) {
        visit(start, i, nesting);
        start = i + 1;
        nesting++;
      }
    }
  }
  if (start < n) visit(start, n, nesting);
}

/** A statement of the body made only on some paths: `else …`, a loop, a case (an `if` or `while` after its condition). */
const GUARDED_STATEMENT = /^(?:else|case|default|for|do)\b|^[A-Z_]*FOREACH\w*\s*\(/;
const CONDITION_FIRST = /^(?:if|while|switch)\s*\(/;

/** Where the calls of a statement stop being made on every path through the function (`Infinity`: never). */
function guardedFrom(brackets: BracketMatcher, first: number, trimmed: string, nesting: number): number {
  if (nesting > 0 || GUARDED_STATEMENT.test(trimmed)) return first;
  const condition = CONDITION_FIRST.exec(trimmed);
  if (!condition) return Infinity;
  const close = brackets.closeOf(first + condition[0].length - 1);
  return close < 0 ? first : close + 1;
}

/** Offset of the last character before `at` that is not a space, tab or line break; -1 if none. */
function lastNonBlankBefore(text: string, at: number): number {
  let i = at - 1;
  while (i >= 0) {
    const ch = text.charCodeAt(i);
    if (ch !== 32 && ch !== 9 && ch !== 10 && ch !== 13) return i;
    i--;
  }
  return -1;
}

function isCompoundLiteralParen(scan: string, closeParen: number): boolean {
  let depth = 0;
  for (let i = closeParen; i >= 0; i--) {
    const ch = scan.charCodeAt(i);
    if (ch === 41) depth++;
    else if (ch === 40 && --depth === 0) return /^\(\s*(struct|union)\s+[A-Za-z_]\w*\s*(\[\s*\d*\s*\])?\s*\)$/.test(scan.slice(i, closeParen + 1));
  }
  return false;
}

function readLocalDeclaration(statement: string, at: number, scope: BodyScope, lineOf: (offset: number) => number, out: BodyOutput): void {
  const parts = readDeclaration(statement);
  if (!parts) return;
  const type = baseTypeName(parts.specifiers);
  for (const d of parts.declarators) {
    const shape = readDeclarator(d.text);
    if (!shape || shape.isFunction) continue;
    scope.locals.set(shape.name, type);
    if (d.initializer === undefined || d.initializerOffset === undefined) continue;
    const init = d.initializer.trim();
    const initAt = at + d.initializerOffset + (d.initializer.length - d.initializer.trimStart().length);
    if (init.startsWith('{')) {
      if (/^(struct|union) /.test(type)) out.initializers.push(pendingInitializer(type, shape.isArray, shape.name, init, initAt, undefined));
      continue;
    }
    const value = summarizeValue(init);
    if (value.kind === 'call' && /^(struct|union) /.test(type)) {
      out.typedCallResults.push(typedCallResult(value.callee, type, lineOf(initAt), scope.caller, shape.name));
    } else if (value.kind === 'ident' && /^(struct|union) /.test(type) && scope.locals.get(value.name) === 'void') {
      out.notes.push(bodyNote('cast', scope.caller, lineOf(initAt), value.name, structPath(type, []), shape.name));
    }
  }
}

function readAssignments(source: string, scan: string, start: number, end: number, base: number, scope: BodyScope, lineOf: (offset: number) => number, out: BodyOutput): void {
  // Each assignment reads the rest of its expression: a chain (`a = b = c = ...`) past this many is not read further.
  let budget = STATEMENT_CHAIN_LIMIT;
  for (let i = scan.indexOf('=', start); i >= 0 && i < end && budget > 0; i = scan.indexOf('=', i + 1)) {
    const next = scan.charCodeAt(i + 1);
    const prev = scan.charCodeAt(i - 1);
    if (next === 61) {
      i++;
      continue;
    }
    if (prev === 61 || prev === 33 || prev === 60 || prev === 62 || prev === 43 || prev === 45 || prev === 42 || prev === 47 || prev === 37 || prev === 38 || prev === 124 || prev === 94) continue;
    const lhsStart = lvalueStart(scan, i - 1, start);
    if (lhsStart < 0) continue;
    budget--;
    const rhsEnd = expressionEnd(scan, i + 1, end);
    recordAssignment(source.slice(lhsStart, i), source.slice(i + 1, rhsEnd), lineOf(base + lhsStart), lineOf(base + i), scope, out);
  }
}

/**
 * What one assignment tells: `x = f()` with x a struct pointer is a typed call result; `a->b.cb = fn` (or `= f()`)
 * is a field store, typed through the locals and file-scope variables. Shared by the body scanner and by
 * extractFacts for bodies tree-sitter parsed itself.
 */
export function recordAssignment(
  lhsText: string,
  valueText: string,
  lhsLine: number,
  valueLine: number,
  scope: BodyScope,
  out: Pick<BodyOutput, 'fieldStores' | 'typedCallResults'> & { notes?: BodyNote[] },
): void {
  const lhs = collapseSpace(lhsText);
  const value = summarizeValue(valueText);
  if (isIdentifier(lhs)) {
    const type = scope.locals.get(lhs) ?? scope.fileScopeTypes.get(lhs);
    if (value.kind === 'call' && type && /^(struct|union) /.test(type)) {
      out.typedCallResults.push(typedCallResult(value.callee, type, valueLine, scope.caller, lhs));
    } else if (value.kind === 'ident' && type && /^(struct|union) /.test(type) && scope.locals.get(value.name) === 'void') {
      out.notes?.push(bodyNote('cast', scope.caller, valueLine, value.name, structPath(type, []), lhs));
    }
    return;
  }
  if (value.kind !== 'ident' && value.kind !== 'call') return;
  const access = readFieldAccess(lhs);
  // A plain local or parameter on the right is never a function name, but where it goes is a callback's fate.
  if (value.kind === 'ident' && scope.locals.has(value.name)) {
    const path = scope.params?.has(value.name) ? typedFieldPath(scope, lhs) : undefined;
    if (path) out.notes?.push(bodyNote('store', scope.caller, lhsLine, value.name, path, ''));
    return;
  }
  if (!access) return;
  const rootType = typeOfName(scope, access.base);
  out.fieldStores.push(fieldStore(structPath(rootType ?? '', access.fields), access.field, undefined, value, lhsLine, scope.caller, undefined, rootType ? undefined : access.base));
}

function isBlank(ch: number): boolean {
  return ch === 32 || ch === 9 || ch === 10 || ch === 13;
}

/** Start of the lvalue that ends at `from` (inclusive): names joined by `->`, `.`, subscripts and `(*p)`. */
function lvalueStart(scan: string, from: number, limit: number): number {
  let i = from;
  while (i >= limit && (scan.charCodeAt(i) === 32 || scan.charCodeAt(i) === 9 || scan.charCodeAt(i) === 10)) i--;
  let sawName = false;
  for (;;) {
    if (i < limit) break;
    const ch = scan.charCodeAt(i);
    if (isWordCode(ch)) {
      while (i >= limit && isWordCode(scan.charCodeAt(i))) i--;
      sawName = true;
    } else if (ch === 93 /* ] */) {
      let depth = 0;
      for (; i >= limit; i--) {
        const c = scan.charCodeAt(i);
        if (c === 93) depth++;
        else if (c === 91 && --depth === 0) break;
      }
      i--;
      while (i >= limit && (scan.charCodeAt(i) === 32 || scan.charCodeAt(i) === 9)) i--;
      continue; // the subscripted name comes next
    } else break;
    // Continue only through a member access: `->` or `.` (with optional spaces), or a parenthesised base `(*p)->`.
    let j = i;
    while (j >= limit && (scan.charCodeAt(j) === 32 || scan.charCodeAt(j) === 9 || scan.charCodeAt(j) === 10)) j--;
    if (j >= limit && scan.charCodeAt(j) === 46 /* . */) i = j - 1;
    else if (j >= limit + 1 && scan.charCodeAt(j) === 62 && scan.charCodeAt(j - 1) === 45) i = j - 2;
    else break;
    while (i >= limit && (scan.charCodeAt(i) === 32 || scan.charCodeAt(i) === 9 || scan.charCodeAt(i) === 10)) i--;
    if (i >= limit && scan.charCodeAt(i) === 41 /* ) */) {
      let depth = 0;
      for (; i >= limit; i--) {
        const c = scan.charCodeAt(i);
        if (c === 41) depth++;
        else if (c === 40 && --depth === 0) break;
      }
      return i >= limit ? i : -1;
    }
  }
  return sawName ? i + 1 : -1;
}

/** End of an assigned expression: the first `;`, `,` or unbalanced `)` after `from`. */
function expressionEnd(scan: string, from: number, limit: number): number {
  let depth = 0;
  for (let i = from; i < limit; i++) {
    const ch = scan.charCodeAt(i);
    if (ch === 40 || ch === 91 || ch === 123) depth++;
    else if (ch === 41 || ch === 93 || ch === 125) {
      if (depth === 0) return i;
      depth--;
    } else if ((ch === 44 || ch === 59) && depth === 0) return i;
  }
  return limit;
}

function readCalls(
  source: string,
  scan: string,
  brackets: BracketMatcher,
  start: number,
  end: number,
  base: number,
  scope: BodyScope,
  lineOf: (offset: number) => number,
  out: BodyOutput,
  guardedAt: number,
): void {
  const caller = scope.caller;
  // How deep in parentheses each `(` is, counted as the loop goes (one pass over the statement).
  let depth = 0;
  let counted = start;
  // Every `(` that follows a name (spaces allowed) opens a call, unless the name is a keyword.
  for (let open = scan.indexOf('(', start); open >= 0 && open < end; open = scan.indexOf('(', open + 1)) {
    for (; counted < open; counted++) {
      const ch = scan.charCodeAt(counted);
      if (ch === 40) depth++;
      else if (ch === 41 && depth > 0) depth--;
    }
    // Each call reads all its arguments, so calls nested ever deeper would cost the square of their length.
    if (depth >= STATEMENT_CHAIN_LIMIT) continue;
    let nameEnd = open;
    while (nameEnd > start && isBlank(scan.charCodeAt(nameEnd - 1))) nameEnd--;
    let at = nameEnd;
    while (at > start && isWordCode(scan.charCodeAt(at - 1))) at--;
    if (at === nameEnd) continue;
    const first = scan.charCodeAt(at);
    if (first >= 48 && first <= 57) continue;
    const name = scan.slice(at, nameEnd);
    if (NOT_CALLEES.has(name)) continue;
    const close = brackets.closeOf(open);
    if (close < 0 || close > end) continue;
    let p = at - 1;
    while (p >= 0 && (scan.charCodeAt(p) === 32 || scan.charCodeAt(p) === 9 || scan.charCodeAt(p) === 10)) p--;
    const viaField = p >= 0 && (scan.charCodeAt(p) === 46 || (scan.charCodeAt(p) === 62 && scan.charCodeAt(p - 1) === 45));
    const args = readArguments(source, open, close, scope.locals);
    const line = lineOf(base + at);
    const guarded = at >= guardedAt;
    out.calls.push(viaField ? callSite('', name, line, caller, args, guarded) : callSite(name, undefined, line, caller, args, guarded));
    if (viaField) {
      const path = accessPathBefore(scan, p, start, scope);
      if (path) out.notes.push(bodyNote('field_call', caller, line, name, path, ''));
    } else if (QUEUE_OP.test(name)) readQueueOp(name, source.slice(open, close + 1), line, scope, out);
    else if (hasAmpersand(scan, open, close)) readFieldAddressArguments(name, source.slice(open, close + 1), line, scope, out);
  }
}

/** The typed object a member access ends at: `a->b.` before position `dot` (the `.` or the `>` of `->`). */
function accessPathBefore(scan: string, dot: number, limit: number, scope: BodyScope) {
  const from = scan.charCodeAt(dot) === 62 ? dot - 2 : dot - 1;
  const begin = lvalueStart(scan, from, limit);
  if (begin < 0) return undefined;
  const path = typedFieldPath(scope, `${scan.slice(begin, from + 1)}.x`);
  return path && structPath(path.rootType, path.fields.slice(0, -1));
}

function typeOfName(scope: BodyScope, name: string): string | undefined {
  return scope.locals.get(name) ?? scope.fileScopeTypes.get(name);
}

/** `a->b.c` as a struct path (a's declared type, then b and c); undefined when a's type is not known here. */
function typedFieldPath(scope: BodyScope, text: string): StructPath | undefined {
  const access = readFieldAccess(text);
  const rootType = access && typeOfName(scope, access.base);
  return access && rootType ? structPath(rootType, [...access.fields, access.field]) : undefined;
}

/** List and ring operations whose list is a struct field: where work is queued, and where it is taken off. */
const QUEUE_OP = /^(?:(?:TAILQ|STAILQ|LIST|SLIST|CIRCLEQ)_(?:INSERT\w*|REMOVE\w*|FIRST|FOREACH\w*|SWAP|CONCAT)|spdk_ring_(?:enqueue|dequeue))$/;

function readQueueOp(name: string, argumentList: string, line: number, scope: BodyScope, out: BodyOutput): void {
  const pieces = splitArguments(argumentList);
  const list = pieces[name.includes('FOREACH') ? 1 : 0];
  if (!list) return;
  const written = list.text.trim();
  const text = written.replace(/^&\s*/, '');
  const detail = /INSERT|CONCAT|enqueue/.test(name) ? 'insert' : 'remove';
  // A list the function was handed (a `head` pointer, often declared through a macro type): its caller says which.
  if (written === text && isIdentifier(text) && !scope.fileScopeTypes.has(text)) {
    out.notes.push(bodyNote('queue', scope.caller, line, name, structPath('', [text]), detail));
    return;
  }
  const path = typedFieldPath(scope, text);
  if (path) out.notes.push(bodyNote('queue', scope.caller, line, name, path, detail));
  // `TAILQ_SWAP(&local, &ch->done, ...)` and `TAILQ_CONCAT(&local, &ch->done, ...)` take every item off the second list.
  if (/_(SWAP|CONCAT)$/.test(name) && pieces[1]) {
    const second = typedFieldPath(scope, pieces[1].text.trim().replace(/^&\s*/, ''));
    if (second) out.notes.push(bodyNote('queue', scope.caller, line, name, second, 'remove'));
  }
}

function hasAmpersand(scan: string, open: number, close: number): boolean {
  const at = scan.indexOf('&', open);
  return at >= 0 && at < close;
}

const FIELD_ADDRESS = /^&\s*[A-Za-z_]\w*\s*(?:->|\.)/;

/** `helper(&ch->queued, ...)`: a list (or any field) handed to another function by address, for the queue links. */
function readFieldAddressArguments(name: string, argumentList: string, line: number, scope: BodyScope, out: BodyOutput): void {
  splitArguments(argumentList).forEach((piece, index) => {
    const text = piece.text.trim();
    if (!FIELD_ADDRESS.test(text)) return;
    const path = typedFieldPath(scope, text.replace(/^&\s*/, ''));
    if (path) out.notes.push(bodyNote('field_address', scope.caller, line, name, path, String(index)));
  });
}

/** `thread = spdk_get_thread()`, `struct spdk_thread *thread = spdk_get_thread()`: a local that names the current thread. */
const CURRENT_THREAD_LOCAL = /^(?:struct\s+spdk_thread\s*\*\s*)?([A-Za-z_]\w*)\s*=\s*spdk_get_thread\s*\(\s*\)$/;
const CHANNEL_THREAD_CHECK = /spdk_io_channel_get_thread\s*\([^()]*(?:\([^()]*\)[^()]*)*\)\s*[!=]=\s*spdk_get_thread\s*\(\s*\)|spdk_get_thread\s*\(\s*\)\s*[!=]=\s*spdk_io_channel_get_thread\s*\(/;
const OWNER_CHECK = /([A-Za-z_][\w]*(?:\s*(?:->|\.)\s*[A-Za-z_]\w*)+)\s*[!=]=\s*spdk_get_thread\s*\(\s*\)|spdk_get_thread\s*\(\s*\)\s*[!=]=\s*([A-Za-z_][\w]*(?:\s*(?:->|\.)\s*[A-Za-z_]\w*)+)/;

/** `assert(spdk_thread_is_app_thread(NULL))`, `assert(x->thread == spdk_get_thread())`, and the same as `if` guards. */
function readThreadCheck(statement: string, line: number, scope: BodyScope, out: BodyOutput): void {
  const detail = /^assert\s*\(/.test(statement) ? 'assert' : /^(?:if|else\s+if)\b/.test(statement) ? 'guard' : '';
  if (!detail) return;
  if (/spdk_thread_is_app_thread\s*\(/.test(statement) && (detail === 'assert' || /!\s*spdk_thread_is_app_thread/.test(statement))) {
    out.notes.push(bodyNote('thread_check', scope.caller, line, 'app_thread', structPath('', []), detail));
    return;
  }
  // `assert(spdk_io_channel_get_thread(ch->parent) == spdk_get_thread())`: on the thread of a channel.
  if (CHANNEL_THREAD_CHECK.test(statement)) {
    out.notes.push(bodyNote('thread_check', scope.caller, line, 'channel_thread', structPath('', []), detail));
    return;
  }
  const m = OWNER_CHECK.exec(statement);
  const path = m ? typedFieldPath(scope, m[1] ?? m[2]) : undefined;
  if (path) out.notes.push(bodyNote('thread_check', scope.caller, line, 'owner', path, detail));
}

/**
 * The arguments of the call whose `(` is at `open` in `source` and whose matching bracket is at `bracket`: what
 * `splitArguments(source.slice(open, bracket + 1)).map((a) => summarizeValue(a.text))` gives, read in place. Most
 * arguments are a plain name; those are recognised without cutting the argument list into pieces first.
 */
function readArguments(source: string, open: number, bracket: number, locals: Map<string, string>): ValueSummary[] {
  // As splitArguments: the list ends at its last `)` (the bracket that matched `(` can be a stray `]` in broken code);
  // `()`, or only blanks, has no argument; a blank last piece is dropped.
  const close = source.lastIndexOf(')', bracket);
  if (close < open || isBlankRange(source, open + 1, close, isRegExpSpaceCode)) return [];
  // Gathered in a scratch array and copied out at their exact count: an array grown by push holds room for 17, and
  // the index keeps every call's arguments (on SPDK master, 16 MB of empty slots for the collector to copy).
  const args = ARGUMENTS_SCRATCH;
  let count = 0;
  let start = open + 1;
  let depth = 0;
  for (let i = start; i < close; i++) {
    const ch = source.charCodeAt(i);
    if (ch === 40 || ch === 91 || ch === 123) depth++;
    else if (ch === 41 || ch === 93 || ch === 125) depth--;
    else if (ch === 34 || ch === 39) i = Math.min(skipQuoted(source, i), close) - 1;
    else if (ch === 44 && depth === 0) {
      args[count++] = argumentValue(source, start, i, locals);
      start = i + 1;
    }
  }
  if (!isBlankRange(source, start, close, isRegExpSpaceCode)) args[count++] = argumentValue(source, start, close, locals);
  return args.slice(0, count);
}

const ARGUMENTS_SCRATCH: ValueSummary[] = [];

/** One argument's summary; a parameter or local passed on is a value, not a function name, even when a function of that name exists. */
function argumentValue(source: string, from: number, to: number, locals: Map<string, string>): ValueSummary {
  let a = from;
  let b = to;
  while (a < b && isRegExpSpaceCode(source.charCodeAt(a))) a++;
  while (b > a && isRegExpSpaceCode(source.charCodeAt(b - 1))) b--;
  let value: ValueSummary;
  if (a < b && isIdentifierRange(source, a, b)) value = identValue(source.slice(a, b));
  else value = summarizeValue(source.slice(from, to));
  return value.kind === 'ident' && locals.has(value.name) ? textValue('other', value.name) : value;
}

/** Is text[from, to) a C identifier (not starting with a digit)? */
function isIdentifierRange(text: string, from: number, to: number): boolean {
  if (isDigitCode(text.charCodeAt(from))) return false;
  for (let i = from; i < to; i++) if (!isWordCode(text.charCodeAt(i))) return false;
  return true;
}

function readCompoundLiterals(source: string, scan: string, brackets: BracketMatcher, start: number, end: number, base: number, out: BodyOutput): void {
  const statement = scan.slice(start, end);
  COMPOUND_LITERAL.lastIndex = 0;
  for (let m = COMPOUND_LITERAL.exec(statement); m; m = COMPOUND_LITERAL.exec(statement)) {
    const open = start + m.index + m[0].length - 1;
    const close = brackets.closeOf(open);
    if (close < 0) continue;
    out.initializers.push(pendingInitializer(baseTypeName(m[1]), Boolean(m[2]), '', source.slice(open, close + 1), base + open, undefined));
  }
}

/** `a->b.c->d` → base `a`, fields [b, c], field d. Subscripts and derefs are dropped. */
export function readFieldAccess(text: string): { base: string; fields: string[]; field: string } | undefined {
  const t = text.replace(/\[[^\]]*\]/g, '').replace(/^[(*\s]+/, '').replace(/\)/g, '');
  const parts = t.split(/\s*(?:->|\.)\s*/);
  if (parts.length < 2 || !parts.every(isIdentifier)) return undefined;
  return { base: parts[0], fields: parts.slice(1, -1), field: parts[parts.length - 1] };
}

interface CachedBody {
  /** Everything the scan produced, with lines relative to the body's `{` line and offsets relative to the `{`. */
  output: BodyOutput;
  locals: [string, string][];
}

/**
 * Remembers what each body of an open document produced, keyed by its text, function name and parameters, so a
 * keystroke rescans only the body it touched. Lines are stored relative to the body, so edits above move them.
 */
export class BodyScanCache {
  /** By body text, then by function name and parameters: the body's text is never copied into a longer key. */
  private entries = new Map<string, Map<string, CachedBody>>();
  private used = new Map<string, Map<string, CachedBody>>();
  private fileScopeSignature = '';

  /** Starts one extraction; file-scope variable types feed the scan, so a change in them empties the cache. */
  begin(fileScopeTypes: Map<string, string>): void {
    const signature = JSON.stringify([...fileScopeTypes]);
    if (signature !== this.fileScopeSignature) this.entries.clear();
    this.fileScopeSignature = signature;
    this.used = new Map();
  }

  /** Ends one extraction: bodies that no longer exist are forgotten. */
  end(): void {
    this.entries = this.used;
  }

  scan(text: string, span: BodySpan, scope: BodyScope, lineOf: (offset: number) => number, out: BodyOutput): void {
    const body = text.slice(span.open, span.close + 1);
    const signature = `${scope.caller}\u0000${JSON.stringify([...scope.locals])}`;
    const baseLine = lineOf(span.open);
    let cached = this.entries.get(body)?.get(signature) ?? this.used.get(body)?.get(signature);
    if (!cached) {
      const before = new Set(scope.locals.keys());
      const fresh: BodyOutput = { calls: [], fieldStores: [], typedCallResults: [], initializers: [], notes: [] };
      scanFunctionBody(text, span, scope, lineOf, fresh);
      cached = {
        output: {
          calls: fresh.calls.map((c) => callSiteAt(c, c.line - baseLine)),
          fieldStores: fresh.fieldStores.map((s) => fieldStoreAt(s, s.line - baseLine)),
          typedCallResults: fresh.typedCallResults.map((r) => typedCallResult(r.callee, r.type, r.line - baseLine, r.caller, r.variable)),
          initializers: fresh.initializers.map((i) => pendingInitializer(i.type, i.isArray, i.variable, i.text, i.offset - span.open, i.scope)),
          notes: fresh.notes.map((n) => ({ ...n, line: n.line - baseLine })),
        },
        locals: [...scope.locals].filter(([name]) => !before.has(name)),
      };
    } else {
      for (const [name, type] of cached.locals) scope.locals.set(name, type);
    }
    let usedForBody = this.used.get(body);
    if (!usedForBody) this.used.set(body, (usedForBody = new Map()));
    usedForBody.set(signature, cached);
    for (const c of cached.output.calls) out.calls.push(callSiteAt(c, c.line + baseLine));
    for (const s of cached.output.fieldStores) out.fieldStores.push(fieldStoreAt(s, s.line + baseLine));
    for (const r of cached.output.typedCallResults) out.typedCallResults.push(typedCallResult(r.callee, r.type, r.line + baseLine, r.caller, r.variable));
    for (const i of cached.output.initializers) out.initializers.push(pendingInitializer(i.type, i.isArray, i.variable, i.text, i.offset + span.open, i.scope));
    for (const n of cached.output.notes) out.notes.push({ ...n, line: n.line + baseLine });
  }
}
