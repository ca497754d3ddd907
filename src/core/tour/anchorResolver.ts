// Resolves a step's anchor to a place in this checkout: the symbol first (so inserted or moved code never breaks a
// step), then the text pattern, then the line; the note says which one answered.
import { kindsFor, nearestTo, normalizeSymbol, type SourceWorkspace, type SymbolLocator } from './symbolLocator';
import type { AnchorResolution, ResolvedLocation, ResolvedStep, Tour, TourAnchor } from './tourTypes';

export interface ResolveContext {
  locator: SymbolLocator;
  workspace: SourceWorkspace;
}

export function resolveAnchor(anchor: TourAnchor, context: ResolveContext): AnchorResolution {
  const { locator, workspace } = context;
  const file = anchor.file.replace(/\/+$/, '');
  const onDisk = workspace.stat(file) ?? (locator.hasFile(file) ? 'file' : undefined);
  const reasons: string[] = [];
  if (anchor.symbol !== undefined && anchor.kind !== 'file') {
    const symbol = normalizeSymbol(anchor.symbol);
    const here = locator.lookupInFile(file, symbol, anchor.kind);
    if (here.length > 0) {
      const s = here[0];
      return ok({ file: s.file, line: s.line, endLine: s.endLine, via: 'symbol', symbol: s.symbol, kind: s.kind, note: `symbol ${s.symbol}` });
    }
    const elsewhere = locator.lookup(symbol, kindsFor(anchor.kind)).filter((s) => s.file !== file);
    const moved = nearestTo(file, elsewhere);
    if (moved) {
      const why = onDisk ? `not in ${file}` : `${file} does not exist`;
      return ok({ file: moved.file, line: moved.line, endLine: moved.endLine, via: 'symbol', symbol: moved.symbol, kind: moved.kind, note: `symbol ${moved.symbol} moved: ${why}, found in ${moved.file}` });
    }
    const kindWord = anchor.kind ? `${anchor.kind} ` : '';
    if (elsewhere.length > 1) reasons.push(`${kindWord}${symbol} is not in ${file} and is defined in several other files (${[...new Set(elsewhere.map((s) => s.file))].slice(0, 4).join(', ')})`);
    else reasons.push(`${kindWord}${symbol} is not defined in ${file}${onDisk ? '' : ` (${file} does not exist)`} nor anywhere else in the index`);
  }
  if (!onDisk) {
    reasons.push(`${file} does not exist in this checkout`);
    return { ok: false, error: unique(reasons).join('; ') };
  }
  const fellBack = reasons.length > 0 ? ` (${reasons[0]})` : '';
  if (anchor.pattern !== undefined) {
    const text = onDisk === 'file' ? workspace.readText(file) : undefined;
    const line = text === undefined ? undefined : firstMatchingLine(text, anchor.pattern);
    if (line !== undefined) return ok({ file, line, via: 'pattern', note: `pattern /${anchor.pattern}/ at line ${line}${fellBack}` });
    reasons.push(text === undefined ? `${file} could not be read to search /${anchor.pattern}/` : `no line of ${file} matches /${anchor.pattern}/`);
  }
  if (anchor.line !== undefined) {
    const text = onDisk === 'file' ? workspace.readText(file) : undefined;
    const count = text === undefined ? 0 : lineCount(text);
    if (anchor.line <= count) return ok({ file, line: anchor.line, via: 'line', note: `line ${anchor.line} only${fellBack}; it drifts when code above it changes` });
    reasons.push(`${file} has ${count} lines, fewer than line ${anchor.line}`);
  }
  if (reasons.length === 0) {
    return ok({ file, line: 1, via: 'file', kind: onDisk === 'folder' ? 'folder' : 'file', note: onDisk === 'folder' ? `folder ${file}` : `file ${file}` });
  }
  return { ok: false, error: unique(reasons).join('; ') };
}

function ok(location: ResolvedLocation): AnchorResolution {
  return { ok: true, location };
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/** 1-based number of the first line the regular expression matches. */
export function firstMatchingLine(text: string, pattern: string): number | undefined {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (regex.test(lines[i].replace(/\r$/, ''))) return i + 1;
  return undefined;
}

function lineCount(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** Every step with its place or its error; one broken step never stops the others. */
export function resolveTour(tour: Tour, context: ResolveContext): ResolvedStep[] {
  return tour.steps.map((step, index) => {
    let resolution: AnchorResolution;
    try {
      resolution = resolveAnchor(step.anchor, context);
    } catch (error) {
      resolution = { ok: false, error: `could not resolve: ${(error as Error).message}` };
    }
    const resolved: ResolvedStep = { index, title: step.title, anchor: step.anchor };
    if (resolution.ok) resolved.location = resolution.location;
    else resolved.error = resolution.error;
    return resolved;
  });
}
