// `npm start`: SPDK Lens in a real VS Code. Installs code-server (install.mjs), packages the vsix (package.mjs),
// installs it into a project-local code-server, opens a workspace and prints the URL; runs until Ctrl-C.
// The e2e harness launches editors through this script too (with --no-prepare and its own --state-dir), so there is
// one way code-server is started.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CODE_SERVER_BIN,
  CODE_SERVER_CONFIG,
  EDITOR_DIR,
  formatMs,
  log,
  main,
  REPO_ROOT,
  run,
  SAMPLE_WORKSPACE,
  UserError,
  VSIX_PATH,
} from './common.mjs';

const USAGE = `usage: node scripts/editor/start.mjs [options]   (npm start -- [options])
  --workspace <dir>   folder to open (default: $SPDK_DIR, else test/fixtures/sample-spdk)
  --port <n>          port on 127.0.0.1 (default: $SPDK_LENS_PORT, else a free port)
  --state-dir <dir>   user data, extensions and the code-server log (default: .editor/state)
  --vsix <file>       extension to install (default: dist/spdk-lens.vsix)
  --no-prepare        skip install.mjs and package.mjs (they already ran)`;

/** Settings for a fresh profile: no telemetry, no update checks, no welcome page over the workspace. */
const DEFAULT_USER_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.enableExperiments': false,
  'workbench.startupEditor': 'none',
};

const READY_TIMEOUT_MS = 60_000;

function options() {
  const { values } = parseArgs({
    options: {
      workspace: { type: 'string' },
      port: { type: 'string' },
      'state-dir': { type: 'string' },
      vsix: { type: 'string' },
      'no-prepare': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const workspace = resolve(values.workspace ?? process.env.SPDK_DIR ?? SAMPLE_WORKSPACE);
  const portText = values.port ?? process.env.SPDK_LENS_PORT;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new UserError(`bad port "${portText}"`);
  return {
    workspace,
    port,
    stateDir: resolve(values['state-dir'] ?? join(EDITOR_DIR, 'state')),
    vsix: resolve(values.vsix ?? VSIX_PATH),
    prepare: !values['no-prepare'],
  };
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Adds the default settings a profile lacks; a settings.json that is not plain JSON (comments) is left alone. */
function writeDefaultSettings(userDataDir) {
  const file = join(userDataDir, 'User', 'settings.json');
  let settings = {};
  if (existsSync(file)) {
    try {
      settings = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return;
    }
  }
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...DEFAULT_USER_SETTINGS, ...settings }, null, 2)}\n`);
}

function tail(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Resolves when /healthz answers; rejects if code-server exits first or the timeout passes. */
async function waitForServer(url, child, logFile) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited;
  child.once('exit', (code, signal) => (exited = signal ?? `exit code ${code}`));
  for (;;) {
    if (exited) throw new UserError(`code-server stopped (${exited}) before it answered. Its log (${logFile}):\n${tail(logFile)}`);
    try {
      const response = await fetch(new URL('healthz', url));
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new UserError(`code-server did not answer ${url}healthz within ${formatMs(READY_TIMEOUT_MS)}. Its log (${logFile}):\n${tail(logFile)}`);
    }
    await new Promise((wake) => setTimeout(wake, 200));
  }
}

main(async () => {
  const opts = options();
  if (!existsSync(opts.workspace)) throw new UserError(`no such workspace folder: ${opts.workspace}`);
  if (!existsSync(join(opts.workspace, 'include', 'spdk', 'thread.h'))) {
    log(`note: ${opts.workspace} has no include/spdk/thread.h, so SPDK Lens will not activate by itself there`);
  }
  if (opts.prepare) {
    await run(process.execPath, [join(REPO_ROOT, 'scripts', 'editor', 'install.mjs')]);
    await run(process.execPath, [join(REPO_ROOT, 'scripts', 'editor', 'package.mjs')]);
  }
  if (!existsSync(opts.vsix)) throw new UserError(`no extension package at ${opts.vsix} (run node scripts/editor/package.mjs)`);

  const userDataDir = join(opts.stateDir, 'user-data');
  const extensionsDir = join(opts.stateDir, 'extensions');
  const logFile = join(opts.stateDir, 'code-server.log');
  mkdirSync(opts.stateDir, { recursive: true });
  writeDefaultSettings(userDataDir);
  const common = ['--config', CODE_SERVER_CONFIG, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  const installStarted = Date.now();
  await run(process.execPath, [CODE_SERVER_BIN, ...common, '--install-extension', opts.vsix, '--force'], { quiet: true });
  log(`installed ${opts.vsix} into ${extensionsDir} (${formatMs(Date.now() - installStarted)})`);

  const port = opts.port ?? (await freePort());
  const serverArgs = [
    ...common,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    opts.workspace,
  ];
  const logFd = openSync(logFile, 'w');
  // Not detached: Ctrl-C reaches code-server with this script, and the harness stops both by process group.
  const child = spawn(process.execPath, [CODE_SERVER_BIN, ...serverArgs], { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const stop = (signal) => {
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      process.exit(signal === 'SIGINT' ? 0 : 128 + 15);
    });
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, () => stop(signal));

  const base = `http://127.0.0.1:${port}/`;
  const serverStarted = Date.now();
  await waitForServer(base, child, logFile);
  const url = `${base}?folder=${encodeURIComponent(opts.workspace)}`;
  log(`code-server answered in ${formatMs(Date.now() - serverStarted)}; log: ${logFile}`);
  log(`SPDK Lens in VS Code, workspace ${opts.workspace}`);
  process.stdout.write(`\n  Open ${url}\n\n`);
  log('Ctrl-C stops it.');
  child.on('exit', (code, signal) => {
    log(`code-server stopped (${signal ?? `exit code ${code}`}); its log: ${logFile}`);
    process.exit(code ?? 1);
  });
});
