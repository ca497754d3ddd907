// VS Code entry point. The editor features (hovers, CodeLens, graph, tour) arrive with their own issues; for now the
// extension activates on an SPDK tree and can show the index summary.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('SPDK Lens', { log: true });
  context.subscriptions.push(log);
  context.subscriptions.push(
    vscode.commands.registerCommand('spdkLens.showIndexSummary', () => {
      log.show();
      log.info('SPDK Lens: the editor integration is not built yet; run "npx spdk-lens index <root>" for the index.');
    }),
  );
}

export function deactivate(): void {}
