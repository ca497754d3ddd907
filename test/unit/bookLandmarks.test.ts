// Every kind of landmark a book names resolves, in order of confidence, against an SPDK-style fixture tree; names that
// do not exist stay unresolved, with the likely new home of moved and renamed ones. With SPDK_DIR set, the same over a
// list of real landmarks (test/spdk-landmarks.json).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBook, readChapter } from '../../src/core/book/bookFolder';
import { renderChapterHtml } from '../../src/core/book/chapterHtml';
import { classifyCode, parseChapter } from '../../src/core/book/chapterParser';
import type { Chapter, ResolvedMention } from '../../src/core/book/chapterTypes';
import { editDistance, nameWords } from '../../src/core/book/driftSuggestions';
import { resolveMentions } from '../../src/core/book/mentions';
import { walkTree } from '../../src/core/book/treeListing';
import { indexTree, type SpdkIndex } from '../../src/core/index/indexer';
import type { ResolveContext } from '../../src/core/tour/anchorResolver';
import { diskWorkspace, SymbolLocator } from '../../src/core/tour/symbolLocator';
import { everyLandmark, readLandmarkList, scoreLandmarks } from '../support/landmarkList';
import { GRAMMARS_DIR, REPO_ROOT, WORKER_SCRIPT } from './helpers';

const TREE = join(REPO_ROOT, 'test', 'fixtures', 'book-spdk');
const BOOK = join(REPO_ROOT, 'test', 'fixtures', 'book-landmarks');
const CLI = join(REPO_ROOT, 'dist', 'cli.js');

let treeIndex: Promise<SpdkIndex> | undefined;
function indexFixture(): Promise<SpdkIndex> {
  treeIndex ??= indexTree({ root: TREE, cacheDir: null, workerScript: WORKER_SCRIPT, grammarsDir: GRAMMARS_DIR });
  return treeIndex;
}

async function context(): Promise<ResolveContext> {
  return { locator: new SymbolLocator(await indexFixture()), workspace: diskWorkspace(TREE) };
}

function bookChapters(): Chapter[] {
  const book = readBook(BOOK);
  assert.ok(book.ok);
  return book.ok ? book.chapters.map((ref) => (readChapter(ref) as { ok: true; chapter: Chapter }).chapter) : [];
}

/** Every mention of the test book, by the text it was written with (first occurrence). */
async function resolvedBook(): Promise<Map<string, ResolvedMention>> {
  const ctx = await context();
  const out = new Map<string, ResolvedMention>();
  for (const chapter of bookChapters()) for (const m of resolveMentions(chapter, ctx)) if (!out.has(m.text)) out.set(m.text, m);
  return out;
}

function place(m: ResolvedMention | undefined): [string, number, string] | undefined {
  return m?.landmark && [m.landmark.file, m.landmark.line, m.landmark.kind];
}

describe('book landmarks: facts the resolver needs', () => {
  it('extracts enums with their constants, object-like macros and plain typedefs', async () => {
    const index = await indexFixture();
    const bdevH = index.files.get('include/spdk/bdev.h')!;
    assert.deepEqual(bdevH.enums, [{ name: 'enum spdk_bdev_io_type', line: 13, constants: [{ name: 'SPDK_BDEV_IO_TYPE_INVALID', line: 14 }, { name: 'SPDK_BDEV_IO_TYPE_READ', line: 15 }, { name: 'SPDK_BDEV_IO_TYPE_WRITE', line: 16 }] }]);
    assert.deepEqual(bdevH.constants.map((c) => [c.name, c.line]), [['SPDK_BDEV_H', 3], ['SPDK_BDEV_SMALL_BUF_MAX_SIZE', 7]]);
    assert.deepEqual(index.files.get('include/spdk/blob.h')!.aliases, [{ name: 'spdk_blob_id', line: 7 }]);
    assert.ok(index.files.get('include/spdk/bdev_module.h')!.macros.some((m) => m.name === 'SPDK_BDEV_MODULE_REGISTER'), 'function-like macros stay where they were');
    assert.ok(!index.files.get('include/spdk/bdev_module.h')!.constants.some((m) => m.name === 'SPDK_BDEV_MODULE_REGISTER'));
  });

  it('lists the tree, C or not, without dot folders', () => {
    const listing = walkTree(TREE);
    for (const file of ['CONFIG', 'Makefile', 'mk/spdk.modules.mk', 'scripts/setup.sh', 'lib/bdev/bdev.c']) assert.ok(listing.files.includes(file), file);
    assert.ok(listing.folders.has('module/bdev/nvme'));
    assert.deepEqual(listing.byBaseName.get('bdev.h'), ['include/spdk/bdev.h']);
    assert.equal(listing.truncated, false);
  });
});

describe('book landmarks: classifying code spans', () => {
  it('takes paths, bare file names, tagged and dotted names, and plain words as tentative', () => {
    assert.deepEqual(classifyCode('bdev_malloc.c'), { kind: 'path', target: 'bdev_malloc.c' });
    assert.deepEqual(classifyCode('spdk.common.mk'), { kind: 'path', target: 'spdk.common.mk' });
    assert.deepEqual(classifyCode('enum raid_bdev_state'), { kind: 'symbol', target: 'enum raid_bdev_state' });
    assert.deepEqual(classifyCode('bdev_io->internal'), { kind: 'symbol', target: 'bdev_io->internal' });
    assert.deepEqual(classifyCode('BLOCKDEV_MODULES_LIST'), { kind: 'symbol', target: 'BLOCKDEV_MODULES_LIST' });
    assert.deepEqual(classifyCode('CONFIG'), { kind: 'symbol', target: 'CONFIG', tentative: true });
    assert.deepEqual(classifyCode('Makefile'), { kind: 'symbol', target: 'Makefile', tentative: true });
    assert.equal(classifyCode('a + b'), undefined);
    assert.equal(classifyCode('ok'), undefined, 'two letters are prose');
  });

  it('finds bare C file names in plain text', () => {
    const chapter = parseChapter('# T\n\nOpen bdev_malloc.c. Then lib/bdev/bdev.c, not e.g. this.\n', { number: '00', slug: 't', path: '/b/00-t.md', fileName: '00-t.md' });
    assert.deepEqual(chapter.mentions.map((m) => [m.kind, m.target, m.inCode]), [['path', 'bdev_malloc.c', false], ['path', 'lib/bdev/bdev.c', false]]);
  });
});

describe('book landmarks: each kind resolves against the fixture tree', () => {
  it('C definitions, globals and enum constants', async () => {
    const m = await resolvedBook();
    assert.deepEqual(place(m.get('spdk_bdev_readv_blocks_ext')), ['lib/bdev/bdev.c', 26, 'function']);
    assert.deepEqual(place(m.get('spdk_bdev_io_complete()')), ['lib/bdev/bdev.c', 34, 'function']);
    assert.deepEqual(place(m.get('struct spdk_bdev_io')), ['include/spdk/bdev_module.h', 32, 'struct']);
    assert.deepEqual(place(m.get('enum spdk_bdev_io_type')), ['include/spdk/bdev.h', 13, 'enum']);
    assert.deepEqual(place(m.get('spdk_bdev_raid_state')), ['include/spdk/module/bdev/raid.h', 5, 'enum'], 'an enum named without its tag');
    assert.deepEqual(place(m.get('SPDK_BDEV_IO_TYPE_READ')), ['include/spdk/bdev.h', 15, 'enumConstant']);
    assert.deepEqual(place(m.get('SPDK_BDEV_MODULE_REGISTER')), ['include/spdk/bdev_module.h', 39, 'macro']);
    assert.deepEqual(place(m.get('SPDK_BDEV_SMALL_BUF_MAX_SIZE')), ['include/spdk/bdev.h', 7, 'macro']);
    assert.deepEqual(place(m.get('BDEV_CH_QOS_ENABLED')), ['lib/bdev/bdev.c', 5, 'macro']);
    assert.deepEqual(place(m.get('spdk_blob_id')), ['include/spdk/blob.h', 7, 'typedef']);
    assert.deepEqual(place(m.get('spdk_bdev_io_completion_cb')), ['include/spdk/bdev.h', 19, 'typedef']);
    assert.deepEqual(place(m.get('g_bdev_mgr')), ['lib/bdev/bdev.c', 16, 'global']);
    assert.deepEqual(place(m.get('malloc_if')), ['module/bdev/malloc/bdev_malloc.c', 11, 'global']);
  });

  it('fields: of the struct the paragraph names (over a unit test stub of the same name), dotted, unique, or ambiguous', async () => {
    const m = await resolvedBook();
    assert.deepEqual(place(m.get('submit_request')), ['include/spdk/bdev_module.h', 19, 'field']);
    assert.equal(m.get('submit_request')!.landmark!.symbol, 'struct spdk_bdev_fn_table.submit_request');
    assert.deepEqual(place(m.get('destruct')), ['include/spdk/bdev_module.h', 18, 'field'], 'a plain word qualified by the paragraph');
    assert.deepEqual(place(m.get('io_type_supported')), ['include/spdk/bdev_module.h', 20, 'field']);
    assert.deepEqual(place(m.get('spdk_bdev_fn_table.get_io_channel')), ['include/spdk/bdev_module.h', 21, 'field']);
    assert.deepEqual(place(m.get('examine_config')), ['include/spdk/bdev_module.h', 12, 'field'], 'qualified by the section');
    assert.deepEqual(place(m.get('handle_request')), ['lib/jsonrpc/jsonrpc_internal.h', 7, 'field']);
    const ambiguous = m.get('io_qpair')!;
    assert.equal(ambiguous.landmark!.kind, 'field');
    assert.equal(ambiguous.alternatives, 1);
    assert.match(ambiguous.landmark!.note!, /field of 2 structs; the text names none of them/);
    assert.deepEqual(new Set([ambiguous.landmark!.symbol, ...ambiguous.others!.map((o) => o.symbol)]), new Set(['struct nvme_io_path.io_qpair', 'struct nvme_bdev_channel.io_qpair']));
  });

  it('paths, bare and top-level files, module and app folders, build names, short type names', async () => {
    const m = await resolvedBook();
    assert.deepEqual(place(m.get('lib/bdev/bdev.c')), ['lib/bdev/bdev.c', 1, 'file']);
    assert.deepEqual(place(m.get('module/bdev/')), ['module/bdev', 1, 'folder']);
    assert.deepEqual(place(m.get('bdev_malloc.c')), ['module/bdev/malloc/bdev_malloc.c', 1, 'file']);
    assert.deepEqual(place(m.get('bdev.h')), ['include/spdk/bdev.h', 1, 'file']);
    assert.deepEqual(place(m.get('CONFIG')), ['CONFIG', 1, 'file']);
    assert.deepEqual(place(m.get('Makefile')), ['Makefile', 1, 'file']);
    assert.deepEqual(place(m.get('bdev_nvme')), ['module/bdev/nvme', 1, 'folder']);
    assert.deepEqual(place(m.get('nvmf_tgt')), ['app/nvmf_tgt', 1, 'folder']);
    assert.deepEqual(place(m.get('vbdev_passthru')), ['module/bdev/passthru', 1, 'folder']);
    const build = m.get('BLOCKDEV_MODULES_LIST')!;
    assert.deepEqual(place(build), ['mk/spdk.modules.mk', 2, 'mention']);
    assert.match(build.landmark!.note!, /^mentioned at mk\/spdk\.modules\.mk:2/);
    assert.deepEqual(place(m.get('io_channel')), ['include/spdk/thread.h', 10, 'struct']);
    assert.equal(m.get('io_channel')!.landmark!.note, 'short name for struct spdk_io_channel');
    assert.deepEqual(place(m.get('thread')), ['include/spdk/thread.h', 5, 'struct']);
    assert.deepEqual([m.get('poll')!.ignored, m.get('queue')!.ignored], [true, true], 'plain words that name nothing stay prose');
  });

  it('drift: a moved file, renamed functions and enum get their new home first; removed and unknown names stay unresolved', async () => {
    const m = await resolvedBook();
    const first = (text: string) => {
      const mention = m.get(text)!;
      assert.equal(mention.landmark, undefined, `${text} must not resolve`);
      return mention.suggestions?.[0];
    };
    assert.deepEqual(first('include/spdk_internal/init.h'), { target: 'include/spdk/init.h', file: 'include/spdk/init.h', line: 1, why: 'moved? the same file name in include/spdk/' });
    assert.equal(first('spdk_bdev_read_blocks_ext')!.target, 'spdk_bdev_readv_blocks_ext');
    assert.match(first('spdk_bdev_read_blocks_ext')!.why, /^renamed\? function with the same words/);
    assert.equal(first('spdk_blob_create')!.target, 'spdk_bs_create_blob');
    assert.equal(first('enum raid_bdev_state')!.target, 'enum spdk_bdev_raid_state');
    for (const removed of ['config_text', 'get_buf_ctx', 'spdk_bdev_frobnicate']) {
      assert.equal(first(removed), undefined, `${removed}: no suggestion made of a single shared word`);
      assert.match(m.get(removed)!.unresolved!, /^no definition, global, enum constant, field, file or folder named/);
    }
    assert.equal(first('spdk_bdev_read')!.target, 'spdk_bdev_read_blocks', 'a prefix of real names is suggested, never resolved');
    assert.equal(m.get('/opt/elsewhere/tool')!.external, true);
  });

  it('marks drifted mentions in the chapter view with the suggestion in the tooltip', async () => {
    const chapter = bookChapters()[3];
    const html = renderChapterHtml(chapter, resolveMentions(chapter, await context()));
    assert.match(html, /<span class="landmark unresolved drifted" data-mention="\d+" data-suggest-file="include\/spdk\/bdev\.h" data-suggest-line="\d+" title="[^"]*\nrenamed\? function with the same words: spdk_bdev_readv_blocks_ext \(include\/spdk\/bdev\.h:\d+\)[^"]*"><code>spdk_bdev_read_blocks_ext<\/code><\/span>/);
    assert.match(html, /<span class="landmark unresolved" data-mention="\d+" title="no definition[^"]*config_text[^"]*"><code>config_text<\/code><\/span>/);
    const paths = bookChapters()[2];
    const prose = renderChapterHtml(paths, resolveMentions(paths, await context()));
    assert.match(prose, /stay prose: <code>poll<\/code>, <code>queue<\/code>\./, 'a plain word that names nothing is plain code');
    assert.match(prose, /<a class="landmark mentioned" [^>]*data-file="mk\/spdk\.modules\.mk" data-line="2" data-kind="mention" title="BLOCKDEV_MODULES_LIST · mk\/spdk\.modules\.mk:2\nmentioned at/);
  });
});

describe('book landmarks: spdk-lens book links as a book\'s CI', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'book', 'links', TREE, BOOK, '--no-cache', ...args], { encoding: 'utf8', timeout: 60000 });

  it('exits 1 and carries suggestions on each unresolved mention in --json', () => {
    const result = run('--json');
    assert.equal(result.status, 1, result.stderr);
    const { chapters } = JSON.parse(result.stdout) as { chapters: { chapter: string; mentions: ResolvedMention[] }[] };
    const drift = chapters.find((c) => c.chapter === '03')!.mentions;
    const readv = drift.find((m) => m.target === 'spdk_bdev_read_blocks_ext')!;
    assert.deepEqual(Object.keys(readv.suggestions![0]).sort(), ['file', 'line', 'target', 'why']);
    assert.ok(chapters.every((c) => c.mentions.every((m) => !m.ignored)), 'plain words that name nothing are left out');
    assert.equal(chapters.slice(0, 3).flatMap((c) => c.mentions).filter((m) => !m.landmark).length, 0, 'chapters 00-02 resolve completely');
  });

  it('prints a short report per chapter: resolved, moved, renamed, missing with suggestions', () => {
    const result = run();
    assert.equal(result.status, 1);
    assert.match(result.stdout, /^00 · Definitions: What the Code Declares: 13 resolved$/m);
    assert.match(result.stdout, /^03 · Drift: What Moved On: 1 resolved, 1 moved, 4 renamed, 3 missing, 1 outside the tree$/m);
    assert.match(result.stdout, /^ {2}line 3: include\/spdk_internal\/init\.h · moved → include\/spdk\/init\.h \[moved\? the same file name in include\/spdk\/\]$/m);
    assert.match(result.stdout, /^ {2}line 8: config_text · missing: no definition/m);
  });

  it('says from git in which commit a removed field went away, when the tree is a git work tree', function () {
    if (spawnSync('git', ['--version']).status !== 0) return this.skip();
    const root = mkdtempSync(join(tmpdir(), 'spdk-lens-book-git-'));
    try {
      cpSync(TREE, root, { recursive: true });
      const header = join(root, 'include', 'spdk', 'bdev_module.h');
      const current = readFileSync(header, 'utf8');
      const git = (...args: string[]) => assert.equal(spawnSync('git', ['-C', root, '-c', 'user.name=Book Test', '-c', 'user.email=book@example.com', ...args], { encoding: 'utf8' }).status, 0, args.join(' '));
      git('init', '-q');
      writeFileSync(header, current.replace('\tint (*destruct)(void *ctx);', '\tint (*destruct)(void *ctx);\n\tvoid *(*get_buf_ctx)(void *ctx);'));
      git('add', '-A');
      git('commit', '-q', '-m', 'bdev: the function table as it was');
      writeFileSync(header, current);
      git('commit', '-q', '-a', '-m', 'bdev: drop get_buf_ctx from the function table');
      const result = spawnSync(process.execPath, [CLI, 'book', 'links', root, BOOK, '--no-cache', '--json'], { encoding: 'utf8', timeout: 60000 });
      const mentions = (JSON.parse(result.stdout) as { chapters: { mentions: ResolvedMention[] }[] }).chapters.flatMap((c) => c.mentions);
      const removed = mentions.find((m) => m.target === 'get_buf_ctx')!;
      assert.equal(removed.landmark, undefined);
      assert.match(removed.suggestions!.at(-1)!.why, /^removed\? last changed in [0-9a-f]{7,} \(\d{4}-\d\d-\d\d\): bdev: drop get_buf_ctx from the function table$/);
      assert.equal(removed.suggestions!.at(-1)!.file, 'include/spdk/bdev_module.h');
      assert.equal(mentions.find((m) => m.target === 'config_text')!.suggestions, undefined, 'a name git never saw gets no note');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('book landmarks: drift helpers', () => {
  it('splits names into words, taking vectored variants as the same word', () => {
    assert.deepEqual(nameWords('spdk_bdev_readv_blocks_ext'), ['bdev', 'read', 'blocks', 'ext']);
    assert.deepEqual(nameWords('struct spdk_bdev'), ['bdev']);
    assert.equal(editDistance('spdk_bdev_read_blocks_ext', 'spdk_bdev_readv_blocks_ext'), 1);
  });
});

describe('book landmarks: real SPDK', function () {
  this.timeout(300000);
  const spdk = process.env.SPDK_DIR;
  before(function () {
    if (!spdk) {
      console.log('    (skipped: set SPDK_DIR to an SPDK checkout to resolve test/spdk-landmarks.json against it)');
      this.skip();
    }
  });

  it('resolves every listed landmark to its file, keeps every missing one unresolved, and suggests the right new home first', async () => {
    const list = readLandmarkList(join(REPO_ROOT, 'test', 'spdk-landmarks.json'));
    assert.ok(list.resolve.length >= 150 && list.unresolved.length >= 20);
    const index = await indexTree({ root: spdk!, cacheDir: null, workerScript: WORKER_SCRIPT, grammarsDir: GRAMMARS_DIR });
    const ctx = { locator: new SymbolLocator(index), workspace: diskWorkspace(index.root) };
    const score = scoreLandmarks(list, everyLandmark(list).flatMap((c) => resolveMentions(c, ctx)));
    console.log(`      ${score.resolved}/${score.exist} resolve, ${score.wrong.length} wrong, ${score.stayedUnresolved}/${score.missing} missing stay unresolved, ${score.rightFirst}/${score.drift} drift suggestions right first`);
    assert.deepEqual([...score.wrong, ...score.notResolved, ...score.falselyResolved, ...score.wrongSuggestion], []);
  });
});
