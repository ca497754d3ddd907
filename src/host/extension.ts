// VS Code entry point. Activation only wires things up and returns; the index is built right after, in workers.
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { C_DOCUMENTS } from './cDocuments';
import { AsyncCallHierarchyProvider } from './callHierarchyProvider';
import { LensCodeLensProvider, PEEK_LOCATIONS_COMMAND } from './codeLensProvider';
import { needsReindex, readConfig } from './config';
import { measureEditor } from './editorMeasurements';
import { registerBdevGraph } from './graph/bdevGraphPanel';
import { LensHoverProvider } from './hoverProvider';
import { RpcMethodLinks } from './rpcMethodLinks';
import { registerReading } from './tour/registerReading';
import { WorkspaceIndex } from './workspaceIndex';

let activationMs = 0;

export function activate(context: vscode.ExtensionContext): { activationMs: number } {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('SPDK Lens', { log: true });
  context.subscriptions.push(log);
  try {
    const config = readConfig();
    // One cache for every SPDK root, its files named by a hash of the root: workspace storage would be tidier, but its
    // folder changes between sessions in some hosts (code-server), which would make every start a cold one.
    const cacheDir = path.join(context.globalStorageUri.fsPath, 'index-cache');
    const workspace = new WorkspaceIndex(config, cacheDir, log);
    const codeLenses = new LensCodeLensProvider(workspace, config.codeLens);
    const rpcLinks = new RpcMethodLinks(workspace);
    const reading = registerReading(context, workspace, log, config.codeLens);
    context.subscriptions.push(
      workspace,
      codeLenses,
      ...reading.disposables,
      vscode.languages.registerHoverProvider(C_DOCUMENTS, new LensHoverProvider(workspace, reading.bookLinks)),
      vscode.languages.registerCodeLensProvider(C_DOCUMENTS, codeLenses),
      vscode.languages.registerCallHierarchyProvider(C_DOCUMENTS, new AsyncCallHierarchyProvider(workspace)),
      vscode.languages.registerHoverProvider({ scheme: 'file' }, rpcLinks),
      vscode.languages.registerDefinitionProvider({ scheme: 'file' }, rpcLinks),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration('spdkLens')) return;
        const next = readConfig();
        workspace.updateConfig(next);
        codeLenses.setEnabled(next.codeLens);
        reading.setBookLensesEnabled(next.codeLens);
        if (needsReindex(event)) void workspace.start();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void workspace.start()),
      ...registerCommands(workspace, log),
      ...registerBdevGraph(context, workspace, log),
    );
    // After activation returns: indexing must not hold up the extension host's start.
    setTimeout(() => void workspace.start(), 0);
  } catch (error) {
    log.error(`activation failed: ${(error as Error).stack ?? error}`);
    void vscode.window.showErrorMessage(`SPDK Lens failed to start: ${(error as Error).message}`);
  }
  activationMs = performance.now() - started;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs };
}

function registerCommands(workspace: WorkspaceIndex, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const openLocation = async (file: unknown, line: unknown) => {
    if (typeof file !== 'string' || !workspace.root) return;
    const uri = workspace.uriOf(file);
    if (workspace.fileOf(uri) === undefined) return;
    const target = Math.max(0, (typeof line === 'number' ? line : 1) - 1);
    const range = new vscode.Range(target, 0, target, 0);
    await vscode.window.showTextDocument(uri, { selection: range, preview: true });
  };
  return [
    vscode.commands.registerCommand('spdkLens.openLocation', openLocation),
    vscode.commands.registerCommand(PEEK_LOCATIONS_COMMAND, async (uri: vscode.Uri, position: vscode.Position, locations: vscode.Location[]) => {
      if (locations.length === 1 && uri.toString() !== locations[0].uri.toString()) {
        await vscode.window.showTextDocument(locations[0].uri, { selection: locations[0].range });
        return;
      }
      await vscode.commands.executeCommand('editor.action.peekLocations', uri, position, locations, 'peek');
    }),
    vscode.commands.registerCommand('spdkLens.reindex', () => workspace.start()),
    vscode.commands.registerCommand('spdkLens.showIndexSummary', async () => {
      log.show(true);
      const index = workspace.ready;
      if (!index) {
        const why = workspace.state === 'error' ? `failed: ${workspace.lastError}` : workspace.state.replace('_', ' ');
        void vscode.window.showInformationMessage(`SPDK Lens: index ${why}.`);
        return;
      }
      const s = index.stats;
      const methods = index.rpcMethods();
      const message = `SPDK Lens: ${s.files} files indexed in ${workspace.readyMs} ms (${s.parsedFiles} parsed, ${s.cachedFiles} from cache), ${methods.length} RPC methods, ${index.problems.length} problems. Root: ${workspace.root}`;
      log.info(message);
      void vscode.window.showInformationMessage(message);
    }),
    vscode.commands.registerCommand('spdkLens.measureEditor', async (options?: unknown) => {
      const result = await measureEditor(workspace, activationMs, options);
      log.info(`editor measurements: ${JSON.stringify(result)}`);
      // The editor benchmark drives VS Code from outside and reads the figures from this file.
      const out = process.env.SPDK_LENS_MEASURE_OUT;
      if (out) await writeFile(out, JSON.stringify(result, null, 2));
      return result;
    }),
  ];
}

export function deactivate(): void {}
