// Doc comments as the file has them: characters outside Latin-1 are replaced with stand-ins for parsing, but a hover
// shows the comment's own text.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FactCache } from '../../src/core/index/factCache';
import { FactExtractor, factsOfParsedFile } from '../../src/core/index/factExtractor';
import { GRAMMARS_DIR } from './helpers';

// A registration macro without `;` first: the normalizer adds one, so every later offset moves by one.
const SOURCE = [
  'SPDK_LOG_REGISTER_COMPONENT(lens_doc)',
  '',
  '/**',
  ' * Open the \u201cnull\u201d bdev \u2014 see \u7a7a\u8bbe\u5907 and \ud83d\ude00.',
  ' */',
  'static int lens_open(void)',
  '{',
  '\treturn 0;',
  '}',
  '',
  '/** Close it \u2018now\u2019 \u2026 */',
  'int lens_close(int fd);',
  '',
  '/** The \u201cstate\u201d \u2192 per thread. */',
  'struct lens_state {',
  '\tint n;',
  '};',
  '',
  '/** Callback \u2013 done. */',
  'typedef void (*lens_done_cb)(void *ctx);',
  '',
  '/** Plain Latin-1: caf\u00e9. */',
  'static int lens_plain(void) { return 1; }',
  '',
].join('\n');

describe('doc comments as written', () => {
  let extractor: FactExtractor;
  before(async () => {
    extractor = await FactExtractor.create(GRAMMARS_DIR);
  });
  after(() => extractor.dispose());

  const check = (facts: ReturnType<FactExtractor['extract']>, how: string) => {
    const fn = (name: string) => facts.functions.find((f) => f.name === name);
    assert.equal(fn('lens_open')?.doc, 'Open the \u201cnull\u201d bdev \u2014 see \u7a7a\u8bbe\u5907 and \ud83d\ude00.', how);
    assert.equal(fn('lens_open')?.line, 6, how);
    assert.equal(facts.prototypes.find((p) => p.name === 'lens_close')?.doc, 'Close it \u2018now\u2019 \u2026', how);
    assert.equal(facts.structs.find((s) => s.name === 'struct lens_state')?.doc, 'The \u201cstate\u201d \u2192 per thread.', how);
    assert.equal(facts.typedefs.find((t) => t.name === 'lens_done_cb')?.doc, 'Callback \u2013 done.', how);
    assert.equal(fn('lens_plain')?.doc, 'Plain Latin-1: caf\u00e9.', how);
  };

  it('keeps curly quotes, dashes, CJK and emoji in one thread, across threads and in an open document', () => {
    check(extractor.extract('lens_doc.c', SOURCE), 'extract');
    // The worker path: parsed in one thread, sent as plain data (structured clone), facts read in another.
    check(factsOfParsedFile(structuredClone(extractor.parse('lens_doc.c', SOURCE))), 'parse + factsOfParsedFile');
    check(extractor.extractOpen('lens_doc.c', SOURCE), 'open document');
    check(extractor.extractOpen('lens_doc.c', SOURCE.replace('return 0;', 'return 0 + 0;')), 'open document after an edit');
    extractor.close('lens_doc.c');
  });

  it('keeps only files with such characters as they were read', () => {
    assert.equal(extractor.parse('plain.c', '/** caf\u00e9 */\nint x;\n').original, undefined);
    assert.equal(extractor.parse('wide.c', '/** \u201cx\u201d */\nint x;\n').original, '/** \u201cx\u201d */\nint x;\n');
  });

  it('survives the on-disk cache, written with the characters escaped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spdk-lens-doc-cache-'));
    try {
      const cache = new FactCache(dir, '/lens/root');
      await cache.save('/lens/root', [extractor.extract('lens_doc.c', SOURCE)]);
      const pack = readdirSync(dir).find((f) => f.startsWith('facts-'))!;
      const text = readFileSync(join(dir, pack), 'utf8');
      assert.ok(text.includes('\\u201cnull\\u201d') && !/[^\x00-\xff]/.test(text), 'escaped in the pack');
      check(cache.loadSync('/lens/root').get('lens_doc.c')!, 'from the cache');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
