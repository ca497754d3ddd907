// The bdev graph webview in headless Chromium under the host's CSP: each recorded graph (module graph of the sample
// tree, live recordings, save_config, the degraded reload) is drawn with the nodes and edges the data implies; a
// hostile bdev name stays text; clicks, keys, filter, state and export talk to the host as they should. Any CSP
// violation, console error or page error fails the test.
import * as assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { instanceGraphView, moduleGraphView, runtimeView } from '../../src/core/graph/graphView';
import type { GraphView, GraphViewToHost } from '../../src/core/graph/graphViewProtocol';
import type { InstanceGraph } from '../../src/core/graph/instanceGraphTypes';
import { moduleGraphOf } from '../../src/core/graph/moduleGraph';
import { bdevModules } from '../../src/core/labels/bdevModules';
import { indexSample } from '../unit/helpers';
import { launchChromium } from '../support/chromium';
import { openGraphPage, serveGraphPage, type GraphPage, type StubbedPage } from './graphPage';

declare const window: StubbedPage & { __pwned?: number };
import { recordedConfigGraph, recordedLiveGraph, recordedRuntime } from './recordedGraphs';

const AT = '12:00:00';

async function drawnNodes(gp: GraphPage): Promise<string[]> {
  return gp.page.$$eval('svg.graph .node', (nodes) => nodes.map((n) => n.getAttribute('data-id') ?? ''));
}

async function drawnEdges(gp: GraphPage): Promise<string[]> {
  return gp.page.$$eval('svg.graph .edge', (edges) => edges.map((e) => `${e.getAttribute('data-from')} -${e.getAttribute('data-kind')}-> ${e.getAttribute('data-to')}`));
}

/** Every node and edge of the view is on the page, and each edge has a drawn path. */
async function assertDrawn(gp: GraphPage, view: GraphView): Promise<void> {
  assert.deepEqual((await drawnNodes(gp)).sort(), view.nodes.map((n) => n.id).sort());
  assert.deepEqual((await drawnEdges(gp)).sort(), view.edges.map((e) => `${e.from} -${e.kind}-> ${e.to}`).sort());
  const emptyPaths = await gp.page.$$eval('svg.graph .edge path', (paths) => paths.filter((p) => !/^M [\d.-]+ [\d.-]+ L/.test(p.getAttribute('d') ?? '')).length);
  assert.equal(emptyPaths, 0, 'every edge is routed');
  const texts = await gp.page.$$eval('svg.graph .node text.name', (t) => t.map((x) => x.textContent ?? ''));
  for (const node of view.nodes) assert.ok(texts.some((t) => node.label.startsWith(t.replace(/…$/, ''))), `${node.label} is labelled`);
}

describe('bdev graph webview (Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let server: Awaited<ReturnType<typeof serveGraphPage>>;
  let gp: GraphPage;
  let modules: Awaited<ReturnType<typeof bdevModules>>;

  before(async () => {
    server = await serveGraphPage();
    browser = await launchChromium();
    modules = bdevModules((await indexSample()).model);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    gp = await openGraphPage(browser, server.url);
  });

  afterEach(async function () {
    const problems = gp ? await gp.problems() : [];
    await gp?.page.close();
    assert.deepEqual(problems, [], `the page reported problems in "${this.currentTest?.title}"`);
  });

  it('draws the module graph of the sample tree: sample_null (leaf) and sample_passthru (virtual)', async () => {
    const view = moduleGraphView(moduleGraphOf(await indexSample()), 'test/fixtures/sample-spdk');
    await gp.showGraph({ type: 'graph', view, at: AT });
    await assertDrawn(gp, view);
    assert.deepEqual((await drawnEdges(gp)).sort(), ['bdev:* -base_bdev-> bdev_module:sample_passthru', 'bdev:* -base_bdev-> bdev_module:sample_teardown', 'bdev_module:sample_null -registers-> bdev:*']);
    assert.match(await gp.page.textContent('#status') ?? '', /^4 nodes, 3 edges: module graph of test\/fixtures\/sample-spdk/);
    // A leaf sits left of the virtual module that stacks on it (edges point right).
    const x = (id: string) => gp.page.$eval(`.node[data-id="${id}"]`, (n) => Number(/translate\(([\d.]+)/.exec(n.getAttribute('transform') ?? '')?.[1]));
    assert.ok((await x('bdev_module:sample_null')) < (await x('bdev_module:sample_passthru')));
  });

  it('draws every edge of the recorded live target', async () => {
    const view = instanceGraphView(recordedLiveGraph(), modules);
    await gp.showGraph({ type: 'graph', view: { ...view, source: 'tree' }, at: AT });
    await assertDrawn(gp, view);
    const edges = await drawnEdges(gp);
    for (const expected of [
      'bdev:Malloc7 -base_bdev-> bdev:PT0',
      'bdev:Malloc1 -raid_member-> bdev:Raid1',
      'bdev:Malloc9 -base_bdev-> bdev:Delay0',
      'bdev:Malloc8p3 -base_bdev-> bdev:EE_Malloc8p3',
      'bdev:Nvme0n2 -base_bdev-> bdev:PT_remote',
      'bdev:Delay0 -nvmf_namespace-> nvmf_namespace:nqn.2016-06.io.spdk:cnode2#1',
      'nvmf_namespace:nqn.2016-06.io.spdk:cnode2#1 -namespace_of-> nvmf_subsystem:nqn.2016-06.io.spdk:cnode2',
    ]) {
      assert.ok(edges.includes(expected), `missing ${expected}`);
    }
    const lvol1 = recordedLiveGraph().nodes.find((n) => n.aliases.includes('lvs0/lvol1'))!;
    assert.ok(edges.some((e) => e.endsWith(`-lvol-> ${lvol1.id}`)), 'lvstore → lvs0/lvol1');
    assert.ok(edges.includes(`${lvol1.id} -nvmf_namespace-> nvmf_namespace:nqn.2016-06.io.spdk:cnode1#1`));
  });

  it('draws the graph a saved config builds, and the degraded reload with its missing bases', async () => {
    await gp.post({ type: 'settings', settings: { trusted: true, address: '/var/tmp/spdk.sock', refreshSeconds: 0 }, source: 'config' });
    const config = instanceGraphView(recordedConfigGraph(), modules);
    await gp.showGraph({ type: 'graph', view: config, at: AT });
    await assertDrawn(gp, config);
    assert.ok((await drawnEdges(gp)).includes('bdev:Malloc5 -raid_member-> bdev:Concat0'));
    // save_config names lvols by UUID and does not create them: the namespaces' bdevs are drawn as missing.
    const missing = config.nodes.filter((n) => n.missing).map((n) => n.id);
    assert.ok(missing.length > 0, 'the config refers to bdevs it does not create');
    assert.deepEqual((await gp.page.$$eval('.node.missing', (n) => n.map((x) => x.getAttribute('data-id') ?? ''))).sort(), missing.sort());
    assert.match((await gp.page.textContent('#notes')) ?? '', /problem/);
    const reloaded = instanceGraphView(recordedLiveGraph('reloaded-from-save_config'), modules);
    await gp.showGraph({ type: 'graph', view: { ...reloaded, source: 'config' }, at: AT });
    await assertDrawn(gp, reloaded);
  });

  it('renders a hostile bdev name as text and runs nothing', async () => {
    const hostile = '<img src=x onerror="window.__pwned=1">';
    const graph: InstanceGraph = {
      schema: 'spdk-lens/instance-graph@1',
      source: { kind: 'live', origin: '<b>evil</b>' },
      nodes: [
        { id: `bdev:${hostile}`, name: hostile, kind: 'bdev', module: 'passthru', aliases: ['<script>window.__pwned=2</script>'], details: { driver_specific: { passthru: { base_bdev_name: '<svg onload="window.__pwned=3">' } } } },
        { id: 'bdev:Malloc0', name: 'Malloc0', kind: 'bdev', module: 'malloc', aliases: [], details: {} },
      ],
      edges: [{ from: 'bdev:Malloc0', to: `bdev:${hostile}`, kind: 'base_bdev', evidence: '<i>driver_specific</i>' }],
      skipped: [{ method: '<u>x</u>', reason: '<img src=y onerror="window.__pwned=4">' }],
      problems: ['<img src=z onerror="window.__pwned=5">'],
    };
    await gp.post({ type: 'settings', settings: { trusted: true, address: '', refreshSeconds: 0 }, source: 'live' });
    await gp.showGraph({ type: 'graph', view: instanceGraphView(graph, []), at: '<b>now</b>' });
    await gp.page.click(`.node[data-id="${'bdev:' + hostile.replace(/"/g, '\\"')}"]`);
    await gp.post({ type: 'error', source: 'live', error: { code: 'x', title: '<img src=e onerror="window.__pwned=6">', message: '<script>window.__pwned=7</script>' } });
    await gp.page.waitForTimeout(300);
    assert.equal(await gp.page.evaluate(() => window.__pwned), undefined);
    assert.equal(await gp.page.$$eval('img, script:not([src]), b, i, u', (n) => n.length), 0, 'no element was made from the text');
    assert.equal(await gp.page.textContent('.details-name'), hostile);
    assert.ok(((await gp.page.textContent('#details')) ?? '').includes('"base_bdev_name": "<svg onload=\\"window.__pwned=3\\">"'));
    assert.match((await gp.page.textContent('#error')) ?? '', /<script>window.__pwned=7<\/script>/);
    assert.ok((await gp.page.$$eval('svg.graph text.name', (t) => t.map((x) => x.textContent))).includes(hostile));
  });

  it('selects with click and keys, opens source, reads the chapter, filters, and keeps state', async () => {
    const view = moduleGraphView(moduleGraphOf(await indexSample()), 'sample');
    await gp.showGraph({ type: 'graph', view, at: AT });
    await gp.page.click('.node[data-id="bdev_module:sample_null"]');
    assert.equal(await gp.page.textContent('.details-name'), 'sample_null');
    await gp.page.click('.details-actions vscode-button:has-text("Open module struct")');
    await gp.page.click('.details-actions vscode-button:has-text("Read chapter")');
    await gp.page.focus('svg.graph');
    // ArrowRight follows sample_null's edge to "any bdev", then on to sample_passthru.
    await gp.page.keyboard.press('ArrowRight');
    assert.equal(await gp.page.textContent('.details-name'), 'any bdev');
    await gp.page.keyboard.press('ArrowRight');
    assert.equal(await gp.page.textContent('.details-name'), 'sample_passthru');
    await gp.page.keyboard.press('Enter');
    const posted = await gp.posted();
    const opens = posted.filter((m): m is Extract<GraphViewToHost, { type: 'openSource' }> => m.type === 'openSource');
    assert.deepEqual(opens, [
      { type: 'openSource', file: 'module/bdev/sample_null/bdev_sample_null.c', line: 30 },
      { type: 'openSource', file: 'module/bdev/sample_passthru/vbdev_sample_passthru.c', line: 208 },
    ]);
    assert.ok(posted.some((m) => m.type === 'openTopic' && m.topic === 'bdev-modules'));
    await gp.page.click('#filter');
    await gp.page.keyboard.type('passthru');
    assert.equal(await gp.page.$$eval('.node:not(.dimmed)', (n) => n.map((x) => x.getAttribute('data-id')).join()), 'bdev_module:sample_passthru');
    assert.equal(await gp.page.textContent('.match-count'), '1 of 4 match');
    const state = (await gp.page.evaluate(() => window.__state)) as { filter: string; selected: string; source: string };
    assert.equal(state.filter, 'passthru');
    assert.equal(state.selected, 'bdev_module:sample_passthru');
    // A reload (the serializer hands the state back) restores filter and selection.
    const restored = await openGraphPage(browser, server.url, state);
    try {
      await restored.showGraph({ type: 'graph', view, at: AT });
      assert.equal(await restored.page.textContent('.details-name'), 'sample_passthru');
      assert.equal(await restored.page.$$eval('.node.dimmed', (n) => n.length), 3);
      assert.deepEqual(await restored.problems(), []);
    } finally {
      await restored.page.close();
    }
  });

  it('starts ELK before any graph arrives, from its own nonce\'d script', async () => {
    const script = await gp.page.$eval('script#layout-engine', (s) => ({ async: s.hasAttribute('async'), nonce: s.getAttribute('nonce') ?? '', src: s.getAttribute('src') ?? '' }));
    assert.ok(script.async && script.nonce.length > 0 && script.src.endsWith('/webview/elk.js'), JSON.stringify(script));
    // No graph posted: the page warms ELK on its own once its controls have painted.
    await gp.page.waitForFunction('performance.getEntriesByName("elk-ready").length > 0', undefined, { timeout: 60_000 });
    assert.equal(await gp.page.$$eval('svg.graph .node', (n) => n.length), 0);
  });

  it('lays a graph out once: filter and selection only restyle, a refresh with the same boxes and edges keeps the layout', async () => {
    await gp.post({ type: 'settings', settings: { trusted: true, address: '/var/tmp/spdk.sock', refreshSeconds: 5 }, source: 'live' });
    const view = instanceGraphView(recordedLiveGraph(), modules);
    await gp.showGraph({ type: 'graph', view, at: AT });
    assert.equal(await gp.page.getAttribute('svg.graph', 'data-layout'), 'elk');
    const placed = () => gp.page.$$eval('svg.graph .node', (n) => n.map((x) => `${x.getAttribute('data-id')} ${x.getAttribute('transform')}`).join('\n'));
    const before = await placed();
    const rendered = () => gp.page.$eval('body', (b) => b.getAttribute('data-rendered'));
    const renders = await rendered();
    await gp.page.click('.node[data-id="bdev:Raid1"]');
    await gp.page.click('#filter');
    await gp.page.keyboard.type('Malloc');
    assert.equal(await rendered(), renders, 'filter and selection draw nothing again');
    // The live timer sends the same graph with new figures: the drawing is redone on the layout it had.
    await gp.showGraph({ type: 'graph', view: { ...view, origin: 'refreshed' }, at: '12:00:05' });
    assert.equal(await gp.page.getAttribute('svg.graph', 'data-layout'), 'kept');
    assert.equal(await placed(), before);
    assert.ok((await gp.page.getAttribute('.node[data-id="bdev:Raid1"]', 'class'))?.includes('selected'), 'the selection survives the refresh');
    // A new bdev changes the boxes: ELK runs again.
    const grown: GraphView = { ...view, nodes: [...view.nodes, { ...view.nodes[0], id: 'bdev:Null1', name: 'Null1', label: 'Null1', aliases: [] }] };
    await gp.showGraph({ type: 'graph', view: grown, at: '12:00:10' });
    assert.equal(await gp.page.getAttribute('svg.graph', 'data-layout'), 'elk');
  });

  it('exports a standalone SVG with the names as text', async () => {
    const view = instanceGraphView(recordedLiveGraph(), modules);
    await gp.showGraph({ type: 'graph', view: { ...view, source: 'tree' }, at: AT });
    await gp.page.click('#export');
    const exported = (await gp.posted()).find((m): m is Extract<GraphViewToHost, { type: 'exportSvg' }> => m.type === 'exportSvg');
    assert.ok(exported);
    assert.match(exported.svg, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(exported.svg.includes('>Malloc7<') && exported.svg.includes('>PT0<'));
    for (const leftover of ['var(--', '<script', 'class="']) assert.ok(!exported.svg.includes(leftover), `the export has ${leftover}: ${exported.svg.slice(Math.max(0, exported.svg.indexOf(leftover) - 200), exported.svg.indexOf(leftover) + 100)}`);
    assert.equal(exported.suggestedName, 'spdk-tree-graph.svg');
  });

  it('shows the runtime tab: threads, pollers linked to their functions, io_channels', async () => {
    const index = await indexSample();
    const model = recordedRuntime();
    const first = model.threads.flatMap((t) => t.pollers)[0];
    const view = runtimeView(model, (name) => (name === first.name ? index.functionsNamed('sample_null_poll') : []));
    await gp.post({ type: 'settings', settings: { trusted: true, address: '/var/tmp/spdk.sock', refreshSeconds: 0 }, source: 'live' });
    await gp.post({ type: 'runtime', view, at: AT });
    await gp.page.click('#tab-runtime');
    const text = (await gp.page.textContent('#runtime')) ?? '';
    for (const thread of ['app_thread', 'nvmf_tgt_poll_group_000', 'iscsi_poll_group_0']) assert.ok(text.includes(`thread ${thread}`), thread);
    assert.match(text, /reactor 0/);
    assert.match(text, /poller · runs on \S+, [\d ]+ runs, busy/);
    await gp.page.click(`a.poller-name:has-text("${first.name}")`);
    assert.ok((await gp.posted()).some((m) => m.type === 'openSource' && m.file === 'module/bdev/sample_null/bdev_sample_null.c'));
    const channels = model.threads.flatMap((t) => t.ioChannels);
    if (channels.length > 0) assert.ok(text.includes(channels[0].name));
    assert.equal(((await gp.page.evaluate(() => window.__state)) as { tab: string }).tab, 'runtime');
  });

  it('shows errors with their action, and the trust note for live access', async () => {
    await gp.post({ type: 'settings', settings: { trusted: false, address: '/var/tmp/spdk.sock', refreshSeconds: 0 }, source: 'live' });
    assert.match((await gp.page.textContent('#notes')) ?? '', /Restricted Mode/);
    await gp.post({ type: 'error', source: 'live', error: { code: 'no_socket', title: 'No SPDK socket', message: 'no SPDK RPC socket at /var/tmp/spdk.sock', hint: 'Set spdkLens.rpc.address', action: 'openSettings' } });
    assert.equal(await gp.page.getAttribute('#error', 'data-code'), 'no_socket');
    await gp.page.click('#error vscode-button');
    assert.ok((await gp.posted()).some((m) => m.type === 'openSettings'));
    await gp.page.click('#notes vscode-button');
    assert.ok((await gp.posted()).some((m) => m.type === 'manageTrust'));
  });
});
