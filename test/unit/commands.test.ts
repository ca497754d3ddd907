// Command ids: one set of constants (src/shared/commandIds.ts) that matches what package.json contributes, and no id
// written out anywhere else in the code.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { COMMAND } from '../../src/shared/commandIds';
import { REPO_ROOT, tsFiles } from './helpers';

interface Manifest {
  contributes: { commands: { command: string }[]; menus: { commandPalette: { command: string; when?: string }[] } };
}

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;

describe('commands', () => {
  it('contributes exactly the commands the id constants name', () => {
    assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), Object.values(COMMAND).sort());
  });

  it('keeps the editor benchmark hook out of the Command Palette unless the benchmark started the editor', () => {
    const entry = manifest.contributes.menus.commandPalette.find((m) => m.command === COMMAND.measureEditor);
    assert.equal(entry?.when, 'spdkLens.benchmark');
    const extension = readFileSync(join(REPO_ROOT, 'src', 'host', 'extension.ts'), 'utf8');
    assert.match(extension, /if \(process\.env\.SPDK_LENS_MEASURE_OUT\) void vscode\.commands\.executeCommand\('setContext', 'spdkLens\.benchmark', true\)/);
  });

  it('writes command ids only in src/shared/commandIds.ts', () => {
    const ids = new Set<string>(Object.values(COMMAND));
    const offenders: string[] = [];
    for (const file of [...tsFiles(join(REPO_ROOT, 'src')), ...tsFiles(join(REPO_ROOT, 'webview'))]) {
      if (file.endsWith(join('shared', 'commandIds.ts'))) continue;
      for (const match of readFileSync(file, 'utf8').matchAll(/spdkLens\.[\w.]+/g)) {
        if (ids.has(match[0])) offenders.push(`${relative(REPO_ROOT, file)}: ${match[0]}`);
      }
    }
    assert.deepEqual(offenders, []);
  });
});
