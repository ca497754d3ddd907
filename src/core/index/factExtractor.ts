// Parses and extracts one file at a time in this thread. Used by the workers, and directly for re-indexing an open
// document, where it keeps the document's tree so an edit is reparsed incrementally.
import { extractFacts, parseSource, type ParsedSource } from '../facts/extractFacts';
import { BodyScanCache } from '../facts/bodyFacts';
import type { FileFacts } from '../facts/fileFacts';
import { loadCGrammar, type CGrammar } from '../parse/grammar';
import { hashText } from './sourceText';

export class FactExtractor {
  private readonly parser: ReturnType<CGrammar['newParser']>;
  /** Trees kept for open documents only: WASM memory never shrinks, so every other tree is deleted at once. */
  private readonly openTrees = new Map<string, { parsed: ParsedSource; bodies: BodyScanCache }>();

  private constructor(private readonly grammar: CGrammar) {
    this.parser = grammar.newParser();
  }

  static async create(grammarsDir?: string): Promise<FactExtractor> {
    return new FactExtractor(await loadCGrammar(grammarsDir));
  }

  /** Facts of a file; the tree is deleted before returning. */
  extract(file: string, text: string, hash = hashText(text)): FileFacts {
    const parsed = parseSource(this.parser, text);
    try {
      return extractFacts(this.grammar, file, hash, parsed);
    } finally {
      parsed.tree.delete();
    }
  }

  /** Facts of an open document; its tree is kept and the next call reparses incrementally. */
  extractOpen(file: string, text: string, hash = hashText(text)): FileFacts {
    const previous = this.openTrees.get(file);
    const parsed = parseSource(this.parser, text, previous?.parsed);
    previous?.parsed.tree.delete();
    const bodies = previous?.bodies ?? new BodyScanCache();
    this.openTrees.set(file, { parsed, bodies });
    return extractFacts(this.grammar, file, hash, parsed, bodies);
  }

  /** Forget an open document's tree (when it is closed). */
  close(file: string): void {
    this.openTrees.get(file)?.parsed.tree.delete();
    this.openTrees.delete(file);
  }

  dispose(): void {
    for (const open of this.openTrees.values()) open.parsed.tree.delete();
    this.openTrees.clear();
    this.parser.delete();
  }
}
