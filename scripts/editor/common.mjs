// What the editor scripts share: where things live, the pinned code-server, and running a command with a clear failure.
// Only Node built-ins here: install.mjs runs before `npm ci` on a fresh machine.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Everything the editor tooling installs or writes lives here (git-ignored). */
export const EDITOR_DIR = join(REPO_ROOT, '.editor');
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_PREFIX = join(EDITOR_DIR, 'code-server');
export const CODE_SERVER_PACKAGE = join(CODE_SERVER_PREFIX, 'node_modules', 'code-server');
export const CODE_SERVER_BIN = join(CODE_SERVER_PACKAGE, 'out', 'node', 'entry.js');
/** code-server writes a default config on first run; keep it here instead of in ~/.config. */
export const CODE_SERVER_CONFIG = join(EDITOR_DIR, 'code-server.yaml');
export const VSIX_PATH = join(REPO_ROOT, 'dist', 'spdk-lens.vsix');
export const SAMPLE_WORKSPACE = join(REPO_ROOT, 'test', 'fixtures', 'sample-spdk');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function log(message) {
  process.stdout.write(`[editor] ${message}\n`);
}

/** Thrown for failures the user can act on: the scripts print the message without a stack. */
export class UserError extends Error {}

/**
 * Runs a command and resolves with its output; rejects with the command line and the tail of its output.
 * `quiet` keeps the output unless it fails.
 */
export function run(command, args, { cwd = REPO_ROOT, env = process.env, quiet = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (stream, sink) => {
      stream.on('data', (chunk) => {
        output += chunk;
        if (!quiet) sink.write(chunk);
      });
    };
    collect(child.stdout, process.stdout);
    collect(child.stderr, process.stderr);
    child.on('error', (err) => reject(new UserError(`cannot run ${command}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(output);
      else {
        const tail = output.trim().split('\n').slice(-30).join('\n');
        reject(new UserError(`${command} ${args.join(' ')} (in ${cwd}) failed with ${signal ?? `exit code ${code}`}:\n${tail}`));
      }
    });
  });
}

/** Runs an async main and turns UserError into a one-line message and exit code 1. */
export function main(body) {
  body().catch((err) => {
    if (err instanceof UserError) process.stderr.write(`[editor] ${err.message}\n`);
    else process.stderr.write(`[editor] ${err?.stack ?? err}\n`);
    process.exit(1);
  });
}

export function formatMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
