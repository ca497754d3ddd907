// On a real SPDK checkout (SPDK_DIR), as a new user opens it: the hovers the issue names must be right and useful.
// Skipped without SPDK_DIR; `npm run bench:editor` measures the same tree's timings.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { poll, REPO_ROOT, useEditor } from './harness';

const SPDK_DIR = process.env.SPDK_DIR;
const hasSpdk = Boolean(SPDK_DIR && existsSync(join(SPDK_DIR, 'include', 'spdk', 'thread.h')));
/** A folder of the book (content/chapters/00-*.md): with it, chapter 00's links and the back links are checked too. */
const BOOK_DIR = process.env.SPDK_BOOK_DIR;

(hasSpdk ? describe : describe.skip)('SPDK Lens on SPDK master (SPDK_DIR)', () => {
  const editor = useEditor({ label: 'spdk-master', workspace: SPDK_DIR, copy: false, settings: BOOK_DIR ? { 'spdkLens.book.path': BOOK_DIR } : {} });

  before(async function () {
    this.timeout(600_000);
    await editor().waitForStatus(/SPDK Lens: Ready/, 540_000);
  });

  const cases: { file: string; at: string; expect: RegExp[]; shot: string }[] = [
    { file: 'lib/bdev/bdev.c', at: 'bdev_channel_poll_qos(void *arg)', expect: [/Runs as poller/, /SPDK_POLLER_REGISTER/], shot: 'poller' },
    { file: 'module/bdev/null/bdev_null.c', at: 'bdev_null_submit_request(struct', expect: [/Runs as bdev fn_table/, /submit_request of null_fn_table/, /completes spdk_bdev_io/], shot: 'fn-table' },
    { file: 'module/bdev/aio/bdev_aio_rpc.c', at: 'rpc_bdev_aio_create(struct', expect: [/RPC "bdev_aio_create"/, /replies async/], shot: 'async-rpc' },
    { file: 'lib/bdev/bdev.c', at: 'bdev_each_channel_msg(struct', expect: [/Runs as for_each_channel step/, /spdk_for_each_channel/], shot: 'for-each-step' },
    { file: 'lib/bdev/bdev.c', at: 'bdev_each_channel_cpl(struct', expect: [/Runs as for_each_channel done/], shot: 'for-each-done' },
    { file: 'lib/bdev/bdev.c', at: 'bdev_channel_create(void *io_device', expect: [/Runs as io_channel create/, /spdk_io_device_register/], shot: 'channel-create' },
    { file: 'module/bdev/passthru/vbdev_passthru.c', at: '_pt_complete_io(struct', expect: [/Runs as bdev IO completion/, /must free it with spdk_bdev_free_io/, /frees spdk_bdev_io/], shot: 'completion-frees' },
  ];

  for (const c of cases) {
    it(`explains ${c.at.replace(/\(.*/, '')} in ${c.file}`, async () => {
      await editor().openFile(c.file);
      const text = await editor().hoverAt({ text: c.at });
      for (const re of c.expect) assert.match(text, re, text);
      await editor().screenshot(c.shot);
    });
  }

  it('plays the built-in tour start to end, each step on the file the CLI resolves it to', async function () {
    this.timeout(600_000);
    // Checked independently: the CLI resolves the same tour through its own index of the tree.
    const cli = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'cli.js'), 'tour', 'validate', SPDK_DIR!, '--json', '--no-cache'], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    const steps = (JSON.parse(cli.stdout) as { steps: { title: string; file: string; via: string; error: string | null }[] }).steps;
    assert.ok(steps.length >= 20 && steps.every((s) => s.error === null), 'every built-in step resolves');
    await editor().runCommand('SPDK Lens: Start the SPDK Landmarks Tour');
    for (let i = 0; i < steps.length; i++) {
      if (i > 0) await editor().page.keyboard.press('Control+Alt+ArrowRight');
      await editor().waitForStatus(new RegExp(`Tour · step ${i + 1}/${steps.length}$`), 60_000);
      const step = steps[i];
      if (step.via === 'file' && !/\.[a-z]+$/i.test(step.file)) continue;
      await editor().page.locator('.tabs-container .tab.active', { hasText: basename(step.file) }).waitFor({ state: 'visible' });
      await editor().page.locator('.review-widget', { hasText: step.title.slice(0, 20) }).first().waitFor({ state: 'visible' });
    }
    await editor().screenshot('tour-last-step');
    await editor().runCommand('SPDK Lens: Tour: End');
  });

  (BOOK_DIR ? it : it.skip)('opens chapter 00 with working landmark links, and hovers link back to it (SPDK_BOOK_DIR)', async () => {
    await editor().runCommand('SPDK Lens: Open Book Chapter');
    const row = editor().page.locator('.quick-input-widget .monaco-list-row', { hasText: '00 · ' }).first();
    await row.click();
    const chapter = editor().page.frameLocator('iframe.webview.ready').frameLocator('iframe');
    const landmark = chapter.locator('a.landmark', { hasText: 'lib/bdev/bdev.c' }).first();
    await landmark.waitFor({ state: 'visible' });
    await editor().screenshot('chapter-00');
    await landmark.click();
    await editor().page.locator('.tabs-container .tab.active', { hasText: 'bdev.c' }).waitFor({ state: 'visible' });
    // Chapter 00 names lib/bdev/bdev.c: every labelled function there links back to it.
    await editor().openFile('lib/bdev/bdev.c');
    const text = await editor().hoverAt({ text: 'bdev_channel_poll_qos(void *arg)' });
    assert.match(text, /Book: 00 · Orientation/, text);
    await editor().screenshot('back-link-hover');
  });

  it('draws the module graph of the tree: leaf and virtual modules, no unit-test stand-ins', async () => {
    await editor().runCommand('SPDK Lens: Show Bdev Graph');
    const frame = await editor()
      .frameWith('svg.graph .node[data-id="bdev_module:passthru"]', 60_000)
      .catch(() => assert.fail('the bdev graph panel never drew bdev_module:passthru'));
    const ids = await frame.$$eval('svg.graph .node', (n) => n.map((x) => x.getAttribute('data-id')));
    for (const id of ['bdev_module:null', 'bdev_module:malloc', 'bdev_module:nvme', 'bdev_module:raid', 'bdev_module:lvol', 'bdev_module:passthru']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
    assert.ok(!ids.some((id) => id?.includes('_ut')), `no unit-test module: ${ids.join(', ')}`);
    // lib/nvmf and lib/ftl define a struct spdk_bdev_module only to claim bdevs with: consumers, not bdev modules.
    for (const id of ['nvmf_namespace:*', 'bdev_consumer:lib/ftl']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
    assert.ok(!ids.includes('bdev_module:NVMe-oF Target') && !ids.includes('bdev_module:ftl_lib'), ids.join(', '));
    await editor().screenshot('module-graph');
  });
});

(hasSpdk ? describe : describe.skip)('SPDK Lens on SPDK master while it indexes (SPDK_DIR)', () => {
  const editor = useEditor({ label: 'spdk-master-indexing', workspace: SPDK_DIR, copy: false, trust: 'disabled' });

  it('answers a hover during indexing with how far it has got, not a bare "Loading...", then with the labels', async function () {
    this.timeout(600_000);
    const file = 'lib/bdev/bdev.c';
    await editor().openFile(file);
    const line = readFileSync(join(SPDK_DIR!, file), 'utf8').split('\n').findIndex((l) => l.startsWith('bdev_channel_poll_qos(void *arg)')) + 1;
    await editor().goToLine(line, 3);
    if (await editor().statusBarText(/SPDK Lens: Ready/)) {
      process.stdout.write('      (the index was ready before the hover: nothing to check while indexing)\n');
      this.skip();
    }
    const page = editor().page;
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    // One hover, asked while indexing: it must show words within the provider's wait, whatever the index's state.
    const hover = page.locator('.monaco-editor .monaco-resizable-hover .monaco-hover:not(.hidden)').first();
    const text = await poll('a hover with text while indexing', 10_000, async () => {
      const shown = (await hover.innerText({ timeout: 1_000 }).catch(() => '')).trim();
      return shown !== '' && !/^Loading\.\.\.$/m.test(shown) ? shown : undefined;
    });
    assert.match(text, /SPDK Lens is indexing \(\d+\/\d+\)…|Runs as poller/, text);
    await editor().screenshot('hover-while-indexing');
    await editor().waitForStatus(/SPDK Lens: Ready/, 540_000);
    assert.match(await editor().hoverAt({ line, column: 3 }), /Runs as poller/);
  });
});
