// A tree-sitter tree copied once into plain objects: the path walker asks each node for its type, fields and text many
// times per path, and every such question to a web-tree-sitter Node crosses into WASM and allocates a new Node.
import type { Tree } from 'web-tree-sitter';
import { lineAt, lineStarts } from './cText';

/** The text a tree was parsed from, shared by its nodes. */
interface Source {
  text: string;
  starts?: ArrayLike<number>;
}

/** The part of web-tree-sitter's Node that the checker reads, answered from memory. */
export class PlainNode {
  parent: PlainNode | null = null;
  /** Every child, anonymous tokens (`->`, `;`) included, in order. */
  readonly children: PlainNode[] = [];
  readonly namedChildren: PlainNode[] = [];
  private fields: Map<string, PlainNode> | undefined;
  private cachedText: string | undefined;

  constructor(
    readonly id: number,
    readonly type: string,
    readonly isNamed: boolean,
    private readonly source: Source,
    readonly startIndex: number,
    readonly endIndex: number,
  ) {}

  get text(): string {
    return (this.cachedText ??= this.source.text.slice(this.startIndex, this.endIndex));
  }

  /** Row (0-based) of the node's first character; asked for rarely, so worked out from the text when asked. */
  get startPosition(): { row: number } {
    return { row: lineAt((this.source.starts ??= lineStarts(this.source.text)), this.startIndex) - 1 };
  }

  child(index: number): PlainNode | null {
    return this.children[index] ?? null;
  }

  namedChild(index: number): PlainNode | null {
    return this.namedChildren[index] ?? null;
  }

  childForFieldName(name: string): PlainNode | null {
    return this.fields?.get(name) ?? null;
  }

  /** Descendants (not this node) of the given type(s), in document order. */
  descendantsOfType(types: string | readonly string[]): PlainNode[] {
    const wanted = typeof types === 'string' ? [types] : types;
    const out: PlainNode[] = [];
    const stack = [...this.children].reverse();
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (wanted.includes(n.type)) out.push(n);
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
    }
    return out;
  }

  /** @internal used while copying */
  addChild(child: PlainNode, field: string | null): void {
    child.parent = this;
    this.children.push(child);
    if (child.isNamed) this.namedChildren.push(child);
    // A field that repeats (several `declarator`s) answers with its first node, as tree-sitter does.
    if (field && !this.fields?.has(field)) (this.fields ??= new Map()).set(field, child);
  }
}

/** Copies `tree` (parsed from `source`) with one cursor pass. Comments are kept: the walker skips them itself. */
export function plainTree(tree: Tree, text: string): PlainNode {
  const cursor = tree.walk();
  const source: Source = { text };
  const { language } = tree;
  let id = 0;
  // Four reads of the cursor per node: each read is a round trip into WASM.
  const make = () => {
    const type = typeInfo(language, cursor.nodeTypeId);
    return new PlainNode(id++, type.name, type.named, source, cursor.startIndex, cursor.endIndex);
  };
  try {
    const root = make();
    const stack: PlainNode[] = [root];
    if (!cursor.gotoFirstChild()) return root;
    for (;;) {
      const node = make();
      const fieldId = cursor.currentFieldId;
      stack[stack.length - 1].addChild(node, fieldId ? language.fields[fieldId] : null);
      if (cursor.gotoFirstChild()) {
        stack.push(node);
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent() || stack.length === 1) return root;
        stack.pop();
      }
    }
  } finally {
    cursor.delete();
  }
}

const typeNames = new WeakMap<object, Map<number, { name: string; named: boolean }>>();

function typeInfo(language: Tree['language'], typeId: number): { name: string; named: boolean } {
  let names = typeNames.get(language);
  if (!names) typeNames.set(language, (names = new Map()));
  let info = names.get(typeId);
  if (!info) names.set(typeId, (info = { name: language.types[typeId] || 'ERROR', named: language.nodeTypeIsNamed(typeId) }));
  return info;
}
