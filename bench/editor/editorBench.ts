// `npm run bench:editor`: SPDK Lens in a real VS Code on SPDK_DIR. Measures what a user waits for: the workbench, and
// "SPDK Lens: Ready" on a cold start (fresh profile, empty cache) and a warm one (same profile again), next to the
// CLI's cold index of the same tree. Hover and CodeLens latency come from inside VS Code (see measureInEditor).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EditorMeasurements } from '../../src/host/editorMeasurements';
import { Editor, poll, REPO_ROOT } from '../../test/e2e/harness';

const READY = /SPDK Lens: (Ready|Error)/;
/** The title under which the extension's measuring command shows in the palette (category "SPDK Lens"). */
const MEASURE_COMMAND = 'SPDK Lens: Measure Hover and CodeLens Latency';
/** Set in code-server's environment; the extension writes its measurements there as JSON (see measureInEditor). */
const MEASURE_OUT_ENV = 'SPDK_LENS_MEASURE_OUT';

interface Run {
  label: string;
  workbenchMs: number;
  readyMs: number;
  status: string;
  /** Tab opened → first CodeLens visible on lib/bdev/bdev.c (or why it was not measured). */
  codeLensSeenMs: number | string;
  /** What the extension measured, or why nothing was. */
  inEditor?: EditorMeasurements | { skipped: string };
}

function cliColdIndexMs(spdkDir: string): number {
  const started = Date.now();
  const cli = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'cli.js'), 'index', spdkDir, '--no-cache'], { encoding: 'utf8' });
  if (cli.status !== 0) throw new Error(`the CLI's cold index failed:\n${cli.stderr}`);
  return Date.now() - started;
}

/**
 * In-editor latency: runs the extension's measuring command from the palette and reads the JSON it writes to
 * $SPDK_LENS_MEASURE_OUT (hover p50/p95 through vscode.executeHoverProvider, CodeLens on lib/bdev/bdev.c).
 */
async function measureInEditor(editor: Editor, outFile: string): Promise<EditorMeasurements | { skipped: string }> {
  try {
    await editor.runCommand(MEASURE_COMMAND);
    await poll(`the extension to write $${MEASURE_OUT_ENV} (${outFile}) after "${MEASURE_COMMAND}"`, 120_000, async () => existsSync(outFile) || undefined);
  } catch (err) {
    return { skipped: (err as Error).message };
  }
  return JSON.parse(readFileSync(outFile, 'utf8')) as EditorMeasurements;
}

/**
 * What a user waits for: from pressing Enter in Quick Open on `lib/bdev/bdev.c:4248` (a poller, so a labelled
 * function is in view) to the first CodeLens drawn in the editor, measured in the page.
 */
async function codeLensAsSeen(editor: Editor, target = 'lib/bdev/bdev.c:4248'): Promise<number | string> {
  const page = editor.page;
  try {
    const input = await editor.openQuickInput('Control+P');
    await input.fill(target);
    await editor.quickInputRows().filter({ hasText: 'bdev.c' }).first().waitFor({ state: 'visible' });
    const pressed = Date.now();
    await page.keyboard.press('Enter');
    await page.locator('.editor-instance .monaco-editor .codelens-decoration a').first().waitFor({ state: 'visible', timeout: 60_000 });
    return Date.now() - pressed;
  } catch (err) {
    return `not measured: ${(err as Error).message.split('\n')[0]}`;
  }
}

async function runOnce(label: string, spdkDir: string, stateDir: string, measure: boolean): Promise<Run> {
  const outFile = join(stateDir, `measure-${label}.json`);
  const editor = await Editor.launch({ workspace: spdkDir, copy: false, trust: 'disabled', stateDir, label: `bench-${label}`, env: { [MEASURE_OUT_ENV]: outFile } });
  try {
    const status = await editor.waitForStatus(READY, 30 * 60_000);
    const readyMs = Date.now() - editor.navigatedAt;
    await editor.screenshot('ready');
    const codeLensSeenMs = await codeLensAsSeen(editor);
    const inEditor = measure ? await measureInEditor(editor, outFile) : undefined;
    return { label, workbenchMs: editor.workbenchMs, readyMs, status, codeLensSeenMs, inEditor };
  } finally {
    await editor.close();
  }
}

async function main(): Promise<void> {
  const spdkDir = process.env.SPDK_DIR;
  if (!spdkDir || !existsSync(join(spdkDir, 'include', 'spdk', 'thread.h'))) {
    throw new Error('set SPDK_DIR to an SPDK checkout (a folder with include/spdk/thread.h): SPDK_DIR=~/src/spdk npm run bench:editor');
  }
  const stateDir = mkdtempSync(join(tmpdir(), 'spdk-lens-bench-'));
  try {
    // The CLI runs just before and just after the editor's cold start, and the editor is compared with their mean:
    // on a shared machine the load can change between one run and the next.
    const cliBefore = cliColdIndexMs(spdkDir);
    const cold = await runOnce('cold', spdkDir, stateDir, true);
    const cliAfter = cliColdIndexMs(spdkDir);
    const cliMs = Math.round((cliBefore + cliAfter) / 2);
    // Same profile twice: the second start finds the first one's index cache in the extension's global storage.
    const runs = [cold, await runOnce('warm', spdkDir, stateDir, true)];
    const lines = [`SPDK Lens in VS Code on ${spdkDir}`, `  CLI cold index (wall)       ${cliMs} ms (mean of ${cliBefore} ms before the editor's cold start and ${cliAfter} ms after it)`];
    for (const run of runs) {
      lines.push(`  ${run.label.padEnd(5)} navigation to workbench ${run.workbenchMs} ms`);
      const indexMs = run.readyMs - run.workbenchMs;
      lines.push(`  ${run.label.padEnd(5)} navigation to "${run.status}" ${run.readyMs} ms; workbench to it ${indexMs} ms (${(indexMs / cliMs).toFixed(2)}x the CLI's cold index)`);
      const measured = run.inEditor && 'readyMs' in run.inEditor ? run.inEditor : undefined;
      if (measured && typeof measured.readyMs === 'number') {
        lines.push(`  ${run.label.padEnd(5)} index inside the extension (activation to Ready) ${measured.readyMs} ms (${(measured.readyMs / cliMs).toFixed(2)}x the CLI's cold index); the rest of workbench-to-Ready is VS Code starting its extension host`);
      }
      lines.push(`  ${run.label.padEnd(5)} lib/bdev/bdev.c tab opened to first CodeLens drawn: ${typeof run.codeLensSeenMs === 'number' ? `${run.codeLensSeenMs} ms` : run.codeLensSeenMs}`);
      if (run.inEditor !== undefined) lines.push(`  ${run.label.padEnd(5)} in-editor measurements ${JSON.stringify(run.inEditor)}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
