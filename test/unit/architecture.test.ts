// The analysis core never imports vscode (or the DOM): it must run in plain Node, in workers and in the CLI. The folders
// of src/ and webview/ import each other in one direction only.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';
import { REPO_ROOT } from './helpers';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** `src/core`, `webview/graph`: the top-level folder a file belongs to. */
function topFolder(file: string): string {
  return relative(REPO_ROOT, file).split(sep).slice(0, 2).join('/');
}

/** Which top-level folders each top-level folder imports from (relative imports only). */
function folderImports(files: readonly string[]): Map<string, Set<string>> {
  const imports = new Map<string, Set<string>>();
  for (const file of files) {
    const from = topFolder(file);
    for (const match of readFileSync(file, 'utf8').matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\(\s*)['"](\.[^'"]+)['"]/g)) {
      const to = topFolder(resolve(dirname(file), match[1]));
      if (to === from) continue;
      if (!imports.has(from)) imports.set(from, new Set());
      imports.get(from)!.add(to);
    }
  }
  return imports;
}

/** The first cycle found in a graph of folders, as a path that ends where it starts; undefined when there is none. */
function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('architecture', () => {
  it('keeps vscode imports out of src/core, src/worker and src/cli', () => {
    const offenders: string[] = [];
    for (const dir of ['src/core', 'src/worker', 'src/cli']) {
      for (const file of tsFiles(join(REPO_ROOT, dir))) {
        const text = readFileSync(file, 'utf8');
        if (/from\s+['"]vscode['"]|require\(['"]vscode['"]\)|\bdocument\.|\bwindow\./.test(text)) offenders.push(relative(REPO_ROOT, file));
      }
    }
    assert.deepEqual(offenders, []);
  });

  it("fails src/core's own typecheck on a vscode import", () => {
    const configPath = join(REPO_ROOT, 'src', 'core', 'tsconfig.json');
    const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, dirname(configPath));
    const check = (text: string) => {
      // A file that is not on disk, in src/core, compiled with src/core's options.
      const probe = join(REPO_ROOT, 'src', 'core', 'probe.ts');
      const host = ts.createCompilerHost(config.options);
      const getSourceFile = host.getSourceFile.bind(host);
      host.getSourceFile = (file, language, ...rest) => (resolve(file) === probe ? ts.createSourceFile(file, text, language) : getSourceFile(file, language, ...rest));
      const fileExists = host.fileExists.bind(host);
      host.fileExists = (file) => resolve(file) === probe || fileExists(file);
      return ts.getPreEmitDiagnostics(ts.createProgram([probe], config.options, host)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    };
    assert.deepEqual(check("import { join } from 'node:path';\nexport const here = join('a', 'b');\n"), []);
    assert.ok(check("import 'vscode';\n").some((m) => m.includes('MoveThisCodeToSrcHost')), 'a bare vscode import passed');
    assert.ok(check("import * as vscode from 'vscode';\nexport const w = vscode.window;\n").length > 0, 'vscode.window passed');
  });

  it('has no import cycle between the folders of src/ and webview/', () => {
    const files = [...tsFiles(join(REPO_ROOT, 'src')), ...tsFiles(join(REPO_ROOT, 'webview'))];
    const graph = folderImports(files);
    assert.ok(graph.get('src/worker')?.has('src/core'), 'the scan sees the worker importing the core');
    assert.equal(findCycle(graph)?.join(' -> '), undefined);
  });

  it('finds a cycle between folders when there is one', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    assert.deepEqual(findCycle(graph), ['a', 'b', 'c', 'a']);
    assert.equal(findCycle(new Map([['a', new Set(['b'])], ['b', new Set<string>()]])), undefined);
  });

  it('keeps tree-sitter queries in .scm files', () => {
    for (const file of tsFiles(join(REPO_ROOT, 'src'))) {
      assert.doesNotMatch(readFileSync(file, 'utf8'), /new Query\([^)]*['"`]\(/, `${file} compiles an inline query`);
    }
  });
});
