// Lifecycle paths and module cards in a real VS Code on the sample tree: the hover of a function on a hot-remove path,
// the hover of a bdev module's variable, and the Lifecycle Paths view filled from the cursor.
import * as assert from 'node:assert/strict';
import { poll, useEditor } from './harness';

const TEARDOWN = 'module/bdev/sample_teardown/vbdev_sample_teardown.c';

describe('SPDK Lens in VS Code: lifecycle paths', () => {
  const editor = useEditor({ label: 'lifecycle' });

  before(async function () {
    this.timeout(240_000);
    await editor().waitForStatus(/SPDK Lens: Ready/);
    await editor().openFile(TEARDOWN);
  });

  it('hovers a function on the hot-remove path: the chain from the event callback, hops marked', async () => {
    const text = await editor().hoverAt({ text: 'sample_td_close_base(void *ctx)' });
    assert.match(text, /On the hot-remove path of sample_teardown/, text);
    assert.match(text, /sample_td_base_event → sample_td_base_removed → spdk_bdev_unregister → \(unregister → destruct\) sample_td_destruct/, text);
    assert.match(text, /On the shutdown path of sample_teardown/, text);
  });

  it("hovers the module's variable: its lifecycle card", async () => {
    const text = await editor().hoverAt({ text: 'sample_td_if = {' });
    assert.match(text, /bdev module "sample_teardown"/, text);
    for (const phase of ['Init', 'Created by RPC', 'Examine', 'Submit', 'Reset', 'Hot-remove', 'Destruct', 'Fini']) assert.match(text, new RegExp(phase), text);
    assert.match(text, /sample_td_base_event/, text);
  });

  it('Show Lifecycle Paths fills the view with the paths of the function at the cursor', async () => {
    await editor().hoverAt({ text: 'sample_td_destruct(void *ctx)' });
    await editor().page.keyboard.press('Escape');
    await editor().runCommand('SPDK Lens: Show Lifecycle Paths (hot-remove, reset, -ENOMEM, shutdown)');
    const rows = await poll('the Lifecycle Paths view to list the paths', 30_000, async () => {
      const texts = await editor().page.locator('.pane-body .monaco-list-row').allInnerTexts();
      return texts.some((t) => /hot-remove path of sample_teardown/.test(t)) && texts.some((t) => /sample_td_close_base/.test(t)) ? texts : undefined;
    });
    assert.ok(rows.some((t) => /shutdown path of sample_teardown/.test(t)), rows.join('\n'));
    await editor().screenshot('lifecycle-paths-view');
  });
});
