// The reading path in a real VS Code: a tour played with the step player and its keys, a book chapter opened beside
// the code with landmark links, and the way back from a hover to the paragraph that mentions the code.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT, useEditor } from './harness';

const BOOK = join(REPO_ROOT, 'test', 'fixtures', 'book');

describe('SPDK Lens in VS Code: tour and book', () => {
  const editor = useEditor({ label: 'reading', settings: { 'spdkLens.book.path': BOOK } });

  before(async function () {
    this.timeout(240_000);
    await editor().waitForStatus(/SPDK Lens: Ready/);
  });

  /** Runs a command whose quick pick then offers `choice`, and picks it. */
  async function runAndPick(command: string, choice: string): Promise<void> {
    const page = editor().page;
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill(`>${command}`);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: command }).first().click();
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: choice }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /** The step is the inline thread; VS Code's Comments panel (a third of the window) must stay closed. */
  async function assertNoCommentsPanel(): Promise<void> {
    // VS Code opens the panel, if it does, when it draws the thread: give it the time a repaint takes.
    await editor().page.waitForTimeout(1000);
    assert.equal(await editor().page.locator('.comments-panel').filter({ visible: true }).count(), 0, 'the Comments panel opened');
  }

  function stepWidget() {
    return editor().page.locator('.review-widget').first();
  }

  it('starts a tour: the first step opens its landmark with the step text beside the code', async () => {
    await runAndPick('SPDK Lens: Start Tour', 'A walk through the sample tree');
    await editor().waitForStatus(/Tour · step 1\/5/);
    await editor().page.locator('.tabs-container .tab.active', { hasText: 'sample_tgt.c' }).waitFor({ state: 'visible' });
    await stepWidget().waitFor({ state: 'visible' });
    assert.match(await stepWidget().innerText(), /app start/);
    await editor().screenshot('tour-step-1');
    await assertNoCommentsPanel();
  });

  it('moves to the next and previous step with the keys', async () => {
    await editor().page.keyboard.press('Control+Alt+ArrowRight');
    await editor().waitForStatus(/Tour · step 2\/5/);
    await editor().page.locator('.tabs-container .tab.active', { hasText: 'bdev_sample_null.c' }).waitFor({ state: 'visible' });
    await editor().page.locator('.review-widget', { hasText: 'completes bdev_io' }).first().waitFor({ state: 'visible' });
    await editor().screenshot('tour-step-2');
    await assertNoCommentsPanel();
    await editor().page.keyboard.press('Control+Alt+ArrowLeft');
    await editor().waitForStatus(/Tour · step 1\/5/);
    await editor().page.locator('.tabs-container .tab.active', { hasText: 'sample_tgt.c' }).waitFor({ state: 'visible' });
  });

  it('opens a chapter beside the code, and a landmark link opens the source', async () => {
    await editor().runCommand('SPDK Lens: Tour: End');
    await runAndPick('SPDK Lens: Open Book Chapter', '00 · Orientation');
    await editor().page.locator('.tabs-container .tab', { hasText: 'Book: 00 · Orientation' }).waitFor({ state: 'visible' });
    const chapter = editor().page.frameLocator('iframe.webview.ready').frameLocator('iframe');
    const landmark = chapter.locator('a.landmark', { hasText: 'bdev_sample_null.c' }).first();
    await landmark.waitFor({ state: 'visible' });
    assert.ok((await chapter.locator('.landmark.unresolved').count()) > 0, 'the unresolvable mention is marked');
    await editor().screenshot('chapter');
    await landmark.click();
    await editor().page.locator('.tabs-container .tab.active', { hasText: 'bdev_sample_null.c' }).waitFor({ state: 'visible' });
    // A symbol opens beside the chapter: the chapter stays the active tab of its own group.
    await chapter.locator('a.landmark[data-kind="function"]', { hasText: 'sample_tgt_started' }).first().click();
    await editor().page.locator('.tabs-container .tab.active', { hasText: 'sample_tgt.c' }).waitFor({ state: 'visible' });
    await editor().page.locator('.tabs-container .tab.active', { hasText: 'Book: 00 · Orientation' }).waitFor({ state: 'visible' });
  });

  it('links back from a hover to the paragraph that mentions the code', async () => {
    await editor().openFile('module/bdev/sample_null/bdev_sample_null.c');
    const text = await editor().hoverAt({ text: 'sample_null_poll(void *arg)' });
    assert.match(text, /Book: 00 · Orientation/, text);
    await editor().clickHoverLink('Book: 00 · Orientation');
    await editor().page.locator('.tabs-container .tab.active', { hasText: 'Book: 00 · Orientation' }).waitFor({ state: 'visible' });
    const chapter = editor().page.frameLocator('iframe.webview.ready').frameLocator('iframe');
    await chapter.locator('.revealed').first().waitFor({ state: 'attached' });
    await editor().screenshot('back-link');
  });
});
