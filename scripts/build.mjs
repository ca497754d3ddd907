// Bundles the extension, CLI, worker, benchmark and webviews with esbuild and copies the tree-sitter WASM files into grammars/.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function copyGrammars() {
  const grammars = join(root, 'grammars');
  mkdirSync(grammars, { recursive: true });
  const runtimeDir = dirname(require.resolve('web-tree-sitter'));
  const cGrammarDir = dirname(require.resolve('tree-sitter-c/package.json'));
  copyFileSync(join(runtimeDir, 'tree-sitter.wasm'), join(grammars, 'tree-sitter.wasm'));
  copyFileSync(join(cGrammarDir, 'tree-sitter-c.wasm'), join(grammars, 'tree-sitter-c.wasm'));
}

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // The ESM build of web-tree-sitter relies on import.meta, which a CJS bundle silently breaks.
  alias: { 'web-tree-sitter': join(root, 'node_modules/web-tree-sitter/tree-sitter.cjs') },
};

/** ELK as its own page script (dist/webview/elk.js, its UMD build as published): see webview/graph/layout.ts. */
function copyLayoutEngine() {
  const webview = join(root, 'dist', 'webview');
  mkdirSync(webview, { recursive: true });
  copyFileSync(require.resolve('elkjs/lib/elk.bundled.js'), join(webview, 'elk.js'));
}

/** A webview page script: for the browser, one minified file in dist/webview. */
const webviewPage = { outdir: join(root, 'dist', 'webview'), platform: 'browser', format: 'iife', target: 'chrome120', minify: true, sourcemap: false };

copyGrammars();
copyLayoutEngine();
const builds = [
  { entryPoints: { extension: 'src/host/extension.ts' }, external: ['vscode'] },
  { entryPoints: { cli: 'src/cli/main.ts' }, banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: { worker: 'src/worker/indexWorker.ts' } },
  { entryPoints: { bench: 'bench/bench.ts' } },
  // The bdev graph webview: DOM only, one script with the toolkit bundled in, beside elk.js (the vsix has no node_modules).
  ...['webview/graph/main.ts', 'webview/graph/graph.css'].map((entry) => ({ entryPoints: { graph: entry }, ...webviewPage })),
  // The book chapter webview: DOM only, its chapter arrives by postMessage.
  { entryPoints: { book: 'webview/book/main.ts' }, ...webviewPage },
];
for (const build of builds) {
  const options = { ...common, outdir: join(root, 'dist'), ...build, absWorkingDir: root };
  if (watch) await (await esbuild.context(options)).watch();
  else await esbuild.build(options);
}
