// Installs what running SPDK Lens in a real VS Code needs: Debian packages (Chromium, ripgrep, a C++ toolchain and the
// Kerberos headers for code-server's native modules) and a pinned code-server in .editor/code-server/.
// Idempotent: when everything is in place it only checks that code-server starts (well under a second).
import { existsSync, mkdirSync, readFileSync, rmSync, copyFileSync, writeFileSync, chmodSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  CODE_SERVER_BIN,
  CODE_SERVER_CONFIG,
  CODE_SERVER_PACKAGE,
  CODE_SERVER_PREFIX,
  CODE_SERVER_VERSION,
  CHROMIUM_PATH,
  formatMs,
  log,
  main,
  run,
  UserError,
} from './common.mjs';

/** Debian package -> why the editor tooling needs it. */
const DEBIAN_PACKAGES = {
  chromium: 'the browser the e2e tests drive',
  ripgrep: "VS Code's file search (its npm package would download rg from outside the registry)",
  'libkrb5-dev': "headers for code-server's kerberos module",
  'build-essential': "compiles code-server's native modules (node-pty, spdlog, argon2, ...)",
  python3: 'node-gyp',
};

/** Written last, so a half-finished install is redone rather than trusted. */
const MARKER = join(CODE_SERVER_PREFIX, 'installed.json');
const RIPGREP = '/usr/bin/rg';

function missingDebianPackages() {
  const probe = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Abbrev}\n', ...Object.keys(DEBIAN_PACKAGES)], {
    encoding: 'utf8',
  });
  if (probe.error) throw new UserError('dpkg-query not found: this script installs system packages on Debian/Ubuntu only.');
  const installed = new Set(
    probe.stdout
      .split('\n')
      .filter((line) => /\sii\s*$/.test(line))
      .map((line) => line.split(' ')[0]),
  );
  return Object.keys(DEBIAN_PACKAGES).filter((name) => !installed.has(name));
}

async function ensureDebianPackages() {
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  const command = `apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    const reasons = missing.map((name) => `  ${name}: ${DEBIAN_PACKAGES[name]}`).join('\n');
    throw new UserError(`missing Debian packages:\n${reasons}\nInstall them, then run this again:\n  sudo apt-get update && sudo ${command}`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-qq'], { env, quiet: true });
  await run('apt-get', ['install', '-y', '-qq', ...missing], { env, quiet: true });
  const still = missingDebianPackages();
  if (still.length > 0) throw new UserError(`apt-get did not install: ${still.join(' ')}`);
}

function readMarker() {
  try {
    return JSON.parse(readFileSync(MARKER, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The Node ABI matters: native modules built for one Node major do not load in another. */
function wantedMarker() {
  return { codeServer: CODE_SERVER_VERSION, nodeModulesAbi: process.versions.modules };
}

async function codeServerVersion() {
  const output = await run(process.execPath, [CODE_SERVER_BIN, '--config', CODE_SERVER_CONFIG, '--version'], { quiet: true });
  return output.trim().split('\n').at(-1) ?? '';
}

/**
 * code-server's postinstall runs `npm install` in lib/vscode, where @vscode/ripgrep downloads rg from outside the
 * registry. So the steps are done here one by one: fetch without scripts, put Debian's rg where @vscode/ripgrep looks
 * (its postinstall then skips the download), and build the native modules with `npm rebuild`.
 */
async function installCodeServer() {
  const npmEnv = {
    ...process.env,
    // code-server's scripts refuse to run as root without these; harmless otherwise.
    npm_config_unsafe_perm: 'true',
    npm_config_yes: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  rmSync(CODE_SERVER_PREFIX, { recursive: true, force: true });
  mkdirSync(CODE_SERVER_PREFIX, { recursive: true });
  writeFileSync(
    join(CODE_SERVER_PREFIX, 'package.json'),
    `${JSON.stringify({ name: 'spdk-lens-editor', private: true, dependencies: { 'code-server': CODE_SERVER_VERSION } }, null, 2)}\n`,
  );
  log(`installing code-server ${CODE_SERVER_VERSION} into ${CODE_SERVER_PREFIX}`);
  await run('npm', ['install', '--ignore-scripts'], { cwd: CODE_SERVER_PREFIX, env: npmEnv, quiet: true });

  const vscodeDir = join(CODE_SERVER_PACKAGE, 'lib', 'vscode');
  log("installing VS Code's own dependencies (npm-shrinkwrap.json)");
  await run('npm', ['install', '--omit=dev', '--ignore-scripts'], { cwd: vscodeDir, env: npmEnv, quiet: true });
  const rgDir = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  copyFileSync(RIPGREP, join(rgDir, 'rg'));
  chmodSync(join(rgDir, 'rg'), 0o755);
  log('building native modules (node-pty, spdlog, kerberos, ...); about a minute on two cores');
  await run('npm', ['rebuild'], { cwd: vscodeDir, env: npmEnv, quiet: true });
  await run('npm', ['install', '--omit=dev'], { cwd: join(vscodeDir, 'extensions'), env: npmEnv, quiet: true });
  await run('npm', ['rebuild', 'argon2'], { cwd: CODE_SERVER_PREFIX, env: npmEnv, quiet: true });
  linkLikePostinstall(vscodeDir);
}

/** The links code-server's postinstall.sh makes; extensions look for files under node_modules.asar. */
function linkLikePostinstall(vscodeDir) {
  const links = [
    [vscodeDir, 'node_modules', 'node_modules.asar'],
    [join(vscodeDir, 'bin', 'remote-cli'), 'code-linux.sh', 'code-server'],
    [join(vscodeDir, 'bin', 'helpers'), 'browser-linux.sh', 'browser.sh'],
  ];
  for (const [dir, target, name] of links) {
    rmSync(join(dir, name), { recursive: true, force: true });
    const made = spawnSync('ln', ['-s', target, name], { cwd: dir, encoding: 'utf8' });
    if (made.status !== 0) throw new UserError(`cannot link ${join(dir, name)} -> ${target}: ${made.stderr}`);
  }
}

/** Loads the native modules code-server needs at start, so a bad build fails here and not in a test. */
async function verifyNativeModules() {
  const vscodeModules = join(CODE_SERVER_PACKAGE, 'lib', 'vscode', 'node_modules');
  const modules = [join(CODE_SERVER_PREFIX, 'node_modules', 'argon2'), ...['node-pty', '@vscode/spdlog', 'native-watchdog', '@parcel/watcher'].map((name) => join(vscodeModules, name))];
  const script = `for (const m of ${JSON.stringify(modules)}) require(m);`;
  await run(process.execPath, ['-e', script], { quiet: true });
}

main(async () => {
  const started = Date.now();
  if (Number(process.versions.node.split('.')[0]) !== 20) {
    throw new UserError(`code-server ${CODE_SERVER_VERSION} runs on Node 20 only; this is Node ${process.versions.node}.`);
  }
  await ensureDebianPackages();
  if (!existsSync(CHROMIUM_PATH)) throw new UserError(`no browser at ${CHROMIUM_PATH} (set CHROMIUM_PATH to use another Chromium).`);

  const marker = readMarker();
  const wanted = wantedMarker();
  const upToDate = marker && Object.entries(wanted).every(([key, value]) => marker[key] === value) && existsSync(CODE_SERVER_BIN);
  if (!upToDate) {
    await installCodeServer();
    await verifyNativeModules();
  }
  const version = await codeServerVersion();
  if (!version.startsWith(`${CODE_SERVER_VERSION} `)) {
    throw new UserError(`expected code-server ${CODE_SERVER_VERSION}, got "${version}"; delete ${CODE_SERVER_PREFIX} and run this again.`);
  }
  if (!upToDate) writeFileSync(MARKER, `${JSON.stringify({ ...wanted, installedAt: new Date().toISOString() }, null, 2)}\n`);
  log(`code-server ${version} ready (${upToDate ? 'already installed' : 'installed'} in ${formatMs(Date.now() - started)})`);
});
