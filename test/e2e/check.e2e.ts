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

  /** The text of the Problems panel's rows once filtered to `filter` (the list draws only the rows in view). */
  async function problems(filter: string): Promise<string> {
    const box = editor().page.locator('.part.panel .viewpane-filter input').first();
    if ((await box.inputValue()) !== filter) await box.fill(filter);
    return (await editor().page.locator('.markers-panel .monaco-list-row').allInnerTexts()).join('\n');
  }

  /** Warning squiggles drawn in the active editor (surf_channel.c has no other warning than the leak). */
  function warningSquiggles(): Promise<number> {
    return editor().page.locator('.monaco-editor .squiggly-warning').count();
  }

  const lines = readFileSync(join(SURFACES, CHANNEL), 'utf8').split('\n');
  const returnLine = lines.findIndex((l) => l.includes('if (req == NULL)')) + 2;

  it('lists an io_channel left taken on an error path, with its rule, a squiggle and the unusable comment', async () => {
    await editor().openFile(CHANNEL);
    await editor().runCommand('SPDK Lens: Run Thread-Rule Checks');
    const text = await poll('the finding in the Problems panel', 30_000, async () => {
      const rows = await problems('spdk_get_io_channel');
      return FINDING.test(rows) ? rows : undefined;
    });
    assert.match(text, /io-channel-leak/, text);
    assert.match(text, /SPDK Lens/, text);
    const unusable = await poll('the unusable comment in the Problems panel', 30_000, async () => {
      const rows = await problems('spdk-lens: ignore names an unknown rule');
      return rows.includes('unknown rule') ? rows : undefined;
    });
    assert.match(unusable, /spdk-lens: ignore names an unknown rule "blocking-in-reactr"/, unusable);
    await problems('spdk_get_io_channel');
    await editor().goToLine(returnLine); // squiggles are drawn on visible lines only
    await poll('the squiggle under the leak', 10_000, async () => ((await warningSquiggles()) > 0 ? true : undefined));
    await editor().screenshot('problems-panel');
  });

  it('drops the finding once an edit puts the channel back, before the file is saved', async () => {
    await editor().goToLine(returnLine);
    await editor().page.keyboard.press('Escape');
    await editor().page.keyboard.insertText('\t\tspdk_put_io_channel(ch);\n'); // one edit, as a paste
    const edited = Date.now();
    await poll('the squiggle to go', 30_000, async () => ((await warningSquiggles()) === 0 ? true : undefined));
    const ms = Date.now() - edited;
    // The figure includes the edit debounce (spdkLens.index.editDebounceMs, 100 ms) and this test's 100 ms polling.
    process.stdout.write(`    edit to the squiggle gone: ${ms} ms\n`);
    await poll('the finding to leave the Problems panel', 10_000, async () => (FINDING.test(await problems('spdk_get_io_channel')) ? undefined : true));
    await poll('the other file to keep its item', 10_000, async () => ((await problems('spdk-lens: ignore names an unknown rule')).includes('unknown rule') ? true : undefined));
    assert.equal(await editor().page.locator('.tabs-container .tab.active.dirty').count(), 1, 'the fix is not saved yet');
    await problems('');
    await editor().screenshot('problems-after-fix');
  });
});
