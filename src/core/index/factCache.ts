// On-disk cache of per-file facts, one pack per indexed root. An entry is reused only while the file's content hash
// is unchanged; the pack's name carries FACTS_VERSION so an extractor change never reads stale facts.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FACTS_VERSION, type FileFacts } from '../facts/fileFacts';

interface CachePack {
  version: number;
  root: string;
  entries: FileFacts[];
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'spdk-lens');
}

export class FactCache {
  readonly packPath: string;

  constructor(cacheDir: string, root: string) {
    const rootKey = createHash('sha1').update(root).digest('hex').slice(0, 16);
    this.packPath = join(cacheDir, `facts-v${FACTS_VERSION}-${rootKey}.json`);
  }

  /** Cached facts by file; empty (never an error) when the pack is missing, unreadable or from another version. */
  async load(root: string): Promise<Map<string, FileFacts>> {
    const entries = new Map<string, FileFacts>();
    let text: string;
    try {
      text = await fs.readFile(this.packPath, 'utf8');
    } catch {
      return entries;
    }
    try {
      const pack = JSON.parse(text) as CachePack;
      if (pack.version !== FACTS_VERSION || pack.root !== root || !Array.isArray(pack.entries)) return entries;
      for (const facts of pack.entries) if (facts && typeof facts.file === 'string' && typeof facts.hash === 'string') entries.set(facts.file, facts);
    } catch {
      // A torn or hand-edited pack is ignored; the next save replaces it.
    }
    return entries;
  }

  async save(root: string, files: Iterable<FileFacts>): Promise<void> {
    const pack: CachePack = { version: FACTS_VERSION, root, entries: [...files] };
    await fs.mkdir(join(this.packPath, '..'), { recursive: true });
    const temp = `${this.packPath}.${process.pid}.tmp`;
    await fs.writeFile(temp, JSON.stringify(pack));
    await fs.rename(temp, this.packPath);
  }
}
