// Parses and extracts one file at a time in this thread. Used by the workers, and directly for re-indexing an open
// document, where it keeps the document's tree so an edit is reparsed incrementally.
import { collectRegions, extractFactsFromRegions, packRegions, parseSource, prepareText, regionsAfterBodyEdit, unpackRegions, type FileRegions, type PackedRegions, type ParsedSource, type PreparedText } from '../facts/extractFacts';
import type { BodySpan } from '../parse/functionBodies';
import { BodyScanCache } from '../facts/bodyFacts';
import type { FileFacts } from '../facts/fileFacts';
import { loadCGrammar, type CGrammar } from '../parse/grammar';
import { hashText } from './sourceText';

/**
 * A file after the tree-sitter half of extraction, as plain data: what one thread parsed, another can read into facts
 * (see `ParsedFile` in the worker protocol).
 */
export interface ParsedFile {
  file: string;
  hash: string;
  /** The normalized text, the skeleton tree-sitter parsed, and where the bodies cut out of it are. */
  text: string;
  /** The file as read, only when normalizing replaced characters (see ParsedSource). */
  original?: string;
  parsedText: string;
  bodies: Map<number, BodySpan>;
  /** What the query marked, packed to move between threads (see PackedRegions). */
  regions: PackedRegions;
  /** Counted where it was parsed, so the thread that reads the facts has less to do. */
  prepared: PreparedText;
}

/** The second half of extraction: facts from a parsed file. Needs no grammar, so it runs anywhere. */
export function factsOfParsedFile(parsed: ParsedFile): FileFacts {
  return extractFactsFromRegions(parsed.file, parsed.hash, parsed, unpackRegions(parsed.regions), undefined, parsed.prepared);
}

export class FactExtractor {
  private readonly parser: ReturnType<CGrammar['newParser']>;
  /** Trees kept for open documents only: WASM memory never shrinks, so every other tree is deleted at once. */
  private readonly openTrees = new Map<string, { parsed: ParsedSource; regions: FileRegions; bodies: BodyScanCache }>();

  private constructor(private readonly grammar: CGrammar) {
    this.parser = grammar.newParser();
  }

  static async create(grammarsDir?: string): Promise<FactExtractor> {
    return new FactExtractor(await loadCGrammar(grammarsDir));
  }

  /** Facts of a file: both halves of extraction here; the tree is deleted before returning. */
  extract(file: string, text: string, hash = hashText(text)): FileFacts {
    return factsOfParsedFile(this.parse(file, text, hash));
  }

  /** The tree-sitter half of `extract`: the file parsed and queried, as plain data; the tree is deleted. */
  parse(file: string, text: string, hash = hashText(text)): ParsedFile {
    const parsed = parseSource(this.parser, text);
    try {
      const regions = packRegions(collectRegions(this.grammar, parsed.tree));
      return { file, hash, text: parsed.text, original: parsed.original, parsedText: parsed.parsedText, bodies: parsed.bodies, regions, prepared: prepareText(parsed) };
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
    // An edit inside a function body only moves the regions after it: no query needed.
    const regions = (previous && regionsAfterBodyEdit(previous.parsed, previous.regions, parsed)) ?? collectRegions(this.grammar, parsed.tree);
    this.openTrees.set(file, { parsed, regions, bodies });
    return extractFactsFromRegions(file, hash, parsed, regions, bodies);
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
