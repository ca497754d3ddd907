// `npm run check:history`: runs `spdk-lens check` on the parent and the fix tree of every case in
// test/data/thread-rule-history.json and scores it: flagged in the parent (right rule, file, function), silent in the fix.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_MIRROR = '/work/.mirror/spdk+spdk/repo';
export const DEFAULT_DATA = join(REPO_ROOT, 'test', 'data', 'thread-rule-history.json');
/** Top-level folders the checker reads; older commits lack some of them, so only those present are extracted. */
const TREE_DIRS = ['lib', 'module', 'app', 'examples', 'include'];
const SHA = /^[0-9a-f]{40}$/;

const USAGE = `usage: node scripts/check-history.mjs [--split dev|holdout|all] [--rule <id>]... [--case <id>]...
       [--repo <SPDK clone or bare mirror>] [--data <cases.json>] [--cli <cli.js>] [--timeout <seconds per tree>] [--json]
  --repo defaults to $SPDK_REPO, then ${DEFAULT_MIRROR}; --cli defaults to dist/cli.js.
  Exit 0: every tree was checked; 1: some trees failed (see the errors); 2: bad arguments, no mirror or no CLI;
  130: interrupted.`;

class SetupError extends Error {}
/** Ctrl-C reaches the child first (spawnSync blocks this process), so a child killed by SIGINT/SIGTERM stops the run. */
class Interrupted extends Error {}

/** Loads and checks the case file; throws a SetupError naming the first bad entry. */
export function loadCases(path) {
  let doc;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SetupError(`cannot read the cases in ${path}: ${error.message}`);
  }
  if (!doc || !Array.isArray(doc.cases)) throw new SetupError(`${path} has no "cases" array`);
  for (const c of doc.cases) {
    for (const key of ['id', 'rule', 'fix', 'file', 'function', 'split']) {
      if (typeof c?.[key] !== 'string' || c[key] === '') throw new SetupError(`${path}: a case has no "${key}": ${JSON.stringify(c).slice(0, 120)}`);
    }
    if (!SHA.test(c.fix)) throw new SetupError(`${path}: case ${c.id} has a fix that is not a 40-hex commit id`);
  }
  return doc.cases;
}

/** Which findings of one tree name the case's rule, file and function. */
export function matchingFindings(findings, c) {
  return findings.filter((f) => f.rule === c.rule && f.file === c.file && f.function === c.function);
}

/** Scores one case from the findings of its parent and fix trees (undefined when that tree could not be checked). */
export function scoreCase(c, parentFindings, fixFindings) {
  const inParent = parentFindings ? matchingFindings(parentFindings, c) : undefined;
  const inFix = fixFindings ? matchingFindings(fixFindings, c) : undefined;
  const parentHit = inParent !== undefined && inParent.length > 0;
  const fixSilent = inFix !== undefined && inFix.length === 0;
  return {
    id: c.id,
    rule: c.rule,
    split: c.split,
    file: c.file,
    function: c.function,
    parentHit,
    fixSilent,
    both: parentHit && fixSilent,
    parentLines: (inParent ?? []).map((f) => f.line),
    fixLines: (inFix ?? []).map((f) => f.line),
    // Same rule and file but another function: a near miss worth a look when tuning.
    parentElsewhere: (parentFindings ?? []).filter((f) => f.rule === c.rule && f.file === c.file && f.function !== c.function).map((f) => `${f.function}:${f.line}`),
  };
}

/** Counts per rule and in total: cases, parent-hit, fix-silent, both, errors. */
export function summarise(scores) {
  const empty = () => ({ cases: 0, parentHit: 0, fixSilent: 0, both: 0, errors: 0 });
  const byRule = {};
  const total = empty();
  for (const s of scores) {
    const row = (byRule[s.rule] ??= empty());
    for (const target of [row, total]) {
      target.cases++;
      if (s.parentHit) target.parentHit++;
      if (s.fixSilent) target.fixSilent++;
      if (s.both) target.both++;
      if (s.error) target.errors++;
    }
  }
  return { byRule, total };
}

function git(repo, args, options = {}) {
  return spawnSync('git', ['-C', repo, ...args], { encoding: options.encoding ?? 'utf8', maxBuffer: 1 << 30, timeout: options.timeout ?? 120_000 });
}

function checkMirror(repo) {
  if (!existsSync(repo)) throw new SetupError(`no SPDK git repository at ${repo} (pass --repo or set SPDK_REPO)`);
  const probe = git(repo, ['rev-parse', '--git-dir']);
  if (probe.error || probe.status !== 0) throw new SetupError(`${repo} is not a git repository: ${(probe.stderr || probe.error?.message || '').trim()}`);
}

/** The parent of a fix commit, or an error message. */
function parentOf(repo, sha) {
  const r = git(repo, ['rev-parse', '--verify', '--quiet', `${sha}^`]);
  const parent = r.stdout?.trim();
  return r.status === 0 && SHA.test(parent) ? { parent } : { error: `commit ${sha} or its parent is not in ${repo}` };
}

/** Extracts the checker's folders of one commit into a fresh temp dir. */
function extractTree(repo, sha, timeoutMs) {
  const listing = git(repo, ['ls-tree', '--name-only', sha]);
  if (listing.status !== 0) throw new Error(`cannot list ${sha}: ${listing.stderr.trim()}`);
  const present = listing.stdout.split('\n').filter((name) => TREE_DIRS.includes(name));
  if (present.length === 0) throw new Error(`${sha} has none of ${TREE_DIRS.join(', ')}`);
  const archive = git(repo, ['archive', '--format=tar', sha, ...present], { encoding: 'buffer', timeout: timeoutMs });
  if (archive.error || archive.status !== 0) throw new Error(`git archive ${sha} failed: ${archive.error?.message ?? archive.stderr.toString().trim()}`);
  const dir = mkdtempSync(join(tmpdir(), `spdk-lens-history-${sha.slice(0, 10)}-`));
  const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout, timeout: timeoutMs, maxBuffer: 1 << 20 });
  if (untar.signal === 'SIGINT' || untar.signal === 'SIGTERM') {
    rmSync(dir, { recursive: true, force: true });
    throw new Interrupted(`tar was stopped by ${untar.signal}`);
  }
  if (untar.error || untar.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`tar failed for ${sha}: ${untar.error?.message ?? untar.stderr.toString().trim()}`);
  }
  return dir;
}

/** Runs the CLI's check on one tree; returns its findings or throws with what went wrong. */
function runCheck(cli, tree, rules, timeoutMs) {
  // One fact cache for every tree: facts are keyed by file content, and most files are the same from commit to commit.
  const args = [cli, 'check', tree, '--json', '--cache', join(tmpdir(), 'spdk-lens-history-cache'), ...rules.flatMap((r) => ['--rule', r])];
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 30 });
  if (run.signal === 'SIGINT' || run.signal === 'SIGTERM') throw new Interrupted(`check was stopped by ${run.signal}`);
  if (run.error?.code === 'ETIMEDOUT' || run.signal === 'SIGKILL') throw new Error(`check timed out after ${timeoutMs / 1000} s`);
  if (run.error) throw new Error(`check could not run: ${run.error.message}`);
  let doc;
  try {
    doc = JSON.parse(run.stdout);
  } catch {
    const why = (run.stderr || run.stdout || '').trim().split('\n').slice(0, 3).join(' | ');
    // The CLI exits 2 on a usage error (no check command, unknown option): every other tree would fail the same way.
    if (run.status === 2) throw new SetupError(`${cli} rejected the check command: ${why || 'no output'}`);
    throw new Error(`check exited ${run.status} without JSON findings: ${why || 'no output'}`);
  }
  if (!Array.isArray(doc?.findings)) throw new Error('check printed JSON without a "findings" array');
  return doc.findings;
}

function pct(n, d) {
  return d === 0 ? '-' : `${Math.round((100 * n) / d)} %`;
}

function printTable(title, scores) {
  const { byRule, total } = summarise(scores);
  const out = [`\n${title}`, `  ${'rule'.padEnd(22)} ${'cases'.padStart(5)} ${'parent-hit'.padStart(12)} ${'fix-silent'.padStart(12)} ${'both'.padStart(12)} ${'errors'.padStart(6)}`];
  const line = (name, r) =>
    `  ${name.padEnd(22)} ${String(r.cases).padStart(5)} ${`${r.parentHit} (${pct(r.parentHit, r.cases)})`.padStart(12)} ${`${r.fixSilent} (${pct(r.fixSilent, r.cases)})`.padStart(12)} ${`${r.both} (${pct(r.both, r.cases)})`.padStart(12)} ${String(r.errors).padStart(6)}`;
  for (const rule of Object.keys(byRule).sort()) out.push(line(rule, byRule[rule]));
  out.push(line('total', total));
  return out.join('\n');
}

function caseLine(s) {
  const mark = (ok) => (ok ? 'yes' : 'no ');
  const where = s.parentLines.length > 0 ? ` parent line ${s.parentLines.join(',')}` : '';
  const still = s.fixLines.length > 0 ? ` fix line ${s.fixLines.join(',')}` : '';
  const near = s.parentElsewhere.length > 0 ? ` (same file: ${s.parentElsewhere.join(', ')})` : '';
  return `  ${s.id.padEnd(52)} ${s.split.padEnd(7)} parent-hit ${mark(s.parentHit)} fix-silent ${mark(s.fixSilent)}${where}${still}${near}${s.error ? ` ERROR ${s.error}` : ''}`;
}

export function main(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        split: { type: 'string', default: 'all' },
        rule: { type: 'string', multiple: true },
        case: { type: 'string', multiple: true },
        repo: { type: 'string' },
        data: { type: 'string' },
        cli: { type: 'string' },
        timeout: { type: 'string', default: '600' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`check-history: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const timeoutSeconds = Number(values.timeout);
  const temps = new Set();
  const cleanup = () => {
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
    temps.clear();
  };
  try {
    if (!['dev', 'holdout', 'all'].includes(values.split)) throw new SetupError(`--split must be dev, holdout or all, not ${values.split}`);
    if (!(timeoutSeconds > 0)) throw new SetupError(`--timeout must be a positive number of seconds, not ${values.timeout}`);
    const repo = resolve(values.repo ?? process.env.SPDK_REPO ?? DEFAULT_MIRROR);
    const cli = resolve(values.cli ?? join(REPO_ROOT, 'dist', 'cli.js'));
    const all = loadCases(resolve(values.data ?? DEFAULT_DATA));
    const unknownCase = (values.case ?? []).find((id) => !all.some((c) => c.id === id));
    if (unknownCase) throw new SetupError(`no case ${unknownCase} in the data file`);
    const unknownRule = (values.rule ?? []).find((rule) => !all.some((c) => c.rule === rule));
    if (unknownRule) throw new SetupError(`no case has rule ${unknownRule}`);
    const cases = all.filter(
      (c) => (values.split === 'all' || c.split === values.split) && (!values.rule || values.rule.includes(c.rule)) && (!values.case || values.case.includes(c.id)),
    );
    if (cases.length === 0) throw new SetupError('no case matches the selection');
    if (!existsSync(cli)) throw new SetupError(`no CLI at ${cli} (run npm run build first, or pass --cli)`);
    checkMirror(repo);

    // Every tree is extracted and checked once, with the rules of all the cases that read it.
    const trees = new Map();
    const pending = [];
    for (const c of cases) {
      const p = parentOf(repo, c.fix);
      if (p.error) {
        pending.push({ c, error: p.error });
        continue;
      }
      for (const sha of [p.parent, c.fix]) {
        const t = trees.get(sha) ?? { rules: new Set() };
        t.rules.add(c.rule);
        trees.set(sha, t);
      }
      pending.push({ c, parent: p.parent });
    }
    const timeoutMs = timeoutSeconds * 1000;
    let n = 0;
    for (const [sha, t] of trees) {
      n++;
      const started = Date.now();
      let dir;
      try {
        dir = extractTree(repo, sha, timeoutMs);
        temps.add(dir);
        t.findings = runCheck(cli, dir, [...t.rules].sort(), timeoutMs);
      } catch (error) {
        if (error instanceof SetupError || error instanceof Interrupted) throw error;
        t.error = error.message;
      } finally {
        if (dir) {
          rmSync(dir, { recursive: true, force: true });
          temps.delete(dir);
        }
      }
      const took = ((Date.now() - started) / 1000).toFixed(1);
      process.stderr.write(`[check-history] ${n}/${trees.size} ${sha.slice(0, 10)} ${t.error ? `error: ${t.error}` : `${t.findings.length} findings`} (${took} s)\n`);
    }

    const scores = pending.map(({ c, parent, error }) => {
      if (error) return { ...scoreCase(c, undefined, undefined), error };
      const pt = trees.get(parent);
      const ft = trees.get(c.fix);
      const s = scoreCase(c, pt.findings, ft.findings);
      const errors = [pt.error && `parent: ${pt.error}`, ft.error && `fix: ${ft.error}`].filter(Boolean);
      return errors.length > 0 ? { ...s, error: errors.join('; ') } : s;
    });
    const splits = values.split === 'all' ? ['dev', 'holdout'] : [values.split];
    const bySplit = Object.fromEntries(splits.map((split) => [split, summarise(scores.filter((s) => s.split === split))]));
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ repo, split: values.split, bySplit, ...summarise(scores), cases: scores }, null, 2)}\n`);
    } else {
      process.stdout.write(`cases\n${scores.map(caseLine).join('\n')}\n`);
      for (const split of splits) process.stdout.write(`${printTable(`${split} split`, scores.filter((s) => s.split === split))}\n`);
      if (splits.length > 1) process.stdout.write(`${printTable('all cases', scores)}\n`);
    }
    return scores.some((s) => s.error) ? 1 : 0;
  } catch (error) {
    if (error instanceof SetupError) {
      process.stderr.write(`check-history: ${error.message}\n`);
      return 2;
    }
    if (error instanceof Interrupted) {
      process.stderr.write(`check-history: ${error.message}; stopped\n`);
      return 130;
    }
    throw error;
  } finally {
    cleanup();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
