// The static module graph from the sample tree, and the views the bdev graph panel draws (module, live, config,
// runtime) with their links to source and book, and errors worded for the panel.
import * as assert from 'node:assert/strict';
import { describeGraphError, groupDigits, instanceGraphView, moduleGraphView, pollerSummary, runtimeView } from '../../src/core/graph/graphView';
import { ANY_BDEV_ID, buildModuleGraph, consumerOfFile, moduleGraphOf, type BdevCallSite, type BdevUse } from '../../src/core/graph/moduleGraph';
import { SpdkConfigError } from '../../src/core/graph/configGraph';
import { SpdkRpcError } from '../../src/core/rpc/rpcErrors';
import type { BdevModule } from '../../src/core/model/indexTypes';
import { recordedConfigGraph, recordedLiveGraph, recordedRuntime } from '../webview/recordedGraphs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexTree } from '../../src/core/index/indexer';
import { bdevModules } from '../../src/core/labels/bdevModules';
import { copySample, GRAMMARS_DIR, indexSample, SAMPLE_ROOT, WORKER_SCRIPT } from './helpers';
import { RPC_FIXTURES } from '../support/fakeSpdkTarget';

const PASSTHRU_FILE = 'module/bdev/sample_passthru/vbdev_sample_passthru.c';
const NULL_FILE = 'module/bdev/sample_null/bdev_sample_null.c';

describe('module graph', () => {
  it('has every bdev module of the sample tree, leaf and virtual, with module struct and fn_table', async () => {
    const index = await indexSample();
    const graph = moduleGraphOf(index);
    assert.equal(graph.schema, 'spdk-lens/module-graph@1');
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    const nul = byId.get('bdev_module:sample_null');
    const pt = byId.get('bdev_module:sample_passthru');
    assert.ok(nul && pt);
    assert.equal(nul.role, 'leaf');
    assert.deepEqual(nul.source, { file: NULL_FILE, line: 30 });
    assert.deepEqual(nul.fnTable, { name: 'sample_null_fn_table', file: NULL_FILE, line: 79 });
    assert.equal(pt.role, 'virtual');
    assert.deepEqual(pt.fnTable, { name: 'sample_pt_fn_table', file: PASSTHRU_FILE, line: 159 });
    assert.ok((pt.details.fn_table_slots as string[]).includes('submit_request = sample_pt_submit_request'));
    assert.equal(pt.topic, 'bdev-modules');
    // Leaf registers bdevs; the virtual module stacks on any bdev, with its claim call as evidence.
    const edges = graph.edges.map((e) => `${e.from} -${e.kind}-> ${e.to}`).sort();
    assert.deepEqual(edges, [`bdev:* -base_bdev-> bdev_module:sample_passthru`, `bdev:* -base_bdev-> bdev_module:sample_teardown`, `bdev_module:sample_null -registers-> bdev:*`]);
    const stack = graph.edges.find((e) => e.kind === 'base_bdev' && e.to === 'bdev_module:sample_passthru');
    assert.equal(stack?.evidence, 'spdk_bdev_module_claim_bdev');
    assert.deepEqual(stack?.source, { file: PASSTHRU_FILE, line: 195 });
    assert.deepEqual(pt.details.consumes, [`spdk_bdev_open_ext at ${PASSTHRU_FILE}:188`, `spdk_bdev_module_claim_bdev at ${PASSTHRU_FILE}:195`]);
    assert.equal(nul.details.registered, `SPDK_BDEV_MODULE_REGISTER at ${NULL_FILE}:39`);
    assert.deepEqual(nul.details.exports, [`spdk_bdev_register at ${NULL_FILE}:163`]);
    assert.deepEqual(graph.edges.find((e) => e.kind === 'registers')?.source, { file: NULL_FILE, line: 163 });
    assert.equal(moduleGraphOf(index), graph, 'memoized per index generation');
    assert.deepEqual(JSON.parse(JSON.stringify(graph)), graph, 'plain JSON');
  });

  it('links modules to the RPC methods registered in their folder', async () => {
    const index = await indexSample();
    const pt = moduleGraphOf(index).nodes.find((n) => n.name === 'sample_passthru');
    const methods = index.rpcMethods().filter((m) => m.file.startsWith('module/bdev/sample_passthru/')).map((m) => m.method);
    assert.ok(methods.length > 0);
    assert.deepEqual(pt?.details.rpc_methods, methods.sort());
  });

  it('gives the bdev modules from a saved snapshot without loading the facts, as the model gives them', async () => {
    const root = copySample();
    const cacheDir = mkdtempSync(join(tmpdir(), 'spdk-lens-cache-'));
    try {
      const options = { root, cacheDir, workerScript: WORKER_SCRIPT, grammarsDir: GRAMMARS_DIR };
      const cold = await indexTree(options);
      assert.equal(await cold.saveSnapshot(), true);
      const warm = await indexTree(options);
      assert.ok(warm.answersFromSnapshot);
      assert.deepEqual(warm.bdevModules(), bdevModules(cold.model));
      assert.ok(warm.answersFromSnapshot, 'facts still not loaded');
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  /** What a file does with bdevs, in the shape findBdevUses gives. */
  function use(file: string, calls: { opens?: number[]; claims?: number[]; registers?: number[]; registersModule?: string }): [string, BdevUse] {
    const at = (api: string, lines: number[] = []): BdevCallSite[] => lines.map((line) => ({ api, file, line }));
    const moduleRegistrations = new Map<string, BdevCallSite>();
    if (calls.registersModule) moduleRegistrations.set(calls.registersModule, { api: 'SPDK_BDEV_MODULE_REGISTER', file, line: 99 });
    return [file, { opens: at('spdk_bdev_open_ext', calls.opens), claims: at('spdk_bdev_module_claim_bdev', calls.claims), registers: at('spdk_bdev_register', calls.registers), moduleRegistrations }];
  }

  it('leaves out the modules that unit tests register', () => {
    const mod = (name: string, file: string): BdevModule => ({ name, file, line: 1, variable: `${name}_if`, virtual: false, hooks: [], fnTableSlots: [] });
    const malloc = 'module/bdev/malloc/bdev_malloc.c';
    const ut = 'test/unit/lib/bdev/bdev.c/bdev_ut.c';
    const graph = buildModuleGraph([mod('malloc', malloc), mod('bdev_ut', ut)], [], new Map([use(malloc, { registersModule: 'malloc_if' }), use(ut, { registersModule: 'bdev_ut_if' })]));
    assert.deepEqual(graph.nodes.map((n) => n.name).sort(), ['any bdev', 'malloc']);
  });

  it('draws the curated stacking kinds: lvol through an lvstore, raid members, consumers', () => {
    const mod = (name: string, virtual: boolean): BdevModule => ({ name, file: `module/bdev/${name}/m.c`, line: 1, variable: `${name}_if`, virtual, hooks: [], fnTableSlots: [], ...(virtual ? { virtualEvidence: { api: 'spdk_bdev_module_claim_bdev', file: `module/bdev/${name}/m.c`, line: 9 } } : {}) });
    const names = ['malloc', 'lvol', 'raid', 'delay'];
    const graph = buildModuleGraph([mod('malloc', false), mod('lvol', true), mod('raid', true), mod('delay', true)], [], new Map([
      ...names.map((name) => use(`module/bdev/${name}/m.c`, { registersModule: `${name}_if` })),
      use('lib/nvmf/subsystem.c', { opens: [40] }),
      use('lib/ublk/ublk.c', { opens: [7] }),
    ]));
    const edges = graph.edges.map((e) => `${e.from} -${e.kind}-> ${e.to}`).sort();
    assert.deepEqual(edges, [
      `${ANY_BDEV_ID} -base_bdev-> bdev_module:delay`,
      `${ANY_BDEV_ID} -lvstore-> lvstore:*`,
      `${ANY_BDEV_ID} -nvmf_namespace-> nvmf_namespace:*`,
      `${ANY_BDEV_ID} -raid_member-> bdev_module:raid`,
      `${ANY_BDEV_ID} -ublk-> ublk_disk:*`,
      'bdev_module:malloc -registers-> bdev:*',
      'lvstore:* -lvol-> bdev_module:lvol',
    ]);
    assert.equal(graph.nodes.find((n) => n.id === 'bdev_module:lvol')?.topic, 'blobstore-lvol');
    assert.equal(consumerOfFile('lib/vhost/vhost_blk.c')?.kind, 'vhost_controller');
    assert.equal(consumerOfFile('lib/bdev/bdev.c'), undefined);
    assert.equal(consumerOfFile('module/bdev/passthru/vbdev_passthru.c'), undefined);
    assert.deepEqual(consumerOfFile('lib/ftl/mngt/ftl_mngt_bdev.c'), { kind: 'bdev_consumer', library: 'lib/ftl', name: 'lib/ftl' });
  });

  it('makes a module that is never registered a consumer, named by its claims, not a virtual bdev module', () => {
    // As lib/nvmf's "NVMe-oF Target" and lib/ftl's "ftl_lib": a struct spdk_bdev_module only to claim bdevs with.
    const nvmf: BdevModule = { name: 'NVMe-oF Target', file: 'lib/nvmf/subsystem.c', line: 30, variable: 'ns_bdev_module', virtual: true, virtualEvidence: { api: 'spdk_bdev_module_claim_bdev', file: 'lib/nvmf/subsystem.c', line: 44 }, hooks: [], fnTableSlots: [] };
    const ftl: BdevModule = { name: 'ftl_lib', file: 'lib/ftl/mngt/ftl_mngt_bdev.c', line: 21, variable: 'g_ftl_bdev_module', virtual: true, hooks: [], fnTableSlots: [] };
    const nul: BdevModule = { name: 'null', file: 'module/bdev/null/bdev_null.c', line: 47, variable: 'null_if', virtual: false, hooks: [], fnTableSlots: [] };
    const graph = buildModuleGraph([nvmf, ftl, nul], [], new Map([
      use('lib/nvmf/subsystem.c', { opens: [40], claims: [44] }),
      use('lib/ftl/mngt/ftl_mngt_bdev.c', { opens: [50], claims: [60] }),
      use(nul.file, { registers: [120], registersModule: 'null_if' }),
      use('module/bdev/null/bdev_null_rpc.c', { registers: [] }),
    ]));
    assert.deepEqual(graph.nodes.filter((n) => n.kind === 'bdev_module').map((n) => n.name), ['null']);
    const target = graph.nodes.find((n) => n.id === 'nvmf_namespace:*');
    assert.ok(target, JSON.stringify(graph.nodes));
    assert.deepEqual(target.details.consumes, ['spdk_bdev_open_ext at lib/nvmf/subsystem.c:40', 'spdk_bdev_module_claim_bdev at lib/nvmf/subsystem.c:44']);
    assert.match((target.details.claims_as as string[])[0], /^bdev module "NVMe-oF Target" \(ns_bdev_module at lib\/nvmf\/subsystem\.c:30\), never registered/);
    const ftlNode = graph.nodes.find((n) => n.id === 'bdev_consumer:lib/ftl');
    assert.equal(ftlNode?.kind, 'bdev_consumer');
    assert.deepEqual(ftlNode?.aliases, ['ftl_lib']);
    // The leaf's edge names the call that makes its bdevs.
    const made = graph.edges.find((e) => e.from === 'bdev_module:null');
    assert.equal(made?.evidence, 'spdk_bdev_register');
    assert.deepEqual(made?.source, { file: 'module/bdev/null/bdev_null.c', line: 120 });
    const nullNode = graph.nodes.find((n) => n.id === 'bdev_module:null');
    assert.deepEqual(nullNode?.details.exports, ['spdk_bdev_register at module/bdev/null/bdev_null.c:120']);
    assert.deepEqual(nullNode?.details.consumes, ['no bdev: it opens and claims none']);
    assert.equal(nullNode?.details.registered, 'SPDK_BDEV_MODULE_REGISTER at module/bdev/null/bdev_null.c:99');
  });
});

describe('graph views', () => {
  it('module view links each module to its struct and fn_table', async () => {
    const view = moduleGraphView(moduleGraphOf(await indexSample()), 'sample');
    const nul = view.nodes.find((n) => n.name === 'sample_null');
    assert.deepEqual(nul?.links, [
      { label: 'module struct', file: NULL_FILE, line: 30 },
      { label: 'fn_table sample_null_fn_table', file: NULL_FILE, line: 79 },
    ]);
    assert.equal(nul?.subtitle, 'leaf bdev module');
  });

  it('instance view links a node to the module that implements it', () => {
    const modules: BdevModule[] = [{ name: 'passthru', file: 'module/bdev/passthru/vbdev_passthru.c', line: 70, variable: 'passthru_if', virtual: true, hooks: [], fnTableSlots: [], fnTable: 'vbdev_passthru_fn_table', fnTableFile: 'module/bdev/passthru/vbdev_passthru.c', fnTableLine: 400 }];
    const view = instanceGraphView(recordedLiveGraph(), modules);
    const pt = view.nodes.find((n) => n.name === 'PT0');
    assert.deepEqual(pt?.links.map((l) => `${l.label} ${l.file}:${l.line}`), ['module passthru (passthru_if) module/bdev/passthru/vbdev_passthru.c:70', 'fn_table vbdev_passthru_fn_table module/bdev/passthru/vbdev_passthru.c:400']);
    const lvol1 = view.nodes.find((n) => n.aliases.includes('lvs0/lvol1'));
    assert.equal(lvol1?.label, 'lvs0/lvol1', 'an lvol shows its alias; its name is a UUID');
    assert.match(lvol1?.subtitle ?? '', new RegExp(`^${lvol1?.name} · lvol`));
    assert.equal(lvol1?.topic, 'blobstore-lvol');
    assert.ok(view.edges.some((e) => e.kind === 'base_bdev' && e.from === 'bdev:Malloc7' && e.to === 'bdev:PT0'));
    assert.ok(view.nodes.find((n) => n.name === 'Malloc7')?.details.driver_specific !== undefined, 'driver_specific kept for the details panel');
    const config = instanceGraphView(recordedConfigGraph(), modules);
    assert.equal(config.source, 'config');
    assert.ok(config.edges.some((e) => e.from === 'bdev:Malloc7' && e.to === 'bdev:PT0'));
  });

  it('runtime view links pollers to their functions with the execution-context label', async () => {
    const index = await indexSample();
    const model = recordedRuntime();
    const poller = model.threads.flatMap((t) => t.pollers)[0];
    assert.ok(poller, 'the recording has pollers');
    // Pretend the first recorded poller is sample_null_poll, which the sample tree registers with SPDK_POLLER_REGISTER.
    const view = runtimeView(model, (name) => (name === poller.name ? index.functionsNamed('sample_null_poll') : []));
    const linked = view.threads.flatMap((t) => t.pollers).find((p) => p.name === poller.name && p.id === poller.id);
    assert.equal(linked?.source?.file, NULL_FILE);
    assert.equal(linked?.contextTitle, 'poller');
    assert.match(linked?.summary ?? '', /^poller · runs on \S+, [\d ]+ runs, busy [\d.]+ %/);
    const unlinked = view.threads.flatMap((t) => t.pollers).find((p) => p.name !== poller.name);
    if (unlinked) assert.equal(unlinked.source, undefined);
  });

  it('words poller figures the way a reader says them', () => {
    assert.equal(groupDigits(12345), '12 345');
    assert.equal(groupDigits(999), '999');
    assert.equal(groupDigits(1234567.5), '1 234 567.5');
    const p = { name: 'f', id: 1, type: 'active' as const, state: 'waiting', runCount: 12345, busyCount: 370, busyRunPercent: 3 };
    assert.equal(pollerSummary(p, 'app_thread', 'poller'), 'poller · runs on app_thread, 12 345 runs, busy 3 %');
    assert.equal(pollerSummary({ ...p, type: 'timed', periodUs: 1000000, busyRunPercent: 0.25 }, 't', undefined), 'timed poller · runs on t, 12 345 runs, busy 0.3 %, every 1 000 000 µs');
  });

  it('ships the recorded save_config in the sample workspace, for npm start', () => {
    assert.equal(readFileSync(join(SAMPLE_ROOT, 'spdk_config.json'), 'utf8'), readFileSync(join(RPC_FIXTURES, 'save_config.json'), 'utf8'));
  });

  it('words every error the panel shows, with what to do', () => {
    const noSocket = describeGraphError(new SpdkRpcError('no_socket', 'no SPDK RPC socket at /x', '/x'));
    assert.equal(noSocket.title, 'No SPDK socket');
    assert.equal(noSocket.action, 'openSettings');
    assert.match(noSocket.hint ?? '', /spdkLens\.rpc\.address/);
    assert.equal(describeGraphError(new SpdkRpcError('permission_denied', 'm', '/x')).title, 'Permission denied');
    assert.equal(describeGraphError(new SpdkRpcError('not_spdk', 'm', '/x')).title, 'Not an SPDK target');
    assert.equal(describeGraphError(new SpdkRpcError('timeout', 'm', '/x')).action, 'refresh');
    const failed = describeGraphError(new SpdkRpcError('method_failed', 'bdev_get_bdevs failed', '/x', 'bdev_get_bdevs', -19, 'No such device'));
    assert.equal(failed.hint, 'JSON-RPC error -19 "No such device" from bdev_get_bdevs.');
    assert.equal(describeGraphError(new SpdkConfigError('not_json', 'x is not JSON')).title, 'Config is not JSON');
    assert.equal(describeGraphError(new SpdkConfigError('not_spdk_config', 'x')).action, 'pickConfig');
    assert.equal(describeGraphError(new Error('boom')).message, 'boom');
  });
});
