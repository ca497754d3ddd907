// Failure and lifecycle paths and module lifecycle cards on the fixture module written for them
// (module/bdev/sample_teardown), and on SPDK master when SPDK_DIR points at it.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { codeLensTitles } from '../../src/core/editor/codeLensTitles';
import { explainBdevModule } from '../../src/core/editor/moduleCardExplanation';
import { moduleGraphOf } from '../../src/core/graph/moduleGraph';
import { functionAnswers } from '../../src/core/editor/functionAnswers';
import { indexTree, type SpdkIndex } from '../../src/core/index/indexer';
import { lifecycleCardOf, lifecycleCards } from '../../src/core/labels/lifecycleCards';
import { lifecyclePath, pathFrom, pathLabelsOf, pathRoots, type LifecyclePath, type PathKind } from '../../src/core/labels/lifecyclePaths';
import { queryPaths } from '../../src/core/labels/pathQuery';
import { indexSample, REPO_ROOT, SAMPLE_ROOT } from './helpers';

const LC = 'module/bdev/sample_teardown/vbdev_sample_teardown.c';

/** One line per step: its depth, hop, function and where the hop is. */
function outline(path: LifecyclePath): string[] {
  return path.steps.map((s) => `${'  '.repeat(s.depth)}${s.hop} ${s.fn} @${s.via?.line}`);
}

function pathOf(index: SpdkIndex, kind: PathKind, fn: string): LifecyclePath {
  const root = pathRoots(index.model).find((r) => r.kind === kind && r.fn === fn);
  assert.ok(root, `${kind} root ${fn}`);
  return lifecyclePath(index.model, root);
}

describe('lifecycle paths', () => {
  let index: SpdkIndex;
  before(async () => {
    index = await indexSample();
  });

  it('hot-remove: the REMOVE case unregisters, destruct unregisters the io_device, a message closes the base descriptor', () => {
    const path = pathOf(index, 'hot-remove', 'sample_td_base_event');
    assert.deepEqual(path.root.branch, { from: 84, to: 86, name: 'SPDK_BDEV_EVENT_REMOVE' });
    assert.deepEqual(outline(path), [
      'root sample_td_base_event @210',
      '  direct sample_td_base_removed @85',
      '    direct spdk_bdev_unregister @67',
      '      unregister_destruct sample_td_destruct @67',
      '        direct spdk_io_device_unregister @59',
      '        completion sample_td_io_device_gone @59',
      '          message sample_td_close_base @49',
      '            direct spdk_bdev_close @39',
    ]);
    assert.equal(path.truncated, false);
    const close = path.steps.at(-1)!;
    assert.deepEqual([close.file, close.line, close.via?.note], [LC, 39, 'spdk_bdev_close(disk->base_desc)']);
    assert.equal(path.steps[0].thread, 'the thread that opened the descriptor');
    assert.equal(path.steps[6].context, 'thread message');
    assert.ok(!path.steps.some((s) => s.fn === 'sample_td_base_resized'), 'the RESIZE case is not on the path');
  });

  it('reset: the RESET case of submit_request goes over every channel, then completes the reset IO', () => {
    const path = pathOf(index, 'reset', 'sample_td_submit_request');
    assert.deepEqual(outline(path), [
      'root sample_td_submit_request @201',
      '  direct sample_td_reset @168',
      '    channel_step sample_td_reset_channel @118',
      '    completion sample_td_reset_done @118',
      '      direct spdk_bdev_io_complete @112',
    ]);
    assert.equal(path.steps[2].thread, 'each thread that holds a channel');
  });

  it('-ENOMEM: the caller of spdk_bdev_queue_io_wait, then the retry it stored in the wait entry', () => {
    const path = pathOf(index, 'enomem', 'sample_td_wait_for_io');
    // The first two levels: what follows the retry's resubmit is the submit path itself.
    assert.deepEqual(outline({ ...path, steps: path.steps.filter((s) => s.depth <= 2) }), [
      'root sample_td_wait_for_io @143',
      '  io_wait_retry sample_td_retry @141',
      '    direct sample_td_submit_request @128',
      '  direct spdk_bdev_queue_io_wait @143',
      '  direct spdk_bdev_io_complete @145',
    ]);
    assert.equal(path.steps[1].context, 'bdev io_wait retry');
  });

  it('shutdown: module_fini unregisters the disk, and destruct goes on to the close', () => {
    const path = pathOf(index, 'shutdown', 'sample_td_fini');
    assert.deepEqual(
      path.steps.map((s) => s.fn),
      ['sample_td_fini', 'spdk_bdev_unregister', 'sample_td_destruct', 'spdk_io_device_unregister', 'sample_td_io_device_gone', 'sample_td_close_base', 'spdk_bdev_close'],
    );
    assert.equal(path.steps[0].thread, 'the app thread');
  });

  it('an event callback without a REMOVE case is no hot-remove root', () => {
    const roots = pathRoots(index.model).filter((r) => r.kind === 'hot-remove').map((r) => r.fn).sort();
    assert.deepEqual(roots, ['sample_pt_base_event', 'sample_td_base_event']);
    // `if (type == SPDK_BDEV_EVENT_REMOVE) { ... }` is a branch as much as a case label.
    const pt = pathRoots(index.model).find((r) => r.fn === 'sample_pt_base_event');
    assert.deepEqual(pt?.branch, { from: 154, to: 156, name: 'SPDK_BDEV_EVENT_REMOVE' });
  });

  it('a function on a path is labelled with its shortest chain from the root', () => {
    const labels = pathLabelsOf(index.model, `${LC}#sample_td_close_base`);
    assert.deepEqual(
      labels.map((l) => `${l.kind}: ${l.chain.map((s) => s.fn).join(' → ')}`),
      [
        'hot-remove: sample_td_base_event → sample_td_base_removed → spdk_bdev_unregister → sample_td_destruct → sample_td_io_device_gone → sample_td_close_base',
        'shutdown: sample_td_fini → spdk_bdev_unregister → sample_td_destruct → sample_td_io_device_gone → sample_td_close_base',
      ],
    );
    assert.deepEqual(pathLabelsOf(index.model, `${LC}#sample_td_ch_create`), []);
  });

  it('the hover, explain and CodeLens say which paths a function is on, and which it starts (one answers model)', () => {
    const fn = (name: string) => index.functionsNamed(name).find((f) => f.file === LC)!;
    const sources = { rpcMethods: index.rpcMethods(), typeOf: () => undefined, model: index.model };
    const close = functionAnswers(sources, fn('sample_td_close_base')).filter((a) => a.question === 'lifecycle');
    assert.deepEqual(close.map((a) => a.title), ['On the hot-remove path of sample_teardown', 'On the shutdown path of sample_teardown']);
    assert.equal(
      close[0].text,
      'sample_td_base_event → sample_td_base_removed → spdk_bdev_unregister → (unregister → destruct) sample_td_destruct → (completion) sample_td_io_device_gone → (message) sample_td_close_base. It runs as thread message, on the thread the message is sent to.',
    );
    assert.deepEqual(close[0].links[0], { label: 'root: bdev event callback handed to spdk_bdev_open_ext; its SPDK_BDEV_EVENT_REMOVE case', file: LC, line: 210 });
    const lenses = codeLensTitles(fn('sample_td_close_base'), index.rpcMethods(), index.model).map((t) => t.title);
    assert.ok(lenses.includes('on hot-remove path') && lenses.includes('on shutdown path'), lenses.join(' | '));
    const root = functionAnswers(sources, fn('sample_td_base_event')).filter((a) => a.question === 'lifecycle');
    assert.deepEqual(root.map((a) => a.title), ['Starts the hot-remove path of sample_teardown']);
    assert.match(root[0].text, /7 steps follow, down to spdk_bdev_unregister, spdk_io_device_unregister, spdk_bdev_close/);
    assert.ok(codeLensTitles(fn('sample_td_base_event'), index.rpcMethods(), index.model).some((t) => t.title === 'hot-remove path root'));
    assert.deepEqual(functionAnswers(sources, fn('sample_td_ch_create')).filter((a) => a.question === 'lifecycle'), []);
  });

  it('a walk from any function stops on cycles (the retry submits again) and says it is no known root', () => {
    const path = pathFrom(index.model, `${LC}#sample_td_retry`, 'enomem');
    assert.ok(path);
    assert.match(path.root.why, /not a root/);
    assert.equal(new Set(path.steps.filter((s) => s.key).map((s) => s.key)).size, path.steps.filter((s) => s.key).length, 'each function once');
    assert.ok(path.steps.some((s) => s.fn === 'sample_td_wait_for_io'));
  });

  it('the lifecycle card of the module names a function for every phase, each with its line', () => {
    const card = lifecycleCardOf(index.model, 'sample_teardown');
    assert.ok(card);
    assert.deepEqual(card.missing, []);
    assert.deepEqual(
      card.entries.map((e) => `${e.phase} ${e.fn} ${e.line}`),
      [
        'init sample_td_init 240',
        'create-rpc rpc_sample_td_create 227',
        'examine sample_td_examine 256',
        'submit sample_td_submit_request 160',
        'reset sample_td_submit_request 167',
        'hot-remove sample_td_base_event 79',
        'destruct sample_td_destruct 54',
        'fini sample_td_fini 247',
      ],
    );
    assert.match(card.entries[1].note, /RPC "sample_teardown_create"; spdk_bdev_register at module\/bdev\/sample_teardown\/vbdev_sample_teardown.c:222/);
    assert.match(card.entries[5].note, /reaches spdk_bdev_close\(disk->base_desc\) at .*:39/);
    assert.equal(lifecycleCardOf(index.model, 'sample_td_if')?.module, 'sample_teardown', 'found by its variable too');
  });

  it("the module variable's hover and the graph's node details show the card", () => {
    const hover = explainBdevModule(index, 'sample_td_if', LC);
    assert.ok(hover);
    assert.equal(hover.signature, 'struct spdk_bdev_module sample_td_if: bdev module "sample_teardown" (virtual)');
    assert.deepEqual(hover.sections.map((s) => s.title), ['Init', 'Created by RPC', 'Examine', 'Submit', 'Reset', 'Hot-remove', 'Destruct', 'Fini']);
    assert.deepEqual(hover.sections[6].links, [{ label: `sample_td_destruct at ${LC}:54`, file: LC, line: 54 }]);
    assert.equal(explainBdevModule(index, 'sample_td_disk', LC), undefined, 'a variable of another type is no module');
    const node = moduleGraphOf(index).nodes.find((n) => n.id === 'bdev_module:sample_teardown');
    assert.deepEqual((node?.details.lifecycle as string[]).slice(-2), [`destruct: sample_td_destruct at ${LC}:54 (.destruct)`, `fini: sample_td_fini at ${LC}:247 (.module_fini)`]);
  });

  it('answers path queries by module and kind or phase, and says what is wrong with a bad one', () => {
    assert.deepEqual(queryPaths(index.model, 'sample_teardown:hot-remove').paths.map((p) => p.root.fn), ['sample_td_base_event']);
    assert.deepEqual(queryPaths(index.model, 'sample_td_if:fini').paths.map((p) => `${p.root.kind} ${p.root.fn}`), ['shutdown sample_td_fini']);
    assert.deepEqual(queryPaths(index.model, 'sample_teardown:destruct').paths[0].steps.map((s) => s.fn), ['sample_td_destruct', 'spdk_io_device_unregister', 'sample_td_io_device_gone', 'sample_td_close_base', 'spdk_bdev_close']);
    const onPath = queryPaths(index.model, 'sample_td_destruct');
    assert.deepEqual([onPath.focus?.line, onPath.paths.map((p) => p.root.kind)], [54, ['hot-remove', 'shutdown']]);
    assert.throws(() => queryPaths(index.model, 'sample_teardown:sideways'), /no path kind or lifecycle phase/);
    assert.throws(() => queryPaths(index.model, 'nobody:reset'), /no bdev module named nobody/);
    assert.throws(() => queryPaths(index.model, 'no_such_function'), /no function named no_such_function/);
  });

  it('spdk-lens path prints one line per step with hop, context, thread and place, or the same as JSON', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'cli.js'), 'path', SAMPLE_ROOT, ...args, '--no-cache'], { encoding: 'utf8', timeout: 60000 });
    const text = cli('sample_teardown:hot-remove');
    assert.equal(text.status, 0, text.stderr);
    const lines = text.stdout.trim().split('\n');
    assert.equal(lines[0], `hot-remove path of sample_teardown from sample_td_base_event (${LC}:79)`);
    assert.equal(lines[5], `        → sample_td_destruct  [unregister → destruct · bdev fn_table · the thread that unregistered the bdev, once its last descriptor is closed]  ${LC}:67 → line 54`);
    assert.equal(lines.at(-1), `              → spdk_bdev_close  [direct call · called directly · same thread as its caller]  ${LC}:39`);
    const json = cli('sample_td_close_base', '--kind', 'shutdown', '--json');
    assert.equal(json.status, 0, json.stderr);
    const answer = JSON.parse(json.stdout);
    assert.deepEqual(answer.paths.map((p: LifecyclePath) => p.root.fn), ['sample_td_fini']);
    assert.equal(answer.focus.fn, 'sample_td_close_base');
    const bad = cli('sample_teardown:sideways');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /"sideways" is no path kind/);
  });

  it('a module whose code has no function for a phase says so rather than guessing', () => {
    const card = lifecycleCards(index.model).find((c) => c.module === 'sample_null');
    assert.ok(card);
    assert.deepEqual(card.missing, ['examine', 'reset', 'hot-remove']);
  });
});

describe('lifecycle paths on SPDK (SPDK_DIR)', function () {
  this.timeout(300_000);
  const spdkDir = process.env.SPDK_DIR;
  const ready = Boolean(spdkDir && existsSync(`${spdkDir}/include/spdk/thread.h`));
  if (!ready) before(() => console.log('      SPDK_DIR is not set to an SPDK tree: the SPDK lifecycle checks are skipped'));
  (ready ? it : it.skip)('every module of module/bdev has a card, and each virtual module\'s hot-remove path reaches spdk_bdev_close', async () => {
    const index = await indexTree({ root: spdkDir!, cacheDir: null });
    const model = index.model;
    const cards = lifecycleCards(model).filter((c) => c.file.startsWith('module/bdev/'));
    const modules = index.bdevModules().filter((m) => m.file.startsWith('module/bdev/'));
    assert.equal(cards.length, modules.length);
    for (const card of cards) assert.ok(card.entries.some((e) => e.phase === 'submit'), `${card.module} has a submit_request`);
    const virtual = cards.filter((c) => c.virtual);
    const reaching = virtual.filter((c) =>
      pathRoots(model).some((r) => r.kind === 'hot-remove' && r.module === c.module && lifecyclePath(model, r).steps.some((s) => s.fn === 'spdk_bdev_close')),
    );
    console.log(`      ${cards.length} cards; hot-remove reaches spdk_bdev_close in ${reaching.length} of ${virtual.length} virtual modules`);
    // Measured on SPDK master: all 11 (crypto, delay, error, gpt, lvol, ocf, opal, passthru, raid, split, zone_block).
    assert.ok(reaching.length >= 11, `${reaching.length} of ${virtual.length}: ${virtual.filter((c) => !reaching.includes(c)).map((c) => c.module).join(', ')}`);
    assert.equal(reaching.length, virtual.length);
    // A hotplug scan's attach callback starts a controller, not a removal: a reset reached from there is no hot-remove.
    const resetStep = pathLabelsOf(model, 'module/bdev/nvme/bdev_nvme.c#bdev_nvme_reset_destroy_qpair_done');
    assert.ok(resetStep.some((l) => l.kind === 'reset'), JSON.stringify(resetStep.map((l) => l.kind)));
    assert.ok(!resetStep.some((l) => l.kind === 'hot-remove'), 'the reset step is on no hot-remove path');
  });
});
