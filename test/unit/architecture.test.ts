// The analysis core never imports vscode (or the DOM): it must run in plain Node, in workers and in the CLI.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './helpers';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
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

  it('keeps tree-sitter queries in .scm files', () => {
    for (const file of tsFiles(join(REPO_ROOT, 'src'))) {
      assert.doesNotMatch(readFileSync(file, 'utf8'), /new Query\([^)]*['"`]\(/, `${file} compiles an inline query`);
    }
  });
});
