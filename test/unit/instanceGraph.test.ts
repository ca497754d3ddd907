// The instance graph, runtime model and DOT output from real spdk_tgt recordings: every edge the fixtures README
// draws (an arrow means "is the base of"), for the live target, its save_config, and the recorded degraded states.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSpdkConfig, SpdkConfigError } from '../../src/core/graph/configGraph';
import { dotQuote, instanceGraphToDot } from '../../src/core/graph/dotWriter';
import { gatherLiveBundle, gatherRuntimeBundle } from '../../src/core/graph/gatherLive';
import type { InstanceGraph, InstanceNode } from '../../src/core/graph/instanceGraphTypes';
import { buildLiveGraph } from '../../src/core/graph/liveGraph';
import { buildRuntimeModel } from '../../src/core/graph/runtimeModel';
import { SpdkRpcClient } from '../../src/core/rpc/spdkRpcClient';
import { FakeSpdkTarget, fixtureResult, replayRecordings, RPC_FIXTURES, withId } from '../support/fakeSpdkTarget';
import { recordedConfigGraph, recordedLiveBundle, recordedLiveGraph, recordedRuntime } from '../webview/recordedGraphs';

/** A short readable name, as the README draws nodes: lvols by alias, NQNs without the spdk prefix. */
function label(node: InstanceNode): string {
  if (node.kind === 'bdev' && node.module === 'lvol') return node.aliases.find((a) => a.includes('/')) ?? node.name;
  return node.name.replace('nqn.2016-06.io.spdk:', '');
}

function edgesOf(graph: InstanceGraph): string[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return graph.edges.map((e) => `${label(byId.get(e.from)!)} -${e.kind}-> ${label(byId.get(e.to)!)}`).sort();
}

function node(graph: InstanceGraph, name: string): InstanceNode {
  const found = graph.nodes.find((n) => n.name === name || label(n) === name);
  assert.ok(found, `no node ${name}`);
  return found;
}

const DISCOVERY = 'nqn.2014-08.org.nvmexpress.discovery';

/** Edges among bdevs the README draws, identical in the live graph and in save_config. */
const BDEV_STACK_EDGES = [
  'Malloc1 -raid_member-> Raid1',
  'Malloc2 -raid_member-> Raid1',
  'Malloc3 -raid_member-> Raid0',
  'Malloc4 -raid_member-> Raid0',
  'Malloc5 -raid_member-> Concat0',
  'Malloc6 -raid_member-> Concat0',
  'Malloc7 -base_bdev-> PT0',
  'Malloc8 -base_bdev-> Malloc8p0',
  'Malloc8 -base_bdev-> Malloc8p1',
  'Malloc8 -base_bdev-> Malloc8p2',
  'Malloc8 -base_bdev-> Malloc8p3',
  'Malloc8p3 -base_bdev-> EE_Malloc8p3',
  'Malloc9 -base_bdev-> Delay0',
];

/** The NVMe-oF target side: subsystems, their namespaces and listeners. */
const NVMF_EDGES = [
  'Raid1 -nvmf_namespace-> cnode1 ns2',
  'cnode1 ns1 -namespace_of-> cnode1',
  'cnode1 ns2 -namespace_of-> cnode1',
  'cnode1 -listener-> TCP 127.0.0.1:4420',
  'Delay0 -nvmf_namespace-> cnode2 ns1',
  'Concat0 -nvmf_namespace-> cnode2 ns2',
  'cnode2 ns1 -namespace_of-> cnode2',
  'cnode2 ns2 -namespace_of-> cnode2',
  'cnode2 -listener-> TCP 127.0.0.1:4421',
  `${DISCOVERY} -listener-> TCP 127.0.0.1:8009`,
];

const LIVE_EDGES = [
  ...BDEV_STACK_EDGES,
  ...NVMF_EDGES,
  // Malloc0 -(lvstore lvs0)-+- lvols; snap0 is the snapshot of the clones lvol0 and clone0
  'Malloc0 -lvstore-> lvs0',
  'lvs0 -lvol-> lvs0/snap0',
  'lvs0 -lvol-> lvs0/lvol0',
  'lvs0 -lvol-> lvs0/clone0',
  'lvs0 -lvol-> lvs0/lvol1',
  'lvs0/snap0 -snapshot-> lvs0/lvol0',
  'lvs0/snap0 -snapshot-> lvs0/clone0',
  // lvs0/lvol1 -> nvmf cnode1 ns1 -tcp 127.0.0.1:4420-> Nvme0n1; Raid1 -> cnode1 ns2 -> Nvme0n2 -> PT_remote
  'lvs0/lvol1 -nvmf_namespace-> cnode1 ns1',
  'TCP 127.0.0.1:4420 -nvme_connect-> Nvme0',
  'Nvme0 -nvme_namespace-> Nvme0n1',
  'Nvme0 -nvme_namespace-> Nvme0n2',
  'cnode1 ns1 -remote_namespace-> Nvme0n1',
  'cnode1 ns2 -remote_namespace-> Nvme0n2',
  'Nvme0n2 -base_bdev-> PT_remote',
].sort();

describe('instance graph from a live target', () => {
  it('has every edge the recorded graph implies, and no other', () => {
    const graph = recordedLiveGraph();
    assert.deepEqual(edgesOf(graph), LIVE_EDGES);
    assert.deepEqual(graph.problems, []);
    assert.equal(graph.nodes.filter((n) => n.kind === 'bdev').length, 28);
  });

  it('names each node by SPDK: module, aliases, claims, driver_specific', () => {
    const graph = recordedLiveGraph();
    const modules = Object.fromEntries(graph.nodes.filter((n) => n.kind === 'bdev').map((n) => [label(n), n.module]));
    assert.deepEqual(
      [modules.Malloc0, modules.Null0, modules.PT0, modules['lvs0/lvol1'], modules.Raid1, modules.Delay0, modules.Malloc8p0, modules.EE_Malloc8p3, modules.Nvme0n1],
      ['malloc', 'null', 'passthru', 'lvol', 'raid', 'delay', 'split', 'error', 'nvme'],
    );
    const lvol1 = node(graph, 'lvs0/lvol1');
    assert.equal(lvol1.name, '554884d0-1d6b-4c98-85e1-072e7f436145');
    assert.deepEqual(lvol1.aliases, ['lvs0/lvol1']);
    assert.deepEqual([node(graph, 'Malloc0').claimed, node(graph, 'Malloc0').claimType], [true, 'read_many_write_one']);
    assert.deepEqual([node(graph, 'Malloc1').claimed, node(graph, 'Malloc1').claimType], [true, 'exclusive_write']);
    assert.deepEqual([node(graph, 'Null0').claimed, node(graph, 'Null0').claimType], [false, undefined]);
    assert.equal(node(graph, 'EE_Malloc8p3').driverSpecificKey, 'error_disk');
    assert.deepEqual(node(graph, 'PT0').details.driver_specific, { passthru: { name: 'PT0', base_bdev_name: 'Malloc7' } });
    assert.equal(node(graph, 'Raid0').state, 'online');
    assert.equal(node(graph, 'lvs0').kind, 'lvstore');
    assert.equal(node(graph, 'cnode1').kind, 'nvmf_subsystem');
    assert.equal(node(graph, 'Nvme0').state, 'enabled');
    // Plain data: a JSON round trip changes nothing.
    assert.deepEqual(JSON.parse(JSON.stringify(graph)), graph);
  });

  it('is gathered over the socket; methods the target lacks are skipped, not fatal', async () => {
    const target = await FakeSpdkTarget.start(replayRecordings('.'));
    const client = new SpdkRpcClient(target.path);
    try {
      const bundle = await gatherLiveBundle(client);
      assert.deepEqual(bundle.skipped.map((s) => s.method), ['vhost_get_controllers', 'ublk_get_disks']);
      assert.deepEqual(bundle.skipped[0].reason, 'Method not found');
      const raidRequest = target.requests.find((r) => r.method === 'bdev_raid_get_bdevs');
      assert.deepEqual(raidRequest?.params, { category: 'all' });
      const graph = buildLiveGraph(bundle);
      assert.deepEqual(edgesOf(graph), LIVE_EDGES);
      assert.deepEqual(graph.skipped.map((s) => s.method), ['vhost_get_controllers', 'ublk_get_disks']);
      assert.equal(graph.source.origin, target.path);
    } finally {
      client.close();
      await target.stop();
    }
  });

  it('records a failing method as a problem and still draws the rest', () => {
    const bundle = recordedLiveBundle('.', ['bdev_get_bdevs', 'bdev_raid_get_bdevs']);
    bundle.failed.push({ method: 'nvmf_get_subsystems', rpcCode: -19, message: 'No such device' });
    const graph = buildLiveGraph(bundle);
    assert.deepEqual(graph.problems, ['nvmf_get_subsystems failed: No such device (JSON-RPC error -19)']);
    // Without bdev_lvol_get_lvstores the lvstore still appears, named from the lvols' aliases.
    assert.ok(edgesOf(graph).includes('Malloc0 -lvstore-> lvs0'));
    assert.ok(edgesOf(graph).includes('lvs0/snap0 -snapshot-> lvs0/clone0'));
    assert.ok(edgesOf(graph).includes('Nvme0n2 -base_bdev-> PT_remote'));
  });

  it('draws the degraded graph of a target reloaded from save_config', () => {
    const graph = recordedLiveGraph('reloaded-from-save_config');
    assert.deepEqual(
      edgesOf(graph),
      [...BDEV_STACK_EDGES, ...NVMF_EDGES.filter((e) => !e.startsWith('cnode1 ns1'))].sort(),
    );
    assert.deepEqual(graph.nodes.filter((n) => ['lvstore', 'nvme_controller'].includes(n.kind)), []);
    assert.equal(graph.nodes.find((n) => n.name === 'PT_remote'), undefined);
    assert.equal(node(graph, 'Malloc0').claimed, false);
  });

  it('draws the loopback attach that created no NVMe bdevs (UUID collision)', () => {
    const graph = recordedLiveGraph('loopback-uuid-collision');
    const edges = edgesOf(graph);
    assert.ok(edges.includes('TCP 127.0.0.1:4420 -nvme_connect-> Nvme0'));
    assert.deepEqual(edges.filter((e) => /nvme_namespace|remote_namespace/.test(e)), []);
    assert.ok(edges.includes('lvs0/lvol1 -nvmf_namespace-> cnode1 ns1'));
    assert.ok(edges.includes('lvs0/snap0 -snapshot-> lvs0/lvol0'));
  });

  it('draws an empty target: only the discovery subsystem', () => {
    const graph = recordedLiveGraph('empty');
    assert.deepEqual(graph.skipped.map((s) => s.method), ['vhost_get_controllers', 'ublk_get_disks'], 'every other listing method was recorded');
    assert.deepEqual(graph.nodes.map((n) => n.id), [`nvmf_subsystem:${DISCOVERY}`]);
    assert.deepEqual(graph.edges, []);
  });

  it('shows a raid that bdev_raid_get_bdevs lists but the bdev layer does not (still configuring)', () => {
    const bundle = recordedLiveBundle('.', ['bdev_get_bdevs', 'bdev_raid_get_bdevs']);
    const bdevs = (bundle.results.bdev_get_bdevs as { name: string }[]).filter((b) => b.name !== 'Raid0');
    const raids = structuredClone(bundle.results.bdev_raid_get_bdevs) as { name: string; state: string; base_bdevs_list: unknown[] }[];
    const raid0 = raids.find((r) => r.name === 'Raid0')!;
    raid0.state = 'configuring';
    raid0.base_bdevs_list[1] = { name: null, uuid: '00000000-0000-0000-0000-000000000000', is_configured: false, data_offset: 0, data_size: 0 };
    const graph = buildLiveGraph({ ...bundle, results: { bdev_get_bdevs: bdevs, bdev_raid_get_bdevs: raids } });
    const node0 = node(graph, 'Raid0');
    assert.deepEqual([node0.module, node0.state, node0.details.registered], ['raid', 'configuring', false]);
    assert.deepEqual(edgesOf(graph).filter((e) => e.endsWith('Raid0')), ['Malloc3 -raid_member-> Raid0']);
  });
});

describe('instance graph from a saved config', () => {
  const CONFIG_EDGES = [
    ...BDEV_STACK_EDGES,
    ...NVMF_EDGES,
    // save_config refers to lvol1 by UUID and lists no lvstore (lvols load from disk); NVMe bdevs are not saved.
    '554884d0-1d6b-4c98-85e1-072e7f436145 -nvmf_namespace-> cnode1 ns1',
    'TCP 127.0.0.1:4420 -nvme_connect-> Nvme0',
    'Nvme0n2 -base_bdev-> PT_remote',
  ].sort();

  it('has the edges save_config implies, with placeholders for what it references but does not create', () => {
    const graph = recordedConfigGraph('save_config.json');
    assert.deepEqual(edgesOf(graph), CONFIG_EDGES);
    const missing = graph.nodes.filter((n) => n.missing).map((n) => n.name);
    assert.deepEqual(missing, ['Nvme0n2', '554884d0-1d6b-4c98-85e1-072e7f436145']);
    assert.match(node(graph, 'Nvme0n2').missingReason ?? '', /referenced by PT_remote \(bdev: bdev_passthru_create base_bdev_name\); this config does not create it/);
    assert.equal(graph.problems.length, 2);
    assert.deepEqual([node(graph, 'Malloc3').module, node(graph, 'EE_Malloc8p3').module, node(graph, 'Concat0').module, node(graph, 'Nvme0').module], ['malloc', 'error', 'raid', 'nvme']);
    assert.deepEqual(node(graph, 'Malloc3').aliases, ['fc3df4a6-283a-425a-bab8-3d3e23e10598']);
    assert.deepEqual(node(graph, 'cnode2').details.hosts, ['nqn.2016-06.io.spdk:host1']);
    assert.equal(graph.source.kind, 'config');
  });

  it('reads the --with-batches form to the same graph', () => {
    const plain = recordedConfigGraph('save_config.json');
    const batched = recordedConfigGraph('save_config.with_batches.json');
    assert.deepEqual(edgesOf(batched), edgesOf(plain));
    assert.deepEqual(batched.nodes.map((n) => n.id).sort(), plain.nodes.map((n) => n.id).sort());
  });

  it('reads the configs of the other recorded states', () => {
    // Saved again after the degraded reload: no lvol namespace, no NVMe controller, no PT_remote.
    const reloaded = recordedConfigGraph('reloaded-from-save_config/save_config.json');
    assert.deepEqual(edgesOf(reloaded), [...BDEV_STACK_EDGES, ...NVMF_EDGES.filter((e) => !e.startsWith('cnode1 ns1'))].sort());
    assert.deepEqual(reloaded.nodes.filter((n) => n.missing), []);
    const empty = recordedConfigGraph('empty/save_config.json');
    assert.deepEqual(empty.nodes.filter((n) => n.kind === 'bdev'), []);
  });

  it('says clearly when a file is not JSON or not an SPDK config', () => {
    const read = (file: string) => readFileSync(join(RPC_FIXTURES, file), 'utf8');
    const fails = (text: string, code: SpdkConfigError['code'], message: RegExp) =>
      assert.throws(() => parseSpdkConfig(text, 'x.json'), (e: unknown) => e instanceof SpdkConfigError && e.code === code && message.test(e.message));
    fails(read('README.md'), 'not_json', /^x\.json is not JSON \(.*\); expected the output of rpc\.py save_config$/);
    fails('', 'not_json', /x\.json is not JSON/);
    fails(read('bdev_get_bdevs.json'), 'not_spdk_config', /x\.json is JSON but not an SPDK config: it is a JSON-RPC message/);
    fails(JSON.stringify(fixtureResult('framework_get_config.bdev.json')), 'not_spdk_config', /bare list of calls \(framework_get_config/);
    fails('{"subsystems": 5}', 'not_spdk_config', /has no "subsystems" array; expected \{"subsystems"/);
    fails('{"subsystems": [{"config": []}]}', 'not_spdk_config', /subsystems\[0\] has no "subsystem" name/);
    fails('{"subsystems": [{"subsystem": "bdev", "config": [42]}]}', 'not_spdk_config', /\(bdev\) lists something that is not a \{"method", "params"\} call/);
    fails('"save_config"', 'not_spdk_config', /the top level is string/);
  });
});

describe('hostile names', () => {
  const HOSTILE = '<img src=x onerror=alert(1)>"q" \'s\'\nline2\\n\u0007';

  it('stay plain data through the socket, the graph and JSON, and are quoted safely in DOT', async () => {
    const bdevs = structuredClone(fixtureResult('bdev_get_bdevs.json')) as { name: string; driver_specific: { passthru?: { base_bdev_name: string } } }[];
    bdevs.find((b) => b.name === 'Malloc7')!.name = HOSTILE;
    bdevs.find((b) => b.name === 'PT0')!.driver_specific.passthru!.base_bdev_name = HOSTILE;
    const reply = JSON.stringify({ jsonrpc: '2.0', id: 0, result: bdevs });
    const replay = replayRecordings('.');
    const target = await FakeSpdkTarget.start((request, connection) =>
      request.method === 'bdev_get_bdevs' ? connection.send(withId(reply, request.id)) : replay(request, connection),
    );
    const client = new SpdkRpcClient(target.path);
    let graph: InstanceGraph;
    try {
      graph = buildLiveGraph(await gatherLiveBundle(client));
    } finally {
      client.close();
      await target.stop();
    }
    const hostile = node(graph, HOSTILE);
    assert.equal(hostile.id, `bdev:${HOSTILE}`);
    assert.ok(graph.edges.some((e) => e.from === hostile.id && e.to === 'bdev:PT0' && e.kind === 'base_bdev'));
    assert.equal(JSON.parse(JSON.stringify(graph)).nodes.find((n: InstanceNode) => n.id === hostile.id).name, HOSTILE);

    const dot = instanceGraphToDot(graph);
    const lines = dot.trimEnd().split('\n');
    assert.equal(lines.length, 4 + graph.nodes.length + graph.edges.length + 1, 'a name must not break a DOT statement across lines');
    assert.doesNotMatch(dot, /label=</, 'no HTML-like labels');
    assert.doesNotMatch(dot, /\u0007/);
    // Outside quoted strings, a statement holds only ids, attributes and punctuation.
    const QUOTED = /"(?:[^"\\]|\\.)*"/g;
    for (const line of lines.slice(1, -1)) assert.match(line.replace(QUOTED, 'Q'), /^\s+(?:Q \[label=Q, shape=\w+(?:, style=dashed)?\];|Q -> Q \[label=Q\];|\w+=\w+;|\w+ \[fontname=Q, fontsize=\d+\];)$/, line);
    const unquote = (q: string) => q.slice(1, -1).replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
    const quotedStrings = [...dot.matchAll(QUOTED)].map((m) => unquote(m[0]));
    assert.ok(quotedStrings.includes(`bdev:${HOSTILE.replace('\u0007', '\ufffd')}`));
  });

  it('dotQuote escapes quotes, backslashes and line breaks', () => {
    assert.equal(dotQuote('a"b\\c\nd\r\ne'), '"a\\"b\\\\c\\nd\\ne"');
    assert.equal(dotQuote('<b>x</b>'), '"<b>x</b>"');
  });

  it('DOT lists every node and edge of the recorded graph', () => {
    const graph = recordedLiveGraph();
    const dot = instanceGraphToDot(graph);
    assert.match(dot, /^digraph "spdk live recorded \." \{/);
    assert.ok(dot.includes('"bdev:Malloc7" -> "bdev:PT0" [label="base_bdev"];'));
    assert.ok(dot.includes('"bdev:Malloc1" -> "bdev:Raid1" [label="raid_member 0"];'));
    assert.ok(dot.includes('"nvmf_namespace:nqn.2016-06.io.spdk:cnode1#1" -> "bdev:Nvme0n1" [label="remote_namespace 1"];'));
    assert.ok(dot.includes('"bdev:Malloc0" [label="Malloc0\\nmalloc, claimed read_many_write_one", shape=box];'));
    const missing = instanceGraphToDot(recordedConfigGraph('save_config.json'));
    assert.ok(missing.includes('"bdev:Nvme0n2" [label="Nvme0n2\\nbdev, missing", shape=box, style=dashed];'));
  });
});

describe('runtime model', () => {
  it('puts threads on reactors, pollers with run counts and busy shares, and io_channels per thread', () => {
    const model = recordedRuntime();
    assert.equal(model.tickRate, 2450000000);
    assert.equal(model.pid, 22440);
    assert.deepEqual(model.reactors.map((r) => [r.lcore, r.threadIds, r.busyPercent, r.inInterrupt]), [[0, [1, 2, 3], 7.05, false]]);
    assert.deepEqual(model.threads.map((t) => [t.id, t.name, t.lcore, t.busyPercent, t.pollers.length, t.ioChannels.length]), [
      [1, 'app_thread', 0, 10.87, 7, 13],
      [2, 'nvmf_tgt_poll_group_000', 0, 7.75, 7, 21],
      [3, 'iscsi_poll_group_0', 0, 0, 2, 1],
    ]);
    const app = model.threads[0];
    assert.deepEqual(app.pollers.find((p) => p.name === 'rpc_subsystem_poll_servers'), {
      name: 'rpc_subsystem_poll_servers', id: 1, type: 'timed', state: 'waiting', runCount: 8600, busyCount: 8600, busyRunPercent: 100, periodTicks: 9800000, periodUs: 4000,
    });
    assert.deepEqual(app.pollers.find((p) => p.name === 'accel_comp_poll'), { name: 'accel_comp_poll', id: 39, type: 'active', state: 'waiting', runCount: 77191037, busyCount: 46, busyRunPercent: 0 });
    assert.equal(app.pollers.find((p) => p.name === 'bdev_open_async')?.state, 'unregistered');
    assert.deepEqual(model.threads[1].pollers.filter((p) => p.type === 'active').map((p) => p.name), ['nvmf_TCP', 'malloc_completion_poller', 'accel_comp_poll', '_delay_finish_io']);
    assert.deepEqual(model.threads[1].ioChannels.find((c) => c.name === 'bdev_Raid1'), { name: 'bdev_Raid1', ref: 1 });
    assert.deepEqual(model.threads[2].ioChannels, [{ name: 'iscsi_tgt', ref: 1 }]);
    assert.equal(app.activePollersCount, 2);
    assert.deepEqual(model.problems, []);
    assert.deepEqual(JSON.parse(JSON.stringify(model)), model);
  });

  it('is gathered over the socket', async () => {
    const target = await FakeSpdkTarget.start(replayRecordings('.'));
    const client = new SpdkRpcClient(target.path);
    try {
      const model = buildRuntimeModel(await gatherRuntimeBundle(client));
      assert.deepEqual(model.threads.map((t) => t.name), ['app_thread', 'nvmf_tgt_poll_group_000', 'iscsi_poll_group_0']);
      assert.equal(model.origin, target.path);
    } finally {
      client.close();
      await target.stop();
    }
  });
});
