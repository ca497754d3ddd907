// The surfaces of the thread-rule checks: suppression comments, the baseline file and `spdk-lens check`. A stand-in
// rule (every usleep() is blocking-in-reactor) takes the real rules' place, so these tests see only what the surfaces do.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyBaseline, BaselineError, makeBaseline, parseBaseline, readBaselineFile, writeBaselineFile } from '../../src/core/check/baseline';
import { registerRule, type CheckEnv } from '../../src/core/check/checker';
import { fileCheckEnv } from '../../src/core/check/checkEnv';
import { RULE_IDS, type Finding } from '../../src/core/check/checkTypes';
import { checkWithSuppressions, isSuppressed } from '../../src/core/check/suppression';
import { readSuppressionComments } from '../../src/core/facts/suppressionComments';
import { indexTree, type SpdkIndex } from '../../src/core/index/indexer';
import { lineAt, lineStarts } from '../../src/core/parse/cText';
import { main } from '../../src/cli/main';
import { GRAMMARS_DIR, readAnnotations, REPO_ROOT, WORKER_SCRIPT } from './helpers';

const SURFACES = join(REPO_ROOT, 'test', 'fixtures', 'check-spdk', 'surfaces');
const POLL_FILE = 'lib/surf/surf_poll.c';

/** Every rule replaced by a stand-in: blocking-in-reactor flags each usleep() call, the others flag nothing. */
function installStandInRules(): () => void {
  const restores = RULE_IDS.map((id) =>
    registerRule(id, ({ model, inFile }) => {
      if (id !== 'blocking-in-reactor') return [];
      const findings: Finding[] = [];
      for (const facts of model.files.values()) {
        if (!inFile(facts.file)) continue;
        for (const call of facts.calls) {
          if (call.callee !== 'usleep') continue;
          const fn = facts.functions.find((f) => f.name === call.caller);
          findings.push({
            rule: 'blocking-in-reactor',
            severity: 'error',
            file: facts.file,
            line: call.line,
            function: call.caller,
            message: `usleep() stops the reactor that runs ${call.caller}`,
            evidence: fn ? [{ file: facts.file, line: fn.line, note: `${fn.name} runs on a reactor` }] : [],
          });
        }
      }
      return findings;
    }),
  );
  return () => restores.reverse().forEach((restore) => restore());
}

function indexOf(root: string): Promise<SpdkIndex> {
  return indexTree({ root, cacheDir: null, workerScript: WORKER_SCRIPT, grammarsDir: GRAMMARS_DIR });
}

/** 1-based line of the first line of the poll fixture that holds `text`. */
function lineOf(text: string): number {
  return readFileSync(join(SURFACES, POLL_FILE), 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
}

function at(finding: { file: string; line: number; rule: string }): string {
  return `${finding.file}:${finding.line} ${finding.rule}`;
}

function finding(line: number, fn = 'surf_fn', message = 'usleep() stops the reactor'): Finding {
  return { rule: 'blocking-in-reactor', severity: 'error', file: POLL_FILE, line, function: fn, message, evidence: [] };
}

describe('check surfaces', () => {
  let restoreRules: () => void;
  let index: SpdkIndex;
  let env: CheckEnv;
  before(async () => {
    restoreRules = installStandInRules();
    index = await indexOf(SURFACES);
    env = await fileCheckEnv(SURFACES);
  });
  after(() => restoreRules());

  describe('suppression comments', () => {
    it('are read only from comments, with their rules, end line and the function they are attached to', () => {
      const text = [
        '/* spdk-lens: ignore all */', // 1: directly above the function
        'static void',
        'f(void)',
        '{ // spdk-lens: ignore ctx-leak,io-channel-leak trailing reason',
        '\tconst char *s = "spdk-lens: ignore all";',
        '\t/*',
        '\t * spdk-lens: ignore wrong-thread-close',
        '\t */',
        '\tg(); /* spdk-lens: ignore */',
        '}',
        '/* spdk-lens: ignore x-rule, y-rule',
      ].join('\n');
      const starts = lineStarts(text);
      const found = readSuppressionComments(text, (offset) => lineAt(starts, offset), [{ name: 'f', firstLine: 2, braceLine: 4 }]);
      assert.deepEqual(found, [
        { line: 1, rules: ['all'], function: 'f' },
        { line: 4, rules: ['ctx-leak', 'io-channel-leak'], function: 'f' },
        { line: 8, rules: ['wrong-thread-close'] },
        { line: 9, rules: [] },
        { line: 11, rules: ['x-rule', 'y-rule'] }, // an unterminated comment runs to the end of the file
      ]);
    });

    it('find nothing in code, however many markers it holds (one pass over the text)', () => {
      const text = 'int x = 1; spdk-lens: ignore all\n'.repeat(20000);
      const starts = lineStarts(text);
      assert.deepEqual(readSuppressionComments(text, (offset) => lineAt(starts, offset), []), []);
    });

    it('hide a finding on their line, on the line below, or anywhere in the function they are attached to', () => {
      assert.equal(isSuppressed(finding(10), [{ line: 10, rules: ['blocking-in-reactor'] }]), true);
      assert.equal(isSuppressed(finding(10), [{ line: 9, rules: ['all'] }]), true);
      assert.equal(isSuppressed(finding(10), [{ line: 8, rules: ['blocking-in-reactor'] }]), false);
      assert.equal(isSuppressed(finding(10), [{ line: 11, rules: ['blocking-in-reactor'] }]), false);
      assert.equal(isSuppressed(finding(40, 'surf_fn'), [{ line: 3, rules: ['blocking-in-reactor'], function: 'surf_fn' }]), true);
      assert.equal(isSuppressed(finding(40, 'other_fn'), [{ line: 3, rules: ['blocking-in-reactor'], function: 'surf_fn' }]), false);
      assert.equal(isSuppressed(finding(10), [{ line: 10, rules: ['ctx-leak'] }]), false);
      assert.equal(isSuppressed(finding(10), undefined), false);
    });

    it('on the fixture: every @expect finding stays, every @expect suppressed goes, every @expect warning is reported', () => {
      const annotations = readAnnotations(SURFACES);
      const run = checkWithSuppressions(index.model, env);
      const expected = (kind: string) => annotations.filter((a) => a.kind === kind && a.fields.rule === 'blocking-in-reactor').map((a) => `${a.file}:${a.line} ${a.fields.rule}`).sort();
      assert.deepEqual(run.findings.map(at).sort(), expected('finding'));
      assert.equal(run.suppressed, expected('suppressed').length);
      const all = checkWithSuppressions(index.model, env, { rules: ['ctx-leak'] });
      assert.deepEqual(all.findings, [], 'only the rules asked for run');
      const warnings = annotations.filter((a) => a.kind === 'warning');
      assert.equal(run.warnings.length, warnings.length, JSON.stringify(run.warnings));
      for (const w of warnings) {
        const reported = run.warnings.find((r) => r.file === w.file && r.line === w.line);
        assert.ok(reported, `no warning at ${w.file}:${w.line}`);
        assert.ok(reported.message.includes(w.fields.text), `${reported.message} should say ${w.fields.text}`);
      }
    });

    it('limited to some files, checks and warns only there', () => {
      const run = checkWithSuppressions(index.model, env, { files: ['include/spdk/thread.h'] });
      assert.deepEqual(run, { findings: [], suppressed: 0, warnings: [] });
    });
  });

  describe('baseline', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'spdk-lens-baseline-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('round-trips through its file and accepts exactly what it lists, counting repeats', () => {
      const findings = checkWithSuppressions(index.model, env).findings;
      assert.ok(findings.length > 2);
      const file = join(dir, 'baseline.json');
      writeBaselineFile(file, findings);
      const baseline = readBaselineFile(file);
      assert.equal(baseline.entries.reduce((n, e) => n + e.count, 0), findings.length);
      assert.deepEqual(applyBaseline(findings, baseline), { findings: [], accepted: findings.length, stale: [] });
      // Two findings with one key: a baseline that accepts one leaves the other.
      const twice = [finding(10), finding(20)];
      const once = makeBaseline([finding(10)]);
      assert.deepEqual(once.entries, [{ rule: 'blocking-in-reactor', file: POLL_FILE, function: 'surf_fn', message: 'usleep() stops the reactor', count: 1 }]);
      assert.deepEqual(applyBaseline(twice, once).findings, [finding(20)]);
      // What was fixed since is reported, once per key, with what is left of its count.
      const stale = applyBaseline([], makeBaseline(twice)).stale;
      assert.deepEqual(stale.map((e) => e.count), [2]);
    });

    it('survives lines added above the findings (and numbers in messages), and lets new findings through', async () => {
      const before = checkWithSuppressions(index.model, env).findings.map((f) => ({ ...f, message: `${f.message} (line ${f.line})` }));
      const baseline = makeBaseline(before);
      const root = join(dir, 'tree');
      cpSync(SURFACES, root, { recursive: true });
      const source = readFileSync(join(root, POLL_FILE), 'utf8');
      const moved = source
        .replace('#include <unistd.h>\n', '#include <unistd.h>\n#include <stdlib.h>\n\n/* three more lines */\n')
        .replace('\tusleep(10);\n\t/* @expect finding rule=blocking-in-reactor */\n\treturn SPDK_POLLER_BUSY;\n}', '\tusleep(10);\n\tusleep(20);\n\treturn SPDK_POLLER_BUSY;\n}');
      assert.notEqual(moved, source);
      writeFileSync(join(root, POLL_FILE), moved);
      const shifted = await indexOf(root);
      const after = checkWithSuppressions(shifted.model, await fileCheckEnv(root)).findings.map((f) => ({ ...f, message: `${f.message} (line ${f.line})` }));
      assert.ok(after.every((f) => !before.some((b) => b.line === f.line && b.function === f.function)), 'every finding moved');
      const left = applyBaseline(after, baseline);
      assert.deepEqual(left.findings.map((f) => f.function), ['surf_poll_plain'], 'only the new usleep(20) is new');
      assert.equal(left.accepted, before.length);
    });

    it('rejects a malformed file with a message that says what is wrong', () => {
      assert.throws(() => parseBaseline('{"schema": "spdk-lens/baseline@1", "entries": [', 'b.json'), (e: Error) => e instanceof BaselineError && /b\.json is not valid JSON/.test(e.message));
      assert.throws(() => parseBaseline('[]', 'b.json'), /not an spdk-lens baseline/);
      assert.throws(() => parseBaseline('{"schema": "spdk-lens/baseline@1", "entries": [{"rule": "ctx-leak", "file": "a.c", "function": "f", "message": "m", "count": 0}]}', 'b.json'), /entry 1 needs/);
      assert.throws(() => readBaselineFile(join(dir, 'missing.json')), /cannot read baseline .*ENOENT/);
    });
  });

  describe('spdk-lens check', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'spdk-lens-check-cli-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    /** Runs the CLI in this process (so it sees the stand-in rules), capturing what it prints. */
    async function check(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      const out: string[] = [];
      const err: string[] = [];
      const { log, error } = console;
      console.log = (...parts: unknown[]) => void out.push(parts.join(' '));
      console.error = (...parts: unknown[]) => void err.push(parts.join(' '));
      try {
        const code = await main(['check', ...args, '--no-cache']);
        return { code, stdout: out.join('\n'), stderr: err.join('\n') };
      } finally {
        Object.assign(console, { log, error });
      }
    }

    it('--json prints the findings in the documented shape and exits 1', async () => {
      const result = await check(SURFACES, '--json');
      assert.equal(result.code, 1, result.stderr);
      const json = JSON.parse(result.stdout);
      const expected = readAnnotations(SURFACES).filter((a) => a.kind === 'finding' && a.fields.rule === 'blocking-in-reactor');
      assert.equal(json.findings.length, expected.length);
      const first = json.findings[0];
      assert.deepEqual(Object.keys(first), ['rule', 'severity', 'file', 'line', 'function', 'message', 'evidence']);
      assert.deepEqual(first, {
        rule: 'blocking-in-reactor',
        severity: 'error',
        file: POLL_FILE,
        line: expected.map((a) => a.line).sort((a, b) => a - b)[0],
        function: 'surf_poll_plain',
        message: 'usleep() stops the reactor that runs surf_poll_plain',
        evidence: [{ file: POLL_FILE, line: lineOf('surf_poll_plain(void *arg)'), note: 'surf_poll_plain runs on a reactor' }],
      });
      assert.equal(json.suppressed, readAnnotations(SURFACES).filter((a) => a.kind === 'suppressed' && a.fields.rule === 'blocking-in-reactor').length);
      assert.equal(json.warnings.length, 2);
    });

    it('prints one line per finding with its evidence, a count per rule, warnings and its time', async () => {
      const result = await check(SURFACES);
      assert.equal(result.code, 1);
      const lines = result.stdout.split('\n');
      assert.equal(lines[0], `${POLL_FILE}:${lineOf('usleep(10);')}: [blocking-in-reactor] surf_poll_plain: usleep() stops the reactor that runs surf_poll_plain`);
      assert.equal(lines[1], `  ${POLL_FILE}:${lineOf('surf_poll_plain(void *arg)')}: surf_poll_plain runs on a reactor`);
      assert.ok(lines.includes('blocking-in-reactor: 6'), result.stdout);
      assert.ok(lines.includes('6 findings'), result.stdout);
      assert.match(result.stdout, /\(6 suppressed by comments\)/);
      assert.match(result.stderr, /lib\/surf\/surf_poll\.c:\d+: warning: spdk-lens: ignore names an unknown rule "blocking-in-reactr"/);
      assert.match(result.stderr, /spdk-lens check: 3 files checked in \d+ ms \(index \d+ ms\)/);
    });

    it('--rule runs only the rules named: none of them finds anything here, so it exits 0', async () => {
      const result = await check(SURFACES, '--rule', 'ctx-leak', '--rule', 'io-channel-leak', '--json');
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout).findings, []);
    });

    it('exits 2 with the usage on an unknown rule, a missing root or a stray argument', async () => {
      const unknown = await check(SURFACES, '--rule', 'no-such-rule');
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /unknown rule "no-such-rule" \(rules: wrong-thread-close, /);
      assert.match(unknown.stderr, /spdk-lens check <root>/);
      assert.equal((await check()).code, 2);
      assert.equal((await check(SURFACES, 'extra')).code, 2);
      assert.equal((await check(join(dir, 'missing'))).code, 2);
    });

    it('runs the real rules when run as a command: they report the marked lines, and the comments hide the rest', () => {
      const cli = (root: string) => spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'cli.js'), 'check', root, '--json', '--no-cache'], { encoding: 'utf8', timeout: 60000 });
      const found = (stdout: string) => (JSON.parse(stdout).findings as Finding[]).map((f) => `${f.file}:${f.line} ${f.rule}`).sort();
      const annotations = readAnnotations(SURFACES);
      const marked = (kind: string) => annotations.filter((a) => a.kind === kind).map((a) => `${a.file}:${a.line} ${a.fields.rule}`).sort();
      const result = cli(SURFACES);
      assert.equal(result.status, 1, result.stderr);
      assert.deepEqual(found(result.stdout), marked('finding'));
      assert.equal(JSON.parse(result.stdout).suppressed, marked('suppressed').length);
      // Without its comment, the suppressed leak is reported: the comment is what hides it.
      const root = join(dir, 'uncommented');
      cpSync(SURFACES, root, { recursive: true });
      const file = join(root, 'lib/surf/surf_channel.c');
      writeFileSync(file, readFileSync(file, 'utf8').replace('spdk-lens: ignore io-channel-leak', 'the port keeps it'));
      const bare = cli(root);
      const leak = annotations.find((a) => a.kind === 'suppressed' && a.fields.rule === 'io-channel-leak')!;
      assert.deepEqual(found(bare.stdout), [...marked('finding'), `${leak.file}:${leak.line} io-channel-leak`].sort());
    });

    it('--write-baseline accepts the findings; --baseline then hides them; a malformed baseline exits 2 and is left alone', async () => {
      const file = join(dir, 'accepted.json');
      const written = await check(SURFACES, '--write-baseline', file);
      assert.equal(written.code, 0, written.stderr);
      assert.match(written.stdout, /wrote .*accepted\.json: 6 finding\(s\) accepted as 6 entries/);
      const clean = await check(SURFACES, '--baseline', file);
      assert.equal(clean.code, 0, clean.stdout);
      assert.match(clean.stdout, /^0 findings/);
      assert.match(clean.stdout, /6 accepted by/);
      const broken = join(dir, 'broken.json');
      writeFileSync(broken, '{ "schema": "spdk-lens/baseline@1", ');
      const bad = await check(SURFACES, '--baseline', broken, '--write-baseline', broken);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /broken\.json is not valid JSON/);
      assert.equal(readFileSync(broken, 'utf8'), '{ "schema": "spdk-lens/baseline@1", ');
    });
  });
});
