// The bdev graph panel's HTML: a strict CSP with a fresh nonce per render, the bundled script and stylesheet by URI,
// and no data in the markup (everything arrives by postMessage). No vscode import: the webview tests load the same page.
import { randomBytes } from 'node:crypto';
import { escapeHtml } from '../../core/util/html';

export interface GraphPageResources {
  /** The webview's cspSource (where asWebviewUri resources are served from). */
  cspSource: string;
  scriptUri: string;
  /** ELK on its own (elk.js): fetched and compiled off the main thread while the app draws its controls. */
  layoutEngineUri: string;
  styleUri: string;
  nonce: string;
}

export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * `default-src 'none'`: scripts only with the nonce; styles from the extension's own files, plus nonce'd style
 * elements (the toolkit probes :focus-visible with an empty <style> carrying the page's csp-nonce meta).
 */
export function graphPageCsp(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `img-src ${cspSource} data:`, `style-src ${cspSource} 'nonce-${nonce}'`, `font-src ${cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
}

export function graphPageHtml(resources: GraphPageResources): string {
  const csp = graphPageCsp(resources.cspSource, resources.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta property="csp-nonce" content="${escapeHtml(resources.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(resources.styleUri)}">
<script nonce="${escapeHtml(resources.nonce)}" async id="layout-engine" src="${escapeHtml(resources.layoutEngineUri)}"></script>
<title>SPDK Bdev Graph</title>
</head>
<body>
<div id="app"><p class="boot">Loading the bdev graph…</p></div>
<script nonce="${escapeHtml(resources.nonce)}" src="${escapeHtml(resources.scriptUri)}"></script>
</body>
</html>
`;
}
