// Builds the bundles and packages dist/spdk-lens.vsix with vsce. Everything the extension runs is bundled, so the vsix
// carries no node_modules; this script checks that .vscodeignore kept sources and tests out and that it stays small.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatMs, log, main, REPO_ROOT, run, UserError, VSIX_PATH } from './common.mjs';

const MAX_BYTES = 5 * 1024 * 1024;
/** Paths inside the vsix (under extension/) that mean .vscodeignore let something through that does not run. */
const FORBIDDEN = [/^extension\/(src|test|bench|scripts|webview|node_modules|\.editor)\//, /\.map$/, /\.ts$/];

/** Entry names from a zip's central directory (a vsix is a zip; no dependency needed to list it). */
function zipEntryNames(zip) {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new UserError('not a zip file: no end of central directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new UserError(`corrupt zip: bad central directory entry ${i}`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

main(async () => {
  const started = Date.now();
  await run(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs')]);
  const vsce = join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  // Relative links stay relative: VS Code shows the README from the installed vsix, screenshots included.
  await run(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', VSIX_PATH], {
    quiet: true,
  });

  const bytes = statSync(VSIX_PATH).size;
  const names = zipEntryNames(readFileSync(VSIX_PATH));
  const files = names.filter((name) => name.startsWith('extension/') && !name.endsWith('/'));
  const leaked = files.filter((name) => FORBIDDEN.some((pattern) => pattern.test(name)));
  if (leaked.length > 0) throw new UserError(`the vsix holds files that do not run (fix .vscodeignore):\n  ${leaked.join('\n  ')}`);
  if (bytes >= MAX_BYTES) throw new UserError(`the vsix is ${(bytes / 1024 / 1024).toFixed(2)} MB; it must stay under 5 MB`);
  log(`packaged ${VSIX_PATH}: ${(bytes / 1024).toFixed(0)} KB, ${files.length} files, in ${formatMs(Date.now() - started)}`);
  for (const name of files) log(`  ${name.slice('extension/'.length)}`);
});
