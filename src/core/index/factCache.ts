// On-disk cache of per-file facts, one pack per indexed root. An entry is reused only while the file's content hash
// is unchanged; the pack's name carries FACTS_VERSION so an extractor change never reads stale facts. Entries are
// stored in factsCodec's compact form, written as the workers produced them.
import { createHash } from 'node:crypto';
import { closeSync, promises as fs, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { decodeFacts, encodeFacts, type EncodedFacts } from '../facts/factsCodec';
import { FACTS_VERSION, type FileFacts } from '../facts/fileFacts';
import type { IndexDocument } from '../model/indexTypes';

interface CachePack {
  version: number;
  root: string;
  entries: EncodedFacts[];
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'spdk-lens');
}

/** Bumped whenever the labels computed from the same facts change, so a stale index snapshot is never served. */
const LABELS_VERSION = 8;

/** What the last index saw of each source: enough to tell, from a stat alone, that nothing changed. */
export interface ManifestEntry {
  file: string;
  size: number;
  mtimeMs: number;
  /** Content hash, or '' for a file that was skipped. */
  hash: string;
}

export class FactCache {
  readonly packPath: string;
  readonly manifestPath: string;
  readonly snapshotPath: string;

  /**
   * `codeFiles`: the scripts whose code produced the facts and labels (the worker and this bundle). Their content is
   * part of every cache name, so a new build never reads what an old one wrote, even if nobody bumped a version.
   */
  constructor(cacheDir: string, root: string, codeFiles: string[] = []) {
    const rootKey = createHash('sha1').update(root).update(codeIdentity(codeFiles)).digest('hex').slice(0, 16);
    this.packPath = join(cacheDir, `facts-v${FACTS_VERSION}-${rootKey}.json`);
    this.manifestPath = join(cacheDir, `manifest-v${FACTS_VERSION}-${rootKey}.json`);
    this.snapshotPath = join(cacheDir, `index-v${FACTS_VERSION}.${LABELS_VERSION}-${rootKey}.json`);
  }

  /** Key of an index built from exactly these sources (and these options). */
  static snapshotKey(entries: ManifestEntry[], options: string): string {
    const hash = createHash('sha1').update(`${FACTS_VERSION}.${LABELS_VERSION}\n${options}\n`);
    for (const e of [...entries].sort((a, b) => (a.file < b.file ? -1 : 1))) hash.update(`${e.file}\0${e.size}\0${e.mtimeMs}\0${e.hash}\n`);
    return hash.digest('hex');
  }

  loadManifest(): Map<string, ManifestEntry> {
    try {
      const entries = JSON.parse(readFileSync(this.manifestPath, 'utf8')) as ManifestEntry[];
      return new Map(entries.map((e) => [e.file, e]));
    } catch {
      return new Map();
    }
  }

  saveManifest(entries: ManifestEntry[]): void {
    writeAtomically(this.manifestPath, [JSON.stringify(entries)]);
  }

  /** The labelled index saved under `key`, or undefined. */
  loadSnapshot(key: string): IndexDocument | undefined {
    try {
      const text = readFileSync(this.snapshotPath, 'utf8');
      // The key leads the file, so a stale snapshot is rejected before the document is parsed.
      const header = `{"key":${JSON.stringify(key)},"document":`;
      if (!text.startsWith(header)) return undefined;
      return JSON.parse(text.slice(header.length, -1)) as IndexDocument;
    } catch {
      return undefined;
    }
  }

  saveSnapshot(key: string, document: IndexDocument): void {
    // An entry at a time: the whole document's JSON would be the largest string the index makes (the peak of its RSS).
    writeAtomically(this.snapshotPath, snapshotJsonParts(key, document));
  }

  /** Synchronous load, for an index that starts from a snapshot and needs its facts only on the first edit. */
  loadSync(root: string): Map<string, FileFacts> {
    const entries = new Map<string, FileFacts>();
    const pack = JSON.parse(readFileSync(this.packPath, 'utf8')) as CachePack;
    if (pack.version !== FACTS_VERSION || pack.root !== root) throw new Error(`cache pack ${this.packPath} is not for ${root}`);
    for (const encoded of pack.entries) entries.set(encoded.file, decodeFacts(encoded));
    return entries;
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

  /**
   * Writes every file's facts: `encodedJson` holds the compact JSON already made by workers, the rest is made here a
   * slice at a time, so the thread (the extension host's, in the editor) answers other work in between.
   */
  async save(root: string, files: Iterable<FileFacts>, encodedJson: Map<string, string> = new Map()): Promise<void> {
    await fs.mkdir(join(this.packPath, '..'), { recursive: true });
    const temp = `${this.packPath}.${process.pid}.tmp`;
    const out = await fs.open(temp, 'w');
    try {
      // Written a megabyte at a time: the whole pack as one string would be the largest the index makes.
      let part = `{"version":${FACTS_VERSION},"root":${JSON.stringify(root)},"entries":[`;
      let first = true;
      for (const facts of [...files]) {
        let json = encodedJson.get(facts.file);
        if (json === undefined) json = JSON.stringify(encodeFacts(facts));
        else encodedJson.delete(facts.file); // each worker string is written once, then dropped
        part += (first ? '' : ',') + oneByteJson(json);
        first = false;
        if (part.length >= PART_CHARS) {
          await out.write(part);
          part = '';
        }
      }
      await out.write(`${part}]}`);
    } finally {
      await out.close();
    }
    await fs.rename(temp, this.packPath);
  }
}

const OUTSIDE_LATIN1 = /[^\x00-\xff]/g;

/** JSON with characters outside Latin-1 escaped (`\u2019`): one of them would make the whole pack two-byte text. */
function oneByteJson(json: string): string {
  OUTSIDE_LATIN1.lastIndex = 0;
  if (!OUTSIDE_LATIN1.test(json)) return json;
  const escaped = json.replace(OUTSIDE_LATIN1, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return Buffer.from(escaped, 'latin1').toString('latin1'); // replace() over two-byte text stays two-byte: copy it
}

const PART_CHARS = 1 << 20;

/** The snapshot file's JSON in parts of about a megabyte: each array of the document is serialised an entry at a time. */
export function* snapshotJsonParts(key: string, document: IndexDocument): Generator<string> {
  let part = `{"key":${JSON.stringify(key)},"document":{`;
  let firstKey = true;
  for (const [name, value] of Object.entries(document)) {
    if (value === undefined || typeof value === 'function') continue;
    part += `${firstKey ? '' : ','}${JSON.stringify(name)}:`;
    firstKey = false;
    if (!Array.isArray(value)) {
      part += JSON.stringify(value);
      continue;
    }
    part += '[';
    for (let i = 0; i < value.length; i++) {
      part += (i > 0 ? ',' : '') + (JSON.stringify(value[i]) ?? 'null');
      if (part.length >= PART_CHARS) {
        yield part;
        part = '';
      }
    }
    part += ']';
  }
  yield `${part}}}`;
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
export function writeAtomically(path: string, parts: Iterable<string>): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    for (const part of parts) writeSync(fd, part);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

const identities = new Map<string, string>();

/** A hash of the given code files' content (memoised): caches named with it are never read by other code. */
export function codeIdentity(files: string[]): string {
  const key = files.join('\0');
  let identity = identities.get(key);
  if (identity === undefined) {
    const hash = createHash('sha1');
    for (const file of files) {
      try {
        hash.update(readFileSync(file));
      } catch {
        hash.update(`missing:${file}`);
      }
    }
    identity = hash.digest('hex');
    identities.set(key, identity);
  }
  return identity;
}
