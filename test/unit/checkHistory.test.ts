// The SPDK-history test set for `spdk-lens check` (test/data/thread-rule-history.json): its shape, its seeded holdout
// split, the commits and files it names (when an SPDK git mirror is here), and scripts/check-history.mjs end to end on
// a two-commit repository of our own with a stand-in CLI.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RULE_IDS } from '../../src/core/check/checkTypes';
import history from '../data/thread-rule-history.json';
import fresh from '../data/thread-rule-history-fresh.json';
import fresh2 from '../data/thread-rule-history-fresh2.json';
import { REPO_ROOT } from './helpers';

interface HistoryCase {
  id: string;
  rule: string;
  fix: string;
  file: string;
  function: string;
  summary: string;
  split: string;
  visibility: string;
}

const cases = history.cases as HistoryCase[];
const SCRIPT = join(REPO_ROOT, 'scripts', 'check-history.mjs');

/** A line that starts the definition of `name` in SPDK's style (return type on the line before or the same line). */
function definesFunction(source: string, name: string): boolean {
  const lines = source.split('\n');
  return lines.some((line, i) => {
    if (!new RegExp(`^(?:[A-Za-z_][\\w\\s*]*[\\s*])?${name}\\s*\\(`).test(line)) return false;
    for (let j = i; j < lines.length && j < i + 12; j++) {
      if (lines[j].startsWith('{')) return true;
      if (lines[j].trimEnd().endsWith(';')) return false;
    }
    return false;
  });
}

function git(cwd: string, args: string[]): string {
  const run = spawnSync('git', args, { cwd, encoding: 'utf8' });
  assert.equal(run.status, 0, `git ${args.join(' ')}: ${run.stderr}`);
  return run.stdout.trim();
}

describe('SPDK history cases for spdk-lens check', function () {
  it('are well formed: known rule ids, full commit ids, dev or holdout, unique ids named after their rule', () => {
    assert.ok(cases.length >= 40, `${cases.length} cases`);
    const ids = new Set<string>();
    for (const c of cases) {
      assert.ok((RULE_IDS as readonly string[]).includes(c.rule), `${c.id}: unknown rule ${c.rule}`);
      assert.match(c.fix, /^[0-9a-f]{40}$/, `${c.id}: fix`);
      assert.ok(c.split === 'dev' || c.split === 'holdout', `${c.id}: split ${c.split}`);
      assert.ok(c.id.startsWith(`${c.rule}-`) && /^[a-z0-9-]+$/.test(c.id), `${c.id}: id must be <rule>-<short>`);
      assert.ok(!ids.has(c.id), `${c.id} twice`);
      ids.add(c.id);
      assert.match(c.file, /^(lib|module|app|examples|include)\/[\w./-]+\.[ch]$/, `${c.id}: file ${c.file}`);
      assert.match(c.function, /^[A-Za-z_]\w*$/, `${c.id}: function ${c.function}`);
      assert.ok(c.summary.length > 20 && c.visibility.length > 20, `${c.id}: summary and visibility`);
    }
    for (const rule of RULE_IDS) assert.ok(cases.filter((c) => c.rule === rule).length >= 8, `${rule} has fewer than 8 cases`);
  });

  it('hold out, per rule, the round(n/3) cases that come first in the seeded hash order', () => {
    const seed = history.holdoutSeed;
    assert.ok(typeof seed === 'string' && seed.length > 0);
    for (const rule of RULE_IDS) {
      const ofRule = cases.filter((c) => c.rule === rule);
      const order = [...ofRule].sort((a, b) => {
        const ha = createHash('sha256').update(`${seed}:${a.id}`).digest('hex');
        const hb = createHash('sha256').update(`${seed}:${b.id}`).digest('hex');
        return ha < hb ? -1 : ha > hb ? 1 : 0;
      });
      const holdout = new Set(order.slice(0, Math.round(ofRule.length / 3)).map((c) => c.id));
      for (const c of ofRule) assert.equal(c.split, holdout.has(c.id) ? 'holdout' : 'dev', `${c.id} is not where the seeded order puts it`);
    }
  });

  it('keep the fresh sets, each mined after the rules were tuned on the sets before it, apart: their own ids and commits, split "fresh"', () => {
    assert.ok(fresh.cases.length >= 10 && fresh2.cases.length >= 10, `${fresh.cases.length} and ${fresh2.cases.length} fresh cases`);
    const ids = new Set(cases.map((c) => c.id));
    const commits = new Set(cases.map((c) => c.fix));
    for (const c of fresh.cases as HistoryCase[]) assert.ok(!commits.has(c.fix), `${c.id}: ${c.fix} is already a commit of the first set`);
    for (const c of fresh.cases as HistoryCase[]) commits.add(c.fix);
    for (const c of [...(fresh.cases as HistoryCase[]), ...(fresh2.cases as HistoryCase[])]) {
      assert.equal(c.split, 'fresh', `${c.id}: split`);
      assert.ok((RULE_IDS as readonly string[]).includes(c.rule) && c.id.startsWith(`${c.rule}-`), `${c.id}: rule`);
      assert.match(c.fix, /^[0-9a-f]{40}$/, `${c.id}: fix`);
      assert.ok(!ids.has(c.id), `${c.id} is also a case of the first set, or twice`);
      if (c.split === 'fresh' && (fresh2.cases as HistoryCase[]).includes(c)) assert.ok(!commits.has(c.fix), `${c.id}: ${c.fix} is already a commit of an earlier set`);
      ids.add(c.id);
      assert.ok(c.summary.length > 20 && c.visibility.length > 20, `${c.id}: summary and visibility`);
    }
  });

  const mirror = process.env.SPDK_REPO ?? '/work/.mirror/spdk+spdk/repo';
  const haveMirror = existsSync(mirror) && spawnSync('git', ['--git-dir', mirror, 'rev-parse', '--git-dir']).status === 0;
  if (!haveMirror) console.log(`    (skipped: no SPDK git mirror at ${mirror}; set SPDK_REPO to check the commits and files the cases name)`);
  (haveMirror ? it : it.skip)('name fix commits whose parent holds the file and defines the function (SPDK_REPO)', function () {
    this.timeout(120_000);
    const problems: string[] = [];
    for (const c of [...cases, ...(fresh.cases as HistoryCase[]), ...(fresh2.cases as HistoryCase[])]) {
      const parent = spawnSync('git', ['--git-dir', mirror, 'rev-parse', '--verify', '--quiet', `${c.fix}^`], { encoding: 'utf8' });
      if (parent.status !== 0) {
        problems.push(`${c.id}: ${c.fix} or its parent is missing`);
        continue;
      }
      const source = spawnSync('git', ['--git-dir', mirror, 'show', `${parent.stdout.trim()}:${c.file}`], { encoding: 'utf8', maxBuffer: 1 << 28 });
      if (source.status !== 0) problems.push(`${c.id}: ${c.file} is not in the parent`);
      else if (!definesFunction(source.stdout, c.function)) problems.push(`${c.id}: ${c.function} is not defined in the parent's ${c.file}`);
    }
    assert.deepEqual(problems, []);
  });
});

describe('scripts/check-history.mjs', function () {
  this.timeout(60_000);
  let dir: string;
  let repo: string;
  let fixSha: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spdk-lens-history-test-'));
    repo = join(dir, 'repo');
    mkdirSync(join(repo, 'module', 'bdev', 'demo'), { recursive: true });
    mkdirSync(join(repo, 'include', 'spdk'), { recursive: true });
    writeFileSync(join(repo, 'include', 'spdk', 'thread.h'), '/* stand-in header */\n');
    const file = join(repo, 'module', 'bdev', 'demo', 'vbdev_demo.c');
    // A vbdev that closes its base descriptor in destruct, then the same one sending the close to the opening thread.
    writeFileSync(
      file,
      'static int\nvbdev_demo_destruct(void *ctx)\n{\n\tstruct vbdev_demo *node = ctx;\n\n\tspdk_bdev_close(node->base_desc);\n\treturn 0;\n}\n',
    );
    git(repo, ['init', '-q']);
    git(repo, ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', 'add', '.']);
    git(repo, ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', 'commit', '-qm', 'demo: close in destruct']);
    writeFileSync(
      file,
      'static void\n_vbdev_demo_close(void *ctx)\n{\n\tspdk_bdev_close(ctx);\n}\n\nstatic int\nvbdev_demo_destruct(void *ctx)\n{\n\tstruct vbdev_demo *node = ctx;\n\n\tspdk_thread_send_msg(node->thread, _vbdev_demo_close, node->base_desc);\n\treturn 0;\n}\n',
    );
    git(repo, ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', 'commit', '-qam', 'demo: close on the opening thread']);
    fixSha = git(repo, ['rev-parse', 'HEAD']);
    const demoCase = (id: string, split: string, fn: string) => ({
      id,
      rule: 'wrong-thread-close',
      fix: fixSha,
      file: 'module/bdev/demo/vbdev_demo.c',
      function: fn,
      summary: 'stand-in case',
      split,
      visibility: 'stand-in case',
    });
    writeFileSync(
      join(dir, 'cases.json'),
      JSON.stringify({ cases: [demoCase('wrong-thread-close-demo', 'dev', 'vbdev_demo_destruct'), demoCase('wrong-thread-close-demo-other', 'holdout', 'vbdev_demo_other')] }),
    );
    // Stand-in CLI: flags the function that calls spdk_bdev_close on node->base_desc, and checks how it is called.
    writeFileSync(
      join(dir, 'cli.mjs'),
      [
        "import { readFileSync } from 'node:fs';",
        "const [cmd, tree, ...rest] = process.argv.slice(2);",
        "if (cmd !== 'check' || !rest.includes('--json') || !rest.includes('--cache') || rest[rest.indexOf('--rule') + 1] !== 'wrong-thread-close') { console.error('bad call ' + process.argv.join(' ')); process.exit(2); }",
        "const text = readFileSync(tree + '/module/bdev/demo/vbdev_demo.c', 'utf8');",
        "const findings = text.includes('spdk_bdev_close(node->base_desc)') ? [{ rule: 'wrong-thread-close', file: 'module/bdev/demo/vbdev_demo.c', line: 6, function: 'vbdev_demo_destruct', message: 'closed off its thread', evidence: [] }] : [];",
        'console.log(JSON.stringify({ findings }));',
        'process.exit(findings.length ? 1 : 0);',
      ].join('\n'),
    );
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  function run(...extra: string[]) {
    return spawnSync(process.execPath, [SCRIPT, '--repo', repo, '--data', join(dir, 'cases.json'), '--cli', join(dir, 'cli.mjs'), ...extra], { encoding: 'utf8' });
  }

  it('scores a case flagged in the parent and silent in the fix, and one never flagged, per split', () => {
    const result = run('--json');
    assert.equal(result.status, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    const byId = Object.fromEntries(summary.cases.map((c: { id: string }) => [c.id, c]));
    assert.equal(byId['wrong-thread-close-demo'].parentHit, true);
    assert.equal(byId['wrong-thread-close-demo'].fixSilent, true);
    assert.deepEqual(byId['wrong-thread-close-demo'].parentLines, [6]);
    assert.equal(byId['wrong-thread-close-demo-other'].parentHit, false);
    assert.deepEqual(byId['wrong-thread-close-demo-other'].parentElsewhere, ['vbdev_demo_destruct:6']);
    assert.deepEqual(summary.bySplit.dev.total, { cases: 1, parentHit: 1, fixSilent: 1, both: 1, errors: 0 });
    assert.deepEqual(summary.bySplit.holdout.total, { cases: 1, parentHit: 0, fixSilent: 1, both: 0, errors: 0 });
  });

  it('runs only the chosen split and prints a table', () => {
    const result = run('--split', 'holdout');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /holdout split/);
    assert.doesNotMatch(result.stdout, /wrong-thread-close-demo +dev/);
  });

  it('stops with exit 2 and a message when the mirror or the CLI is missing', () => {
    const noRepo = spawnSync(process.execPath, [SCRIPT, '--repo', join(dir, 'nothing'), '--data', join(dir, 'cases.json'), '--cli', join(dir, 'cli.mjs')], { encoding: 'utf8' });
    assert.equal(noRepo.status, 2);
    assert.match(noRepo.stderr, /no SPDK git repository/);
    const noCli = run('--cli', join(dir, 'missing.js'));
    assert.equal(noCli.status, 2);
    assert.match(noCli.stderr, /no CLI at/);
  });
});
