// The whole pipeline on disk: cache reuse, bad input, and updates of one file.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FactCache, snapshotJsonParts } from '../../src/core/index/factCache';
import { FactExtractor } from '../../src/core/index/factExtractor';
import { DEFAULT_EXCLUDES, discoverableFileMatcher, excludeMatcher } from '../../src/core/index/fileDiscovery';
import { defaultWorkerCount, extractionOrder, indexTree } from '../../src/core/index/indexer';
import { workerRoles } from '../../src/core/index/workerPool';
import { copySample, GRAMMARS_DIR, WORKER_SCRIPT } from './helpers';

const options = { workerScript: WORKER_SCRIPT, grammarsDir: GRAMMARS_DIR };

describe('worker roles', () => {
  it('runs a parse worker beside this thread, and whole-file workers when there are more', () => {
    assert.deepEqual(workerRoles(1), ['parse']);
    assert.deepEqual(workerRoles(0), ['parse']);
    assert.deepEqual(workerRoles(2), ['parse', 'full']);
    assert.deepEqual(workerRoles(4), ['parse', 'full', 'full', 'full']);
  });

  it('uses one worker on two cores, and at most three', () => {
    assert.equal(defaultWorkerCount(1), 1);
    assert.equal(defaultWorkerCount(2), 1);
    assert.equal(defaultWorkerCount(4), 3);
    assert.equal(defaultWorkerCount(64), 3);
  });

  it('gives the same facts whichever thread reads them: this one, a whole-file worker, or an extractor here', async () => {
    const root = copySample();
    try {
      const parseOnly = await indexTree({ root, cacheDir: null, workers: 1, ...options });
      const mixed = await indexTree({ root, cacheDir: null, workers: 3, ...options });
      const extractor = await FactExtractor.create(GRAMMARS_DIR);
      assert.ok(parseOnly.files.size >= 10);
      assert.deepEqual([...parseOnly.files.keys()], [...mixed.files.keys()]);
      for (const [file, facts] of parseOnly.files) {
        assert.deepEqual(facts, mixed.files.get(file), file);
        assert.deepEqual(facts, extractor.extract(file, readFileSync(join(root, file), 'utf8')), file);
      }
      assert.deepEqual(parseOnly.document.functions, mixed.document.functions);
      extractor.dispose();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('extraction order', () => {
  it('sends the biggest files first, each file once', () => {
    const sources = Array.from({ length: 100 }, (_, i) => ({ file: `f${i}.c`, size: (i * 37) % 100 }));
    const order = extractionOrder(sources);
    assert.deepEqual([...order].map((s) => s.file).sort(), sources.map((s) => s.file).sort());
    const sizes = order.map((s) => s.size);
    assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a));
    assert.equal(sizes[0], 99);
    assert.deepEqual(extractionOrder([]), []);
  });
});

describe('indexer', () => {
  let root: string;
  let cacheDir: string;
  beforeEach(() => {
    root = copySample();
    cacheDir = mkdtempSync(join(tmpdir(), 'spdk-lens-cache-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('reuses cached facts for unchanged files and reparses only what changed', async () => {
    const cold = await indexTree({ root, cacheDir, ...options });
    await cold.persisted;
    assert.equal(cold.stats.cachedFiles, 0);
    assert.ok(cold.stats.parsedFiles >= 10);
    const warm = await indexTree({ root, cacheDir, ...options });
    await warm.persisted;
    assert.equal(warm.stats.parsedFiles, 0);
    assert.equal(warm.stats.cachedFiles, cold.stats.parsedFiles);
    assert.deepEqual(warm.document.functions, cold.document.functions);
    assert.deepEqual(warm.document.rpcMethods, cold.document.rpcMethods);

    const file = join(root, 'app/sample_tgt/sample_tgt.c');
    writeFileSync(file, readFileSync(file, 'utf8').replace('g_visits++;', 'g_visits++;\n\tg_visits++;'));
    const third = await indexTree({ root, cacheDir, ...options });
    assert.equal(third.stats.parsedFiles, 1);
    assert.equal(third.functionsNamed('sample_tgt_visits_done')[0].line, cold.functionsNamed('sample_tgt_visits_done')[0].line + 1);
  });

  it('starts from the saved labels when nothing changed, and loads facts on the first edit', async () => {
    const cold = await indexTree({ root, cacheDir, ...options });
    const coldDoc = cold.document;
    assert.equal(await cold.saveSnapshot(), true);
    const warm = await indexTree({ root, cacheDir, ...options });
    assert.ok('snapshot' in warm.stats.phases, 'served from the snapshot');
    assert.deepEqual(warm.document.functions, coldDoc.functions);
    const file = 'module/bdev/sample_null/bdev_sample_null.c';
    const poll = cold.functionsNamed('sample_null_poll')[0];
    assert.deepEqual(warm.functionAt(file, poll.line + 2), cold.functionAt(file, poll.line + 2));
    assert.deepEqual(warm.rpcMethods(), cold.rpcMethods());
    assert.deepEqual(warm.type('struct sample_null_io_channel'), cold.type('struct sample_null_io_channel'));

    // The first edit loads the facts behind the snapshot; the labels it then gives are the model's.
    const extractor = await FactExtractor.create(GRAMMARS_DIR);
    try {
      const text = readFileSync(join(root, file), 'utf8');
      warm.updateFile(extractor, file, text.replace('count++;', 'count++;\n\t\tcount++;'));
      assert.equal(warm.functionsNamed('sample_null_poll')[0].contexts[0].kind, 'poller');
    } finally {
      extractor.dispose();
    }

    // A touched file (new mtime) means a normal, hash-checked start.
    const sample = join(root, 'app/sample_tgt/sample_tgt.c');
    writeFileSync(sample, readFileSync(sample, 'utf8') + '\n');
    const after = await indexTree({ root, cacheDir, ...options });
    assert.ok(!('snapshot' in after.stats.phases));
    assert.equal(after.stats.parsedFiles, 1);
  });

  it('writes the snapshot in parts that join to the one JSON text', async () => {
    const cold = await indexTree({ root, cacheDir, ...options });
    const doc = cold.document;
    // Enough text to need several parts of a megabyte, with the escapes JSON.stringify makes.
    const big = { ...doc, functions: Array.from({ length: 3000 }, (_, i) => ({ ...doc.functions[i % doc.functions.length], note: `"${'x'.repeat(900)}"\n${i}` })) };
    for (const d of [doc, big]) {
      const parts = [...snapshotJsonParts('k"1', d as typeof doc)];
      assert.equal(parts.join(''), `{"key":"k\\"1","document":${JSON.stringify(d)}}`);
      if (d === big) assert.ok(parts.length >= 3, `${parts.length} parts`);
    }
  });

  it('ignores a corrupt cache pack', async () => {
    const first = await indexTree({ root, cacheDir, ...options });
    await first.persisted;
    writeFileSync(new FactCache(cacheDir, root, [WORKER_SCRIPT, require.resolve('../../src/core/index/indexer')]).packPath, '{"version": 2, "entries": [ {"broken"');
    const again = await indexTree({ root, cacheDir, ...options });
    assert.equal(again.stats.cachedFiles, 0);
    assert.equal(again.document.functions.length, first.document.functions.length);
  });

  it('reports and skips bad files, and still indexes the rest', async () => {
    mkdirSync(join(root, 'bad'));
    writeFileSync(join(root, 'bad/binary.c'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]));
    writeFileSync(join(root, 'bad/latin1.c'), Buffer.concat([Buffer.from('/* caf'), Buffer.from([0xe9]), Buffer.from(' */\nstatic int latin_fn(void) { return 0; }\n')]));
    writeFileSync(join(root, 'bad/huge.c'), 'int x;\n'.repeat(3 * 1024 * 1024)); // 21 MB
    writeFileSync(join(root, 'bad/truncated.c'), 'static void cut(void)\n{\n\tspdk_thread_send_msg(t, ');
    symlinkSync('..', join(root, 'bad/loop'));
    symlinkSync('/nonexistent/target.c', join(root, 'bad/dangling.c'));
    const index = await indexTree({ root, cacheDir: null, ...options });
    const kinds = new Map(index.problems.map((p) => [p.file, p.kind]));
    assert.equal(kinds.get('bad/binary.c'), 'binary');
    assert.equal(kinds.get('bad/huge.c'), 'too_large');
    assert.equal(kinds.get('bad/latin1.c'), 'non_utf8');
    assert.equal(kinds.get('bad/loop'), 'symlink_loop');
    assert.equal(kinds.get('bad/dangling.c'), 'unreadable');
    assert.ok(index.functionsNamed('latin_fn').length === 1, 'a non-UTF-8 file is still indexed');
    assert.ok(index.functionsNamed('cut').length === 1, 'a truncated file keeps what it has');
    assert.ok(index.functionsNamed('sample_null_poll').length === 1, 'the rest of the tree is indexed');
    assert.ok(!index.files.has('bad/binary.c') && !index.files.has('bad/huge.c'));
  });

  it('stops reading a file nested too deep to read in time, reports it, and keeps what was found', async () => {
    mkdirSync(join(root, 'deep'));
    // 200,000 nested braces: tree-sitter's query cursor slows down with depth, and this would take about a minute.
    writeFileSync(join(root, 'deep/nested.c'), 'static void before_deep(void)\n{\n}\nstatic int deep_table[] = ' + '{'.repeat(200_000) + '\n');
    const index = await indexTree({ root, cacheDir: null, ...options });
    const problem = index.problems.find((p) => p.file === 'deep/nested.c');
    assert.equal(problem?.kind, 'parse_errors');
    assert.match(problem!.message, /stopped after 2 s .*incomplete/);
    assert.ok(index.functionsNamed('before_deep').length === 1, 'what was read before the stop is kept');
    assert.ok(index.functionsNamed('sample_null_poll').length === 1, 'the rest of the tree is indexed');
  });

  it('updates one file in place: relinks only that file while declarations hold, everything when they change', async () => {
    const index = await indexTree({ root, cacheDir: null, ...options });
    const extractor = await FactExtractor.create(GRAMMARS_DIR);
    try {
      const file = 'module/bdev/sample_null/bdev_sample_null.c';
      const original = readFileSync(join(root, file), 'utf8');
      assert.equal(index.functionsNamed('sample_null_poll')[0].contexts[0].kind, 'poller');

      // A body-only edit: the poller is now sent as a message instead.
      const edited = original.replace('ch->poller = SPDK_POLLER_REGISTER(sample_null_poll, ch, 0);', 'spdk_thread_send_msg(spdk_get_thread(), (spdk_msg_fn)sample_null_poll, ch);');
      assert.notEqual(edited, original);
      const first = index.updateFile(extractor, file, edited, true);
      assert.equal(first.relinked, 'file');
      assert.deepEqual(index.functionsNamed('sample_null_poll')[0].contexts.map((c) => c.kind), ['thread_message']);

      // A new function changes the declarations: everything is relinked, and the new function is labelled.
      const added = edited + '\nstatic void sample_null_extra(void *ctx)\n{\n}\n\nstatic void sample_null_send(void)\n{\n\tspdk_thread_send_msg(NULL, sample_null_extra, NULL);\n}\n';
      const second = index.updateFile(extractor, file, added, true);
      assert.equal(second.relinked, 'all');
      assert.equal(index.functionsNamed('sample_null_extra')[0].contexts[0].kind, 'thread_message');
      assert.equal(index.functionAt(file, index.functionsNamed('sample_null_extra')[0].line)?.name, 'sample_null_extra');

      index.removeFile(file);
      assert.equal(index.functionsNamed('sample_null_poll').length, 0);
    } finally {
      extractor.dispose();
    }
  });
});

describe('indexer: worker failures and cancellation', () => {
  let root: string;
  let scratch: string;
  before(() => {
    root = copySample();
    scratch = mkdtempSync(join(tmpdir(), 'spdk-lens-worker-'));
    writeFileSync(join(root, 'lib/sample/crash_here.c'), 'static void boom(void) {}\n');
    // A worker that dies on any batch holding a file named crash_here.c, and otherwise is the real one.
    writeFileSync(
      join(scratch, 'crashing-worker.js'),
      `const { parentPort } = require('node:worker_threads');\n` +
        `parentPort.on('message', (m) => { if (m.jobs && m.jobs.some((j) => j.file.includes('crash_here'))) process.exit(3); });\n` +
        `require(${JSON.stringify(WORKER_SCRIPT)});\n`,
    );
    writeFileSync(join(scratch, 'dead-worker.js'), 'process.exit(5);\n');
    // A parse worker whose answer for crash_here.c cannot be read into facts (the real worker otherwise).
    writeFileSync(
      join(scratch, 'unreadable-answer-worker.js'),
      `const { parentPort } = require('node:worker_threads');\n` +
        `const post = parentPort.postMessage.bind(parentPort);\n` +
        `parentPort.postMessage = (m) => {\n` +
        `  if (m && m.type === 'results') for (const r of m.results) if (r.status === 'parsed' && r.file.includes('crash_here')) r.parsed.regions = null;\n` +
        `  return post(m);\n` +
        `};\n` +
        `require(${JSON.stringify(WORKER_SCRIPT)});\n`,
    );
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('reports the files of a batch whose worker died and indexes the rest', async () => {
    const index = await indexTree({ root, cacheDir: null, grammarsDir: GRAMMARS_DIR, workerScript: join(scratch, 'crashing-worker.js') });
    const failed = index.problems.filter((p) => p.kind === 'parse_failed');
    assert.ok(failed.some((p) => p.file === 'lib/sample/crash_here.c'), JSON.stringify(index.problems));
    assert.match(failed[0].message, /worker died/);
    assert.ok(index.functionsNamed('sample_null_poll').length + index.functionsNamed('sample_pt_create').length >= 1, 'other batches were indexed');
  });

  it('reports a file whose parsed form cannot be read into facts, and indexes the rest', async () => {
    const index = await indexTree({ root, cacheDir: null, grammarsDir: GRAMMARS_DIR, workerScript: join(scratch, 'unreadable-answer-worker.js') });
    const failed = index.problems.filter((p) => p.kind === 'parse_failed');
    assert.deepEqual(failed.map((p) => p.file), ['lib/sample/crash_here.c'], JSON.stringify(index.problems));
    assert.ok(!index.files.has('lib/sample/crash_here.c'));
    assert.ok(index.functionsNamed('sample_null_poll').length + index.functionsNamed('sample_pt_create').length >= 1);
  });

  it('gives up with a clear error when workers cannot run at all', async () => {
    await assert.rejects(indexTree({ root, cacheDir: null, grammarsDir: GRAMMARS_DIR, workerScript: join(scratch, 'dead-worker.js') }), /index workers keep dying/);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(indexTree({ root, cacheDir: null, ...options, signal: controller.signal }), /cancelled/);
  });
});

describe('discoverable files', () => {
  it('agrees with discovery on excluded folders, globs and non-C files', () => {
    const isDiscoverable = discoverableFileMatcher([...DEFAULT_EXCLUDES, 'test/unit', '**/*_ut.c']);
    assert.equal(isDiscoverable('lib/bdev/bdev.c'), true);
    assert.equal(isDiscoverable('include/spdk/thread.h'), true);
    assert.equal(isDiscoverable('dpdk/lib/eal/eal.c'), false, 'a default excluded submodule');
    assert.equal(isDiscoverable('test/unit/lib/bdev/bdev.c'), false, 'an excluded folder below the root');
    assert.equal(isDiscoverable('lib/bdev/bdev_ut.c'), false, 'an excluded glob');
    assert.equal(isDiscoverable('lib/bdev/Makefile'), false, 'not C');
    assert.equal(isDiscoverable('test/unit.c'), true, 'a file named like an excluded folder prefix');
  });

  it('takes globs with {a,b} and [...]', () => {
    const isExcluded = excludeMatcher(['lib/{ftl,ocf}', 'module/bdev/[a-c]*', '**/*_{ut,test}.c', 'dpdk/']);
    assert.equal(isExcluded('lib/ftl'), true, '{a,b}: first choice');
    assert.equal(isExcluded('lib/ocf'), true, '{a,b}: second choice');
    assert.equal(isExcluded('lib/bdev'), false, '{a,b}: neither');
    assert.equal(isExcluded('module/bdev/aio'), true, '[...]: in the range');
    assert.equal(isExcluded('module/bdev/crypto'), true, '[...]: end of the range');
    assert.equal(isExcluded('module/bdev/nvme'), false, '[...]: outside the range');
    assert.equal(isExcluded('lib/bdev/bdev_ut.c'), true, '** with {a,b}');
    assert.equal(isExcluded('bdev_test.c'), true, '** matches at the root too');
    assert.equal(isExcluded('lib/bdev/bdev.c'), false);
    assert.equal(isExcluded('dpdk'), true, 'a plain folder, with its trailing slash');
    const isDiscoverable = discoverableFileMatcher([...DEFAULT_EXCLUDES, 'lib/{ftl,ocf}']);
    assert.equal(isDiscoverable('lib/ftl/ftl_core.c'), false, 'a file under a folder a glob excludes');
    assert.equal(isDiscoverable('lib/ftlx/ftl_core.c'), true);
  });
});
