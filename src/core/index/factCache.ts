// On-disk cache of per-file facts, one pack per indexed root. An entry is reused only while the file's content hash
// is unchanged; the pack's name carries FACTS_VERSION so an extractor change never reads stale facts. Entries are
// stored in factsCodec's compact form, written as the workers produced them.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { decodeFacts, encodeFacts, type EncodedFacts } from '../facts/factsCodec';
import { FACTS_VERSION, type FileFacts } from '../facts/fileFacts';

interface CachePack {
  version: number;
  root: string;
  entries: EncodedFacts[];
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
      for (const encoded of pack.entries) {
        if (encoded && typeof encoded.file === 'string' && typeof encoded.hash === 'string' && Array.isArray(encoded.calls)) {
          entries.set(encoded.file, decodeFacts(encoded));
        }
      }
    } catch {
      // A torn or hand-edited pack is ignored; the next save replaces it.
    }
    return entries;
  }

  /** Writes every file's facts: `encodedJson` holds the compact JSON already made by the workers, else it is made here. */
  async save(root: string, files: Iterable<FileFacts>, encodedJson: Map<string, string> = new Map()): Promise<void> {
    const parts: string[] = [];
    for (const facts of files) parts.push(encodedJson.get(facts.file) ?? JSON.stringify(encodeFacts(facts)));
    const text = `{"version":${FACTS_VERSION},"root":${JSON.stringify(root)},"entries":[${parts.join(',')}]}`;
    await fs.mkdir(join(this.packPath, '..'), { recursive: true });
    const temp = `${this.packPath}.${process.pid}.tmp`;
    await fs.writeFile(temp, text);
    await fs.rename(temp, this.packPath);
  }
}
