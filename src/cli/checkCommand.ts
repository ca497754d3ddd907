// `spdk-lens check`: SPDK's thread and lifetime rules over a tree, for a terminal or a CI job (exit 1 on findings).
import { resolve } from 'node:path';
import { RULE_IDS, type Finding, type RuleId } from '../core/check/checkTypes';
import { isRuleId } from '../core/check/checker';
import { applyBaseline, BaselineError, readBaselineFile, writeBaselineFile, type BaselineEntry } from '../core/check/baseline';
import { fileCheckEnv } from '../core/check/checkEnv';
import { checkWithSuppressions, type SuppressionWarning } from '../core/check/suppression';
import { defaultCacheDir } from '../core/index/factCache';
import type { SpdkIndex } from '../core/index/indexer';
import { parseCliArgs, UsageError } from './cliArgs';

export const CHECK_USAGE = `  spdk-lens check <root> [--json] [--rule <id>]... [--baseline <file>] [--write-baseline <file>]
      [--cache <dir> | --no-cache] [--workers <n>] [--exclude <path-or-glob>]...
      (rules: ${RULE_IDS.join(', ')}; exit 1 when there are findings)`;

export interface IndexOpenOptions {
  cacheDir: string | null;
  workers?: number;
  exclude?: string[];
}

interface CheckCliOptions extends IndexOpenOptions {
  root: string;
  json: boolean;
  rules?: RuleId[];
  baseline?: string;
  writeBaseline?: string;
}

function parseCheckArgs(argv: string[]): CheckCliOptions {
  const { values, positionals } = parseCliArgs(
    argv,
    {
      json: { type: 'boolean' },
      rule: { type: 'string', multiple: true },
      baseline: { type: 'string' },
      'write-baseline': { type: 'string' },
      cache: { type: 'string' },
      'no-cache': { type: 'boolean' },
      workers: { type: 'string' },
      exclude: { type: 'string', multiple: true },
    },
    true,
  );
  const [root, ...extra] = positionals;
  if (!root) throw new UsageError('check needs a root folder');
  if (extra.length > 0) throw new UsageError(`check takes one root folder, not also ${extra.join(' ')}`);
  for (const rule of values.rule ?? []) if (!isRuleId(rule)) throw new UsageError(`unknown rule "${rule}" (rules: ${RULE_IDS.join(', ')})`);
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers > 0)) throw new UsageError('--workers needs a whole number above 0');
  return {
    root: resolve(root),
    json: values.json ?? false,
    rules: values.rule ? [...new Set(values.rule as RuleId[])] : undefined,
    baseline: values.baseline,
    writeBaseline: values['write-baseline'],
    cacheDir: values['no-cache'] ? null : values.cache !== undefined ? resolve(values.cache) : defaultCacheDir(),
    workers,
    exclude: values.exclude,
  };
}

/** One line per finding, its evidence indented under it, then a count per rule. */
export function findingsText(findings: readonly Finding[]): string {
  const lines: string[] = [];
  const perRule = new Map<string, number>();
  for (const f of findings) {
    lines.push(`${f.file}:${f.line}: [${f.rule}] ${f.function}: ${f.message}`);
    for (const e of f.evidence) lines.push(`  ${e.file}:${e.line}: ${e.note}`);
    perRule.set(f.rule, (perRule.get(f.rule) ?? 0) + 1);
  }
  for (const rule of RULE_IDS) if (perRule.has(rule)) lines.push(`${rule}: ${perRule.get(rule)}`);
  lines.push(findings.length === 1 ? '1 finding' : `${findings.length} findings`);
  return lines.join('\n');
}

/** The JSON shape, each finding's fields in one order; counts and unusable comments after them. */
function findingsJson(findings: readonly Finding[], warnings: readonly SuppressionWarning[], suppressed: number, accepted: number, stale: readonly BaselineEntry[]): string {
  return JSON.stringify(
    {
      findings: findings.map((f) => ({ rule: f.rule, severity: f.severity, file: f.file, line: f.line, function: f.function, message: f.message, evidence: f.evidence.map((e) => ({ file: e.file, line: e.line, note: e.note })) })),
      suppressed,
      baselineAccepted: accepted,
      staleBaselineEntries: stale,
      warnings,
    },
    null,
    1,
  );
}

export async function runCheckCommand(argv: string[], openIndex: (root: string, options: IndexOpenOptions) => Promise<SpdkIndex>): Promise<number> {
  const options = parseCheckArgs(argv);
  // Read first: a bad baseline stops the run before anything is indexed or written.
  let baseline;
  try {
    baseline = options.baseline !== undefined ? readBaselineFile(options.baseline) : undefined;
  } catch (error) {
    if (!(error instanceof BaselineError)) throw error;
    console.error(`spdk-lens: ${error.message}`);
    return 2;
  }
  const index = await openIndex(options.root, options);
  const model = index.model;
  const started = performance.now();
  const env = await fileCheckEnv(index.root, undefined, options.cacheDir);
  const run = checkWithSuppressions(model, env, { rules: options.rules });
  env.saveNotes();
  const filtered = baseline ? applyBaseline(run.findings, baseline) : { findings: run.findings, accepted: 0, stale: [] };
  const checkMs = Math.round(performance.now() - started);
  await index.persisted;
  for (const w of run.warnings) console.error(`${w.file}:${w.line}: warning: ${w.message}`);
  if (options.writeBaseline !== undefined) {
    const written = writeBaselineFile(options.writeBaseline, run.findings);
    console.log(`wrote ${options.writeBaseline}: ${run.findings.length} finding(s) accepted as ${written.entries.length} entr${written.entries.length === 1 ? 'y' : 'ies'}`);
    return 0;
  }
  const findings = filtered.findings;
  if (options.json) console.log(findingsJson(findings, run.warnings, run.suppressed, filtered.accepted, filtered.stale));
  else {
    console.log(findingsText(findings));
    const hidden = [run.suppressed > 0 ? `${run.suppressed} suppressed by comments` : '', filtered.accepted > 0 ? `${filtered.accepted} accepted by ${options.baseline}` : ''].filter(Boolean);
    if (hidden.length > 0) console.log(`(${hidden.join(', ')})`);
    for (const e of filtered.stale) console.error(`${options.baseline}: ${e.count} accepted [${e.rule}] in ${e.file} ${e.function} no longer found (fixed?): ${e.message}`);
    console.error(`spdk-lens check: ${model.files.size} files checked in ${checkMs} ms (index ${index.stats.ms} ms)`);
  }
  return findings.length > 0 ? 1 : 0;
}
