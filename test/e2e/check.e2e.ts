// The thread-rule checks in a real VS Code: a finding in the Problems panel with its rule and squiggle, a suppression
// comment that names no real rule reported beside it, and the finding gone once an edit fixes the code (unsaved).
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { poll, REPO_ROOT, useEditor } from './harness';

const SURFACES = join(REPO_ROOT, 'test', 'fixtures', 'check-spdk', 'surfaces');
const CHANNEL = 'lib/surf/surf_channel.c';
const FINDING = /io_channel ch from spdk_get_io_channel .* is neither put/;

describe('SPDK Lens in VS Code: thread-rule checks', () => {
  const editor = useEditor({ workspace: SURFACES, label: 'check' });

  before(async function () {
    this.timeout(240_000);
    await editor().waitForStatus(/SPDK Lens: Ready/);
  });

  /** The text of every row of the Problems panel. */
  async function problems(): Promise<string> {
    return (await editor().page.locator('.markers-panel .monaco-list-row').allInnerTexts()).join('\n');
  }

  it('lists an io_channel left taken on an error path, with its rule, a squiggle and the unusable comment', async () => {
    await editor().openFile(CHANNEL);
    await editor().runCommand('SPDK Lens: Run Thread-Rule Checks');
    const text = await poll('the finding in the Problems panel', 30_000, async () => {
      const rows = await problems();
      return FINDING.test(rows) && /blocking-in-reactr/.test(rows) ? rows : undefined;
    });
    assert.match(text, /io-channel-leak/, text);
    assert.match(text, /SPDK Lens/, text);
    assert.match(text, /spdk-lens: ignore names an unknown rule "blocking-in-reactr"/, text);
    const lines = readFileSync(join(SURFACES, CHANNEL), 'utf8').split('\n');
    await editor().goToLine(lines.findIndex((l) => l.includes('if (req == NULL)')) + 2); // squiggles are drawn on visible lines only
    await poll('the squiggle under the leak', 10_000, async () => ((await editor().page.locator('.monaco-editor .squiggly-warning').count()) > 0 ? true : undefined));
    await editor().screenshot('problems-panel');
  });

  it('drops the finding once an edit puts the channel back, before the file is saved', async () => {
    const lines = readFileSync(join(SURFACES, CHANNEL), 'utf8').split('\n');
    const returnLine = lines.findIndex((l) => l.includes('if (req == NULL)')) + 2;
    await editor().goToLine(returnLine);
    await editor().page.keyboard.press('Escape');
    await editor().page.keyboard.insertText('\t\tspdk_put_io_channel(ch);\n'); // one edit, as a paste
    const typed = Date.now();
    await poll('the finding to leave the Problems panel', 30_000, async () => (FINDING.test(await problems()) ? undefined : true));
    const ms = Date.now() - typed;
    // The figure includes the edit debounce (spdkLens.index.editDebounceMs, 300 ms) and this test's 100 ms polling.
    process.stdout.write(`    last keystroke to the finding gone from the Problems panel: ${ms} ms\n`);
    assert.match(await problems(), /blocking-in-reactr/, 'the other file keeps its item');
    assert.equal(await editor().page.locator('.tabs-container .tab.active.dirty').count(), 1, 'the fix is not saved yet');
    await editor().screenshot('problems-after-fix');
  });
});
