// Every file and folder of a checkout, C or not (mk/, scripts, CONFIG): what bare file names, module folders and build
// variables a book names resolve against. One bounded walk, skipping what the indexer skips (VCS folders, submodules).
import { readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_EXCLUDES, excludeMatcher } from '../index/fileDiscovery';
import type { ResolveContext } from '../tour/anchorResolver';
import { pushTo } from '../util/multiMap';

/** A walk stops here: SPDK master without its submodules has about 12,000 entries. */
export const MAX_TREE_ENTRIES = 200_000;

export interface TreeListing {
  /** Root-relative files, `/`-separated, in walk order (sorted by name within a folder). */
  files: string[];
  folders: Set<string>;
  /** `bdev.h` → every file of that name. */
  byBaseName: Map<string, string[]>;
  /** The walk hit MAX_TREE_ENTRIES and stopped. */
  truncated: boolean;
}

export function listingOf(files: string[], folders: Iterable<string>, truncated = false): TreeListing {
  const byBaseName = new Map<string, string[]>();
  for (const file of files) pushTo(byBaseName, file.slice(file.lastIndexOf('/') + 1), file);
  return { files, folders: new Set(folders), byBaseName, truncated };
}

/** Walks `root` without following symlinked folders (so no loop), leaving out DEFAULT_EXCLUDES and dot folders. */
export function walkTree(root: string, excludes: string[] = DEFAULT_EXCLUDES): TreeListing {
  const isExcluded = excludeMatcher(excludes);
  const files: string[] = [];
  const folders: string[] = [];
  let budget = MAX_TREE_ENTRIES;
  const walk = (dir: string, rel: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (budget-- <= 0) return;
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.name.startsWith('.') || isExcluded(path)) continue;
      if (entry.isDirectory()) {
        folders.push(path);
        walk(join(dir, entry.name), path);
      } else if (entry.isFile() || entry.isSymbolicLink()) files.push(path);
    }
  };
  walk(root, '');
  return listingOf(files, folders, budget < 0);
}

/** SPDK's public headers first, then its libraries and modules; unit tests last. */
export function pathRank(file: string): number {
  if (file.startsWith('include/spdk/')) return 0;
  if (file.startsWith('include/')) return 1;
  if (file.startsWith('lib/')) return 2;
  if (file.startsWith('module/')) return 3;
  if (file.startsWith('app/')) return 4;
  if (file.startsWith('test/')) return 9;
  return 6;
}

const listings = new WeakMap<ResolveContext['workspace'], TreeListing>();

/** The checkout's file listing: the workspace's walk, or (a workspace that cannot walk) the indexed C files. */
export function listingFor(context: ResolveContext): TreeListing {
  const own = context.workspace.listing?.();
  if (own) return own;
  let cached = listings.get(context.workspace);
  if (!cached) {
    const files = [...context.locator.index.files.keys()].sort();
    const folders = new Set<string>();
    for (const f of files) for (let i = f.indexOf('/'); i > 0; i = f.indexOf('/', i + 1)) folders.add(f.slice(0, i));
    cached = listingOf(files, folders);
    listings.set(context.workspace, cached);
  }
  return cached;
}

