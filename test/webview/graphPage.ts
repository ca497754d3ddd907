// The bdev graph webview page in headless Chromium, as the host serves it: the built bundle from dist/webview over
// HTTP, the same HTML and CSP (fresh nonce), and a stub acquireVsCodeApi that records what the page posts and saves.
// CSP violations, console errors and page errors are collected so a test can fail on any of them.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { GraphViewToHost, HostToGraphView } from '../../src/core/graph/graphViewProtocol';
import { graphPageHtml, newNonce } from '../../src/host/graph/graphPageHtml';
import { REPO_ROOT } from '../unit/helpers';

export const WEBVIEW_DIST = join(REPO_ROOT, 'dist', 'webview');

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css' };

/** Serves the page at / and the bundle under /webview/; each request for / gets a fresh nonce, as each render does. */
export async function serveGraphPage(): Promise<{ url: string; close(): Promise<void> }> {
  if (!existsSync(join(WEBVIEW_DIST, 'graph.js'))) throw new Error(`${WEBVIEW_DIST}/graph.js is missing: run npm run build first`);
  let origin = '';
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    // Browsers ask for a favicon; a webview page never does, so answer "nothing" rather than log a 404.
    if (path === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    if (path === '/') {
      const html = graphPageHtml({ cspSource: origin, nonce: newNonce(), scriptUri: `${origin}/webview/graph.js`, layoutEngineUri: `${origin}/webview/elk.js`, styleUri: `${origin}/webview/graph.css` });
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    const file = /^\/webview\/(graph\.(?:js|css)|elk\.js)$/.exec(path)?.[1];
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': CONTENT_TYPES[file.slice(file.lastIndexOf('.'))] }).end(readFileSync(join(WEBVIEW_DIST, file)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `${origin}/`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** What the page's globals look like to these callbacks (the test tsconfig has no DOM lib). */
export interface StubbedPage {
  __posted: GraphViewToHost[];
  __state: unknown;
  __problems: string[];
  postMessage(message: unknown, targetOrigin: string): void;
}

declare const window: StubbedPage;
declare const document: { body: { dataset: Record<string, string | undefined> } };

/** Before any page script: the stub VS Code API and a listener for CSP violations. */
function stubScript(initialState: unknown): string {
  return `
    window.__posted = [];
    window.__state = ${JSON.stringify(initialState ?? null)};
    window.__problems = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__problems.push('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI + ' ' + (e.sample || '')));
    let acquired = false;
    window.acquireVsCodeApi = () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
        getState: () => window.__state,
        setState: (s) => { window.__state = JSON.parse(JSON.stringify(s)); },
      };
    };`;
}

export interface GraphPage {
  page: Page;
  /** Console errors, page errors and CSP violations so far. */
  problems(): Promise<string[]>;
  posted(): Promise<GraphViewToHost[]>;
  post(message: HostToGraphView): Promise<void>;
  /** Posts a graph and waits until it is drawn. */
  showGraph(message: Extract<HostToGraphView, { type: 'graph' }>): Promise<void>;
}

export async function openGraphPage(browser: Browser, url: string, initialState?: unknown): Promise<GraphPage> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const outside: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') outside.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => outside.push(`page error: ${e.message}`));
  await page.addInitScript(stubScript(initialState));
  await page.goto(url);
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'), undefined, { timeout: 15_000 });
  // Typed as unknown: playwright's Serializable check recurses too deep on the message union.
  const post = async (message: HostToGraphView) => page.evaluate((m: unknown) => window.postMessage(m, '*'), message as unknown);
  return {
    page,
    problems: async () => [...outside, ...(await page.evaluate(() => window.__problems))],
    posted: () => page.evaluate(() => window.__posted),
    post,
    showGraph: async (message) => {
      const before = await page.evaluate(() => Number(document.body.dataset.rendered ?? '0'));
      await post(message);
      await page.waitForFunction((n) => Number(document.body.dataset.rendered ?? '0') > n, before, { timeout: 30_000 });
    },
  };
}
