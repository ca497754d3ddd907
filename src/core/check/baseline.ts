// A tree's accepted findings, so CI fails only on new ones. Entries are keyed by rule, file, function and message
// (numbers in the message ignored), never by line: editing code above a finding does not bring it back.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Finding } from './checkTypes';

export const BASELINE_SCHEMA = 'spdk-lens/baseline@1';

export interface BaselineEntry {
  rule: string;
  file: string;
  function: string;
  message: string;
  /** How many findings with this key are accepted. */
  count: number;
}

export interface Baseline {
  schema: typeof BASELINE_SCHEMA;
  entries: BaselineEntry[];
}

/** A baseline file that cannot be read or does not have the baseline's shape. */
export class BaselineError extends Error {}

function keyOf(f: { rule: string; file: string; function: string; message: string }): string {
  // Messages may name a line ("opened at line 42"): such numbers move with the code.
  return `${f.rule}\u0000${f.file}\u0000${f.function}\u0000${f.message.replace(/\d+/g, '#')}`;
}

export function makeBaseline(findings: readonly Finding[]): Baseline {
  const byKey = new Map<string, BaselineEntry>();
  for (const f of findings) {
    const key = keyOf(f);
    const entry = byKey.get(key);
    if (entry) entry.count++;
    else byKey.set(key, { rule: f.rule, file: f.file, function: f.function, message: f.message, count: 1 });
  }
  const entries = [...byKey.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.function < b.function ? -1 : a.function > b.function ? 1 : a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
  return { schema: BASELINE_SCHEMA, entries };
}

export function parseBaseline(text: string, source: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(`${source} is not valid JSON (${(error as Error).message})`);
  }
  const d = data as { schema?: unknown; entries?: unknown } | null;
  if (typeof d !== 'object' || d === null || d.schema !== BASELINE_SCHEMA || !Array.isArray(d.entries)) {
    throw new BaselineError(`${source} is not an spdk-lens baseline (expected {"schema": "${BASELINE_SCHEMA}", "entries": [...]})`);
  }
  d.entries.forEach((e: unknown, i) => {
    const entry = e as Partial<Record<keyof BaselineEntry, unknown>> | null;
    const ok =
      typeof entry === 'object' &&
      entry !== null &&
      typeof entry.rule === 'string' &&
      typeof entry.file === 'string' &&
      typeof entry.function === 'string' &&
      typeof entry.message === 'string' &&
      Number.isInteger(entry.count) &&
      (entry.count as number) > 0;
    if (!ok) throw new BaselineError(`${source}: entry ${i + 1} needs rule, file, function and message (strings) and count (a whole number above 0)`);
  });
  return { schema: BASELINE_SCHEMA, entries: d.entries as BaselineEntry[] };
}

export interface BaselineResult {
  /** Findings the baseline does not accept. */
  findings: Finding[];
  /** How many it accepted. */
  accepted: number;
  /** Entries (with what is left of their count) that matched nothing: fixed since, or moved to another function. */
  stale: BaselineEntry[];
}

export function applyBaseline(findings: readonly Finding[], baseline: Baseline): BaselineResult {
  const left = new Map<string, number>();
  for (const e of baseline.entries) {
    const key = keyOf(e);
    left.set(key, (left.get(key) ?? 0) + e.count);
  }
  const kept: Finding[] = [];
  let accepted = 0;
  for (const f of findings) {
    const key = keyOf(f);
    const n = left.get(key) ?? 0;
    if (n > 0) {
      left.set(key, n - 1);
      accepted++;
    } else kept.push(f);
  }
  const stale: BaselineEntry[] = [];
  for (const e of baseline.entries) {
    const key = keyOf(e);
    const n = left.get(key) ?? 0;
    if (n <= 0) continue;
    stale.push({ ...e, count: n });
    left.set(key, 0); // entries that share a key report what is left once
  }
  return { findings: kept, accepted, stale };
}

/** Reads a baseline file; a missing, unreadable or malformed file is a BaselineError. */
export function readBaselineFile(path: string): Baseline {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new BaselineError(`cannot read baseline ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseBaseline(text, path);
}

/** Writes the findings as a baseline, through a temporary file, so a failed write leaves the old one whole. */
export function writeBaselineFile(path: string, findings: readonly Finding[]): Baseline {
  const baseline = makeBaseline(findings);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(baseline, null, 2) + '\n');
  renameSync(temporary, path);
  return baseline;
}
