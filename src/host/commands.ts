// The one table of SPDK Lens commands. Each says what it does and what it does while the index is not ready; the
// table is registered in one loop, so no command is registered anywhere else.
import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { chapterLabel } from '../core/book/bookFolder';
import { BOOK_TOPICS, type BookTopic } from '../core/knowledge/contextKinds';
import { COMMAND, type CommandName } from '../shared/commandIds';
import type { CheckDiagnostics } from './checkDiagnostics';
import type { LensConfig } from './config';
import { measureEditor } from './editorMeasurements';
import type { BdevGraphCommands } from './graph/bdevGraphPanel';
import { validateTours, type ReadingFeatures } from './tour/registerReading';
import { BUILTIN_TOUR_ID } from './tour/tourLibrary';
import type { WorkspaceIndex } from './workspaceIndex';

export interface CommandContext {
  workspace: WorkspaceIndex;
  config: LensConfig;
  log: vscode.LogOutputChannel;
  reading: ReadingFeatures;
  graph: BdevGraphCommands;
  checks: CheckDiagnostics;
  /** The lifecycle path view (src/host/pathView.ts). */
  paths: { show(query?: unknown): Promise<void> };
  activationMs: () => number;
}

/** Takes whatever arguments the caller (a menu, a link, CodeLens, executeCommand) passes; each handler checks them. */
type Handler = (...args: never[]) => unknown;

export interface CommandFactory {
  /** What the command does. */
  enabled: Handler;
  /** While the index is not ready: 'run' when the command does not need it, or what to do instead. */
  whenIndexNotReady: 'run' | Handler;
}

/** "index indexing", "index failed: …": the state line shown when a command needs the index. */
function indexState(workspace: WorkspaceIndex): string {
  return `index ${workspace.state === 'error' ? `failed: ${workspace.lastError}` : workspace.state.replace('_', ' ')}`;
}

export function createCommands(ctx: CommandContext): Record<CommandName, CommandFactory> {
  const { workspace, log, reading, graph } = ctx;
  const { book, chapters, player, tours } = reading;
  const chooseBookFolder = async (message: string) => {
    if (await vscode.window.showInformationMessage(message, 'Choose Book Folder')) await vscode.commands.executeCommand(COMMAND.bookChooseFolder);
  };
  return {
    openLocation: {
      enabled: async (file: unknown, line: unknown) => {
        if (typeof file !== 'string' || !workspace.root) return;
        const uri = workspace.uriOf(file);
        if (workspace.fileOf(uri) === undefined) return;
        const target = Math.max(0, (typeof line === 'number' ? line : 1) - 1);
        await vscode.window.showTextDocument(uri, { selection: new vscode.Range(target, 0, target, 0), preview: true });
      },
      whenIndexNotReady: 'run',
    },
    peekLocations: {
      enabled: async (uri: vscode.Uri, position: vscode.Position, locations: vscode.Location[]) => {
        if (locations.length === 1 && uri.toString() !== locations[0].uri.toString()) {
          await vscode.window.showTextDocument(locations[0].uri, { selection: locations[0].range });
          return;
        }
        await vscode.commands.executeCommand('editor.action.peekLocations', uri, position, locations, 'peek');
      },
      whenIndexNotReady: 'run',
    },
    reindex: { enabled: () => workspace.start(), whenIndexNotReady: 'run' },
    showIndexSummary: {
      enabled: () => {
        log.show(true);
        const index = workspace.ready!;
        const s = index.stats;
        const message = `SPDK Lens: ${s.files} files indexed in ${workspace.readyMs} ms (${s.parsedFiles} parsed, ${s.cachedFiles} from cache), ${index.rpcMethods().length} RPC methods, ${index.problems.length} problems. Root: ${workspace.root}`;
        log.info(message);
        void vscode.window.showInformationMessage(message);
      },
      whenIndexNotReady: () => {
        log.show(true);
        void vscode.window.showInformationMessage(`SPDK Lens: ${indexState(workspace)}.`);
      },
    },
    measureEditor: {
      // The editor benchmark's hook (hidden from the Command Palette): it drives VS Code from outside and reads the figures from SPDK_LENS_MEASURE_OUT.
      enabled: async (options?: unknown) => {
        const result = await measureEditor(workspace, ctx.activationMs(), options);
        log.info(`editor measurements: ${JSON.stringify(result)}`);
        const out = process.env.SPDK_LENS_MEASURE_OUT;
        if (out) await writeFile(out, JSON.stringify(result, null, 2));
        return result;
      },
      whenIndexNotReady: 'run', // it waits for the index itself and reports the wait
    },
    tourStart: {
      enabled: async (tourId?: unknown, step?: unknown) => {
        let id = typeof tourId === 'string' ? tourId : undefined;
        if (!id) {
          const list = (await tours.list()).filter((t) => t.tour);
          if (list.length === 1) id = list[0].id;
          else {
            const pick = await vscode.window.showQuickPick(
              list.map((t) => ({ label: t.tour!.title, description: t.builtin ? 'built in' : vscode.workspace.asRelativePath(t.uri), id: t.id })),
              { title: 'SPDK Lens: start a tour' },
            );
            id = pick?.id;
          }
        }
        if (id) await player.start(id, typeof step === 'number' ? step : undefined);
      },
      whenIndexNotReady: 'run', // the player resolves each step when it is shown
    },
    tourStartBuiltin: { enabled: () => player.start(BUILTIN_TOUR_ID, 0), whenIndexNotReady: 'run' },
    tourNext: { enabled: () => player.next(), whenIndexNotReady: 'run' },
    tourPrevious: { enabled: () => player.previous(), whenIndexNotReady: 'run' },
    tourEnd: { enabled: () => player.end(), whenIndexNotReady: 'run' },
    tourValidate: {
      enabled: () => validateTours(tours, log),
      whenIndexNotReady: () => void vscode.window.showInformationMessage(`SPDK Lens: tours are validated against the index; wait until it is ready (${indexState(workspace)}).`),
    },
    bookOpenChapter: {
      enabled: (chapterPath?: unknown, block?: unknown) => {
        if (typeof chapterPath === 'string' && book.chapterAt(chapterPath)) chapters.open(chapterPath, typeof block === 'number' ? block : undefined);
      },
      whenIndexNotReady: 'run', // landmarks resolve once the index is ready
    },
    bookOpen: {
      enabled: async () => {
        const state = book.book();
        if (state.kind !== 'ok') return chooseBookFolder(state.kind === 'unset' ? 'SPDK Lens: no book folder is set.' : `SPDK Lens: ${state.error}`);
        const pick = await vscode.window.showQuickPick(
          state.chapters.filter((c) => c.chapter).map((c) => ({ label: chapterLabel(c.chapter!), description: c.chapter!.title, path: c.ref.path })),
          { title: 'SPDK Lens: open a book chapter' },
        );
        if (pick) chapters.open(pick.path);
      },
      whenIndexNotReady: 'run',
    },
    openBookTopic: {
      enabled: async (topic: unknown) => {
        if (typeof topic !== 'string' || !(topic in BOOK_TOPICS)) return;
        const info = BOOK_TOPICS[topic as BookTopic];
        const number = info.chapter.slice(0, info.chapter.indexOf('-') > 0 ? info.chapter.indexOf('-') : undefined);
        const chapter = book.chapters().find((c) => c.chapter && (c.ref.number === number || c.ref.fileName.startsWith(info.chapter)));
        if (chapter) chapters.open(chapter.ref.path);
        else await chooseBookFolder(`"${info.title}" is explained in chapter ${info.chapter} of SPDK From First Principles. Choose the book folder to read it here.`);
      },
      whenIndexNotReady: 'run',
    },
    bookChooseFolder: {
      enabled: async () => {
        const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use as SPDK book folder', title: 'Folder holding content/chapters/*.md' });
        if (picked?.[0]) await vscode.workspace.getConfiguration('spdkLens').update('book.path', picked[0].fsPath, vscode.ConfigurationTarget.Workspace);
      },
      whenIndexNotReady: 'run',
    },
    showBdevGraph: { enabled: () => graph.show(), whenIndexNotReady: 'run' }, // the panel says the index is building
    showBdevGraphOfConfig: { enabled: (uri?: unknown) => graph.showConfig(uri), whenIndexNotReady: 'run' }, // a saved config needs no index
    runChecks: {
      enabled: async () => {
        if (!ctx.config.checks.enabled) {
          void vscode.window.showInformationMessage('SPDK Lens: the thread-rule checks are turned off (spdkLens.checks.enabled).');
          return undefined;
        }
        const update = await ctx.checks.update();
        await vscode.commands.executeCommand('workbench.actions.view.problems');
        return update;
      },
      whenIndexNotReady: () => void vscode.window.showInformationMessage(`SPDK Lens: the checks read the index; wait until it is ready (${indexState(workspace)}).`),
    },
    showLifecyclePaths: {
      enabled: (query?: unknown) => ctx.paths.show(query),
      whenIndexNotReady: () => void vscode.window.showInformationMessage(`SPDK Lens: lifecycle paths are read from the index; wait until it is ready (${indexState(workspace)}).`),
    },
  };
}

/** Registers every command of the table; each call checks the index state at the time it runs. */
export function registerCommands(table: Record<CommandName, CommandFactory>, workspace: WorkspaceIndex): vscode.Disposable[] {
  return (Object.keys(table) as CommandName[]).map((name) => {
    const { enabled, whenIndexNotReady } = table[name];
    const run = (whenIndexNotReady === 'run' ? enabled : whenIndexNotReady) as (...args: unknown[]) => unknown;
    return vscode.commands.registerCommand(COMMAND[name], (...args: unknown[]) => (workspace.ready ? (enabled as (...args: unknown[]) => unknown)(...args) : run(...args)));
  });
}
