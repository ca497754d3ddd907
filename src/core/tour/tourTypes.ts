// Tours as plain JSON: what a tour file holds, and what resolving it against an index gives the editor.

/** The book's four mental models; a step says which one it exercises. */
export const MENTAL_MODELS = ['hardware', 'kernel-bypass', 'runtime', 'bdev-graph'] as const;
export type MentalModel = (typeof MENTAL_MODELS)[number];

/** Words the step player shows for each model. */
export const MENTAL_MODEL_TITLES: Record<MentalModel, string> = {
  hardware: 'Hardware model',
  'kernel-bypass': 'Kernel-bypass model',
  runtime: 'SPDK runtime model',
  'bdev-graph': 'bdev graph model',
};

export const ANCHOR_KINDS = ['function', 'struct', 'field', 'macro', 'rpc', 'file', 'typedef'] as const;
export type AnchorKind = (typeof ANCHOR_KINDS)[number];

/**
 * Where a step points. `symbol` is the anchor that survives edits; `pattern` (a regular expression matched line by
 * line) and `line` are fallbacks, tried in that order.
 */
export interface TourAnchor {
  /** Path relative to the SPDK root, with `/`; a folder (`module/bdev/raid/`) for file anchors. */
  file: string;
  /** Function, struct (`struct spdk_bdev_io`), field (`struct spdk_bdev_fn_table.submit_request`), macro, typedef or RPC method name. */
  symbol?: string;
  kind?: AnchorKind;
  pattern?: string;
  /** 1-based. */
  line?: number;
}

export interface TourStep {
  title: string;
  /** Markdown shown beside the code. */
  text: string;
  anchor: TourAnchor;
  model?: MentalModel;
  /** The question to ask of the code at this step. */
  question?: string;
}

export interface Tour {
  title: string;
  /** Book chapter the tour follows (`00`, or `00-orientation`). */
  chapter?: string;
  description?: string;
  steps: TourStep[];
}

/** A problem in a tour file, located by a JSON path (`steps[3].anchor.file`) and, for syntax errors, line and column. */
export interface TourProblem {
  /** Errors make the tour unusable; warnings (an unknown property, a likely typo) do not. */
  severity: 'error' | 'warning';
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/** Which anchor field found the place: the symbol, or a fallback. */
export type ResolvedVia = 'symbol' | 'pattern' | 'line' | 'file';

export interface ResolvedLocation {
  file: string;
  /** 1-based. */
  line: number;
  endLine?: number;
  via: ResolvedVia;
  /** The symbol found, as the index names it (`struct spdk_thread`). */
  symbol?: string;
  kind?: AnchorKind | 'prototype' | 'global' | 'enum' | 'enumConstant' | 'folder';
  /** Plain words on how it was found: "symbol bdev_null_create", "moved: found in lib/x.c", "line 40 (no symbol)". */
  note: string;
}

export type AnchorResolution = { ok: true; location: ResolvedLocation } | { ok: false; error: string };

/** A step with the place it resolved to, or why it did not: what the tree view, step player and validator show. */
export interface ResolvedStep {
  /** 0-based position in the tour. */
  index: number;
  title: string;
  anchor: TourAnchor;
  location?: ResolvedLocation;
  error?: string;
}
