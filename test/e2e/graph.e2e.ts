// "SPDK Lens: Show Bdev Graph" in a real VS Code on the sample tree: the panel opens and draws the module graph
// (sample_null, a leaf, under sample_passthru, a virtual module); clicking a node and "Open module struct" opens the
// module's source; the sample workspace's saved config draws its instance graph. The webview's page lives in nested
// iframes: the frame is found by what it holds, not by VS Code's frame names.
import * as assert from 'node:assert/strict';
import { useEditor } from './harness';

describe('SPDK Lens bdev graph in VS Code', function () {
  this.timeout(240_000);
  const editor = useEditor({ label: 'graph' });

  it('shows the module graph of the open tree, and opens a module\'s source', async () => {
    await editor().waitForStatus(/SPDK Lens: Ready/);
    await editor().runCommand('SPDK Lens: Show Bdev Graph');
    const page = editor().page;
    const frame = await editor().frameWith('svg.graph .node[data-id="bdev_module:sample_passthru"]');
    const nodes = await frame.$$eval('svg.graph .node', (n) => n.map((x) => x.getAttribute('data-id')));
    assert.deepEqual(nodes.sort(), ['bdev:*', 'bdev_module:sample_null', 'bdev_module:sample_passthru', 'bdev_module:sample_teardown']);
    const edges = await frame.$$eval('svg.graph .edge', (e) => e.map((x) => `${x.getAttribute('data-from')} -${x.getAttribute('data-kind')}-> ${x.getAttribute('data-to')}`));
    assert.deepEqual(edges.sort(), ['bdev:* -base_bdev-> bdev_module:sample_passthru', 'bdev:* -base_bdev-> bdev_module:sample_teardown', 'bdev_module:sample_null -registers-> bdev:*']);
    await editor().screenshot('bdev-graph-modules');
    // What each module consumes and exports, each with the call that shows it.
    await frame.click('.node[data-id="bdev_module:sample_null"]');
    await frame.locator('.details-list li', { hasText: 'spdk_bdev_register at module/bdev/sample_null/bdev_sample_null.c:' }).first().waitFor(); // its create-rpc card line names it too
    await frame.click('.node[data-id="bdev_module:sample_passthru"]');
    await frame.locator('.details-list li', { hasText: 'spdk_bdev_module_claim_bdev at module/bdev/sample_passthru/vbdev_sample_passthru.c:' }).waitFor();
    // Its lifecycle card: the hot-remove root, with where its path closes the base descriptor.
    await frame.locator('.details-list li', { hasText: 'hot-remove: sample_pt_base_event at module/bdev/sample_passthru/vbdev_sample_passthru.c:150' }).waitFor();
    await frame.click('.details-actions vscode-button:has-text("Open module struct")');
    await page.locator('.tab.active', { hasText: 'vbdev_sample_passthru.c' }).waitFor({ timeout: 30_000 });
    await editor().screenshot('bdev-graph-open-source');
  });

  it('draws the graph of the sample workspace\'s saved config', async () => {
    await editor().openFile('spdk_config.json');
    await editor().runCommand('SPDK Lens: Show Bdev Graph of This Config');
    const frame = await editor().frameWith('svg.graph .node[data-id="bdev:PT0"]');
    const edges = await frame.$$eval('svg.graph .edge', (e) => e.map((x) => `${x.getAttribute('data-from')} -${x.getAttribute('data-kind')}-> ${x.getAttribute('data-to')}`));
    assert.ok(edges.includes('bdev:Malloc7 -base_bdev-> bdev:PT0'), `edges: ${edges.join(', ')}`);
    await editor().screenshot('bdev-graph-config');
  });
});
