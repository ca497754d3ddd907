// The thread-rule checks on SPDK-style fixtures (test/fixtures/check-spdk): every line marked `check: <rule>` is
// flagged with that rule, and nothing else is.
import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTree, type CheckEnv } from '../../src/core/check/checker';
import { fileCheckEnv } from '../../src/core/check/checkEnv';
import { PathNotesCache } from '../../src/core/check/notesCache';
import { FactExtractor } from '../../src/core/index/factExtractor';
import '../../src/core/check/rules';
import type { Finding } from '../../src/core/check/checkTypes';
import { indexTree, type SpdkIndex } from '../../src/core/index/indexer';
import { loadCGrammar } from '../../src/core/parse/grammar';
import { GRAMMARS_DIR, REPO_ROOT, SAMPLE_ROOT, sourceFiles, WORKER_SCRIPT } from './helpers';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'check-spdk');
// The fixtures use the sample tree's SPDK headers: one copy of them, put beside the fixtures in a temporary tree.
let ROOT = FIXTURES;

function expectations(): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(FIXTURES)) {
    if (!file.endsWith('.c')) continue;
    readFileSync(join(FIXTURES, file), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        const m = /check: ([a-z-]+)/.exec(text);
        if (m && !file.startsWith('surfaces/')) out.push(`${file}:${i + 1} ${m[1]}`);
      });
  }
  return out.sort();
}

describe('thread-rule checks on the fixtures', () => {
  let index: SpdkIndex;
  let env: CheckEnv;
  let findings: Finding[];
  before(async () => {
    ROOT = mkdtempSync(join(tmpdir(), 'spdk-lens-check-'));
    cpSync(FIXTURES, ROOT, { recursive: true, filter: (path) => !path.includes(`${FIXTURES}/surfaces`) });
    cpSync(join(SAMPLE_ROOT, 'include'), join(ROOT, 'include'), { recursive: true });
    index = await indexTree({ root: ROOT, cacheDir: null, workerScript: WORKER_SCRIPT, grammarsDir: GRAMMARS_DIR });
    env = { grammar: await loadCGrammar(GRAMMARS_DIR), readText: (f) => readFileSync(join(ROOT, f), 'latin1'), cache: new Map() };
    findings = checkTree(index.model, env).filter((f) => !f.file.startsWith('surfaces/'));
  });

  after(() => rmSync(ROOT, { recursive: true, force: true }));

  it('flags exactly the marked lines, each with its rule', () => {
    const got = findings.map((f) => `${f.file}:${f.line} ${f.rule}`).sort();
    assert.deepEqual(got, expectations());
  });

  it('every rule has a positive case', () => {
    assert.deepEqual([...new Set(findings.map((f) => f.rule))].sort(), ['bdev-io-lifetime', 'blocking-in-reactor', 'ctx-leak', 'enomem-not-queued', 'io-channel-leak', 'wrong-thread-close']);
  });

  it('each finding names its function and carries evidence in the tree', () => {
    for (const f of findings) {
      assert.ok(f.function, `${f.file}:${f.line} has a function`);
      assert.ok(f.evidence.length > 0, `${f.file}:${f.line} has evidence`);
      for (const e of f.evidence) assert.ok(e.line > 0 && index.files.has(e.file), `${f.file}:${f.line} evidence ${e.file}:${e.line}`);
    }
  });

  it('a close in destruct says where the descriptor was opened and where destruct comes from', () => {
    const f = findings.find((x) => x.rule === 'wrong-thread-close' && x.function === 'split_destruct');
    assert.ok(f);
    assert.match(f.message, /struct split_disk\.base_desc/);
    assert.match(f.message, /rpc_bdev_check_split_create/);
    assert.ok(f.evidence.some((e) => /opened here by spdk_bdev_open_ext/.test(e.note)));
    assert.ok(f.evidence.some((e) => /struct spdk_bdev_fn_table\.destruct/.test(e.note)));
  });

  it('a put before the function asks whether it is on the owner\'s thread names that test', () => {
    const f = findings.find((x) => x.rule === 'wrong-thread-close' && x.function === 'meta_load_done');
    assert.ok(f);
    assert.match(f.message, /load->thread != spdk_get_thread\(\)/);
    assert.match(f.message, /io_channel load->base_ch is put before the check/);
  });

  it('a sleep reached from a poller shows the chain from the poller', () => {
    const f = findings.find((x) => x.rule === 'blocking-in-reactor' && x.function === 'settle');
    assert.ok(f);
    assert.match(f.message, /check_stats_poll → settle/);
    assert.match(f.message, /poller/);
  });

  it('a context leaked after a failed submit names the submit', () => {
    const f = findings.find((x) => x.rule === 'ctx-leak' && x.function === 'check_probe');
    assert.ok(f);
    assert.match(f.message, /after spdk_bdev_read_blocks fails/);
  });

  it('checking one file reports only that file, with the same findings', () => {
    const file = 'lib/check/contexts.c';
    const one = checkTree(index.model, env, { files: [file] });
    assert.deepEqual(one, findings.filter((f) => f.file === file));
  });

  it('only the rules asked for run', () => {
    const only = checkTree(index.model, env, { rules: ['ctx-leak'] });
    assert.ok(only.length > 0);
    assert.ok(only.every((f) => f.rule === 'ctx-leak'));
  });
});

describe('path notes kept across edits and sessions', () => {
  let root: string;
  let index: SpdkIndex;
  let grammarEnv: () => Promise<CheckEnv & { cache: Map<string, unknown> }>;
  const texts = new Map<string, string>();
  const file = 'lib/check/contexts.c';
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'spdk-lens-notes-'));
    cpSync(FIXTURES, root, { recursive: true, filter: (path) => !path.includes(`${FIXTURES}/surfaces`) });
    cpSync(join(SAMPLE_ROOT, 'include'), join(root, 'include'), { recursive: true });
    index = await indexTree({ root, cacheDir: null, workerScript: WORKER_SCRIPT, grammarsDir: GRAMMARS_DIR });
    const grammar = await loadCGrammar(GRAMMARS_DIR);
    grammarEnv = async () => ({ grammar, readText: (f) => texts.get(f) ?? readFileSync(join(root, f), 'latin1'), cache: new Map() });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('an edit that moves the functions below it gives the findings a fresh read gives', async () => {
    const env = await grammarEnv();
    const before = checkTree(index.model, env, { files: [file] });
    assert.ok(before.length >= 2, 'the file has findings to move');
    // Two lines added at the top of the first function's body: every function below moves down two lines.
    const text = readFileSync(join(root, file), 'latin1');
    const brace = text.indexOf('\n{\n');
    const edited = `${text.slice(0, brace + 3)}\t/* one */\n\t/* two */\n${text.slice(brace + 3)}`;
    texts.set(file, edited);
    const extractor = await FactExtractor.create(GRAMMARS_DIR);
    try {
      index.updateFile(extractor, file, edited);
      const kept = checkTree(index.model, env, { files: [file] });
      const fresh = checkTree(index.model, await grammarEnv(), { files: [file] });
      assert.deepEqual(kept, fresh);
      const editLine = text.slice(0, brace).split('\n').length + 1;
      assert.deepEqual(
        kept.map((f) => f.line),
        before.map((f) => (f.line > editLine ? f.line + 2 : f.line)),
      );
    } finally {
      extractor.dispose();
      texts.delete(file);
    }
  });

  it('notes saved with the cache give the same findings in the next session, and a broken cache file is ignored', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'spdk-lens-notes-cache-'));
    try {
      const first = await fileCheckEnv(root, undefined, cacheDir);
      const expected = checkTree(index.model, first);
      first.saveNotes();
      const cache = new PathNotesCache(cacheDir, root);
      const next = await grammarEnv();
      assert.ok(cache.load(next) > 0, 'notes were loaded');
      const parsesBefore = next.cache.size;
      assert.deepEqual(checkTree(index.model, next), expected);
      assert.ok(parsesBefore > 0);
      writeFileSync(cache.path, '{"root": 3, "entries": [');
      const broken = await grammarEnv();
      assert.equal(cache.load(broken), 0);
      assert.deepEqual(checkTree(index.model, broken), expected);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
