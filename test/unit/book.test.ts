// The book beside the code: chapters in order, every landmark mention resolved or marked, self-check questions,
// back links, and a chapter rendered to HTML that a hostile chapter cannot escape from.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chapterLabel, readBook, readChapter } from '../../src/core/book/bookFolder';
import { renderChapterHtml, safeHref } from '../../src/core/book/chapterHtml';
import { parseChapter } from '../../src/core/book/chapterParser';
import type { Chapter, ResolvedMention } from '../../src/core/book/chapterTypes';
import { BookBackLinks, resolveMentions } from '../../src/core/book/mentions';
import type { ResolveContext } from '../../src/core/tour/anchorResolver';
import { diskWorkspace, SymbolLocator } from '../../src/core/tour/symbolLocator';
import { indexSample, REPO_ROOT, SAMPLE_ROOT } from './helpers';

const BOOK = join(REPO_ROOT, 'test', 'fixtures', 'book');
const NULL_C = 'module/bdev/sample_null/bdev_sample_null.c';

function chapters(): Chapter[] {
  const book = readBook(BOOK);
  assert.ok(book.ok);
  if (!book.ok) return [];
  return book.chapters.map((ref) => {
    const read = readChapter(ref);
    assert.ok(read.ok);
    return read.ok ? read.chapter : (undefined as never);
  });
}

async function context(): Promise<ResolveContext> {
  return { locator: new SymbolLocator(await indexSample()), workspace: diskWorkspace(SAMPLE_ROOT) };
}

function inlineChapter(markdown: string): Chapter {
  return parseChapter(markdown, { number: '07', slug: 'test', path: '/book/content/chapters/07-test.md', fileName: '07-test.md' });
}

describe('book folder', () => {
  it('lists chapters in number order', () => {
    const book = readBook(BOOK);
    assert.ok(book.ok);
    if (book.ok) assert.deepEqual(book.chapters.map((c) => [c.number, c.slug]), [['00', 'orientation'], ['01', 'rpc-and-modules']]);
  });

  it('says clearly when the folder is missing or holds no chapters', () => {
    const missing = readBook(join(tmpdir(), 'no-such-book-folder'));
    assert.ok(!missing.ok && /does not exist/.test(missing.error));
    const empty = mkdtempSync(join(tmpdir(), 'spdk-lens-book-'));
    try {
      mkdirSync(join(empty, 'content', 'chapters'), { recursive: true });
      writeFileSync(join(empty, 'content', 'chapters', 'notes.md'), '# not a chapter');
      const none = readBook(empty);
      assert.ok(!none.ok && /no chapters in .*content\/chapters: expected markdown files named like 00-orientation\.md/.test(none.error));
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    const gone = readChapter({ number: '09', slug: 'gone', path: join(BOOK, 'content', 'chapters', '09-gone.md'), fileName: '09-gone.md' });
    assert.ok(!gone.ok && /cannot read chapter 09-gone\.md/.test(gone.error));
  });
});

describe('chapter parsing', () => {
  it('reads the title, headings and paragraphs with their lines', () => {
    const [orientation, rpc] = chapters();
    assert.equal(orientation.title, 'Orientation: A Sample Tree');
    assert.equal(orientation.shortTitle, 'Orientation');
    assert.equal(chapterLabel(orientation), '00 · Orientation');
    assert.equal(chapterLabel(rpc), '01 · RPC and Modules');
    const headings = orientation.blocks.filter((b) => b.kind === 'heading').map((b) => [b.level, b.text, b.line]);
    assert.deepEqual(headings, [[1, 'Orientation: A Sample Tree', 1], [2, 'What to read locally', 6], [2, 'The runtime, briefly', 15], [2, 'Self-check', 26]]);
    const code = orientation.blocks.find((b) => b.kind === 'code')!;
    assert.deepEqual([code.language, code.line, code.endLine], ['c', 21, 24]);
    const ordered = rpc.blocks.filter((b) => b.kind === 'listItem' && b.ordered);
    assert.equal(ordered.length, 2);
    assert.equal(orientation.blocks.find((b) => b.text.startsWith('A poller'))!.section, 'The runtime, briefly');
  });

  it('finds paths in code spans and plain text, and symbols in code spans only', () => {
    const [orientation, rpc] = chapters();
    const mentions = orientation.mentions.filter((m) => !m.tentative).map((m) => [m.kind, m.target, m.inCode, m.line]);
    assert.deepEqual(orientation.mentions.filter((m) => m.tentative).map((m) => m.target), ['poll', 'diskengine'], 'plain words are landmarks only if they resolve');
    assert.deepEqual(mentions, [
      ['path', 'README.md', true, 8],
      ['path', 'app/sample_tgt/sample_tgt.c', true, 9],
      ['symbol', 'sample_tgt_started', true, 9],
      ['path', NULL_C, false, 10],
      ['path', 'module/bdev/sample_passthru', true, 11],
      ['path', 'include/spdk/thread.h', true, 12],
      ['symbol', 'struct spdk_io_channel', true, 12],
      ['symbol', 'spdk_poller_fn', true, 12],
      ['path', '/home/reader/elsewhere/client', true, 13],
      ['symbol', 'sample_null_poll', true, 17],
      ['symbol', 'struct sample_null_io_channel', true, 18],
      ['symbol', 'sample_null_create_channel', true, 18],
      ['path', NULL_C, true, 28],
      ['symbol', 'spdk_nonexistent_helper', true, 30],
    ]);
    const withLine = rpc.mentions.find((m) => m.target === 'module/bdev/sample_null/bdev_sample_null_rpc.c')!;
    assert.equal(withLine.targetLine, 20);
    assert.equal(withLine.line, 4, 'a mention on a paragraph\'s second line gets that line');
  });

  it('keeps snake_case words whole and reads emphasis, links and escapes', () => {
    const chapter = inlineChapter('Plain spdk_thread_send_msg stays text, _this_ is em, **this** is strong, \\*not em\\*, [a link](https://spdk.io).');
    const inlines = chapter.blocks[0].inlines;
    assert.deepEqual(inlines.map((n) => n.kind), ['text', 'em', 'text', 'strong', 'text', 'link', 'text']);
    assert.equal(inlines[0].kind === 'text' && inlines[0].text, 'Plain spdk_thread_send_msg stays text, ');
    assert.ok(inlines[4].kind === 'text' && inlines[4].text.includes('*not em*'));
    assert.deepEqual(chapter.mentions, []);
  });

  it('reads list levels, quotes and CRLF line ends, and gives a path on a later line of a block that line', () => {
    const chapter = inlineChapter(['# T', '', '1. first `lib/thread/thread.c`', '   - nested _under_ it', '     - deeper', '2. second', '', '> a quote that', '> names module/bdev/sample_null/bdev_sample_null.c', '', 'Some *emphasis*', 'then more', 'and lib/bdev/bdev_rpc.c here.'].join('\r\n'));
    const items = chapter.blocks.filter((b) => b.kind === 'listItem').map((b) => [b.level, b.ordered, b.line, b.text]);
    assert.deepEqual(items, [[0, true, 3, 'first `lib/thread/thread.c`'], [1, false, 4, 'nested _under_ it'], [2, false, 5, 'deeper'], [0, true, 6, 'second']]);
    const quote = chapter.blocks.find((b) => b.kind === 'quote')!;
    assert.deepEqual([quote.line, quote.endLine], [8, 9]);
    assert.deepEqual(chapter.mentions.map((m) => [m.target, m.inCode, m.line]), [
      ['lib/thread/thread.c', true, 3],
      [NULL_C, false, 9],
      ['lib/bdev/bdev_rpc.c', false, 13],
    ]);
  });

  it('reads the `•` items of a plain-text chapter as a list', () => {
    const chapter = inlineChapter(['# T', '', 'Before:', '', '• one names lib/thread/thread.c', '• two', '  • under two'].join('\n'));
    const items = chapter.blocks.filter((b) => b.kind === 'listItem').map((b) => [b.level, b.line, b.text]);
    assert.deepEqual(items, [[0, 5, 'one names lib/thread/thread.c'], [0, 6, 'two'], [1, 7, 'under two']]);
    assert.deepEqual(chapter.mentions.map((m) => [m.target, m.line]), [['lib/thread/thread.c', 5]]);
  });

  it('extracts the self-check questions as a checklist with their landmarks', () => {
    const [orientation, rpc] = chapters();
    assert.deepEqual(orientation.selfCheck.map((q) => [q.text, q.line, q.mentions.length]), [
      [`Can you name the poller in ${NULL_C}?`, 28, 1],
      ["Can you point to the source file that owns the sample app's start-up?", 29, 0],
      ['Which function does spdk_nonexistent_helper call?', 30, 1],
    ]);
    assert.deepEqual(rpc.selfCheck.map((q) => q.text), ['Where is sample_null_submit_request registered?']);
    assert.deepEqual(inlineChapter('# T\n\n- not a question\n').selfCheck, []);
  });
});

describe('mention resolution', () => {
  it('resolves each mention to a landmark, or marks it with a reason', async () => {
    const [orientation, rpc] = chapters();
    const resolved = resolveMentions(orientation, await context());
    assert.equal(resolved.length, orientation.mentions.length, 'no mention is dropped');
    const byTarget = new Map(resolved.map((m) => [m.target, m]));
    assert.deepEqual(byTarget.get('README.md')!.landmark, { file: 'README.md', line: 1, kind: 'file' });
    assert.deepEqual(byTarget.get('module/bdev/sample_passthru')!.landmark, { file: 'module/bdev/sample_passthru', line: 1, kind: 'folder' });
    assert.deepEqual(byTarget.get('sample_null_poll')!.landmark, { file: NULL_C, line: 97, endLine: byTarget.get('sample_null_poll')!.landmark!.endLine, kind: 'function', symbol: 'sample_null_poll' });
    assert.equal(byTarget.get('struct sample_null_io_channel')!.landmark!.kind, 'struct');
    assert.equal(byTarget.get('spdk_poller_fn')!.landmark!.kind, 'typedef');
    const external = byTarget.get('/home/reader/elsewhere/client')!;
    assert.deepEqual([external.landmark, external.external, external.unresolved], [undefined, true, '/home/reader/elsewhere/client is an absolute path outside the SPDK tree']);
    assert.match(byTarget.get('spdk_nonexistent_helper')!.unresolved!, /no definition, global, enum constant, field, file or folder named spdk_nonexistent_helper/);
    assert.deepEqual([byTarget.get('poll')!.ignored, byTarget.get('diskengine')!.ignored], [true, true]);
    const rpcResolved = resolveMentions(rpc, await context());
    assert.deepEqual(rpcResolved.find((m) => m.target === 'bdev_sample_null_create')!.landmark, { file: 'module/bdev/sample_null/bdev_sample_null_rpc.c', line: 20, endLine: rpcResolved.find((m) => m.target === 'bdev_sample_null_create')!.landmark!.endLine, kind: 'rpc', symbol: 'bdev_sample_null_create' });
    assert.equal(rpcResolved.find((m) => m.targetLine === 20)!.landmark!.line, 20);
    const missing = resolveMentions(inlineChapter('See `lib/nowhere/gone.c`.'), await context());
    assert.equal(missing[0].unresolved, 'no file or folder lib/nowhere/gone.c in this checkout');
  });

  it('builds back links by file, by symbol and by line', async () => {
    const ctx = await context();
    const all = chapters().map((chapter) => ({ chapter, mentions: resolveMentions(chapter, ctx) }));
    const links = new BookBackLinks(all);
    const forFile = links.forFile(NULL_C);
    assert.deepEqual([...new Set(forFile.map((l) => l.label))], ['Book: 00 · Orientation', 'Book: 01 · RPC and Modules']);
    const poll = links.forSymbol('sample_null_poll');
    assert.equal(poll.length, 1);
    assert.equal(poll[0].label, 'Book: 00 · Orientation');
    assert.equal(poll[0].line, 17);
    assert.equal(poll[0].section, 'The runtime, briefly');
    assert.ok(poll[0].chapterPath.endsWith('00-orientation.md'));
    assert.equal(links.forSymbol('sample_null_io_channel').length, 1, 'a bare struct name finds `struct x` mentions');
    assert.ok(links.at(NULL_C, 100).some((l) => l.text === 'sample_null_poll()'), 'a line inside the function finds its mention');
    const passthru = links.forFile('module/bdev/sample_passthru/vbdev_sample_passthru.c');
    assert.ok(passthru.length === 1 && passthru[0].viaFolder, 'a folder mention covers its files');
    assert.deepEqual(links.forFile('lib/sample/steps.c'), []);
    // A hover on the poller: its own paragraph first, then the file's, each paragraph once.
    const place = links.forPlace(NULL_C, 100, 'sample_null_poll');
    assert.deepEqual(place[0], poll[0]);
    assert.equal(new Set(place.map((l) => `${l.chapterPath}#${l.block}`)).size, place.length);
    assert.ok(forFile.every((f) => place.some((p) => p.chapterPath === f.chapterPath && p.block === f.block)));
  });
});

describe('chapter HTML', () => {
  const hostile = [
    '# Title with <script>alert(1)</script> & "quotes"',
    '',
    'Text <img src=x onerror=alert(1)> and `<b>code</b>` and `sample_null_poll`.',
    '',
    '<div onclick="evil()">raw html block</div>',
    '',
    // A tab inside the scheme: CommonMark takes it only in an angle-bracket destination.
    '- [click](javascript:alert(1)) and [tab](<java\tscript:alert(2)>) and [data](data:text/html,<b>x</b>)',
    '- [ok](https://spdk.io/doc/?a=1&b="2") and [chapter](01-next.md) and `spdk_nonexistent_helper`',
    '  - nested item with `module/bdev/sample_passthru/`',
    '',
    '```html" onload="x',
    '<script>alert(3)</script>',
    '```',
  ].join('\n');

  async function render(markdown: string): Promise<string> {
    const chapter = inlineChapter(markdown);
    const mentions: ResolvedMention[] = resolveMentions(chapter, await context());
    return renderChapterHtml(chapter, mentions);
  }

  it('escapes all text: no tag, attribute or script from the chapter survives', async () => {
    const html = await render(hostile);
    // Every tag is one the renderer writes, with only the attributes it writes.
    const allowedTags = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'ul', 'ol', 'li', 'pre', 'code', 'a', 'span', 'strong', 'em', 'blockquote', 'hr']);
    for (const tag of html.matchAll(/<\/?([^\s>/]+)([^>]*)>/g)) {
      assert.ok(allowedTags.has(tag[1]), `unexpected tag <${tag[1]}>`);
      const attributes = tag[2].replace(/\s([a-z-]+)="[^"]*"/g, (_all, name: string) => {
        assert.ok(/^(id|class|role|tabindex|title|data-[a-z]+)$/.test(name), `unexpected attribute ${name}`);
        return '';
      });
      assert.equal(attributes.trim(), '', `stray text inside a tag: ${tag[0]}`);
    }
    assert.doesNotMatch(html, /<script|<img|<div|<b>/i);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;quotes&quot;/);
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(html, /<code>&lt;b&gt;code&lt;\/b&gt;<\/code>/);
    assert.match(html, /<pre [^>]*><code>&lt;script&gt;alert\(3\)&lt;\/script&gt;<\/code><\/pre>/, 'an unsafe fence language is dropped');
  });

  it('never turns javascript: or data: links into links, and keeps safe ones in data attributes', async () => {
    const html = await render(hostile);
    assert.doesNotMatch(html, /\shref=/, 'no live href at all: the host opens links');
    assert.doesNotMatch(html, /alert\(\d\)\)/, 'a link target with parentheses is consumed whole');
    assert.doesNotMatch(html, /data-href="[^"]*(javascript|data:)/i);
    assert.equal((html.match(/class="md-link blocked"/g) ?? []).length, 3);
    assert.match(html, /data-href="https:\/\/spdk\.io\/doc\/\?a=1&amp;b=&quot;2&quot;"/);
    assert.match(html, /data-href="01-next\.md"/);
    assert.equal(safeHref(' JAVASCRIPT:alert(1)'), undefined);
    assert.equal(safeHref('//evil.example/x'), undefined);
    assert.equal(safeHref('vbscript:x'), undefined);
  });

  it('turns landmarks into elements with data-file and data-line, and marks unresolved ones', async () => {
    const html = await render(hostile);
    assert.match(html, /<a class="landmark" role="link" tabindex="0" data-mention="\d+" data-file="module\/bdev\/sample_null\/bdev_sample_null\.c" data-line="97" data-kind="function" title="[^"]*"><code>sample_null_poll<\/code><\/a>/);
    assert.match(html, /data-file="module\/bdev\/sample_passthru" data-line="1" data-kind="folder"/);
    assert.match(html, /<span class="landmark unresolved" data-mention="\d+" title="no definition, global, enum constant, field, file or folder named spdk_nonexistent_helper in this checkout"><code>spdk_nonexistent_helper<\/code><\/span>/);
    assert.match(html, /<ul>\n<li [^>]*>.*\n<\/li>\n<li [^>]*>.*\n<ul>\n<li [^>]*>nested item/s, 'a nested list sits inside its parent item');
  });

  it('gives every block an id and line for back links to scroll to', async () => {
    const [orientation] = chapters();
    const html = renderChapterHtml(orientation, resolveMentions(orientation, await context()));
    assert.match(html, /<h1 id="b0" data-block="0" data-line="1">Orientation: A Sample Tree<\/h1>/);
    assert.match(html, /<li id="b\d+" data-block="\d+" data-line="10"><a class="landmark"[^>]*data-file="module\/bdev\/sample_null\/bdev_sample_null\.c" data-line="1" data-kind="file"/);
    assert.match(html, /class="landmark unresolved external"/);
    assert.equal((html.match(/<ul>/g) ?? []).length, (html.match(/<\/ul>/g) ?? []).length);
  });
});
