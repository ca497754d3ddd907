// SPDK Lens's editor features in a real VS Code on the sample tree, used the way a reader would: hovers, CodeLens and
// its peek, the async call hierarchy, RPC method links outside C, a hostile file, and a label that follows an edit.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { poll, useEditor } from './harness';

const NULL_BDEV = 'module/bdev/sample_null/bdev_sample_null.c';
const PASSTHRU = 'module/bdev/sample_passthru/vbdev_sample_passthru.c';

describe('SPDK Lens in VS Code: editor features', () => {
  const editor = useEditor({ label: 'features' });

  before(async function () {
    this.timeout(240_000);
    await editor().waitForStatus(/SPDK Lens: Ready/);
  });

  it('hovers a poller: context, the registration that proves it, the book topic', async () => {
    await editor().openFile(NULL_BDEV);
    const text = await editor().hoverAt({ text: 'sample_null_poll(void *arg)' });
    assert.match(text, /SPDK Lens/, text);
    assert.match(text, /Runs as poller/, text);
    assert.match(text, /passed to spdk_poller_register_named via SPDK_POLLER_REGISTER/, text);
    assert.match(text, /Read more/, text);
    await editor().screenshot('hover-poller');
  });

  it('hovers a fn_table entry: slot, parameter ownership, what it does on failure', async () => {
    const text = await editor().hoverAt({ text: 'sample_null_submit_request(struct' });
    assert.match(text, /Runs as bdev fn_table/, text);
    assert.match(text, /stored in struct spdk_bdev_fn_table\.submit_request of sample_null_fn_table/, text);
    assert.match(text, /On failure/, text);
    assert.match(text, /completes the spdk_bdev_io bdev_io with FAILED/, text);
  });

  it('shows CodeLens above labelled functions, and a click peeks the evidence', async () => {
    await editor().goToLine(53);
    await poll('the fn_table CodeLens', 30_000, async () => ((await editor().codeLensTexts()).includes('bdev fn_table · submit_request') ? true : undefined));
    await editor().goToLine(97);
    await poll('the poller CodeLens', 30_000, async () => ((await editor().codeLensTexts()).includes('poller · 1 registration') ? true : undefined));
    const peek = editor().page.locator('.peekview-widget');
    await editor().clickCodeLens('poller · 1 registration', peek);
    await peek.waitFor({ state: 'visible' });
    assert.match(await peek.innerText(), /bdev_sample_null\.c/);
    await editor().screenshot('codelens-peek');
    await editor().page.keyboard.press('Escape');
  });

  it('explains an async RPC handler, a for_each_channel step and its done callback, a completion that frees', async () => {
    await editor().openFile(PASSTHRU);
    const step = await editor().hoverAt({ text: 'sample_pt_count_channel(struct' });
    assert.match(step, /Runs as for_each_channel step/, step);
    const done = await editor().hoverAt({ text: 'sample_pt_count_done(struct' });
    assert.match(done, /Runs as for_each_channel done/, done);
    const completion = await editor().hoverAt({ text: 'sample_pt_read_done(struct' });
    assert.match(completion, /must free it with spdk_bdev_free_io/, completion);
    const api = await editor().hoverAt({ text: 'spdk_for_each_channel(disk' });
    assert.match(api, /runs later as for_each_channel step/, api);
    await editor().openFile('module/bdev/sample_passthru/vbdev_sample_passthru_rpc.c');
    const rpc = await editor().hoverAt({ text: 'rpc_bdev_sample_pt_create(struct' });
    assert.match(rpc, /replies async/, rpc);
  });

  it('runs the async call hierarchy on a message callback: the sender is an incoming call', async () => {
    await editor().openFile(PASSTHRU);
    const line = lineOf(editor().workspace, PASSTHRU, 'sample_pt_finish_create(void *arg)');
    await editor().goToLine(line, 3);
    await editor().runCommand('Calls: Show Call Hierarchy');
    const text = await poll('the call hierarchy view', 30_000, async () => {
      const rows = await editor().page.locator('.monaco-list-row').allInnerTexts();
      const joined = rows.join('\n');
      return /sample_pt_create/.test(joined) && /thread message \(async\)/.test(joined) ? joined : undefined;
    });
    assert.match(text, /thread message \(async\) via spdk_thread_send_msg/);
    await editor().screenshot('call-hierarchy');
  });

  it('links an RPC method name in a Python client to its C handler', async () => {
    await editor().openFile('scripts/sample_rpc.py');
    const text = await editor().hoverAt({ text: "bdev_sample_null_create'" });
    assert.match(text, /RPC method/, text);
    assert.match(text, /rpc_bdev_sample_null_create/, text);
    assert.match(text, /Params decoded: name, num_blocks/, text);
  });

  it('renders hostile comments and names as text: no links, HTML or images reach the hover', async () => {
    await editor().openFile('lib/sample/hostile.c');
    const text = await editor().hoverAt({ text: 'hostile_poller(void *arg)' });
    assert.match(text, /Runs as poller/, text);
    assert.match(text, /command:workbench\.action\.terminal\.new/, 'the hostile text shows as text');
    const hover = editor().page.locator('.monaco-hover:not(.hidden)').first();
    assert.equal(await hover.locator('img').count(), 0, 'no image element');
    const hrefs = await hover.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('data-href') ?? a.getAttribute('href') ?? ''));
    for (const href of hrefs) assert.ok(href === '' || href.startsWith('command:spdkLens.'), `unexpected link target ${href}`);
    await editor().screenshot('hostile-hover');
  });

  it('follows an edit: a function sent as a message after the save is labelled a thread message', async () => {
    await editor().openFile(NULL_BDEV);
    await editor().page.keyboard.press('Escape');
    await editor().page.keyboard.press('Control+End');
    await editor().typeAndSave('\nstatic void\nlens_e2e_later(void *ctx)\n{\n}\n\nstatic void\nlens_e2e_send(void)\n{\n\tspdk_thread_send_msg(spdk_get_thread(), lens_e2e_later, NULL);\n}\n');
    const text = await poll('the new function to be labelled', 30_000, async () => {
      const hover = await editor().hoverAt({ text: 'lens_e2e_later(void *ctx)' });
      return /Runs as thread message/.test(hover) ? hover : undefined;
    });
    assert.match(text, /passed to spdk_thread_send_msg as argument 1/);
    await editor().screenshot('after-edit');
  });
});

function lineOf(root: string, file: string, text: string): number {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const index = lines.findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`"${text}" is not in ${file}`);
  return index + 1;
}
