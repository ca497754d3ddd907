// Every query compiles (a typo must fail here, not in a user's editor), and parser objects are released.
import { identValue, textValue } from '../../src/core/facts/fileFacts';
import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { collectRegions, FACTS_CAPTURE_NAMES, parseSource, regionsAfterBodyEdit, textChange } from '../../src/core/facts/extractFacts';
import { decodeFacts, encodeFacts } from '../../src/core/facts/factsCodec';
import { FactExtractor } from '../../src/core/index/factExtractor';
import { loadCGrammar } from '../../src/core/parse/grammar';
import { GRAMMARS_DIR, indexSample } from './helpers';

describe('grammar and queries', () => {
  it('compiles every .scm query against tree-sitter-c', async () => {
    const grammar = await loadCGrammar(GRAMMARS_DIR);
    const names = readdirSync(join(GRAMMARS_DIR, 'queries')).filter((f) => f.endsWith('.scm'));
    assert.ok(names.length > 0);
    for (const name of names) {
      const query = grammar.query(name.replace(/\.scm$/, ''));
      assert.ok(query.captureNames.length > 0, `${name} captures nothing`);
    }
  });

  it('reads every capture of the facts query into a slot of its own', async () => {
    const grammar = await loadCGrammar(GRAMMARS_DIR);
    assert.deepEqual([...grammar.query('facts').captureNames].sort(), [...FACTS_CAPTURE_NAMES].sort());
  });

  it('extracts from broken C without throwing and keeps the facts around the damage', async () => {
    const extractor = await FactExtractor.create(GRAMMARS_DIR);
    try {
      const facts = extractor.extract('broken.c', 'static void ok(void)\n{\n\tfoo(ok);\n}\nstatic int broken(int a\n{\n\treturn a +;\n}\nstruct after { int (*cb)(void); };\n');
      assert.ok(facts.functions.some((f) => f.name === 'ok'));
      assert.ok(facts.structs.some((s) => s.name === 'struct after'));
      assert.ok(facts.parseErrors > 0);
      const truncated = extractor.extract('cut.c', 'static void f(void)\n{\n\tbar(baz');
      assert.ok(Array.isArray(truncated.calls));
    } finally {
      extractor.dispose();
    }
  });

  it('reads a file with typographic quotes in its comments and strings like any other', async () => {
    const extractor = await FactExtractor.create(GRAMMARS_DIR);
    try {
      // A curly double quote inside a string literal must not end it: the call after it is still found, with its
      // callback, on its own line.
      const text = '/* the \u201cnull\u201d bdev \u2014 see \u2192 */\nstatic void done(void *a)\n{\n}\n\nstatic void f(void)\n{\n\tlog("it\u2019s \u201cok\u201d");\n\tspdk_thread_send_msg(t, done, NULL);\n}\n';
      const facts = extractor.extract('quotes.c', text);
      assert.deepEqual(facts.functions.map((fn) => [fn.name, fn.line]), [['done', 2], ['f', 6]]);
      const send = facts.calls.find((c) => c.callee === 'spdk_thread_send_msg');
      assert.equal(send?.line, 9);
      assert.deepEqual(send?.args[1], identValue('done'));
      assert.deepEqual(facts.calls.find((c) => c.callee === 'log')?.args[0], textValue('string', "it's 'ok'"));
    } finally {
      extractor.dispose();
    }
  });

  it('gives up a parse that runs past its time limit, and parses the next file from scratch', async () => {
    const grammar = await loadCGrammar(GRAMMARS_DIR);
    const parser = grammar.newParser();
    // A limit of 0 stops tree-sitter at its first progress report, which a file this size always reaches.
    assert.throws(() => parseSource(parser, 'static int stopped_early;\n'.repeat(20_000), undefined, 0), /stopped after 0 s on this file; skipped/);
    const next = parseSource(parser, 'static int next_file;\n');
    const fresh = grammar.newParser();
    const expected = parseSource(fresh, 'static int next_file;\n');
    assert.equal(next.tree.rootNode.toString(), expected.tree.rootNode.toString(), 'no state left over from the stopped parse');
    for (const t of [next.tree, expected.tree]) t.delete();
    parser.delete();
    fresh.delete();
  });

  it('reparses an open document incrementally and gets the same facts as a fresh parse', async () => {
    const extractor = await FactExtractor.create(GRAMMARS_DIR);
    try {
      const before = 'static int p(void *c)\n{\n\treturn 0;\n}\n\nstatic void s(void)\n{\n\tSPDK_POLLER_REGISTER(p, NULL, 0);\n}\n';
      extractor.extractOpen('a.c', before);
      const after = before.replace('\treturn 0;', '\tfoo();\n\treturn 0;');
      const incremental = extractor.extractOpen('a.c', after);
      const fresh = extractor.extract('a.c', after);
      assert.deepEqual(incremental, fresh);
      assert.equal(incremental.functions[1].line, 7);
    } finally {
      extractor.dispose();
    }
  });

  it('finds where two texts differ as a character-by-character comparison would, across its block steps', () => {
    const naive = (a: string, b: string) => {
      let p = 0;
      const n = Math.min(a.length, b.length);
      while (p < n && a[p] === b[p]) p++;
      let q = 0;
      while (q < n - p && a[a.length - 1 - q] === b[b.length - 1 - q]) q++;
      return { start: p, oldEnd: a.length - q, newEnd: b.length - q };
    };
    let seed = 3;
    const random = (n: number) => Math.floor((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 * n);
    const base = Array.from({ length: 9000 }, () => 'ab\n'[random(3)]).join('');
    for (let i = 0; i < 200; i++) {
      const at = random(base.length);
      const cut = random(3) === 0 ? random(5000) : random(4);
      const inserted = 'ab\n'.slice(0, random(4));
      const edited = base.slice(0, at) + inserted + base.slice(at + cut);
      assert.deepEqual(textChange(base, edited), naive(base, edited));
      assert.deepEqual(textChange(edited, base), naive(edited, base));
    }
    assert.deepEqual(textChange(base, base), { start: base.length, oldEnd: base.length, newEnd: base.length });
    assert.deepEqual(textChange('', 'x'), { start: 0, oldEnd: 0, newEnd: 1 });
  });

  it('moves the regions of an open document instead of querying again when an edit stays inside a function body', async () => {
    const grammar = await loadCGrammar(GRAMMARS_DIR);
    const parser = grammar.newParser();
    const source = [
      'struct ops { void (*cb)(void *); };',
      'static int p(void *c)',
      '{',
      '\treturn 0;',
      '}',
      '',
      'static struct ops g_ops = { .cb = p };',
      'SPDK_RPC_REGISTER("p", p, 0)',
      'static void s(void)',
      '{',
      '\tSPDK_POLLER_REGISTER(p, NULL, 0);',
      '}',
      '',
    ].join('\n');
    const check = (edited: string, shortcut: boolean) => {
      // A tree takes one edit: each case starts from its own parse of the source.
      const before = parseSource(parser, source);
      const regions = collectRegions(grammar, before.tree);
      const after = parseSource(parser, edited, before);
      const moved = regionsAfterBodyEdit(before, regions, after);
      assert.equal(moved !== undefined, shortcut, edited);
      if (moved) assert.deepEqual(moved, collectRegions(grammar, after.tree), 'the same regions as a query of the new tree');
      for (const t of [before.tree, after.tree]) t.delete();
    };
    // Lines added to and removed from a body: the skeleton changes by blank lines inside the emptied body.
    check(source.replace('\treturn 0;', '\tfoo();\n\n\treturn 0;'), true);
    check(source.replace('\treturn 0;\n', ''), true);
    check(source.replace('\treturn 0;', '\treturn 1;'), true);
    // Anything at file scope is queried again, blank lines included.
    check(source.replace('static struct ops g_ops', '\nstatic struct ops g_ops'), false);
    check(source.replace('.cb = p', '.cb = s'), false);
    parser.delete();
  });

  it('queries a skeleton with syntax errors again on every edit (tree-sitter may read its broken parts anew)', async () => {
    const grammar = await loadCGrammar(GRAMMARS_DIR);
    const parser = grammar.newParser();
    const source = 'static int int broken;\nstatic int p(void)\n{\n\treturn 0;\n}\n';
    const before = parseSource(parser, source);
    const regions = collectRegions(grammar, before.tree);
    assert.ok(regions.errors > 0);
    const after = parseSource(parser, source.replace('\treturn 0;', '\tfoo();\n\treturn 0;'), before);
    assert.equal(regionsAfterBodyEdit(before, regions, after), undefined);
    for (const t of [before.tree, after.tree]) t.delete();
    parser.delete();
  });

  it('round-trips facts through the compact codec', async () => {
    const index = await indexSample();
    for (const facts of index.files.values()) {
      assert.deepEqual(decodeFacts(JSON.parse(JSON.stringify(encodeFacts(facts)))), facts);
    }
  });
});
