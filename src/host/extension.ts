// VS Code entry point. Activation only wires things up and returns; the index is built right after, in workers.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { C_DOCUMENTS } from './cDocuments';
import { CheckDiagnostics } from './checkDiagnostics';
import { AsyncCallHierarchyProvider } from './callHierarchyProvider';
import { LensCodeLensProvider } from './codeLensProvider';
import { createCommands, registerCommands } from './commands';
import { needsReindex, readConfig } from './config';
import { registerBdevGraph } from './graph/bdevGraphPanel';
import { LensHoverProvider } from './hoverProvider';
import { registerPathView } from './pathView';
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
    const reading = registerReading(context, workspace, log, config);
    const graph = registerBdevGraph(context, workspace, config, log);
    const checks = new CheckDiagnostics(workspace, config, log, vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules.md'));
    const paths = registerPathView(workspace);
    context.subscriptions.push(
      workspace,
      checks,
      codeLenses,
      ...reading.disposables,
      ...graph.disposables,
      ...paths.disposables,
      vscode.languages.registerHoverProvider(C_DOCUMENTS, new LensHoverProvider(workspace, reading.bookLinks)),
      vscode.languages.registerCodeLensProvider(C_DOCUMENTS, codeLenses),
      vscode.languages.registerCallHierarchyProvider(C_DOCUMENTS, new AsyncCallHierarchyProvider(workspace)),
      vscode.languages.registerHoverProvider({ scheme: 'file' }, rpcLinks),
      vscode.languages.registerDefinitionProvider({ scheme: 'file' }, rpcLinks),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration('spdkLens')) return;
        const previous = { ...config };
        Object.assign(config, readConfig()); // in place: every holder of the object sees the new values
        workspace.updateConfig(config);
        codeLenses.setEnabled(config.codeLens);
        reading.setBookLensesEnabled(config.codeLens);
        if (previous.bookPath !== config.bookPath) reading.book.folderChanged();
        graph.configChanged(previous);
        if (needsReindex(event)) void workspace.start();
        else if (event.affectsConfiguration('spdkLens.checks')) void checks.update();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void workspace.start()),
      ...registerCommands(createCommands({ workspace, config, log, reading, graph, checks, paths: paths.view, activationMs: () => activationMs }), workspace),
    );
    // The editor benchmark drives VS Code through its palette; users never see the measuring command.
    if (process.env.SPDK_LENS_MEASURE_OUT) void vscode.commands.executeCommand('setContext', 'spdkLens.benchmark', true);
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

export function deactivate(): void {}
