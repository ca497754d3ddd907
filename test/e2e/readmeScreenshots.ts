// `SPDK_DIR=~/src/spdk npx tsx test/e2e/readmeScreenshots.ts` (after `npm run package`): takes the README's
// screenshots in media/screenshots/ from SPDK Lens in a real VS Code on that tree, a hover and the bdev graph.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { Editor, REPO_ROOT } from './harness';

const OUT = join(REPO_ROOT, 'media', 'screenshots');
/** The README ships in the vsix and on the Marketplace page: each picture stays small. */
const MAX_BYTES = 200 * 1024;

/** A PNG of the part of the page around `target`, `margin` pixels wider each way, kept under MAX_BYTES. */
async function shoot(page: Page, target: Locator, name: string, margin: { x: number; y: number }): Promise<void> {
  const box = await target.boundingBox();
  if (!box) throw new Error(`${name}: nothing to photograph`);
  const viewport = page.viewportSize()!;
  const x = Math.max(0, box.x - margin.x);
  const y = Math.max(0, box.y - margin.y);
  const clip = { x, y, width: Math.min(viewport.width - x, box.width + 2 * margin.x), height: Math.min(viewport.height - y, box.height + 2 * margin.y) };
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path, clip });
  // Fewer colours when it is too big: a UI has few, and the README must not bloat the vsix.
  for (const colors of [256, 128, 64]) {
    if (statSync(path).size < MAX_BYTES) break;
    const reduced = spawnSync('convert', [path, '-colors', String(colors), '-strip', `PNG8:${path}`]);
    if (reduced.status !== 0) throw new Error(`${name}: ${statSync(path).size} bytes, and ImageMagick's convert could not make it smaller`);
  }
  const bytes = statSync(path).size;
  if (bytes >= MAX_BYTES) throw new Error(`${name}: still ${bytes} bytes`);
  process.stdout.write(`${path}: ${Math.round(bytes / 1024)} KB\n`);
}

async function main(): Promise<void> {
  const spdkDir = process.env.SPDK_DIR;
  if (!spdkDir || !existsSync(join(spdkDir, 'include', 'spdk', 'thread.h'))) throw new Error('set SPDK_DIR to an SPDK checkout');
  mkdirSync(OUT, { recursive: true });
  const editor = await Editor.launch({ workspace: spdkDir, copy: false, trust: 'disabled', label: 'readme' });
  try {
    await editor.waitForStatus(/SPDK Lens: Ready/, 10 * 60_000);
    const page = editor.page;
    await page.keyboard.press('Control+B'); // the side bar: more room for the code
    await editor.openFile('lib/bdev/bdev.c');
    await editor.hoverAt({ text: 'bdev_channel_poll_qos(void *arg)' });
    const hover = page.locator('.monaco-editor .monaco-resizable-hover .monaco-hover:not(.hidden)').first();
    await page.waitForTimeout(500);
    await shoot(page, hover, 'hover', { x: 60, y: 40 });
    await page.keyboard.press('Escape');

    await editor.runCommand('SPDK Lens: Show Bdev Graph');
    const frame = await editor.frameWith('svg.graph .node[data-id="bdev_module:passthru"]');
    await frame.click('.node[data-id="bdev_module:passthru"]');
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+M'); // maximise the graph's editor group
    await page.waitForTimeout(1500);
    await shoot(page, page.locator('.part.editor'), 'bdev-graph', { x: 0, y: 0 });
  } finally {
    await editor.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
