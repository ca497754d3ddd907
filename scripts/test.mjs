// `npm test`: every suite runs even when one before it fails (a failing unit test must not hide the end-to-end
// results), and the exit code is non-zero when any failed. Says once, up front, why the SPDK_DIR tests are pending.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './editor/common.mjs';

const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Each step: a name, its command, and the names of steps it cannot run without. */
const STEPS = [
  { name: 'install the editor', command: [process.execPath, join('scripts', 'editor', 'install.mjs')] },
  { name: 'package the vsix', command: [process.execPath, join('scripts', 'editor', 'package.mjs')] },
  { name: 'typecheck', command: [NPM, 'run', '--silent', 'typecheck'] },
  { name: 'unit and webview tests', command: [NPX, 'mocha'], needs: ['package the vsix'] },
  { name: 'end-to-end tests', command: [NPX, 'mocha', '--config', '.mocharc.e2e.json'], needs: ['install the editor', 'package the vsix'] },
];

function spdkDirNote() {
  const spdkDir = process.env.SPDK_DIR;
  if (!spdkDir) return 'SPDK_DIR is not set: the tests on a real SPDK tree are pending (set SPDK_DIR to an SPDK checkout to run them).';
  if (!existsSync(join(spdkDir, 'include', 'spdk', 'thread.h'))) return `SPDK_DIR=${spdkDir} has no include/spdk/thread.h: the tests on a real SPDK tree are pending.`;
  return `SPDK_DIR=${spdkDir}: the tests on a real SPDK tree run too.`;
}

const note = spdkDirNote();
process.stdout.write(`[test] ${note}\n`);
const results = [];
for (const step of STEPS) {
  const missing = (step.needs ?? []).filter((name) => results.find((r) => r.name === name)?.status !== 'passed');
  if (missing.length > 0) {
    results.push({ name: step.name, status: `not run: ${missing.join(', ')} failed` });
    continue;
  }
  process.stdout.write(`\n[test] ${step.name}: ${step.command.join(' ')}\n`);
  const started = Date.now();
  const child = spawnSync(step.command[0], step.command.slice(1), { cwd: REPO_ROOT, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const status = child.error ? `failed: ${child.error.message}` : child.status === 0 ? 'passed' : `failed (exit ${child.status ?? child.signal})`;
  results.push({ name: step.name, status, seconds });
}
process.stdout.write('\n[test] summary\n');
for (const r of results) process.stdout.write(`[test]   ${r.name.padEnd(30)} ${r.status}${r.seconds ? ` (${r.seconds} s)` : ''}\n`);
process.stdout.write(`[test] ${note}\n`);
process.exit(results.every((r) => r.status === 'passed') ? 0 : 1);
