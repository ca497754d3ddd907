// `spdk-lens tour validate` and `spdk-lens book links` as a book's CI runs them: JSON shape and exit codes.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, SAMPLE_ROOT } from './helpers';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');
const TOURS = join(REPO_ROOT, 'test', 'fixtures', 'tours');

function run(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60000 });
}

describe('spdk-lens tour validate', () => {
  it('prints every step with its symbol and place, and exits 0 when all resolve', () => {
    const result = run('tour', 'validate', SAMPLE_ROOT, join(TOURS, 'sample.tour.json'), '--json', '--no-cache');
    assert.equal(result.status, 0, result.stderr);
    const { steps } = JSON.parse(result.stdout);
    assert.equal(steps.length, 11);
    for (const step of steps) for (const key of ['title', 'symbol', 'file', 'line', 'error']) assert.ok(key in step, key);
    assert.deepEqual(
      { ...steps[1], line: 0 },
      { tour: 'sample.tour.json', title: 'Submit', symbol: 'sample_null_submit_request', file: 'module/bdev/sample_null/bdev_sample_null.c', line: 0, via: 'symbol', error: null },
    );
    assert.equal(steps[9].symbol, null, 'a file anchor has no symbol');
  });

  it('exits 1 on broken anchors, with the error in place of the file and line', () => {
    const result = run('tour', 'validate', SAMPLE_ROOT, join(TOURS, 'broken.tour.json'), '--json', '--no-cache');
    assert.equal(result.status, 1);
    const { steps } = JSON.parse(result.stdout);
    assert.deepEqual(steps.map((s: { error: string | null }) => s.error !== null), [false, true, true]);
    assert.equal(steps[1].file, null);
    assert.match(steps[1].error, /sample_null_vanished/);
    const text = run('tour', 'validate', SAMPLE_ROOT, join(TOURS, 'broken.tour.json'), '--no-cache');
    assert.match(text.stdout, /BROKEN: .*lib\/nowhere\/gone\.c does not exist/);
    assert.match(text.stdout, /1\/3 steps resolve \(33%\)/);
  });

  it('reads CodeTour files too, and reports unreadable tour files without stopping', () => {
    const result = run('tour', 'validate', SAMPLE_ROOT, join(TOURS, 'sample.tour'), join(TOURS, 'missing.tour.json'), '--json', '--no-cache');
    assert.equal(result.status, 1);
    const { steps, problems } = JSON.parse(result.stdout);
    assert.equal(steps.length, 5);
    assert.ok(problems.some((p: { message: string }) => /cannot read .*missing\.tour\.json/.test(p.message)));
  });

  it('checks the built-in tour when no tour file is given', () => {
    const result = run('tour', 'validate', SAMPLE_ROOT, '--json', '--no-cache');
    const { steps } = JSON.parse(result.stdout);
    assert.ok(steps.length >= 20 && steps.every((s: { tour: string }) => s.tour === 'spdk-landmarks.tour.json'));
    assert.equal(result.status, 1, 'the sample tree is not SPDK: its anchors are broken there');
  });

  it('exits 2 with usage on bad arguments', () => {
    for (const args of [['tour'], ['tour', 'play', SAMPLE_ROOT], ['tour', 'validate'], ['tour', 'validate', join(SAMPLE_ROOT, 'nope')], ['tour', 'validate', SAMPLE_ROOT, '--bogus'], ['book', 'links', SAMPLE_ROOT]]) {
      const result = run(...args);
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, /usage:[\s\S]*spdk-lens tour validate/);
    }
  });
});

describe('spdk-lens book links', () => {
  it('lists each chapter\'s mentions and exits 1 when one does not resolve', () => {
    const result = run('book', 'links', SAMPLE_ROOT, join(REPO_ROOT, 'test', 'fixtures', 'book'), '--json', '--no-cache');
    assert.equal(result.status, 1);
    const { chapters } = JSON.parse(result.stdout);
    assert.deepEqual(chapters.map((c: { chapter: string }) => c.chapter), ['00', '01']);
    const unresolved = chapters.flatMap((c: { mentions: { landmark?: unknown; target: string }[] }) => c.mentions.filter((m) => !m.landmark).map((m) => m.target));
    assert.deepEqual(unresolved, ['/home/reader/elsewhere/client', 'spdk_nonexistent_helper'], 'plain words that name nothing are not listed');
  });

  it('fails clearly on a folder without chapters', () => {
    const result = run('book', 'links', SAMPLE_ROOT, join(REPO_ROOT, 'test', 'fixtures', 'tours'), '--no-cache');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /no chapters in .*tours/);
  });
});
