// Tours: parsing with clear errors, anchors resolving through the index (and surviving edits), CodeTour import,
// and the built-in landmark tour.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { indexTree } from '../../src/core/index/indexer';
import { resolveAnchor, resolveTour, type ResolveContext } from '../../src/core/tour/anchorResolver';
import { findBuiltinTour } from '../../src/core/tour/builtinTour';
import { readTourText } from '../../src/core/tour/codeTour';
import { diskWorkspace, SymbolLocator } from '../../src/core/tour/symbolLocator';
import { parseTour } from '../../src/core/tour/tourParser';
import { ANCHOR_KINDS, MENTAL_MODELS, type Tour } from '../../src/core/tour/tourTypes';
import { copySample, GRAMMARS_DIR, indexSample, REPO_ROOT, SAMPLE_ROOT, WORKER_SCRIPT } from './helpers';

const TOURS = join(REPO_ROOT, 'test', 'fixtures', 'tours');
const NULL_C = 'module/bdev/sample_null/bdev_sample_null.c';

function loadTour(path: string): Tour {
  const parsed = parseTour(readFileSync(path, 'utf8'));
  assert.deepEqual(parsed.problems, []);
  return parsed.tour!;
}

async function sampleContext(root = SAMPLE_ROOT): Promise<ResolveContext> {
  const index = root === SAMPLE_ROOT ? await indexSample() : await indexTree({ root, cacheDir: null, workerScript: WORKER_SCRIPT, grammarsDir: GRAMMARS_DIR });
  return { locator: new SymbolLocator(index), workspace: diskWorkspace(root) };
}

/** The text of a resolved line, to check a step landed on its symbol and not just on some line. */
function lineText(root: string, file: string, line: number): string {
  return readFileSync(join(root, file), 'utf8').split('\n')[line - 1] ?? '';
}

function bareName(symbol: string): string {
  return symbol.replace(/^(struct|union) /, '').split('.').pop()!;
}

describe('tour parser', () => {
  it('reads a valid tour, keeping only the fields it knows', () => {
    const tour = loadTour(join(TOURS, 'sample.tour.json'));
    assert.equal(tour.title, 'Sample tree');
    assert.equal(tour.chapter, '00');
    assert.equal(tour.steps.length, 11);
    assert.deepEqual(tour.steps[1], {
      title: 'Submit',
      text: 'Where IO enters the module.',
      model: 'bdev-graph',
      question: 'Who completes this IO?',
      anchor: { file: NULL_C, symbol: 'sample_null_submit_request', kind: 'function' },
    });
  });

  it('reports malformed JSON with its line and column', () => {
    const parsed = parseTour('{\n  "title": "x",\n  "steps": [ { "title": "a" } \n');
    assert.equal(parsed.tour, undefined);
    assert.equal(parsed.problems.length, 1);
    assert.equal(parsed.problems[0].severity, 'error');
    assert.match(parsed.problems[0].message, /^malformed JSON at line \d+, column \d+/);
    const trailingComma = parseTour('{\n  "title": "x",\n}');
    assert.equal(trailingComma.problems[0].line, 3);
    assert.equal(trailingComma.problems[0].column, 1);
    assert.match(parseTour('').problems[0].message, /malformed JSON at line 1, column 1: unexpected end of input/);
  });

  it('names each missing field and wrong type by its path', () => {
    const parsed = parseTour(JSON.stringify({
      steps: [
        { text: 'no title', anchor: { file: 'a.c' } },
        { title: 7, text: 'x', anchor: { file: 'a.c' } },
        { title: 't', text: 'x' },
        { title: 't', text: 'x', anchor: { symbol: 'f' } },
        { title: 't', text: 'x', anchor: { file: '/abs/a.c', line: 0, kind: 'method', pattern: '(' }, model: 'mystery' },
        { title: 't', text: 'x', anchor: { file: '../outside.c', kind: 'struct' } },
        'not a step',
      ],
    }));
    assert.equal(parsed.tour, undefined);
    const messages = parsed.problems.map((p) => p.message);
    for (const expected of [
      /^title: missing/,
      /^steps\[0\]\.title: missing/,
      /^steps\[1\]\.title: must be a string, not a number/,
      /^steps\[2\]\.anchor: missing/,
      /^steps\[3\]\.anchor\.file: missing/,
      /^steps\[4\]\.anchor\.file: must be relative to the SPDK root/,
      /^steps\[4\]\.anchor\.line: must be a whole number from 1, not 0/,
      /^steps\[4\]\.anchor\.kind: must be one of function, struct/,
      /^steps\[4\]\.anchor\.pattern: not a valid regular expression/,
      /^steps\[4\]\.model: must be one of hardware, kernel-bypass, runtime, bdev-graph/,
      /^steps\[5\]\.anchor\.file: must stay inside the SPDK root/,
      /^steps\[5\]\.anchor\.symbol: missing \(a struct anchor names its symbol\)/,
      /^steps\[6\]: a step must be an object/,
    ]) assert.ok(messages.some((m) => expected.test(m)), `${expected} not in\n${messages.join('\n')}`);
  });

  it('rejects tours that are not objects or have no steps, and warns on unknown properties', () => {
    assert.match(parseTour('[1, 2]').problems[0].message, /a tour must be a JSON object/);
    assert.match(parseTour('{"title": "t", "steps": []}').problems[0].message, /steps: a tour needs at least one step/);
    assert.match(parseTour('{"title": "t", "steps": {}}').problems[0].message, /steps: must be an array, not an object/);
    const typo = parseTour(JSON.stringify({ title: 't', steps: [{ title: 's', text: 'x', anchor: { file: 'a.c', symbl: 'f' } }] }));
    assert.ok(typo.tour, 'a warning does not make the tour unusable');
    assert.deepEqual(typo.problems.map((p) => [p.severity, p.path]), [['warning', 'steps[0].anchor.symbl']]);
  });

  it('never throws, whatever the input', () => {
    for (const text of ['null', '0', '"tour"', '{"steps": null}', '{"title": {}, "steps": [null, [], 3]}', '\u0000', '{"title":"t","steps":[{"title":"s","text":"x","anchor":[]}]}']) {
      const parsed = parseTour(text);
      assert.equal(parsed.tour, undefined, text);
      assert.ok(parsed.problems.length > 0, text);
    }
  });

  it('keeps the JSON schema in step with the parser', () => {
    const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'media', 'schemas', 'spdk-lens-tour.schema.json'), 'utf8'));
    assert.deepEqual(schema.definitions.step.properties.model.enum, [...MENTAL_MODELS]);
    assert.deepEqual(schema.definitions.anchor.properties.kind.enum, [...ANCHOR_KINDS]);
    assert.deepEqual(Object.keys(schema.definitions.anchor.properties), ['file', 'symbol', 'kind', 'pattern', 'line']);
    assert.deepEqual(Object.keys(schema.definitions.step.properties), ['title', 'text', 'anchor', 'model', 'question']);
  });
});

describe('tour anchors', () => {
  it('resolve every kind of symbol on the sample tree', async () => {
    const context = await sampleContext();
    const steps = resolveTour(loadTour(join(TOURS, 'sample.tour.json')), context);
    assert.deepEqual(steps.filter((s) => s.error), []);
    for (const step of steps) {
      const location = step.location!;
      if (step.anchor.symbol) {
        assert.equal(location.via, 'symbol', step.title);
        const expected = step.anchor.kind === 'rpc' ? 'rpc_bdev_sample_null_create' : bareName(step.anchor.symbol);
        assert.ok(lineText(SAMPLE_ROOT, location.file, location.line).includes(expected), `${step.title}: ${location.file}:${location.line}`);
      }
    }
    const byTitle = new Map(steps.map((s) => [s.title, s.location!]));
    assert.equal(byTitle.get('Channel poller field')!.kind, 'field');
    assert.equal(byTitle.get('Prototype')!.kind, 'prototype');
    assert.equal(byTitle.get('RPC')!.file, 'module/bdev/sample_null/bdev_sample_null_rpc.c');
    assert.ok(byTitle.get('Submit')!.endLine! > byTitle.get('Submit')!.line, 'functions carry their end line');
    assert.deepEqual(byTitle.get('README'), { file: 'README.md', line: 1, via: 'file', kind: 'file', note: 'file README.md' });
    assert.equal(byTitle.get('Passthru folder')!.kind, 'folder');
  });

  it('give a clear error for unknown symbols and missing files, and resolve the other steps', async () => {
    const steps = resolveTour(loadTour(join(TOURS, 'broken.tour.json')), await sampleContext());
    assert.equal(steps[0].location?.file, NULL_C);
    assert.equal(steps[0].error, undefined);
    assert.match(steps[1].error!, /function sample_null_vanished is not defined in module\/bdev\/sample_null\/bdev_sample_null\.c nor anywhere else in the index/);
    assert.equal(steps[1].location, undefined);
    assert.match(steps[2].error!, /lib\/nowhere\/gone\.c does not exist in this checkout/);
  });

  it('fall back to the pattern, then the line, and say so', async () => {
    const context = await sampleContext();
    const byPattern = resolveAnchor({ file: NULL_C, symbol: 'sample_null_gone', pattern: '^sample_null_poll\\(' }, context);
    assert.ok(byPattern.ok);
    if (byPattern.ok) {
      assert.equal(byPattern.location.via, 'pattern');
      assert.ok(lineText(SAMPLE_ROOT, NULL_C, byPattern.location.line).startsWith('sample_null_poll('));
      assert.match(byPattern.location.note, /pattern .* \(.*sample_null_gone is not defined/);
    }
    const byLine = resolveAnchor({ file: NULL_C, symbol: 'sample_null_gone', pattern: 'no such text', line: 5 }, context);
    assert.ok(byLine.ok && byLine.location.via === 'line' && byLine.location.line === 5 && /drifts/.test(byLine.location.note));
    const pastTheEnd = resolveAnchor({ file: NULL_C, line: 100000 }, context);
    assert.ok(!pastTheEnd.ok && /has \d+ lines, fewer than line 100000/.test(pastTheEnd.error));
  });

  it('follow a symbol that moved to another file', async () => {
    const moved = resolveAnchor({ file: 'lib/sample/steps.c', symbol: 'sample_null_poll', kind: 'function' }, await sampleContext());
    assert.ok(moved.ok);
    if (moved.ok) {
      assert.equal(moved.location.file, NULL_C);
      assert.match(moved.location.note, /moved: not in lib\/sample\/steps\.c, found in module\/bdev\/sample_null\/bdev_sample_null\.c/);
    }
  });

  it('survive inserted and deleted lines and renamed neighbours (drift)', async function () {
    this.timeout(60000);
    const tour = loadTour(join(TOURS, 'sample.tour.json'));
    const before = resolveTour(tour, await sampleContext());
    const root = copySample();
    try {
      const path = join(root, NULL_C);
      let text = readFileSync(path, 'utf8');
      // Rename the file's other functions everywhere they are written (definitions and fn_table entries).
      for (const [from, to] of [['sample_null_destruct', 'sample_null_teardown'], ['sample_null_io_type_supported', 'sample_null_supports'], ['sample_null_complete_task', 'sample_null_finish_task']]) {
        text = text.replace(new RegExp(`\\b${from}\\b`, 'g'), to);
      }
      const lines = text.split('\n');
      // Delete the header comment's lines and every blank line, then insert a new helper at the top.
      const kept = lines.filter((line, i) => !(i >= 1 && i <= 3) && line.trim() !== '');
      const inserted = ['/* inserted by the drift test */', 'static int', 'sample_null_inserted_helper(void)', '{', '\treturn 0;', '}', ''];
      writeFileSync(path, [kept[0], ...inserted, ...kept.slice(1)].join('\n'));
      const after = resolveTour(tour, await sampleContext(root));
      assert.deepEqual(after.filter((s) => s.error).map((s) => s.error), []);
      let shifted = 0;
      after.forEach((step, i) => {
        const location = step.location!;
        assert.equal(location.via, before[i].location!.via, step.title);
        assert.equal(location.symbol, before[i].location!.symbol, step.title);
        if (step.anchor.symbol && step.anchor.kind !== 'rpc') assert.ok(lineText(root, location.file, location.line).includes(bareName(step.anchor.symbol)), `${step.title} at ${location.line}`);
        if (location.line !== before[i].location!.line) shifted++;
      });
      assert.ok(shifted >= 4, `the edits moved the anchored lines (${shifted} moved)`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('CodeTour import', () => {
  it('reads .tour files and upgrades line anchors to the enclosing symbol', async () => {
    const context = await sampleContext();
    const parsed = readTourText(readFileSync(join(TOURS, 'sample.tour'), 'utf8'), context);
    assert.equal(parsed.format, 'codetour');
    assert.ok(parsed.tour, parsed.problems.map((p) => p.message).join('\n'));
    assert.deepEqual(parsed.problems.map((p) => [p.severity, p.path]), [['warning', 'steps[0]']]);
    const steps = parsed.tour!.steps;
    assert.equal(steps.length, 5);
    assert.equal(steps[0].title, 'Completing early');
    assert.deepEqual(steps[0].anchor, { file: NULL_C, line: 60, symbol: 'sample_null_submit_request', kind: 'function' });
    assert.deepEqual(steps[1].anchor, { file: NULL_C, line: 12, symbol: 'struct sample_null_io_channel', kind: 'struct' });
    assert.equal(steps[1].title, 'Channel fields');
    assert.equal(steps[2].anchor.symbol, 'sample_null_poll');
    assert.deepEqual(steps[3].anchor, { file: 'module/bdev/sample_passthru', kind: 'file' });
    assert.deepEqual(steps[4].anchor, { file: 'README.md', line: 1 });
    const resolved = resolveTour(parsed.tour!, context);
    assert.deepEqual(resolved.map((s) => s.location?.via), ['symbol', 'symbol', 'symbol', 'file', 'line']);
  });

  it('reports broken CodeTour steps without throwing', () => {
    const parsed = readTourText(JSON.stringify({ title: 'x', steps: [{ file: '/etc/passwd', description: 'd' }, { file: 'a.c', line: 'ten', description: 'd' }] }));
    assert.equal(parsed.tour, undefined);
    assert.deepEqual(parsed.problems.map((p) => p.path), ['steps[0].file', 'steps[1].line']);
    assert.match(readTourText(JSON.stringify({ title: 'x', steps: [{ description: 'only words' }] })).problems.map((p) => p.message).join(), /no step of this CodeTour points into the source/);
  });
});

describe('built-in landmark tour', () => {
  const builtin = findBuiltinTour();

  it('ships as valid JSON with 20-30 steps, each with a model and a question', () => {
    assert.ok(builtin && existsSync(builtin));
    const tour = loadTour(builtin!);
    assert.ok(tour.steps.length >= 20 && tour.steps.length <= 30, `${tour.steps.length} steps`);
    for (const step of tour.steps) {
      assert.ok(step.model && step.question && step.text.length > 120, step.title);
      assert.ok(step.anchor.symbol || step.anchor.kind === 'file', `${step.title} anchors to a symbol`);
    }
    const models = new Set(tour.steps.map((s) => s.model));
    for (const model of ['hardware', 'kernel-bypass', 'runtime', 'bdev-graph']) assert.ok(models.has(model as never), model);
  });

  const spdkDir = process.env.SPDK_DIR;
  (spdkDir && existsSync(`${spdkDir}/include/spdk/thread.h`) ? it : it.skip)('resolves 100% on SPDK_DIR, every step on its own symbol', async function () {
    this.timeout(180000);
    const index = await indexTree({ root: spdkDir!, cacheDir: null, workerScript: WORKER_SCRIPT, grammarsDir: GRAMMARS_DIR });
    const context = { locator: new SymbolLocator(index), workspace: diskWorkspace(spdkDir!) };
    const steps = resolveTour(loadTour(builtin!), context);
    assert.deepEqual(steps.filter((s) => s.error).map((s) => `${s.title}: ${s.error}`), []);
    for (const step of steps) {
      if (!step.anchor.symbol) continue;
      assert.equal(step.location!.via, 'symbol', step.title);
      assert.equal(step.location!.file, step.anchor.file, `${step.title} did not move`);
      const window = [0, 1].map((d) => lineText(spdkDir!, step.location!.file, step.location!.line + d)).join(' ');
      assert.ok(window.includes(bareName(step.anchor.symbol)), `${step.title}: ${window}`);
    }
  });
});
