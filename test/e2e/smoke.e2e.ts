// SPDK Lens installed from its vsix into a real VS Code, on the sample tree, as a user would open it.
import * as assert from 'node:assert/strict';
import { poll, useEditor } from './harness';

const NULL_BDEV = 'module/bdev/sample_null/bdev_sample_null.c';

describe('SPDK Lens in VS Code (smoke)', () => {
  const editor = useEditor({ label: 'smoke' });

  it('activates on an SPDK tree and logs to its "SPDK Lens" output channel', async () => {
    const activated = /_doActivateExtension spdk-lens\.spdk-lens\b/;
    await poll('SPDK Lens to activate', 30_000, async () => (activated.test(editor().extensionHostLog()) ? true : undefined)).catch(() =>
      assert.fail(`the extension host log never showed SPDK Lens activating:\n${editor().extensionHostLog()}`),
    );
    // The summary command shows the "SPDK Lens" log channel in the Output panel; its first line is the activation.
    await editor().runCommand('SPDK Lens: Show Index Summary');
    const output = editor().page.locator('.part.panel .monaco-editor .view-lines', { hasText: 'activated in' }).first();
    await output.waitFor({ state: 'visible', timeout: 30_000 }).catch(() => assert.fail('the Output panel never showed the "SPDK Lens" log with its activation line'));
    await editor().screenshot('output-channel');
  });

  it('opens a bdev module source file', async () => {
    await editor().openFile(NULL_BDEV);
    await editor().screenshot('bdev_sample_null-open');
  });

  it('reaches "SPDK Lens: Ready" in the status bar', async function () {
    this.timeout(240_000);
    // Until the host shows its status bar item this fails with what the status bar did show, and a screenshot.
    await editor().waitForStatus(/SPDK Lens: Ready/);
    await editor().screenshot('ready');
  });
});
