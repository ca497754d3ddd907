// Finds the C sources under a root: .c and .h files, skipping VCS folders, SPDK's submodules and excluded paths,
// following symlinked folders once (a loop is reported, not followed).
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import type { IndexProblem } from '../model/indexTypes';

export interface SourceFile {
  /** Absolute path. */
  path: string;
  /** Relative to the root, with `/`. */
  file: string;
  size: number;
  mtimeMs: number;
}

/** Third-party trees SPDK pulls in as submodules: not SPDK's own code, and large. */
export const DEFAULT_EXCLUDES = ['.git', 'node_modules', 'dpdk', 'intel-ipsec-mb', 'isa-l', 'isa-l-crypto', 'ocf', 'libvfio-user', 'xnvme', 'build', 'dpdkbuild/build'];

export interface DiscoveryOptions {
  /** Paths relative to the root (`dpdk`, `test/unit`) or globs (`**\/*_ut.c`, `lib/{ftl,ocf}`) to leave out. */
  exclude?: string[];
}

/**
 * Is this root-relative path (file or folder) excluded itself? A plain path names one from the root; a glob (picomatch:
 * `*`, `**`, `?`, `{a,b}`, `[...]`) matches any path.
 */
export function excludeMatcher(excludes: string[]): (rel: string) => boolean {
  const isGlob = (e: string) => picomatch.scan(e).isGlob;
  const paths = new Set(excludes.filter((e) => !isGlob(e)).map((e) => e.replace(/\/$/, '')));
  const globs = excludes.filter(isGlob);
  const matchesGlob = globs.length > 0 ? picomatch(globs, { dot: true }) : () => false;
  return (rel) => paths.has(rel) || matchesGlob(rel);
}

/**
 * Would discovery reach a root-relative file (a C source none of whose folders is excluded)? Built once per exclude
 * list: file events and keystrokes ask it often.
 */
export function discoverableFileMatcher(excludes: string[] = DEFAULT_EXCLUDES): (rel: string) => boolean {
  const isExcluded = excludeMatcher(excludes);
  return (rel) => {
    if (!/\.[ch]$/.test(rel)) return false;
    for (let end = rel.indexOf('/'); end >= 0; end = rel.indexOf('/', end + 1)) if (isExcluded(rel.slice(0, end))) return false;
    return !isExcluded(rel);
  };
}

/** Synchronous on purpose: a few thousand directory reads finish in tens of milliseconds, ten times faster than fs.promises. */
export function discoverSources(root: string, options: DiscoveryOptions = {}): { files: SourceFile[]; problems: IndexProblem[] } {
  const isExcluded = excludeMatcher(options.exclude ?? DEFAULT_EXCLUDES);
  const files: SourceFile[] = [];
  const problems: IndexProblem[] = [];
  const visited = new Set<string>();
  /** `logicalRel` is the folder's path from the root as reached (through symlinks, not resolved), built up by name with `/`. */
  function walk(dir: string, logicalRel: string): void {
    let real: string;
    try {
      real = realpathSync.native(dir);
    } catch (error) {
      problems.push({ file: logicalRel || '.', kind: 'unreadable', message: `cannot resolve folder: ${(error as Error).message}` });
      return;
    }
    if (visited.has(real)) {
      problems.push({ file: logicalRel, kind: 'symlink_loop', message: `folder is reached again through a symlink (${real}); not followed twice` });
      return;
    }
    visited.add(real);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      problems.push({ file: logicalRel || '.', kind: 'unreadable', message: `cannot list folder: ${(error as Error).message}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const rel = logicalRel === '' ? entry.name : `${logicalRel}/${entry.name}`;
      if (isExcluded(rel)) continue;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const stat = statSync(path);
          isDir = stat.isDirectory();
          isFile = stat.isFile();
        } catch (error) {
          if (/\.[ch]$/.test(entry.name)) problems.push({ file: rel, kind: 'unreadable', message: `broken symlink: ${(error as Error).message}` });
          continue;
        }
      }
      if (isDir) walk(path, rel);
      else if (isFile && /\.[ch]$/.test(entry.name)) {
        try {
          const stat = statSync(path);
          files.push({ path, file: rel, size: stat.size, mtimeMs: stat.mtimeMs });
        } catch (error) {
          problems.push({ file: rel, kind: 'unreadable', message: (error as Error).message });
        }
      }
    }
  }
  walk(root, '');
  return { files, problems };
}
