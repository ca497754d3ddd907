// Turns one C file into FileFacts: one tree-sitter query pass marks the regions, cText reads their text.
import type { Node, Tree } from 'web-tree-sitter';
import type { CGrammar } from '../parse/grammar';
import { normalizeSourceForParsing } from '../parse/sourceNormalizer';
import { separateFunctionBodies, type BodySpan } from '../parse/functionBodies';
import { BodyScanCache, recordAssignment, scanFunctionBody, type BodyOutput } from './bodyFacts';
import {
  baseTypeName,
  blankComments,
  blankPreprocessorLines,
  collapseSpace,
  docCommentBefore,
  lineAt,
  lineStarts,
  matchingClose,
  readDeclaration,
  readDeclarator,
  splitArguments,
  splitTopLevel,
  summarizeValue,
} from '../parse/cText';
import {
  emptyFileFacts,
  type FieldStore,
  type FileFacts,
  type FunctionDefinition,
  type StructDefinition,
  type StructField,
  type StructPath,
  type ValueSummary,
} from './fileFacts';

export interface ParsedSource {
  /** The file after sourceNormalizer; rows match the original file. */
  text: string;
  /** What tree-sitter saw: `text` with function bodies emptied (see functionBodies); same rows. */
  parsedText: string;
  bodies: Map<number, BodySpan>;
  tree: Tree;
}

export function parseSource(parser: ReturnType<CGrammar['newParser']>, original: string, previous?: ParsedSource): ParsedSource {
  const text = normalizeSourceForParsing(original);
  const { skeleton: parsedText, bodies } = separateFunctionBodies(text);
  let oldTree: Tree | undefined;
  if (previous) {
    oldTree = previous.tree;
    applyTextEdit(oldTree, previous.parsedText, parsedText);
  }
  const tree = parser.parse(parsedText, oldTree);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return { text, parsedText, bodies, tree };
}

/** Tells the old tree which span changed (one edit covering the common prefix/suffix difference). */
function applyTextEdit(tree: Tree, oldText: string, newText: string): void {
  let prefix = 0;
  const minLength = Math.min(oldText.length, newText.length);
  while (prefix < minLength && oldText.charCodeAt(prefix) === newText.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (
    suffix < minLength - prefix &&
    oldText.charCodeAt(oldText.length - 1 - suffix) === newText.charCodeAt(newText.length - 1 - suffix)
  )
    suffix++;
  const oldEnd = oldText.length - suffix;
  const newEnd = newText.length - suffix;
  tree.edit({
    startIndex: prefix,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition: pointAt(oldText, prefix),
    oldEndPosition: pointAt(oldText, oldEnd),
    newEndPosition: pointAt(newText, newEnd),
  });
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
}

/** Extracts the facts of one parsed file. Pure: reads the tree and text, keeps no reference to either. */
export function extractFacts(grammar: CGrammar, file: string, hash: string, source: ParsedSource, bodyCache?: BodyScanCache): FileFacts {
  const facts = emptyFileFacts(file, hash);
  const text = source.parsedText;
  const fullStarts = lineStarts(source.text);
  const fullLine = (offset: number) => lineAt(fullStarts, offset);
  const starts = lineStarts(text);
  const line = (offset: number) => lineAt(starts, offset);
  const slice = (node: Node) => text.slice(node.startIndex, node.endIndex);

  const matches = grammar.query('facts').matches(source.tree.rootNode);
  const functions: { node: Node; declarator: Node; body: Node }[] = [];
  const declarations: Node[] = [];
  const typedefs: Node[] = [];
  const structs: Node[] = [];
  const macros: Node[] = [];
  const calls: { node: Node; fn: Node; args: Node }[] = [];
  const assignments: { left: Node; right: Node }[] = [];
  const literals: { type: Node; value: Node }[] = [];
  for (const match of matches) {
    const byName: Record<string, Node> = {};
    for (const capture of match.captures) byName[capture.name] = capture.node;
    if (byName.function) functions.push({ node: byName.function, declarator: byName['function.declarator'], body: byName['function.body'] });
    else if (byName.call) calls.push({ node: byName.call, fn: byName['call.function'], args: byName['call.arguments'] });
    else if (byName.assignment) assignments.push({ left: byName['assignment.left'], right: byName['assignment.right'] });
    else if (byName.declaration) declarations.push(byName.declaration);
    else if (byName.typedef) typedefs.push(byName.typedef);
    else if (byName.struct) structs.push(byName.struct);
    else if (byName.macro) macros.push(byName.macro);
    else if (byName['literal.type']) literals.push({ type: byName['literal.type'], value: byName['literal.value'] });
    else if (byName.error) facts.parseErrors++;
  }

  // Function definitions and their scopes (C functions never nest, so the scopes are sorted and disjoint).
  const scopes: FunctionScope[] = [];
  const separatedBodies: { scope: FunctionScope; span: BodySpan }[] = [];
  for (const { node, declarator, body } of functions) {
    const shape = readDeclarator(blankComments(slice(declarator)));
    if (!shape || !shape.isFunction || !shape.params) continue;
    const head = blankComments(text.slice(node.startIndex, declarator.startIndex));
    const definition: FunctionDefinition = {
      name: shape.name,
      line: line(declarator.startIndex),
      endLine: line(node.endIndex - 1),
      isStatic: /\bstatic\b/.test(head),
      returnType: returnTypeText(head, shape.pointerDepth),
      params: shape.params,
    };
    const doc = docCommentBefore(text, node.startIndex);
    if (doc) definition.doc = doc;
    facts.functions.push(definition);
    const locals = new Map<string, string>();
    for (const p of shape.params) if (p.name) locals.set(p.name, baseTypeName(p.type));
    scopes.push({ name: shape.name, start: body.startIndex, end: body.endIndex, locals });
    const separated = source.bodies.get(body.startIndex);
    if (separated) separatedBodies.push({ scope: scopes[scopes.length - 1], span: separated });
  }
  const scopeAt = (offset: number): FunctionScope | undefined => {
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
  };
  const fileScopeTypes = new Map<string, string>();

  // Declarations: prototypes and globals at file scope, typed locals inside functions, and their initializers.
  const initializers: { type: string; isArray: boolean; variable: string; text: string; offset: number; scope?: FunctionScope }[] = [];
  for (const node of declarations) {
    const raw = slice(node);
    const parts = readDeclaration(blankPreprocessorLines(blankComments(raw)));
    if (!parts) continue;
    const scope = scopeAt(node.startIndex);
    const baseType = baseTypeName(parts.specifiers);
    for (const d of parts.declarators) {
      const shape = readDeclarator(d.text);
      if (!shape) continue;
      if (!scope && shape.isFunction && shape.params && d.initializer === undefined) {
        const prototype = {
          name: shape.name,
          line: line(node.startIndex + d.offset),
          returnType: returnTypeText(parts.specifiers, shape.pointerDepth),
          params: shape.params,
          doc: docCommentBefore(text, node.startIndex),
        };
        if (!prototype.doc) delete prototype.doc;
        facts.prototypes.push(prototype);
        continue;
      }
      if (shape.isFunction) continue;
      if (scope) scope.locals.set(shape.name, baseType);
      else {
        fileScopeTypes.set(shape.name, baseType);
        if (!/\bextern\b/.test(parts.specifiers) && !/\btypedef\b/.test(parts.specifiers)) {
          const global = {
            name: shape.name,
            type: baseType + (shape.pointerDepth ? ' ' + '*'.repeat(shape.pointerDepth) : '') + (shape.isArray ? '[]' : ''),
            line: line(node.startIndex + d.offset),
            isStatic: /\bstatic\b/.test(parts.specifiers),
          };
          // A tentative declaration (`static struct x y;`) and its definition are one variable: keep the definition.
          const earlier = facts.globals.findIndex((g) => g.name === global.name);
          if (earlier < 0) facts.globals.push(global);
          else if (d.initializer !== undefined) facts.globals[earlier] = global;
        }
      }
      if (d.initializer === undefined || d.initializerOffset === undefined) continue;
      const init = d.initializer.trim();
      const at = node.startIndex + d.initializerOffset + (d.initializer.length - d.initializer.trimStart().length);
      if (init.startsWith('{')) {
        initializers.push({ type: baseType, isArray: shape.isArray, variable: shape.name, text: init, offset: at, scope });
      } else {
        const value = summarizeValue(init);
        if (value.kind === 'call' && /^(struct|union) /.test(baseType)) {
          facts.typedCallResults.push({ callee: value.callee, type: baseType, line: line(at), caller: scope?.name ?? '' });
        }
      }
    }
  }

  for (const node of typedefs) readTypedef(node);
  const structBodies: Span[] = [];
  for (const node of structs) {
    // endIndex is a WASM call per read: read it once, not once per earlier struct.
    const start = node.startIndex;
    const end = node.endIndex;
    if (structBodies.some((s) => start >= s.start && end <= s.end)) continue; // nested: read with its parent
    readStruct(node);
    structBodies.push({ start, end });
  }
  for (const node of macros) readMacro(node);

  for (const { node, fn, args } of calls) {
    const scope = scopeAt(node.startIndex);
    const fnText = slice(fn);
    let callee = '';
    let calleeField: string | undefined;
    if (fn.type === 'identifier') callee = fnText;
    else {
      const field = /(?:->|\.)\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)?$/.exec(fnText);
      if (field) calleeField = field[1];
    }
    const argText = blankComments(slice(args));
    const call = {
      callee,
      line: line(node.startIndex),
      caller: scope?.name ?? '',
      args: splitArguments(argText).map((a) => summarizeValue(a.text)),
      ...(calleeField ? { calleeField } : {}),
    };
    facts.calls.push(call);
  }

  // Assignments tree-sitter found: at file scope, or in a body that could not be cut out of the skeleton.
  for (const { left, right } of assignments) {
    if (left.type !== 'identifier' && left.type !== 'field_expression') continue;
    const scope = scopeAt(left.startIndex);
    const assignmentScope = { caller: scope?.name ?? '', locals: scope?.locals ?? new Map<string, string>(), fileScopeTypes };
    recordAssignment(blankComments(slice(left)), blankComments(slice(right)), line(left.startIndex), line(right.startIndex), assignmentScope, facts);
  }

  // Function bodies that were cut out of the skeleton: read by the statement scanner.
  const bodyOutput: BodyOutput = { calls: facts.calls, fieldStores: facts.fieldStores, typedCallResults: facts.typedCallResults, initializers: [] };
  const bodyInitializers: (typeof initializers)[number][] = [];
  bodyCache?.begin(fileScopeTypes);
  for (const { scope, span } of separatedBodies) {
    bodyOutput.initializers = [];
    const bodyScope = { caller: scope.name, locals: scope.locals, fileScopeTypes };
    if (bodyCache) bodyCache.scan(source.text, span, bodyScope, fullLine, bodyOutput);
    else scanFunctionBody(source.text, span, bodyScope, fullLine, bodyOutput);
    for (const init of bodyOutput.initializers) bodyInitializers.push({ ...init, scope });
  }
  bodyCache?.end();
  for (const { type, value } of literals) {
    const scope = scopeAt(value.startIndex);
    initializers.push({ type: baseTypeName(slice(type)), isArray: /\[/.test(slice(type)), variable: '', text: slice(value), offset: value.startIndex, scope });
  }
  const readAll = (list: typeof initializers, lineOf: (offset: number) => number) => {
    for (const init of list) {
      const target: StructPath = { rootType: init.type, fields: [] };
      const cleaned = blankComments(init.text);
      if (init.isArray) {
        // Each element of an array initializer initialises one struct of the element type.
        forEachInitializerElement(cleaned, init.offset, (element) => {
          if (element.value.startsWith('{')) readInitializer(element.value, element.offset, target, init.variable, init.scope, lineOf);
        });
      } else readInitializer(cleaned, init.offset, target, init.variable, init.scope, lineOf);
    }
  };
  readAll(initializers, line);
  readAll(bodyInitializers, fullLine);

  return facts;

  function readInitializer(braced: string, offset: number, target: StructPath, variable: string, scope: FunctionScope | undefined, lineOf: (offset: number) => number): void {
    forEachInitializerElement(braced, offset, (element) => {
      const designators = element.designators;
      if (designators.length > 0 && designators.some((d) => d.startsWith('['))) return; // array slots inside a struct: not a field
      const fields = designators.length > 0 ? designators : [`#${element.position}`];
      if (element.value.startsWith('{')) {
        readInitializer(element.value, element.offset, { rootType: target.rootType, fields: [...target.fields, ...fields] }, variable, scope, lineOf);
        return;
      }
      const value = summarizeValue(element.value);
      if (value.kind !== 'ident' && value.kind !== 'call' && value.kind !== 'string') return;
      if (value.kind === 'ident' && scope?.locals.has(value.name)) return;
      const last = fields[fields.length - 1];
      const store: FieldStore = {
        target: { rootType: target.rootType, fields: [...target.fields, ...fields.slice(0, -1)] },
        field: last.startsWith('#') ? '' : last,
        value,
        line: lineOf(element.offset),
        caller: scope?.name ?? '',
      };
      if (last.startsWith('#')) store.position = Number(last.slice(1));
      if (variable) store.variable = variable;
      facts.fieldStores.push(store);
    });
  }

  function readTypedef(node: Node): void {
    const raw = blankComments(slice(node));
    const body = raw.replace(/^\s*typedef\s+/, '');
    const parts = readDeclaration(body);
    if (!parts) return;
    for (const d of parts.declarators) {
      const shape = readDeclarator(d.text);
      if (!shape || !shape.params) continue;
      const typedef = {
        name: shape.name,
        line: line(node.startIndex),
        returnType: returnTypeText(parts.specifiers, shape.isFunctionPointer ? 0 : shape.pointerDepth),
        params: shape.params,
        doc: docCommentBefore(text, node.startIndex),
      };
      if (!typedef.doc) delete typedef.doc;
      facts.typedefs.push(typedef);
    }
  }

  function readStruct(node: Node): void {
    const raw = blankPreprocessorLines(blankComments(slice(node)));
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
    const definition: StructDefinition = { name, line: line(node.startIndex), fields: [] };
    const doc = docCommentBefore(text, node.parent?.type === 'declaration' || node.parent?.type === 'type_definition' ? node.parent.startIndex : node.startIndex);
    if (doc) definition.doc = doc;
    facts.structs.push(definition);
    readFields(raw.slice(open + 1, close), node.startIndex + open + 1, definition);
  }

  function readFields(body: string, offset: number, into: StructDefinition): void {
    for (const piece of splitTopLevel(body, ';')) {
      const pieceText = piece.text;
      const at = offset + piece.offset + (pieceText.length - pieceText.trimStart().length);
      const brace = pieceText.indexOf('{');
      if (brace >= 0 && /^\s*(struct|union)\b[^{]*$/.test(pieceText.slice(0, brace))) {
        const close = matchingClose(pieceText, brace);
        if (close < 0) continue;
        const memberName = /([A-Za-z_][A-Za-z0-9_]*)\s*(\[[^\]]*\]\s*)*$/.exec(pieceText.slice(close + 1).trim());
        const innerBody = pieceText.slice(brace + 1, close);
        const innerOffset = offset + piece.offset + brace + 1;
        if (!memberName) {
          readFields(innerBody, innerOffset, into); // anonymous struct/union members belong to the parent
          continue;
        }
        const tag = /\b(struct|union)\s+([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(pieceText.slice(0, brace));
        const nestedName = tag ? `${tag[1]} ${tag[2]}` : `${into.name}::${memberName[1]}`;
        const nested: StructDefinition = { name: nestedName, line: line(innerOffset), fields: [] };
        facts.structs.push(nested);
        readFields(innerBody, innerOffset, nested);
        into.fields.push({ name: memberName[1], type: nestedName, line: line(at), isFunctionPointer: false });
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
          line: line(at),
          isFunctionPointer: shape.isFunctionPointer,
        };
        if (shape.isFunctionPointer && shape.params) field.params = shape.params;
        into.fields.push(field);
      }
    }
  }

  function readMacro(node: Node): void {
    const raw = slice(node);
    const m = /^#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)\(([^)]*)\)/.exec(raw);
    if (!m) return;
    const body = collapseSpace(blankComments(raw.slice(m[0].length).replace(/\\\r?\n/g, ' ')));
    facts.macros.push({
      name: m[1],
      line: line(node.startIndex),
      params: m[2].split(',').map((p) => p.trim()).filter((p) => p !== ''),
      body,
    });
  }
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
    const params = shape.params?.map((p) => (p.name ? `${p.type} ${p.name}` : p.type)).join(', ') ?? '';
    return `${collapseSpace(specifiers.replace(/\b(static|extern)\b/g, ''))} (*)(${params || 'void'})`;
  }
  const stars = shape.pointerDepth > 0 ? ' ' + '*'.repeat(shape.pointerDepth) : '';
  const array = shape.isArray ? /(\[[^\]]*\])/.exec(declaratorText)?.[1] ?? '[]' : '';
  return `${baseType}${stars}${array}`;
}

export type { ValueSummary };
