// Turns one C file into FileFacts: one tree-sitter query pass marks the regions, cText reads their text.
import type { Node, Tree } from 'web-tree-sitter';
import type { CGrammar } from '../parse/grammar';
import { docCommentAsWritten, hasTextOutsideLatin1, normalizeSourceForParsing, OriginalText } from '../parse/sourceNormalizer';
import { separateFunctionBodies, type BodySpan } from '../parse/functionBodies';
import { BodyScanCache, pendingInitializer, recordAssignment, scanFunctionBody, type BodyOutput, type InitializerScope, type PendingInitializer } from './bodyFacts';
import {
  baseTypeName,
  blankComments,
  blankPreprocessorLines,
  collapseSpace,
  docCommentBefore,
  isAsciiSpaceCode,
  isBlankRange,
  lineAt,
  lineStarts,
  matchingClose,
  readDeclaration,
  readDeclarator,
  splitArguments,
  splitTopLevel,
  summarizeValue,
  type DeclarationParts,
} from '../parse/cText';
import {
  callSite,
  emptyFileFacts,
  type EnumDefinition,
  fieldStore,
  structPath,
  typedCallResult,
  type CallbackTypedef,
  type FileFacts,
  type FunctionPrototype,
  type FunctionDefinition,
  type StructDefinition,
  type StructField,
  type StructPath,
  type ValueSummary,
} from './fileFacts';
import { readSuppressionComments, SUPPRESSION_MARKER } from './suppressionComments';

export interface ParsedSource {
  /** The file after sourceNormalizer; rows match the original file. */
  text: string;
  /** What tree-sitter saw: `text` with function bodies emptied (see functionBodies); same rows. */
  parsedText: string;
  bodies: Map<number, BodySpan>;
  tree: Tree;
  /** Parsed incrementally: where `parsedText` differs from the skeleton parsed before it. */
  change?: TextChange;
  /** The file as read, when normalizing replaced characters outside Latin-1 (doc comments are shown as written). */
  original?: string;
}

export function parseSource(parser: ReturnType<CGrammar['newParser']>, original: string, previous?: ParsedSource, timeLimitMs = PARSE_TIME_LIMIT_MS): ParsedSource {
  const text = normalizeSourceForParsing(original);
  const { skeleton: parsedText, bodies } = separateFunctionBodies(text);
  let oldTree: Tree | undefined;
  let change: TextChange | undefined;
  if (previous) {
    oldTree = previous.tree;
    change = textChange(previous.parsedText, parsedText);
    applyTextEdit(oldTree, previous.parsedText, parsedText, change);
  }
  // No file of SPDK master takes tree-sitter more than a few milliseconds: one that runs past the limit is given up
  // (the worker reports it and the index goes on without it).
  const deadline = performance.now() + timeLimitMs;
  let stopped = false;
  const progressCallback = () => (stopped ||= performance.now() > deadline);
  const tree = parser.parse(parsedText, oldTree, { progressCallback });
  if (!tree) {
    parser.reset(); // a stopped parse would otherwise resume with the next file's text
    throw new Error(stopped ? `tree-sitter was stopped after ${timeLimitMs / 1000} s on this file; skipped` : 'tree-sitter returned no tree');
  }
  return { text, parsedText, bodies, tree, ...(change ? { change } : {}), original: hasTextOutsideLatin1(original) ? original : undefined };
}

/** How long tree-sitter may parse one file's skeleton. */
export const PARSE_TIME_LIMIT_MS = 10_000;

/** Where two texts differ, as one span: from the end of their common prefix to the start of their common suffix. */
export interface TextChange {
  start: number;
  oldEnd: number;
  newEnd: number;
}

export function textChange(oldText: string, newText: string): TextChange {
  const minLength = Math.min(oldText.length, newText.length);
  // Whole blocks first, compared by V8 itself: this runs once per keystroke, too seldom for a loop over characters to
  // be optimised (that loop was 1.5 ms of each re-index of an open lib/bdev/bdev.c).
  const block = 2048;
  let prefix = 0;
  while (prefix + block <= minLength && oldText.slice(prefix, prefix + block) === newText.slice(prefix, prefix + block)) prefix += block;
  while (prefix < minLength && oldText.charCodeAt(prefix) === newText.charCodeAt(prefix)) prefix++;
  const room = minLength - prefix;
  let suffix = 0;
  while (suffix + block <= room && oldText.slice(oldText.length - suffix - block, oldText.length - suffix) === newText.slice(newText.length - suffix - block, newText.length - suffix)) suffix += block;
  while (suffix < room && oldText.charCodeAt(oldText.length - 1 - suffix) === newText.charCodeAt(newText.length - 1 - suffix)) suffix++;
  return { start: prefix, oldEnd: oldText.length - suffix, newEnd: newText.length - suffix };
}

/** Tells the old tree which span changed. */
function applyTextEdit(tree: Tree, oldText: string, newText: string, change: TextChange): void {
  tree.edit({
    startIndex: change.start,
    oldEndIndex: change.oldEnd,
    newEndIndex: change.newEnd,
    startPosition: pointAt(oldText, change.start),
    oldEndPosition: pointAt(oldText, change.oldEnd),
    newEndPosition: pointAt(newText, change.newEnd),
  });
}

/**
 * The regions of `next`, made from those of the skeleton parsed before it, when the two skeletons differ only by blank
 * lines inside one emptied function body: what an edit inside a function does to the skeleton (its lines come and go
 * there, its text is cut out). Nothing a query matches changed; the regions after the edit only moved. Undefined when
 * the change is anything else, or the skeleton has syntax errors, and the query must run (it was about a third of
 * re-indexing an open lib/bdev/bdev.c).
 */
export function regionsAfterBodyEdit(previous: Pick<ParsedSource, 'parsedText' | 'bodies'>, regions: FileRegions, next: Pick<ParsedSource, 'parsedText' | 'change'>): FileRegions | undefined {
  const change = next.change;
  // A tree with errors is not reused: tree-sitter parses its broken parts again on every edit, and may read them
  // differently from the time before (then the query must see what it made of them now).
  if (!change || regions.errors > 0 || regions.queryStopped) return undefined;
  // The same skeleton (an edit that kept the body's line count): the same regions.
  if (change.start === change.oldEnd && change.start === change.newEnd) return regions;
  const before = previous.parsedText;
  if (!isBlankRange(before, change.start, change.oldEnd, isAsciiSpaceCode) || !isBlankRange(next.parsedText, change.start, change.newEnd, isAsciiSpaceCode)) return undefined;
  // Blank all the way back to an emptied body's `{`, and on to its `}`.
  let open = change.start - 1;
  while (open >= 0 && isAsciiSpaceCode(before.charCodeAt(open))) open--;
  if (open < 0 || before.charCodeAt(open) !== 123 /* { */ || !previous.bodies.has(open)) return undefined;
  let close = change.oldEnd;
  while (close < before.length && isAsciiSpaceCode(before.charCodeAt(close))) close++;
  if (before.charCodeAt(close) !== 125 /* } */) return undefined;
  const delta = change.newEnd - change.oldEnd;
  if (delta === 0) return regions;
  const at = change.start;
  const move = (node: RegionNode): RegionNode => {
    const moved: RegionNode = {
      type: node.type,
      startIndex: node.startIndex >= at ? node.startIndex + delta : node.startIndex,
      endIndex: node.endIndex > at ? node.endIndex + delta : node.endIndex,
    };
    if (node.parent) moved.parent = move(node.parent);
    return moved;
  };
  return {
    functions: regions.functions.map((f) => ({ node: move(f.node), declarator: move(f.declarator), body: move(f.body) })),
    declarations: regions.declarations.map(move),
    typedefs: regions.typedefs.map(move),
    structs: regions.structs.map(move),
    macros: regions.macros.map(move),
    calls: regions.calls.map((c) => ({ node: move(c.node), fn: move(c.fn), args: move(c.args) })),
    assignments: regions.assignments.map((a) => ({ left: move(a.left), right: move(a.right) })),
    literals: regions.literals.map((l) => ({ type: move(l.type), value: move(l.value) })),
    errors: regions.errors,
    queryStopped: false,
  };
}

function pointAt(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

interface Span {
  start: number;
  end: number;
}

interface FunctionScope extends Span {
  name: string;
  /** Local variables and parameters: name → base type (`struct foo`). */
  locals: Map<string, string>;
  /** Where the definition starts (its return type), in the skeleton. */
  headerStart: number;
}


/** A node tree-sitter marked, as plain data: it can cross to another thread, and reading it costs no WASM call. */
export interface RegionNode {
  type: string;
  startIndex: number;
  endIndex: number;
  /** Only for struct and union specifiers: the node that holds them (a typedef names an anonymous struct). */
  parent?: { type: string; startIndex: number; endIndex: number };
}

/** The regions tree-sitter marked in one file, by kind. */
export interface FileRegions {
  functions: { node: RegionNode; declarator: RegionNode; body: RegionNode }[];
  declarations: RegionNode[];
  typedefs: RegionNode[];
  structs: RegionNode[];
  macros: RegionNode[];
  calls: { node: RegionNode; fn: RegionNode; args: RegionNode }[];
  assignments: { left: RegionNode; right: RegionNode }[];
  literals: { type: RegionNode; value: RegionNode }[];
  errors: number;
  /** The query ran past QUERY_TIME_LIMIT_MS and was stopped: the regions found until then are all there is. */
  queryStopped: boolean;
}

/**
 * FileRegions packed for the move to another thread: node types in a small table, everything else in one Int32Array
 * (moved without a copy). Objects are what makes a structured clone slow to read back: on SPDK master the regions were
 * a third of the time spent reading parsed files on the indexer's thread.
 */
export interface PackedRegions {
  types: string[];
  data: Int32Array;
  /** See FileRegions.queryStopped. */
  queryStopped: boolean;
}

const REGION_KINDS = ['functions', 'declarations', 'typedefs', 'structs', 'macros', 'calls', 'assignments', 'literals'] as const;

export function packRegions(regions: FileRegions): PackedRegions {
  const types: string[] = [];
  const typeIds = new Map<string, number>();
  const nodes =
    regions.functions.length * 3 + regions.declarations.length + regions.typedefs.length + regions.structs.length * 2 + regions.macros.length + regions.calls.length * 3 + regions.assignments.length * 2 + regions.literals.length * 2;
  const data = new Int32Array(REGION_KINDS.length + 1 + nodes * 3);
  let at = 0;
  for (const kind of REGION_KINDS) data[at++] = regions[kind].length;
  data[at++] = regions.errors;
  const put = (node: { type: string; startIndex: number; endIndex: number } | undefined) => {
    if (!node) {
      data[at++] = -1;
      at += 2;
      return;
    }
    let id = typeIds.get(node.type);
    if (id === undefined) {
      id = types.length;
      types.push(node.type);
      typeIds.set(node.type, id);
    }
    data[at++] = id;
    data[at++] = node.startIndex;
    data[at++] = node.endIndex;
  };
  for (const f of regions.functions) {
    put(f.node);
    put(f.declarator);
    put(f.body);
  }
  for (const n of regions.declarations) put(n);
  for (const n of regions.typedefs) put(n);
  for (const n of regions.structs) {
    put(n);
    put(n.parent);
  }
  for (const n of regions.macros) put(n);
  for (const c of regions.calls) {
    put(c.node);
    put(c.fn);
    put(c.args);
  }
  for (const a of regions.assignments) {
    put(a.left);
    put(a.right);
  }
  for (const l of regions.literals) {
    put(l.type);
    put(l.value);
  }
  return { types, data, queryStopped: regions.queryStopped };
}

export function unpackRegions({ types, data, queryStopped }: PackedRegions): FileRegions {
  // The counts come first, in REGION_KINDS order, then the error count, then the nodes (-1 for a missing one). Every
  // node is made at one place, then handed out in order: V8 compiles one copy of the object's construction, not one
  // per kind of region.
  const nodes: (RegionNode | undefined)[] = [];
  for (let at = REGION_KINDS.length + 1; at < data.length; at += 3) nodes.push(data[at] < 0 ? undefined : { type: types[data[at]], startIndex: data[at + 1], endIndex: data[at + 2] });
  const regions: FileRegions = { functions: [], declarations: [], typedefs: [], structs: [], macros: [], calls: [], assignments: [], literals: [], errors: data[8], queryStopped };
  let k = 0;
  for (let i = data[0]; i > 0; i--, k += 3) regions.functions.push({ node: nodes[k]!, declarator: nodes[k + 1]!, body: nodes[k + 2]! });
  for (let i = data[1]; i > 0; i--) regions.declarations.push(nodes[k++]!);
  for (let i = data[2]; i > 0; i--) regions.typedefs.push(nodes[k++]!);
  for (let i = data[3]; i > 0; i--, k += 2) {
    const struct = nodes[k]!;
    const parent = nodes[k + 1];
    if (parent) struct.parent = parent;
    regions.structs.push(struct);
  }
  for (let i = data[4]; i > 0; i--) regions.macros.push(nodes[k++]!);
  for (let i = data[5]; i > 0; i--, k += 3) regions.calls.push({ node: nodes[k]!, fn: nodes[k + 1]!, args: nodes[k + 2]! });
  for (let i = data[6]; i > 0; i--, k += 2) regions.assignments.push({ left: nodes[k]!, right: nodes[k + 1]! });
  for (let i = data[7]; i > 0; i--, k += 2) regions.literals.push({ type: nodes[k]!, value: nodes[k + 1]! });
  return regions;
}

/** The doc comment before `start` in the skeleton, as the file has it. */
function readDoc(reader: FileReader, start: number): string | undefined {
  const doc = docCommentBefore(reader.text, start);
  return doc && reader.original ? docCommentAsWritten(doc, reader.text, reader.skeletonLines.lineOf(start), start, reader.original) : doc;
}

/** Lines of a text, by offset. */
class LineIndex {
  private readonly starts: Int32Array;
  /** From the text, or from its line starts when they were counted already (in the thread that parsed it). */
  constructor(text: string, starts?: Int32Array) {
    this.starts = starts ?? lineStarts(text);
  }
  lineOf(offset: number): number {
    return lineAt(this.starts, offset);
  }
}

/**
 * What the readers below share for one file. Extraction is split into small top-level functions on purpose: one
 * large function with nested closures cost V8 hundreds of milliseconds per optimisation, paid again in every worker.
 */
interface FileReader {
  facts: FileFacts;
  /** The skeleton tree-sitter parsed (offsets of nodes are in it). */
  text: string;
  /** The whole normalized file (offsets of separated bodies are in it). */
  fullText: string;
  skeletonLines: LineIndex;
  fullLines: LineIndex;
  original: OriginalText | undefined;
  /** Function scopes, sorted and disjoint (C functions never nest). */
  scopes: FunctionScope[];
  fileScopeTypes: Map<string, string>;
  initializers: PendingInitializer[];
  bodyInitializers: PendingInitializer[];
}

/**
 * What the thread that parsed a file can count for the one that reads its facts: where the lines of both texts start.
 * (Int32Arrays: they move between threads without a copy.)
 */
export interface PreparedText {
  lineStarts: Int32Array;
  skeletonLineStarts: Int32Array;
}

export function prepareText(source: Pick<ParsedSource, 'text' | 'parsedText'>): PreparedText {
  return { lineStarts: lineStarts(source.text), skeletonLineStarts: lineStarts(source.parsedText) };
}

/**
 * Facts from a parsed file's regions (see collectRegions) and texts: everything after the query, from plain data (no
 * tree needed). Keeps no reference to either.
 */
export function extractFactsFromRegions(
  file: string,
  hash: string,
  source: Pick<ParsedSource, 'text' | 'parsedText' | 'bodies' | 'original'>,
  regions: FileRegions,
  bodyCache?: BodyScanCache,
  prepared?: PreparedText,
): FileFacts {
  const reader: FileReader = {
    facts: emptyFileFacts(file, hash),
    text: source.parsedText,
    fullText: source.text,
    skeletonLines: new LineIndex(source.parsedText, prepared?.skeletonLineStarts),
    fullLines: new LineIndex(source.text, prepared?.lineStarts),
    original: source.original === undefined ? undefined : new OriginalText(source.original),
    scopes: [],
    fileScopeTypes: new Map(),
    initializers: [],
    bodyInitializers: [],
  };
  reader.facts.parseErrors += regions.errors;
  const separatedBodies = readFunctionDefinitions(reader, regions, source.bodies);
  readDeclarations(reader, regions.declarations);
  for (const node of regions.typedefs) readTypedef(reader, node);
  readStructs(reader, regions.structs);
  for (const node of regions.macros) readMacro(reader, node);
  readCallNodes(reader, regions.calls);
  readAssignmentNodes(reader, regions.assignments);
  scanSeparatedBodies(reader, separatedBodies, bodyCache);
  readCompoundLiterals(reader, regions.literals);
  readPendingInitializers(reader, reader.initializers, reader.skeletonLines);
  readPendingInitializers(reader, reader.bodyInitializers, reader.fullLines);
  readSuppressions(reader);
  return reader.facts;
}

/** `spdk-lens: ignore ...` comments, looked for only in files that contain the marker. */
function readSuppressions(reader: FileReader): void {
  if (!reader.fullText.includes(SUPPRESSION_MARKER)) return;
  const lines = reader.skeletonLines;
  const headers = reader.scopes.map((s) => ({ name: s.name, firstLine: lines.lineOf(s.headerStart), braceLine: lines.lineOf(s.start) }));
  const found = readSuppressionComments(reader.fullText, (offset) => reader.fullLines.lineOf(offset), headers);
  if (found.length > 0) reader.facts.suppressions = found;
}

function plainNode(node: Node): RegionNode {
  return { type: node.type, startIndex: node.startIndex, endIndex: node.endIndex };
}

// The captures of grammars/queries/facts.scm, each with a slot of its own in the array collectRegions reads a match
// into (an object keyed by capture name would take a new hidden class for each set of names).
export const FACTS_CAPTURE_NAMES = [
  'function',
  'function.declarator',
  'function.body',
  'call',
  'call.function',
  'call.arguments',
  'assignment',
  'assignment.left',
  'assignment.right',
  'declaration',
  'typedef',
  'struct',
  'macro',
  'literal.type',
  'literal.value',
  'error',
] as const;
const CAPTURE_SLOT = new Map<string, number>(FACTS_CAPTURE_NAMES.map((name, slot) => [name, slot]));
const [FUNCTION, FUNCTION_DECLARATOR, FUNCTION_BODY, CALL, CALL_FUNCTION, CALL_ARGUMENTS, ASSIGNMENT, ASSIGNMENT_LEFT, ASSIGNMENT_RIGHT, DECLARATION, TYPEDEF, STRUCT, MACRO, LITERAL_TYPE, LITERAL_VALUE, ERROR] =
  FACTS_CAPTURE_NAMES.map((_, slot) => slot);

/** Where collectRegions reads a match (one array for all: a new one would change its hidden class as it filled). */
const CAPTURE_SLOTS: (RegionNode | undefined)[] = [];
for (let i = 0; i < FACTS_CAPTURE_NAMES.length; i++) CAPTURE_SLOTS.push(undefined);

/** How long the facts query may run over one file. No file of SPDK master takes more than about 10 ms. */
export const QUERY_TIME_LIMIT_MS = 2000;

/** Runs the facts query over a tree and copies what it marked into plain data. */
export function collectRegions(grammar: CGrammar, tree: Tree): FileRegions {
  const regions: FileRegions = { functions: [], declarations: [], typedefs: [], structs: [], macros: [], calls: [], assignments: [], literals: [], errors: 0, queryStopped: false };
  // Each capture of a match is copied once, at one place (V8 then compiles one copy of tree-sitter's node accessors
  // here, not one per kind of region), into its slot.
  const slots = CAPTURE_SLOTS;
  // tree-sitter's query cursor slows down with nesting depth (a 32 KB initializer of nested braces takes seconds): a
  // query that runs past the limit is stopped, and the file keeps what was found until then.
  const deadline = performance.now() + QUERY_TIME_LIMIT_MS;
  const progressCallback = () => (regions.queryStopped ||= performance.now() > deadline);
  for (const match of grammar.query('facts').matches(tree.rootNode, { progressCallback })) {
    for (let i = 0; i < slots.length; i++) slots[i] = undefined;
    let structNode: Node | undefined;
    const captures = match.captures;
    for (let i = 0; i < captures.length; i++) {
      const slot = CAPTURE_SLOT.get(captures[i].name);
      if (slot === undefined) continue;
      const node = captures[i].node;
      slots[slot] = plainNode(node);
      if (slot === STRUCT) structNode = node;
    }
    const fn = slots[FUNCTION];
    const call = slots[CALL];
    const assignment = slots[ASSIGNMENT];
    const declaration = slots[DECLARATION];
    const typedef = slots[TYPEDEF];
    const struct = slots[STRUCT];
    const macro = slots[MACRO];
    const literalType = slots[LITERAL_TYPE];
    if (fn) regions.functions.push({ node: fn, declarator: slots[FUNCTION_DECLARATOR]!, body: slots[FUNCTION_BODY]! });
    else if (call) regions.calls.push({ node: call, fn: slots[CALL_FUNCTION]!, args: slots[CALL_ARGUMENTS]! });
    else if (assignment) regions.assignments.push({ left: slots[ASSIGNMENT_LEFT]!, right: slots[ASSIGNMENT_RIGHT]! });
    else if (declaration) regions.declarations.push(declaration);
    else if (typedef) regions.typedefs.push(typedef);
    else if (struct) {
      // A typedef names an anonymous struct: what holds the specifier says whether it has a name after all.
      const parent = structNode?.parent;
      if (parent) struct.parent = plainNode(parent);
      regions.structs.push(struct);
    } else if (macro) regions.macros.push(macro);
    else if (literalType) regions.literals.push({ type: literalType, value: slots[LITERAL_VALUE]! });
    else if (slots[ERROR]) regions.errors++;
  }
  return regions;
}

function nodeText(reader: FileReader, node: RegionNode): string {
  return reader.text.slice(node.startIndex, node.endIndex);
}

function scopeAt(reader: FileReader, offset: number): FunctionScope | undefined {
  const scopes = reader.scopes;
  let lo = 0;
  let hi = scopes.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = scopes[mid];
    if (offset < s.start) hi = mid - 1;
    else if (offset >= s.end) lo = mid + 1;
    else return s;
  }
  return undefined;
}

/** Function definitions and their scopes; returns the bodies that were cut out of the skeleton, for the scanner. */
function readFunctionDefinitions(reader: FileReader, regions: FileRegions, bodies: Map<number, BodySpan>): { scope: FunctionScope; span: BodySpan }[] {
  const text = reader.text;
  const separatedBodies: { scope: FunctionScope; span: BodySpan }[] = [];
  for (const { node, declarator, body } of regions.functions) {
    const shape = readDeclarator(blankComments(nodeText(reader, declarator)));
    if (!shape || !shape.isFunction || !shape.params) continue;
    const head = blankComments(text.slice(node.startIndex, declarator.startIndex));
    const definition: FunctionDefinition = {
      name: shape.name,
      line: reader.skeletonLines.lineOf(declarator.startIndex),
      endLine: reader.skeletonLines.lineOf(node.endIndex - 1),
      isStatic: /\bstatic\b/.test(head),
      returnType: returnTypeText(head, shape.pointerDepth),
      params: shape.params,
    };
    const doc = readDoc(reader, node.startIndex);
    if (doc) definition.doc = doc;
    reader.facts.functions.push(definition);
    const locals = new Map<string, string>();
    for (const p of shape.params) if (p.name) locals.set(p.name, baseTypeName(p.type));
    const scope: FunctionScope = { name: shape.name, start: body.startIndex, end: body.endIndex, locals, headerStart: node.startIndex };
    reader.scopes.push(scope);
    const separated = bodies.get(scope.start);
    if (separated) separatedBodies.push({ scope, span: separated });
  }
  return separatedBodies;
}

/** Declarations: prototypes and globals at file scope, typed locals inside functions, and their initializers. */
function readDeclarations(reader: FileReader, declarations: RegionNode[]): void {
  for (const node of declarations) {
    const parts = readDeclaration(blankPreprocessorLines(blankComments(nodeText(reader, node))));
    if (!parts) continue;
    const start = node.startIndex;
    const scope = scopeAt(reader, start);
    const baseType = baseTypeName(parts.specifiers);
    for (const d of parts.declarators) readOneDeclarator(reader, start, scope, parts.specifiers, baseType, d);
  }
}

function readOneDeclarator(
  reader: FileReader,
  start: number,
  scope: FunctionScope | undefined,
  specifiers: string,
  baseType: string,
  d: DeclarationParts['declarators'][number],
): void {
  const facts = reader.facts;
  const shape = readDeclarator(d.text);
  if (!shape) return;
  if (!scope && shape.isFunction && shape.params && d.initializer === undefined) {
    const prototype: FunctionPrototype = {
      name: shape.name,
      line: reader.skeletonLines.lineOf(start + d.offset),
      returnType: returnTypeText(specifiers, shape.pointerDepth),
      params: shape.params,
    };
    const doc = readDoc(reader, start);
    if (doc) prototype.doc = doc;
    facts.prototypes.push(prototype);
    return;
  }
  if (shape.isFunction) return;
  if (scope) scope.locals.set(shape.name, baseType);
  else {
    reader.fileScopeTypes.set(shape.name, baseType);
    if (!/\bextern\b/.test(specifiers) && !/\btypedef\b/.test(specifiers)) {
      const global = {
        name: shape.name,
        type: baseType + (shape.pointerDepth ? ' ' + '*'.repeat(shape.pointerDepth) : '') + (shape.isArray ? '[]' : ''),
        line: reader.skeletonLines.lineOf(start + d.offset),
        isStatic: /\bstatic\b/.test(specifiers),
      };
      // A tentative declaration (`static struct x y;`) and its definition are one variable: keep the definition.
      const earlier = facts.globals.findIndex((g) => g.name === global.name);
      if (earlier < 0) facts.globals.push(global);
      else if (d.initializer !== undefined) facts.globals[earlier] = global;
    }
  }
  if (d.initializer === undefined || d.initializerOffset === undefined) return;
  const init = d.initializer.trim();
  const at = start + d.initializerOffset + (d.initializer.length - d.initializer.trimStart().length);
  if (init.startsWith('{')) {
    reader.initializers.push(pendingInitializer(baseType, shape.isArray, shape.name, init, at, scope));
  } else {
    const value = summarizeValue(init);
    if (value.kind === 'call' && /^(struct|union) /.test(baseType)) {
      facts.typedCallResults.push(typedCallResult(value.callee, baseType, reader.skeletonLines.lineOf(at), scope?.name ?? '', ''));
    }
  }
}

function readStructs(reader: FileReader, structs: RegionNode[]): void {
  const structBodies: Span[] = [];
  for (const node of structs) {
    const start = node.startIndex;
    const end = node.endIndex;
    if (node.type === 'enum_specifier') {
      readEnum(reader, node);
      continue;
    }
    if (structBodies.some((s) => start >= s.start && end <= s.end)) continue; // nested: read with its parent
    readStruct(reader, node);
    structBodies.push({ start, end });
  }
}

function readCallNodes(reader: FileReader, calls: FileRegions['calls']): void {
  for (const { node, fn, args } of calls) {
    const scope = scopeAt(reader, node.startIndex);
    const fnText = nodeText(reader, fn);
    let callee = '';
    let calleeField: string | undefined;
    if (fn.type === 'identifier') callee = fnText;
    else {
      const field = /(?:->|\.)\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)?$/.exec(fnText);
      if (field) calleeField = field[1];
    }
    const pieces = splitArguments(blankComments(nodeText(reader, args)));
    const values: ValueSummary[] = pieces.map((piece) => summarizeValue(piece.text));
    // Where in its body the call sits is not known here: it is not taken as made on every path.
    reader.facts.calls.push(callSite(callee, calleeField || undefined, reader.skeletonLines.lineOf(node.startIndex), scope?.name ?? '', values, true));
  }
}

/** Assignments tree-sitter found: at file scope, or in a body that could not be cut out of the skeleton. */
function readAssignmentNodes(reader: FileReader, assignments: FileRegions['assignments']): void {
  for (const { left, right } of assignments) {
    if (left.type !== 'identifier' && left.type !== 'field_expression') continue;
    const scope = scopeAt(reader, left.startIndex);
    const assignmentScope = { caller: scope?.name ?? '', locals: scope?.locals ?? new Map<string, string>(), fileScopeTypes: reader.fileScopeTypes };
    recordAssignment(
      blankComments(nodeText(reader, left)),
      blankComments(nodeText(reader, right)),
      reader.skeletonLines.lineOf(left.startIndex),
      reader.skeletonLines.lineOf(right.startIndex),
      assignmentScope,
      reader.facts,
    );
  }
}

/** Function bodies that were cut out of the skeleton: read by the statement scanner. */
function scanSeparatedBodies(reader: FileReader, separatedBodies: { scope: FunctionScope; span: BodySpan }[], bodyCache: BodyScanCache | undefined): void {
  const facts = reader.facts;
  const output: BodyOutput = { calls: facts.calls, fieldStores: facts.fieldStores, typedCallResults: facts.typedCallResults, initializers: [], notes: facts.notes };
  const fullLine = (offset: number) => reader.fullLines.lineOf(offset);
  bodyCache?.begin(reader.fileScopeTypes);
  for (const { scope, span } of separatedBodies) {
    output.initializers = [];
    const bodyScope = { caller: scope.name, locals: scope.locals, fileScopeTypes: reader.fileScopeTypes };
    if (bodyCache) bodyCache.scan(reader.fullText, span, bodyScope, fullLine, output);
    else scanFunctionBody(reader.fullText, span, bodyScope, fullLine, output);
    for (const init of output.initializers) reader.bodyInitializers.push(pendingInitializer(init.type, init.isArray, init.variable, init.text, init.offset, scope));
  }
  bodyCache?.end();
}

function readCompoundLiterals(reader: FileReader, literals: FileRegions['literals']): void {
  for (const { type, value } of literals) {
    const typeText = nodeText(reader, type);
    reader.initializers.push(pendingInitializer(baseTypeName(typeText), /\[/.test(typeText), '', nodeText(reader, value), value.startIndex, scopeAt(reader, value.startIndex)));
  }
}

function readPendingInitializers(reader: FileReader, list: PendingInitializer[], lines: LineIndex): void {
  for (const init of list) {
    const target = structPath(init.type, []);
    const cleaned = blankComments(init.text);
    if (init.isArray) {
      // Each element of an array initializer initialises one struct of the element type.
      forEachInitializerElement(cleaned, init.offset, (element) => {
        if (element.value.startsWith('{')) readInitializer(reader, element.value, element.offset, target, init.variable, init.scope, lines);
      });
    } else readInitializer(reader, cleaned, init.offset, target, init.variable, init.scope, lines);
  }
}

function readInitializer(reader: FileReader, braced: string, offset: number, target: StructPath, variable: string, scope: InitializerScope | undefined, lines: LineIndex): void {
  forEachInitializerElement(braced, offset, (element) => {
    const designators = element.designators;
    if (designators.length > 0 && designators.some((d) => d.startsWith('['))) return; // array slots inside a struct: not a field
    const fields = designators.length > 0 ? designators : [`#${element.position}`];
    if (element.value.startsWith('{')) {
      readInitializer(reader, element.value, element.offset, structPath(target.rootType, [...target.fields, ...fields]), variable, scope, lines);
      return;
    }
    const value = summarizeValue(element.value);
    if (value.kind !== 'ident' && value.kind !== 'call' && value.kind !== 'string') return;
    if (value.kind === 'ident' && scope?.locals.has(value.name)) return;
    const last = fields[fields.length - 1];
    const positional = last.startsWith('#');
    reader.facts.fieldStores.push(
      fieldStore(
        structPath(target.rootType, [...target.fields, ...fields.slice(0, -1)]),
        positional ? '' : last,
        positional ? Number(last.slice(1)) : undefined,
        value,
        lines.lineOf(element.offset),
        scope?.name ?? '',
        variable || undefined,
        undefined,
      ),
    );
  });
}

function readTypedef(reader: FileReader, node: RegionNode): void {
  const raw = blankComments(nodeText(reader, node));
  const body = raw.replace(/^\s*typedef\s+/, '');
  const parts = readDeclaration(body);
  if (!parts) return;
  for (const d of parts.declarators) {
    const shape = readDeclarator(d.text);
    if (shape && !shape.params) reader.facts.aliases.push({ name: shape.name, line: reader.skeletonLines.lineOf(node.startIndex + d.offset) });
    if (!shape || !shape.params) continue;
    const typedef: CallbackTypedef = {
      name: shape.name,
      line: reader.skeletonLines.lineOf(node.startIndex),
      returnType: returnTypeText(parts.specifiers, shape.isFunctionPointer ? 0 : shape.pointerDepth),
      params: shape.params,
    };
    if (!shape.isFunctionPointer) typedef.functionType = true;
    const doc = readDoc(reader, node.startIndex);
    if (doc) typedef.doc = doc;
    reader.facts.typedefs.push(typedef);
  }
}

function readStruct(reader: FileReader, node: RegionNode): void {
  const text = reader.text;
  const raw = blankPreprocessorLines(blankComments(nodeText(reader, node)));
  const open = raw.indexOf('{');
  const close = matchingClose(raw, open);
  if (open < 0 || close < 0) return;
  const head = raw.slice(0, open);
  const tag = /\b(struct|union)\s+([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(head);
  let name: string | undefined;
  if (tag) name = `${tag[1]} ${tag[2]}`;
  else {
    // Anonymous struct: named by the typedef that wraps it (`typedef struct { ... } foo_t;`).
    const parent = node.parent;
    if (parent?.type === 'type_definition') {
      const after = text.slice(node.endIndex, parent.endIndex);
      const alias = /([A-Za-z_][A-Za-z0-9_]*)\s*;?\s*$/.exec(blankComments(after));
      if (alias) name = alias[1];
    }
  }
  if (!name) return;
  const definition: StructDefinition = { name, line: reader.skeletonLines.lineOf(node.startIndex), fields: [] };
  const doc = readDoc(reader, node.parent?.type === 'declaration' || node.parent?.type === 'type_definition' ? node.parent.startIndex : node.startIndex);
  if (doc) definition.doc = doc;
  reader.facts.structs.push(definition);
  readFields(reader, raw.slice(open + 1, close), node.startIndex + open + 1, definition);
}

function readFields(reader: FileReader, body: string, offset: number, into: StructDefinition): void {
  for (const piece of splitTopLevel(body, ';')) {
    const pieceText = piece.text;
    const at = offset + piece.offset + (pieceText.length - pieceText.trimStart().length);
    const brace = pieceText.indexOf('{');
    if (brace >= 0 && /^\s*(struct|union)\b[^{]*$/.test(pieceText.slice(0, brace))) {
      readNestedField(reader, pieceText, brace, offset + piece.offset, at, into);
      continue;
    }
    const colon = pieceText.search(/:(?!:)/);
    const declarationText = colon >= 0 && !pieceText.includes('(') ? pieceText.slice(0, colon) : pieceText;
    const parts = readDeclaration(declarationText);
    if (!parts) continue;
    const baseType = baseTypeName(parts.specifiers);
    for (const d of parts.declarators) {
      const shape = readDeclarator(d.text);
      if (!shape) continue;
      const field: StructField = {
        name: shape.name,
        type: fieldTypeText(parts.specifiers, baseType, d.text, shape),
        line: reader.skeletonLines.lineOf(at),
        isFunctionPointer: shape.isFunctionPointer,
      };
      if (shape.isFunctionPointer && shape.params) field.params = shape.params;
      into.fields.push(field);
    }
  }
}

/** A member that is itself a struct or union body: `struct { ... } name;` (or anonymous, whose fields are the parent's). */
function readNestedField(reader: FileReader, pieceText: string, brace: number, pieceOffset: number, at: number, into: StructDefinition): void {
  const close = matchingClose(pieceText, brace);
  if (close < 0) return;
  const memberName = /([A-Za-z_][A-Za-z0-9_]*)\s*(\[[^\]]*\]\s*)*$/.exec(pieceText.slice(close + 1).trim());
  const innerBody = pieceText.slice(brace + 1, close);
  const innerOffset = pieceOffset + brace + 1;
  if (!memberName) {
    readFields(reader, innerBody, innerOffset, into); // anonymous struct/union members belong to the parent
    return;
  }
  const tag = /\b(struct|union)\s+([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(pieceText.slice(0, brace));
  const nestedName = tag ? `${tag[1]} ${tag[2]}` : `${into.name}::${memberName[1]}`;
  const nested: StructDefinition = { name: nestedName, line: reader.skeletonLines.lineOf(innerOffset), fields: [] };
  reader.facts.structs.push(nested);
  readFields(reader, innerBody, innerOffset, nested);
  into.fields.push({ name: memberName[1], type: nestedName, line: reader.skeletonLines.lineOf(at), isFunctionPointer: false });
}

function readMacro(reader: FileReader, node: RegionNode): void {
  const raw = nodeText(reader, node);
  const m = /^#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)\(([^)]*)\)/.exec(raw);
  if (!m) {
    const constant = /^#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(raw);
    if (constant) reader.facts.constants.push({ name: constant[1], line: reader.skeletonLines.lineOf(node.startIndex) });
    return;
  }
  const body = collapseSpace(blankComments(raw.slice(m[0].length).replace(/\\\r?\n/g, ' ')));
  reader.facts.macros.push({
    name: m[1],
    line: reader.skeletonLines.lineOf(node.startIndex),
    params: m[2].split(',').map((p) => p.trim()).filter((p) => p !== ''),
    body,
  });
}

/** `enum name { A, B = 1 << 2, }`: each constant with its line; an anonymous enum takes its typedef's name if any. */
function readEnum(reader: FileReader, node: RegionNode): void {
  const raw = blankPreprocessorLines(blankComments(nodeText(reader, node)));
  const open = raw.indexOf('{');
  const close = matchingClose(raw, open);
  if (open < 0 || close < 0) return;
  const tag = /\benum\s+([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(raw.slice(0, open));
  let name = tag ? `enum ${tag[1]}` : '';
  const parent = node.parent;
  if (!tag && parent?.type === 'type_definition') {
    const alias = /([A-Za-z_][A-Za-z0-9_]*)\s*;?\s*$/.exec(blankComments(reader.text.slice(node.endIndex, parent.endIndex)));
    if (alias) name = alias[1];
  }
  const definition: EnumDefinition = { name, line: reader.skeletonLines.lineOf(node.startIndex), constants: [] };
  const offset = node.startIndex + open + 1;
  for (const piece of splitTopLevel(raw.slice(open + 1, close), ',')) {
    const lead = piece.text.length - piece.text.trimStart().length;
    const constant = /^[A-Za-z_][A-Za-z0-9_]*/.exec(piece.text.slice(lead));
    if (constant) definition.constants.push({ name: constant[0], line: reader.skeletonLines.lineOf(offset + piece.offset + lead) });
  }
  reader.facts.enums.push(definition);
}

interface InitializerElement {
  designators: string[];
  position: number;
  value: string;
  offset: number;
}

/** Calls `visit` for each element of `{ .a = x, [2] = y, z }`, with designators split (`.a.b` → ['a','b']). */
function forEachInitializerElement(braced: string, offset: number, visit: (element: InitializerElement) => void): void {
  const open = braced.indexOf('{');
  const close = matchingClose(braced, open);
  if (open < 0 || close < 0) return;
  const inner = braced.slice(open + 1, close);
  let position = 0;
  for (const piece of splitTopLevel(inner, ',')) {
    const t = piece.text.trim();
    if (t === '') continue;
    const lead = piece.text.length - piece.text.trimStart().length;
    const elementOffset = offset + open + 1 + piece.offset + lead;
    const designator = /^((?:\s*(?:\.\s*[A-Za-z_][A-Za-z0-9_]*|\[[^\]]*\]))+)\s*=/.exec(t);
    if (designator) {
      const designators = designator[1].match(/\.\s*[A-Za-z_][A-Za-z0-9_]*|\[[^\]]*\]/g)!.map((d) => (d.startsWith('.') ? d.slice(1).trim() : d));
      const valueText = t.slice(designator[0].length);
      const valueLead = valueText.length - valueText.trimStart().length;
      visit({ designators, position, value: valueText.trim(), offset: elementOffset + designator[0].length + valueLead });
    } else visit({ designators: [], position, value: t, offset: elementOffset });
    position++;
  }
}

function returnTypeText(head: string, pointerDepth: number): string {
  const cleaned = collapseSpace(
    head
      .replace(/__attribute__\s*\(\(.*?\)\)/g, ' ')
      .replace(/\b(static|inline|__inline|__inline__|extern|SPDK_DEPRECATED\s*\([^)]*\))\b/g, ' '),
  );
  return cleaned + (pointerDepth > 0 ? ' ' + '*'.repeat(pointerDepth) : '');
}

function fieldTypeText(specifiers: string, baseType: string, declaratorText: string, shape: NonNullable<ReturnType<typeof readDeclarator>>): string {
  if (shape.isFunctionPointer) {
    // A loop, not map/join: V8 deoptimised the array callback for parameter lists of several kinds.
    let params = '';
    const list = shape.params ?? [];
    for (let i = 0; i < list.length; i++) params += (i === 0 ? '' : ', ') + (list[i].name ? `${list[i].type} ${list[i].name}` : list[i].type);
    return `${collapseSpace(specifiers.replace(/\b(static|extern)\b/g, ''))} (*)(${params || 'void'})`;
  }
  const stars = shape.pointerDepth > 0 ? ' ' + '*'.repeat(shape.pointerDepth) : '';
  const array = shape.isArray ? /(\[[^\]]*\])/.exec(declaratorText)?.[1] ?? '[]' : '';
  return `${baseType}${stars}${array}`;
}

export type { ValueSummary };
