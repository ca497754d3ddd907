// A book chapter as plain data: its blocks with lines, the source landmarks it mentions, its self-check questions.

/** `content/chapters/00-orientation.md` → number `00`, slug `orientation`. */
export interface ChapterRef {
  number: string;
  slug: string;
  /** Absolute path of the markdown file. */
  path: string;
  fileName: string;
}

/** Inline markdown, already split so mentions are their own nodes. */
export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string; mention?: number }
  | { kind: 'mention'; text: string; mention: number }
  | { kind: 'strong' | 'em'; children: Inline[] }
  | { kind: 'link'; href: string; children: Inline[] };

export interface ChapterBlock {
  /** Position in `Chapter.blocks`; also the anchor a back link opens (`#b12`). */
  id: number;
  kind: 'heading' | 'paragraph' | 'listItem' | 'code' | 'quote' | 'rule';
  /** 1-based first and last line in the markdown file. */
  line: number;
  endLine: number;
  /** Heading level (1-6), or list nesting depth (0 at the margin). */
  level?: number;
  ordered?: boolean;
  /** Fence language of a code block. */
  language?: string;
  /** The block's source text without its markers (`#`, `- `, `>`), lines joined by `\n`. */
  text: string;
  inlines: Inline[];
  /** Title of the heading this block sits under. */
  section?: string;
}

/**
 * A source landmark named in the chapter: a path (`lib/bdev/bdev.c`, `module/bdev/raid/`) in a code span or plain
 * text, or an SPDK symbol in a code span (`spdk_thread_send_msg`, `struct spdk_bdev_io`, an RPC method name).
 */
export interface Mention {
  id: number;
  /** As written. */
  text: string;
  kind: 'path' | 'symbol';
  /** Path without `./` or trailing `/`, or the symbol without `()`. */
  target: string;
  /** `lib/x.c:120` names a line. */
  targetLine?: number;
  inCode: boolean;
  /** A plain word (`Makefile`, `thread`): a landmark only if it resolves, else left as prose. */
  tentative?: boolean;
  block: number;
  /** 1-based line in the markdown file. */
  line: number;
}

export interface SelfCheckQuestion {
  text: string;
  block: number;
  line: number;
  /** Mentions inside the question: the landmarks it can reveal. */
  mentions: number[];
}

export interface Chapter {
  ref: ChapterRef;
  /** The first heading (`Orientation: SPDK Is Not Magic`), or the slug when there is none. */
  title: string;
  /** The title up to its colon: what back links show (`Book: 00 · Orientation`). */
  shortTitle: string;
  blocks: ChapterBlock[];
  mentions: Mention[];
  selfCheck: SelfCheckQuestion[];
}

/** Where a mention lands in the checkout. */
export interface Landmark {
  file: string;
  /** 1-based; 1 for files and folders. */
  line: number;
  endLine?: number;
  /** `mention`: a whole-word match in a build file or script, where the name is used rather than defined. */
  kind: 'file' | 'folder' | 'function' | 'prototype' | 'struct' | 'field' | 'macro' | 'typedef' | 'rpc' | 'global' | 'enum' | 'enumConstant' | 'mention';
  symbol?: string;
  /** How the mention got here when it is not a plain lookup: "short name for struct spdk_io_channel", "mentioned at". */
  note?: string;
}

/** A likely new home of a landmark that no longer resolves: what a book author should write instead. */
export interface Suggestion {
  /** The name or path to write instead. */
  target: string;
  file: string;
  line: number;
  /** `moved: same file name`, `renamed? similar name`, `removed in 1a2b3c4 (2019-05-01)`. */
  why: string;
}

export interface ResolvedMention extends Mention {
  landmark?: Landmark;
  /** Why it does not resolve; set exactly when `landmark` is not. */
  unresolved?: string;
  /** Points outside the SPDK tree on purpose (an absolute path): unresolved, but not a broken landmark. */
  external?: boolean;
  /** Other definitions with the same name, when the mention was ambiguous and the first was chosen. */
  alternatives?: number;
  /** The other places an ambiguous name can mean (a field several structs have, a file name found twice), a few. */
  others?: Landmark[];
  /** For an unresolved mention: where it may have gone, best first. */
  suggestions?: Suggestion[];
  /** A tentative plain word that names nothing: shown as prose and not counted. */
  ignored?: boolean;
}
