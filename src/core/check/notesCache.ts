// Path notes kept on disk beside the index's facts: reading ~2,400 bodies with tree-sitter is most of a whole-tree
// check, and a file's notes depend only on its text (and on the allocator wrappers it calls, which are in the key).
// The file's name carries the identity of the code that wrote it, so a new build never reads an old build's notes.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeIdentity, writeAtomically } from '../index/factCache';
import type { CheckEnv } from './checker';
import type { FilePathNotes, FunctionPathNotes } from './pathNotes';

interface NotesPack {
  root: string;
  entries: { key: string; hash: string; byFunction: [string, FunctionPathNotes][]; read?: [string, { key: string; line: number }][] }[];
}

/** The cache keys of per-file path notes in env.cache (see pathNotesOf). */
const NOTES_KEY = /^paths0?:/;

export class PathNotesCache {
  readonly path: string;
  /** What was last loaded or saved (keys and hashes), so an unchanged cache is not written again. */
  private saved = '';

  constructor(cacheDir: string, readonly root: string) {
    const key = createHash('sha1').update(root).update('\0').update(codeIdentity(codeFiles())).digest('hex').slice(0, 16);
    this.path = join(cacheDir, `check-notes-${key}.json`);
  }

  /** Puts the saved notes into env.cache (a file whose hash changed since simply misses). Unreadable packs are ignored. */
  load(env: CheckEnv): number {
    if (!env.cache) return 0;
    let pack: NotesPack;
    try {
      pack = JSON.parse(readFileSync(this.path, 'utf8')) as NotesPack;
    } catch {
      return 0;
    }
    if (pack.root !== this.root || !Array.isArray(pack.entries)) return 0;
    let loaded = 0;
    for (const e of pack.entries) {
      if (typeof e?.key !== 'string' || !NOTES_KEY.test(e.key) || typeof e.hash !== 'string' || !Array.isArray(e.byFunction)) continue;
      if (env.cache.has(e.key)) continue;
      env.cache.set(e.key, { hash: e.hash, byFunction: new Map(e.byFunction), ...(Array.isArray(e.read) ? { read: new Map(e.read) } : {}) } satisfies FilePathNotes);
      loaded++;
    }
    this.saved = signature(env.cache);
    return loaded;
  }

  /** Writes env.cache's notes when they differ from what was loaded or last saved; returns whether it wrote. */
  save(env: CheckEnv): boolean {
    if (!env.cache) return false;
    const now = signature(env.cache);
    if (now === this.saved) return false;
    const entries: NotesPack['entries'] = [];
    for (const [key, value] of env.cache) {
      if (!NOTES_KEY.test(key)) continue;
      const notes = value as FilePathNotes;
      entries.push({ key, hash: notes.hash, byFunction: [...notes.byFunction], ...(notes.read ? { read: [...notes.read] } : {}) });
    }
    writeAtomically(this.path, [JSON.stringify({ root: this.root, entries } satisfies NotesPack)]);
    this.saved = now;
    return true;
  }
}

function signature(cache: Map<string, unknown>): string {
  const hash = createHash('sha1');
  for (const [key, value] of cache) if (NOTES_KEY.test(key)) hash.update(`${key}\0${(value as FilePathNotes).hash}\n`);
  return hash.digest('hex');
}

/**
 * The running code: the bundle this module is in (dist/cli.js, dist/extension.js), or, run from source, every source
 * file the notes are computed by.
 */
function codeFiles(): string[] {
  if (!__filename.endsWith('.ts')) return [__filename];
  return [__dirname, join(__dirname, '..', 'parse')].flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.ts')).sort().map((f) => join(dir, f)));
}
