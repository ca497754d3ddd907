// The live bdev graph in a real VS Code: a fake spdk_tgt in this test process serves the recorded replies on a Unix
// socket named by spdkLens.rpc.address; "Show Bdev Graph" switched to the live source draws the recorded instance
// graph, the Runtime tab lists reactors, threads and pollers with their run counts, and once the target is gone a
// refresh says there is no socket. In Restricted Mode the live source explains that it needs trust and connects to
// nothing. The webview's page lives in nested iframes: the frame is found by what it holds.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { FakeSpdkTarget, replayRecordings } from '../support/fakeSpdkTarget';
import { recordedLiveGraph } from '../webview/recordedGraphs';
import { useEditor, type Editor } from './harness';

const LVS0 = 'lvstore:be42d395-1c36-43b9-9fb2-7e69a62cc142';
/** lvs0/lvol1 (lvols are named by UUID; the alias is what the box shows). */
const LVOL1 = 'bdev:554884d0-1d6b-4c98-85e1-072e7f436145';

/** Opens the panel and picks "Live target (RPC socket)" in its source dropdown, as a user would. */
async function openLiveSource(editor: Editor): Promise<Frame> {
  await editor.runCommand('SPDK Lens: Show Bdev Graph');
  const frame = await editor.frameWith('vscode-dropdown#source');
  await frame.click('vscode-dropdown#source');
  await frame.click('vscode-dropdown#source vscode-option[value="live"]');
  const picked = await frame.$eval('vscode-dropdown#source', (d) => (d as unknown as { value: string }).value);
  assert.equal(picked, 'live');
  return frame;
}

async function drawnEdges(frame: Frame): Promise<string[]> {
  return frame.$$eval('svg.graph .edge', (edges) => edges.map((e) => `${e.getAttribute('data-from')} -${e.getAttribute('data-kind')}-> ${e.getAttribute('data-to')}`));
}

/**
 * A fake spdk_tgt serving the recordings for one describe block. The socket's path goes into the editor's settings
 * before the editor starts, so it is chosen at once and listened on in before().
 */
function useFakeTarget(): { socketPath: string; target: () => FakeSpdkTarget | undefined; stopTarget: () => Promise<void> } {
  const socketDir = mkdtempSync(join(tmpdir(), 'spdk-lens-e2e-tgt-'));
  const socketPath = join(socketDir, 'spdk.sock');
  let target: FakeSpdkTarget | undefined;
  before(async () => {
    target = await FakeSpdkTarget.start(replayRecordings('.'), 'whole', socketPath);
  });
  const stopTarget = async () => {
    await target?.stop();
    target = undefined;
  };
  after(async () => {
    await stopTarget();
    rmSync(socketDir, { recursive: true, force: true });
  });
  return { socketPath, target: () => target, stopTarget };
}

describe('SPDK Lens live bdev graph in VS Code (fake spdk_tgt)', function () {
  this.timeout(240_000);
  const { socketPath, target: fakeTarget, stopTarget } = useFakeTarget();
  const editor = useEditor({ label: 'graph-live', settings: { 'spdkLens.rpc.address': socketPath } });

  it('draws the recorded instance graph from the live socket', async () => {
    const frame = await openLiveSource(editor());
    await frame.waitForSelector(`svg.graph .node[data-id="${LVOL1}"]`, { timeout: 60_000 });
    const expected = recordedLiveGraph();
    const nodes = await frame.$$eval('svg.graph .node', (n) => n.map((x) => x.getAttribute('data-id') ?? ''));
    assert.deepEqual(nodes.sort(), expected.nodes.map((n) => n.id).sort());
    const edges = await drawnEdges(frame);
    for (const edge of [
      // lvol → lvstore → base bdev
      `bdev:Malloc0 -lvstore-> ${LVS0}`,
      `${LVS0} -lvol-> ${LVOL1}`,
      // raid over its members
      'bdev:Malloc1 -raid_member-> bdev:Raid1',
      'bdev:Malloc2 -raid_member-> bdev:Raid1',
      // passthru over its base, locally and over the NVMe-oF loopback
      'bdev:Malloc7 -base_bdev-> bdev:PT0',
      'bdev:Nvme0n2 -base_bdev-> bdev:PT_remote',
      // an nvmf namespace exporting a bdev
      `bdev:Raid1 -nvmf_namespace-> nvmf_namespace:nqn.2016-06.io.spdk:cnode1#2`,
    ])
      assert.ok(edges.includes(edge), `missing ${edge}; drawn: ${edges.join(', ')}`);
    assert.equal(edges.length, expected.edges.length);
    const lvolLabel = await frame.textContent(`svg.graph .node[data-id="${LVOL1}"] text.name`);
    assert.equal(lvolLabel, 'lvs0/lvol1');
    const status = await frame.textContent('#status');
    assert.match(status ?? '', new RegExp(`\\d+ nodes, \\d+ edges: live graph of .*spdk\\.sock`));
    assert.ok((fakeTarget()?.requests ?? []).some((r) => r.method === 'bdev_raid_get_bdevs'), 'the target was asked');
    await editor().screenshot('live-graph');
  });

  it('shows reactors, threads and pollers with run counts on the Runtime tab', async () => {
    const frame = await editor().frameWith('vscode-panel-tab#tab-runtime');
    await frame.click('vscode-panel-tab#tab-runtime');
    await frame.waitForSelector('#runtime .thread[data-thread="app_thread"]', { state: 'visible' });
    const reactors = await frame.$$eval('#runtime .reactor h2', (h) => h.map((x) => x.textContent ?? ''));
    assert.ok(reactors.some((r) => /^reactor 0\b/.test(r)), `reactors: ${reactors.join(' | ')}`);
    const threads = await frame.$$eval('#runtime .thread', (t) => t.map((x) => x.getAttribute('data-thread')));
    assert.deepEqual(threads.sort(), ['app_thread', 'iscsi_poll_group_0', 'nvmf_tgt_poll_group_000']);
    const appPollers = await frame.$$eval('#runtime .thread[data-thread="app_thread"] .poller', (p) => p.map((x) => x.textContent ?? ''));
    assert.ok(appPollers.some((p) => p.startsWith('malloc_completion_poller') && /runs on app_thread, [\d ]+ runs, busy/.test(p)), `app_thread pollers: ${appPollers.join(' | ')}`);
    const nvmfPollers = await frame.$$eval('#runtime .thread[data-thread="nvmf_tgt_poll_group_000"] .poller-name', (p) => p.map((x) => x.textContent ?? ''));
    assert.ok(nvmfPollers.includes('nvmf_TCP') && nvmfPollers.includes('_delay_finish_io'), `nvmf pollers: ${nvmfPollers.join(', ')}`);
    await editor().screenshot('live-runtime');
    await frame.click('vscode-panel-tab#tab-graph');
  });

  it('says there is no socket once the target has stopped', async () => {
    await stopTarget();
    const frame = await editor().frameWith('vscode-button#refresh');
    await frame.click('vscode-button#refresh');
    await frame.waitForSelector('#error[data-code="no_socket"]:not([hidden])', { timeout: 30_000 });
    const text = (await frame.textContent('#error')) ?? '';
    assert.match(text, /No SPDK socket/);
    assert.ok(text.includes(socketPath), `the error names the socket: ${text}`);
    assert.match(text, /spdkLens\.rpc\.address/);
    await editor().screenshot('live-no-socket');
  });
});

describe('SPDK Lens live bdev graph in Restricted Mode', function () {
  this.timeout(240_000);
  const { socketPath, target: fakeTarget } = useFakeTarget();
  const editor = useEditor({ label: 'graph-live-restricted', trust: 'restricted', settings: { 'spdkLens.rpc.address': socketPath } });

  // A palette opened before SPDK Lens is up may lack its commands and does not refresh them: wait for Ready.
  before(async () => {
    await editor().waitForStatus(/SPDK Lens: Ready/);
  });

  it('explains that the live source needs trust, and connects to nothing', async () => {
    const frame = await openLiveSource(editor());
    await frame.waitForSelector('#error[data-code="untrusted"]:not([hidden])', { timeout: 30_000 });
    const error = (await frame.textContent('#error')) ?? '';
    assert.match(error, /Restricted Mode/);
    assert.match(error, /trust this workspace/);
    const notes = (await frame.textContent('#notes')) ?? '';
    assert.match(notes, /needs a trusted workspace/);
    assert.equal(await frame.$$eval('#error vscode-button', (b) => b.map((x) => x.textContent?.trim()).join()), 'Manage Workspace Trust');
    await frame.click('vscode-button#refresh');
    await frame.waitForSelector('#error[data-code="untrusted"]:not([hidden])');
    await editor().screenshot('live-restricted');
    assert.equal(fakeTarget()?.connections, 0, 'no connection to the socket in Restricted Mode');
  });
});
