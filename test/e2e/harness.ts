// Drives SPDK Lens in a real VS Code: code-server (started by scripts/editor/start.mjs, the same way `npm start` does)
// on a copy of a workspace, with the packaged vsix installed, in headless Chromium through playwright-core.
// Every wait has a timeout and says what it waited for; close() stops code-server's process group even after a failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Browser, Frame, Locator, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';

export const REPO_ROOT = join(__dirname, '..', '..');
export const SAMPLE_WORKSPACE = join(REPO_ROOT, 'test', 'fixtures', 'sample-spdk');
export const RESULTS_DIR = join(REPO_ROOT, 'test-results', 'e2e');
const START_SCRIPT = join(REPO_ROOT, 'scripts', 'editor', 'start.mjs');
/** On top of start.mjs's defaults (no telemetry, updates or welcome page): typing is literal, no auto-closing or suggestions. */
const E2E_USER_SETTINGS: Record<string, unknown> = {
  'workbench.tips.enabled': false,
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoIndent': 'none',
  'editor.formatOnType': false,
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.suggestOnTriggerCharacters': false,
  'editor.acceptSuggestionOnEnter': 'off',
  'editor.hover.delay': 100,
  'files.autoSave': 'off',
  'git.enabled': false,
};

export type Trust =
  /** Answer the workspace trust prompt with "Yes, I trust the authors" (the default). */
  | 'accept'
  /** Answer it with "No": the workspace stays in Restricted Mode. */
  | 'restricted'
  /** Turn workspace trust off in the settings, so there is no prompt. */
  | 'disabled';

export interface LaunchOptions {
  /** Folder to open; copied into a temp folder unless `copy` is false. Default: the sample SPDK tree. */
  workspace?: string;
  /** Copy the workspace first (default true) so tests may edit it. Turn off for big trees such as SPDK_DIR. */
  copy?: boolean;
  trust?: Trust;
  /** Extra user settings for this editor. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and so for the extension host (e.g. a benchmark's output file). */
  env?: Record<string, string>;
  /** Names screenshots and the saved code-server log. */
  label?: string;
  /**
   * Profile folder (user data, extensions, log) to use and keep, e.g. to start twice with one cache. Default: a temp
   * one. A reused profile remembers the trust answer, so there is no prompt the second time: use trust 'disabled'.
   */
  stateDir?: string;
}

export type HoverTarget =
  | { line: number; column: number }
  /** The `occurrence`-th (1-based, default 1) place `text` appears in the active file as it is on disk. */
  | { text: string; occurrence?: number };

interface Timeouts {
  server: number;
  workbench: number;
  ui: number;
  status: number;
}

const TIMEOUTS: Timeouts = { server: 120_000, workbench: 90_000, ui: 30_000, status: 180_000 };

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function fileSlug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 120) || 'unnamed';
}

/** Asks `probe` every 100 ms until it gives a value; an error it throws ends the wait. */
export async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((wake) => setTimeout(wake, 100));
  }
}

/** Starts start.mjs in its own process group and resolves with the URL it prints. */
async function startServer(workspace: string, stateDir: string, env: Record<string, string>): Promise<{ server: ChildProcess; url: string; output: () => string }> {
  const server = spawn(process.execPath, [START_SCRIPT, '--no-prepare', '--workspace', workspace, '--state-dir', stateDir], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(server);
  server.on('exit', () => running.delete(server));
  let output = '';
  server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await poll(`scripts/editor/start.mjs to print the editor URL`, TIMEOUTS.server, async () => {
    if (server.exitCode !== null) throw new Error(`scripts/editor/start.mjs exited with ${server.exitCode} before printing a URL:\n${output}`);
    return /Open (http\S+)/.exec(output)?.[1];
  }).catch((err: Error) => {
    killGroup(server, 'SIGKILL');
    throw new Error(`${err.message}\nstart.mjs output so far:\n${output}`);
  });
  return { server, url, output: () => output };
}

export class Editor {
  /** The activeFile as a path relative to the workspace, set by openFile. */
  private activeFile: string | undefined;

  private constructor(
    readonly page: Page,
    private readonly browser: Browser,
    private readonly server: ChildProcess,
    private readonly serverOutput: () => string,
    /** Temp folder holding the workspace copy and the code-server state; removed by close() unless E2E_KEEP=1. */
    readonly tempDir: string,
    /** The folder VS Code has open (the copy, or the original when copy was false). */
    readonly workspace: string,
    /** User data, extensions and code-server.log. */
    readonly stateDir: string,
    readonly label: string,
    /** Date.now() when the browser started loading the workbench. */
    readonly navigatedAt: number,
    /** Milliseconds from navigation to a visible workbench. */
    readonly workbenchMs: number,
  ) {}

  static async launch(options: LaunchOptions = {}): Promise<Editor> {
    const label = fileSlug(options.label ?? 'editor');
    const tempDir = mkdtempSync(join(tmpdir(), 'spdk-lens-e2e-'));
    let server: ChildProcess | undefined;
    let browser: Browser | undefined;
    try {
      const source = options.workspace ?? SAMPLE_WORKSPACE;
      let workspace = source;
      if (options.copy ?? true) {
        workspace = join(tempDir, basename(source));
        cpSync(source, workspace, { recursive: true });
      }
      const stateDir = options.stateDir ?? join(tempDir, 'state');
      const trust = options.trust ?? 'accept';
      const settings = { ...E2E_USER_SETTINGS, ...(trust === 'disabled' ? { 'security.workspace.trust.enabled': false } : {}), ...options.settings };
      mkdirSync(join(stateDir, 'user-data', 'User'), { recursive: true });
      writeFileSync(join(stateDir, 'user-data', 'User', 'settings.json'), JSON.stringify(settings, null, 2));

      const started = await startServer(workspace, stateDir, options.env ?? {});
      server = started.server;
      browser = await launchChromium({ headed: process.env.E2E_HEADED === '1' });
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(TIMEOUTS.ui);
      const navigated = Date.now();
      await page.goto(started.url);
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: TIMEOUTS.workbench });
      const editor = new Editor(page, browser, server, started.output, tempDir, workspace, stateDir, label, navigated, Date.now() - navigated);
      if (trust !== 'disabled') await editor.answerTrustPrompt(trust === 'accept');
      return editor;
    } catch (err) {
      await browser?.close().catch(() => undefined);
      if (server) await stopServer(server);
      rmSync(tempDir, { recursive: true, force: true });
      throw err;
    }
  }

  private async answerTrustPrompt(trust: boolean): Promise<void> {
    const dialog = this.page.locator('.monaco-dialog-box', { hasText: 'trust the authors' });
    await dialog.waitFor({ state: 'visible', timeout: TIMEOUTS.ui }).catch(() => {
      throw new Error(`no workspace trust prompt appeared within ${TIMEOUTS.ui / 1000} s (use trust: 'disabled' to skip it)`);
    });
    await dialog.getByRole('button', { name: trust ? 'Yes, I trust the authors' : "No, I don't trust the authors" }).click();
    await dialog.waitFor({ state: 'hidden' });
    if (trust) await poll('Restricted Mode to end after trusting the workspace', TIMEOUTS.ui, async () => ((await this.statusBarText(/Restricted Mode/)) ? undefined : true));
  }

  /** Quick Open (Ctrl+P) on a workspace-relative path; picks the row of exactly that file; resolves when its tab is active. */
  async openFile(relPath: string): Promise<void> {
    const name = basename(relPath);
    const folder = dirname(relPath);
    const input = await this.openQuickInput('Control+P');
    await input.fill(relPath);
    const exactName = this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) });
    // Until the path is searched the empty query's recent files still show; only answers highlight what matched.
    const isWanted = (row: Locator) => row.filter({ has: exactName }).filter({ hasText: folder === '.' ? '' : folder }).filter({ has: this.page.locator('.highlight') });
    // Late results are added below the first ones, which keep their place and the focus: Enter once the focused row is
    // the file, or a click once the answered list has stopped changing.
    let lastRows = '';
    await poll(`Quick Open to offer ${relPath}`, TIMEOUTS.ui, async () => {
      if ((await isWanted(this.quickInputRows().and(this.page.locator('.focused'))).count()) > 0) {
        await this.page.keyboard.press('Enter');
        return true;
      }
      const rows = (await this.quickInputRows().allInnerTexts()).join('\n');
      const stable = rows === lastRows;
      lastRows = rows;
      if (stable && (await isWanted(this.quickInputRows()).count()) > 0) {
        await isWanted(this.quickInputRows()).first().click();
        return true;
      }
      return undefined;
    }).catch((err: Error) => {
      throw new Error(`${err.message}; it offered: ${JSON.stringify(lastRows.split('\n').slice(0, 10))}`);
    });
    await this.quickInputWidget().waitFor({ state: 'hidden' });
    await this.page.locator('.tabs-container .tab.active', { has: exactName }).waitFor({ state: 'visible' }).catch(async () => {
      const active = await this.page.locator('.tabs-container .tab.active').allInnerTexts();
      throw new Error(`opened ${JSON.stringify(active)} instead of ${relPath}`);
    });
    await this.page.locator('.editor-instance .monaco-editor.focused').waitFor({ state: 'visible' });
    this.activeFile = relPath;
  }

  /** Go to Line (Ctrl+G) in the active editor; line and column are 1-based, the column counts characters. */
  async goToLine(line: number, column = 1): Promise<void> {
    const input = await this.openQuickInput('Control+G');
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.quickInputWidget().waitFor({ state: 'hidden' });
    await poll(`the cursor to reach line ${line}`, TIMEOUTS.ui, async () => ((await this.statusBarText(new RegExp(`Ln ${line},`))) ? true : undefined));
  }

  /**
   * Moves the cursor to the target, shows the hover (Ctrl+K Ctrl+I) and returns its text once it stops changing.
   * The chord is pressed again while no hover is visible: one pressed while focus is still coming back from the quick
   * input is lost, and a hover whose providers had nothing yet (index still loading) closes by itself.
   */
  async hoverAt(target: HoverTarget): Promise<string> {
    const { line, column } = 'text' in target ? this.locate(target.text, target.occurrence ?? 1) : target;
    const where = `${this.activeFile ?? 'the active file'}:${line}:${column}`;
    await this.page.keyboard.press('Escape');
    await this.goToLine(line, column);
    const hover = this.page.locator('.monaco-editor .monaco-resizable-hover .monaco-hover:not(.hidden)').first();
    let last = '';
    return poll(`a hover at ${where} whose text stops changing`, TIMEOUTS.ui, async () => {
      if (!(await hover.isVisible())) {
        last = '';
        await this.page.keyboard.press('Control+K');
        await this.page.keyboard.press('Control+I');
        await hover.waitFor({ state: 'visible', timeout: 2_000 }).catch(() => undefined);
        return undefined;
      }
      const text = (await hover.innerText({ timeout: 1_000 }).catch(() => '')).trim();
      const settled = text !== '' && !/^Loading\.\.\.$/m.test(text) && text === last;
      last = text;
      return settled ? text : undefined;
    });
  }

  /**
   * Clicks a link in the visible hover. A hover taller than the room around its line scrolls inside its own box, and
   * a link below that box is "visible" to the DOM while the code under it takes the click: wheel the hover until the
   * link is inside its box first.
   */
  async clickHoverLink(text: string): Promise<void> {
    const hover = this.page.locator('.monaco-editor .monaco-resizable-hover .monaco-hover:not(.hidden)').first();
    const link = hover.locator('a', { hasText: text }).first();
    await link.waitFor({ state: 'visible' });
    await poll(`the hover link "${text}" inside the hover's box`, TIMEOUTS.ui, async () => {
      const [box, at] = [await hover.boundingBox(), await link.boundingBox()];
      if (!box || !at) return undefined;
      if (at.y >= box.y && at.y + at.height <= box.y + box.height) return true;
      await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await this.page.mouse.wheel(0, at.y < box.y ? -100 : 100);
      return undefined;
    });
    await link.click();
  }

  /** Line and column (1-based, inside the word) of an occurrence of `text` in the active file on disk. */
  private locate(text: string, occurrence: number): { line: number; column: number } {
    if (!this.activeFile) throw new Error('hoverAt({ text }) needs a file opened with openFile first');
    const lines = readFileSync(join(this.workspace, this.activeFile), 'utf8').split('\n');
    let seen = 0;
    for (let index = 0; index < lines.length; index++) {
      for (let at = lines[index]!.indexOf(text); at >= 0; at = lines[index]!.indexOf(text, at + 1)) {
        if (++seen === occurrence) return { line: index + 1, column: at + 1 + Math.min(1, text.length - 1) };
      }
    }
    throw new Error(`"${text}" occurs ${seen} times in ${this.activeFile}, not ${occurrence}`);
  }

  /** Titles of the CodeLenses rendered in the active editor's viewport, top to bottom. */
  async codeLensTexts(): Promise<string[]> {
    const lenses = this.page.locator('.editor-instance .monaco-editor.focused .codelens-decoration > a, .editor-instance .monaco-editor.focused .codelens-decoration > span');
    return (await lenses.allInnerTexts()).map((text) => text.replace(/\u00a0/g, ' ').trim()).filter((text) => text !== '' && text !== '|');
  }

  /**
   * Waits for a CodeLens whose title matches, then clicks it. Lenses are re-rendered when they resolve or the index
   * changes, and a click on one being replaced is lost: with `until`, the click is repeated until that locator shows.
   */
  async clickCodeLens(title: string | RegExp, until?: Locator): Promise<void> {
    const lens = this.page.locator('.codelens-decoration > a', { hasText: title }).first();
    await lens.waitFor({ state: 'visible' }).catch(async () => {
      throw new Error(`no CodeLens matching ${String(title)} within ${TIMEOUTS.ui / 1000} s; visible: ${JSON.stringify(await this.codeLensTexts())}`);
    });
    if (!until) {
      await lens.click();
      return;
    }
    await poll(`${String(until)} after clicking the CodeLens ${String(title)}`, TIMEOUTS.ui, async () => {
      if (await until.isVisible()) return true;
      await lens.click({ timeout: 2_000 }).catch(() => undefined);
      return until.waitFor({ state: 'visible', timeout: 2_000 }).then(() => true, () => undefined);
    });
  }

  /**
   * The frame that shows `selector`, once one does. A webview's page lives in nested iframes: its frame is found by
   * what it holds, not by VS Code's frame names.
   */
  async frameWith(selector: string, timeoutMs = 60_000): Promise<Frame> {
    return poll(`a webview frame showing ${selector}`, timeoutMs, async () => {
      for (const frame of this.page.frames()) {
        if (await frame.$(selector).catch(() => null)) return frame;
      }
      return undefined;
    });
  }

  /** Runs a command by its exact title through the command palette (F1). */
  async runCommand(title: string): Promise<void> {
    const input = await this.openQuickInput('F1');
    await input.fill(`>${title}`);
    const row = this.quickInputRows().filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) }).first();
    await row.waitFor({ state: 'visible' }).catch(async () => {
      const offered = await this.quickInputRows().locator('.label-name').allInnerTexts();
      throw new Error(`the command palette has no command titled "${title}"; it offers: ${JSON.stringify(offered.slice(0, 10))}`);
    });
    await row.click();
    await this.quickInputWidget().waitFor({ state: 'hidden' });
  }

  /** Labels offered by "Output: Show Output Channels..." (one per output channel), after which the palette is closed. */
  async outputChannels(): Promise<string[]> {
    const input = await this.openQuickInput('F1');
    await input.fill('>Output: Show Output Channels...');
    const row = this.quickInputRows().filter({ has: this.page.locator('.label-name', { hasText: /^Output: Show Output Channels\.\.\.$/ }) }).first();
    await row.click();
    await this.quickInputRows().first().waitFor({ state: 'visible' });
    const names = await this.quickInputRows().locator('.label-name').allInnerTexts();
    await this.page.keyboard.press('Escape');
    await this.quickInputWidget().waitFor({ state: 'hidden' });
    return names.map((name) => name.trim());
  }

  /** Text of the first status bar item matching, or undefined. */
  async statusBarText(match: RegExp): Promise<string | undefined> {
    return (await this.statusBarTexts()).find((text) => match.test(text));
  }

  async statusBarTexts(): Promise<string[]> {
    const texts = await this.page.locator('.part.statusbar .statusbar-item').allInnerTexts();
    return texts.map((text) => text.replace(/\s+/g, ' ').trim()).filter((text) => text !== '');
  }

  /** Waits for a status bar item matching; on timeout saves a screenshot and says what the status bar showed. */
  async waitForStatus(match: RegExp, timeoutMs = TIMEOUTS.status): Promise<string> {
    try {
      return await poll(`a status bar item matching ${match}`, timeoutMs, () => this.statusBarText(match));
    } catch (err) {
      const shot = await this.screenshot(`status-timeout-${match.source}`).catch(() => '(no screenshot)');
      throw new Error(`${(err as Error).message}; the status bar shows ${JSON.stringify(await this.statusBarTexts())}; screenshot: ${shot}`);
    }
  }

  /** Types into the active editor at the cursor (literally: auto-closing and suggestions are off) and saves. */
  async typeAndSave(text: string): Promise<void> {
    await this.page.keyboard.type(text);
    await this.page.keyboard.press('Control+S');
    await this.page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached' }).catch(() => {
      throw new Error(`${this.activeFile ?? 'the active file'} was still unsaved ${TIMEOUTS.ui / 1000} s after Ctrl+S`);
    });
  }

  /** Saves a PNG of the whole window under test-results/e2e/ and returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const path = join(RESULTS_DIR, `${this.label}-${fileSlug(name)}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  /** The extension host's log (activation events, extension errors) of the latest session. */
  extensionHostLog(): string {
    const logs = join(this.stateDir, 'user-data', 'logs');
    const sessions = existsSync(logs) ? readdirSync(logs).sort().reverse() : [];
    for (const session of sessions) {
      const file = join(logs, session, 'exthost1', 'remoteexthost.log');
      if (existsSync(file)) return readFileSync(file, 'utf8');
    }
    return '';
  }

  /** Closes the browser and stops code-server; keeps its log under test-results/e2e/logs/. Safe to call twice. */
  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await stopServer(this.server);
    const logDir = join(RESULTS_DIR, 'logs');
    mkdirSync(logDir, { recursive: true });
    writeFileSync(join(logDir, `${this.label}-start.log`), this.serverOutput());
    const serverLog = join(this.stateDir, 'code-server.log');
    if (existsSync(serverLog)) copyFileSync(serverLog, join(logDir, `${this.label}-code-server.log`));
    writeFileSync(join(logDir, `${this.label}-exthost.log`), this.extensionHostLog());
    if (process.env.E2E_KEEP === '1') process.stdout.write(`    kept ${this.tempDir}\n`);
    else rmSync(this.tempDir, { recursive: true, force: true });
  }

  private quickInputWidget(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** The rows the open quick input (Quick Open, Go to Line, the palette) offers. */
  quickInputRows(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  }

  /** Presses `key` (Control+P, F1, ...) and returns the quick input's text box once it shows. */
  async openQuickInput(key: string): Promise<Locator> {
    await this.page.keyboard.press(key);
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' }).catch(() => {
      throw new Error(`${key} did not open the quick input within ${TIMEOUTS.ui / 1000} s`);
    });
    return input;
  }
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  killGroup(server, 'SIGTERM');
  const timer = setTimeout(() => killGroup(server, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  // start.mjs exits once code-server has; anything else left in the group goes now.
  killGroup(server, 'SIGKILL');
}

/**
 * Mocha wiring: one editor per `describe`, a screenshot of every failed test, and teardown even when a hook fails.
 * Returns a getter, since the editor exists only once `before` has run.
 */
export function useEditor(options: LaunchOptions = {}): () => Editor {
  let editor: Editor | undefined;
  before(async function () {
    this.timeout(TIMEOUTS.server + TIMEOUTS.workbench + TIMEOUTS.ui);
    editor = await Editor.launch(options);
  });
  afterEach(async function () {
    if (editor && this.currentTest?.state === 'failed') {
      const shot = await editor.screenshot(`failed-${this.currentTest.title}`).catch(() => undefined);
      if (shot) process.stdout.write(`    screenshot: ${shot}\n`);
    }
  });
  after(async function () {
    this.timeout(30_000);
    await editor?.close();
  });
  return () => {
    if (!editor) throw new Error('the editor did not start (see the before hook)');
    return editor;
  };
}
