// Resolves a chapter's mentions to landmarks in the checkout (or says why not), and builds the reverse map that
// back links read: which chapters and paragraphs mention a file or a symbol.
import type { ResolveContext } from '../tour/anchorResolver';
import { normalizeSymbol } from '../tour/symbolLocator';
import { pushTo } from '../util/multiMap';
import { chapterLabel } from './bookFolder';
import type { Chapter, Mention, ResolvedMention } from './chapterTypes';
import { resolveLandmark, scopeOf, type Resolution } from './landmarkResolver';

export function resolveMentions(chapter: Pick<Chapter, 'mentions'> & Partial<Pick<Chapter, 'blocks'>>, context: ResolveContext): ResolvedMention[] {
  return chapter.mentions.map((m) => ({ ...m, ...resolveMention(m, context, chapter.blocks) }));
}

export function resolveMention(mention: Mention, context: ResolveContext, blocks?: Chapter['blocks']): Resolution {
  try {
    return resolveLandmark(mention, context, scopeOf(mention, blocks));
  } catch (error) {
    return { unresolved: `could not resolve ${mention.target}: ${(error as Error).message}` };
  }
}

/** One place in the book that mentions a file or symbol: what a hover's "Book: 00 · Orientation" opens. */
export interface BackLink {
  /** `Book: 00 · Orientation`. */
  label: string;
  chapter: string;
  chapterTitle: string;
  /** Absolute path of the chapter's markdown. */
  chapterPath: string;
  /** The block (paragraph, list item) to scroll to, and its line in the markdown. */
  block: number;
  line: number;
  section?: string;
  /** The mention as written. */
  text: string;
  /** Mentions a folder that holds the file. */
  viaFolder?: boolean;
}

/** The reverse map of every chapter's resolved mentions, by file and by symbol. */
export class BookBackLinks {
  private readonly byFile = new Map<string, BackLink[]>();
  private readonly byFolder = new Map<string, BackLink[]>();
  private readonly bySymbol = new Map<string, BackLink[]>();
  /** The lines each mentioned definition spans, by its file, in the order the chapters mention them. */
  private readonly symbolSpansByFile = new Map<string, { line: number; endLine: number; link: BackLink }[]>();

  constructor(chapters: { chapter: Chapter; mentions: ResolvedMention[] }[]) {
    for (const { chapter, mentions } of chapters) {
      for (const m of mentions) {
        if (!m.landmark) continue;
        const block = chapter.blocks[m.block];
        const link: BackLink = { label: `Book: ${chapterLabel(chapter)}`, chapter: chapter.ref.number, chapterTitle: chapter.title, chapterPath: chapter.ref.path, block: m.block, line: block?.line ?? m.line, text: m.text };
        if (block?.section) link.section = block.section;
        const { file, kind, symbol } = m.landmark;
        if (kind === 'folder') pushTo(this.byFolder, file, link);
        else pushTo(this.byFile, file, link);
        if (symbol) {
          pushTo(this.bySymbol, symbol, link);
          pushTo(this.symbolSpansByFile, file, { line: m.landmark.line, endLine: m.landmark.endLine ?? m.landmark.line, link });
        }
      }
    }
  }

  /** Chapters that mention this file, a symbol in it, or a folder holding it; each paragraph once. */
  forFile(file: string): BackLink[] {
    const out = [...(this.byFile.get(file) ?? [])];
    for (const [folder, links] of this.byFolder) if (file.startsWith(`${folder}/`)) out.push(...links.map((l) => ({ ...l, viaFolder: true })));
    return uniqueParagraphs(out);
  }

  /** Chapters that mention this symbol (`spdk_thread_send_msg`, `struct spdk_bdev_io`, or `spdk_bdev_io` for the struct). */
  forSymbol(symbol: string): BackLink[] {
    const name = normalizeSymbol(symbol);
    return uniqueParagraphs([...(this.bySymbol.get(name) ?? []), ...(this.bySymbol.get(`struct ${name}`) ?? [])]);
  }

  /**
   * Everything a hover on `symbol` at this line of `file` links back to, each paragraph once: the symbol itself and
   * the definition spanning the line first, then the file (or a folder holding it).
   */
  forPlace(file: string, line: number, symbol: string): BackLink[] {
    return uniqueParagraphs([...this.forSymbol(symbol), ...this.at(file, line), ...this.forFile(file)]);
  }

  /** Chapters that mention the definition spanning this line: what a hover or CodeLens at that place offers. */
  at(file: string, line: number): BackLink[] {
    const spans = this.symbolSpansByFile.get(file) ?? [];
    return uniqueParagraphs(spans.filter((s) => s.line <= line && line <= s.endLine).map((s) => s.link));
  }
}

function uniqueParagraphs(links: BackLink[]): BackLink[] {
  const seen = new Set<string>();
  return links.filter((l) => {
    const key = `${l.chapterPath}#${l.block}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
