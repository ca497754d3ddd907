// Where a landmark the book names may have gone: the same file name in another folder (moved), or a name made of the
// same words (renamed: `spdk_blob_create` → `spdk_bs_create_blob`, `_ext`/`v` variants), closest spelling first.
import type { ResolveContext } from '../tour/anchorResolver';
import { normalizeSymbol, type SymbolKind, type SymbolLocator } from '../tour/symbolLocator';
import type { Mention, Suggestion } from './chapterTypes';
import { listingFor, pathRank, type TreeListing } from './treeListing';

export const MAX_SUGGESTIONS = 3;

/** Words that say nothing about which name is meant. */
const NOISE = new Set(['spdk', 'struct', 'union', 'enum', '']);

/** `spdk_bdev_readv_blocks_ext` → bdev, read, blocks, ext: `readv`/`writev` are their vectored variants. */
export function nameWords(name: string): string[] {
  const words: string[] = [];
  for (const raw of name.toLowerCase().split(/[^a-z0-9]+/)) {
    if (NOISE.has(raw)) continue;
    words.push(raw.length >= 5 && raw.endsWith('v') ? raw.slice(0, -1) : raw);
  }
  return words;
}

/** Levenshtein distance, for ordering names that share the same words. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

interface Candidate {
  /** What a book would write: `spdk_bs_create_blob`, `enum spdk_bdev_raid_state`, a field's bare name. */
  target: string;
  /** The name without its tag, as compared. */
  base: string;
  tag: string;
  words: string[];
  /** The symbol to look up for file and line. */
  symbol: string;
  what: string;
}

interface NameIndex {
  candidates: Candidate[];
  byWord: Map<string, number[]>;
}

const nameIndexes = new WeakMap<SymbolLocator, NameIndex>();

const KIND_WORD: Partial<Record<SymbolKind, string>> = { function: 'function', prototype: 'function', struct: 'struct', enum: 'enum', enumConstant: 'enum constant', macro: 'macro', typedef: 'typedef', global: 'global', rpc: 'RPC method' };

/** Every name the index defines, split into words, built once per locator and only when something does not resolve. */
function nameIndex(locator: SymbolLocator): NameIndex {
  const cached = nameIndexes.get(locator);
  if (cached) return cached;
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  for (const symbol of locator.names()) {
    const dot = symbol.lastIndexOf('.');
    const isField = dot > 0 && /^[A-Za-z_]\w*$/.test(symbol.slice(dot + 1)) && !symbol.includes(' ', dot);
    const shown = isField ? symbol.slice(dot + 1) : symbol;
    const key = isField ? `.${shown}` : shown;
    if (seen.has(key)) continue;
    seen.add(key);
    const tagged = /^(struct|union|enum) (.+)$/.exec(shown);
    const base = tagged ? tagged[2] : shown;
    candidates.push({ target: shown, base, tag: tagged?.[1] ?? '', words: nameWords(base), symbol, what: isField ? 'field' : '' });
  }
  const byWord = new Map<string, number[]>();
  candidates.forEach((c, i) => {
    for (const w of new Set(c.words)) {
      const list = byWord.get(w);
      if (list) list.push(i);
      else byWord.set(w, [i]);
    }
  });
  const index = { candidates, byWord };
  nameIndexes.set(locator, index);
  return index;
}

const remembered = new WeakMap<SymbolLocator, Map<string, Suggestion[]>>();

/** Suggestions for an unresolved mention; a book names the same missing landmark in many chapters, so each is worked out once. */
export function suggestFor(mention: Mention, context: ResolveContext): Suggestion[] {
  let known = remembered.get(context.locator);
  if (!known) remembered.set(context.locator, (known = new Map()));
  const key = `${mention.kind}:${mention.target}`;
  let found = known.get(key);
  if (!found) {
    found = mention.kind === 'path' ? suggestPaths(mention.target, listingFor(context)) : suggestNames(mention.target, context.locator);
    known.set(key, found);
  }
  return found.map((s) => ({ ...s }));
}

/** Names made of most of the same words, all of them first, then fewest extra words, then closest spelling. */
export function suggestNames(target: string, locator: SymbolLocator): Suggestion[] {
  const written = normalizeSymbol(target);
  const tagged = /^(struct|union|enum) (.+)$/.exec(written);
  const tag = tagged?.[1] ?? '';
  const base = (tagged ? tagged[2] : written).replace(/^.*(?:\.|->|::)/, '');
  const words = [...new Set(nameWords(base))];
  if (words.length === 0) return [];
  const publicName = base.startsWith('spdk_');
  const { candidates, byWord } = nameIndex(locator);
  const shared = new Map<number, number>();
  for (const w of words) for (const i of byWord.get(w) ?? []) shared.set(i, (shared.get(i) ?? 0) + 1);
  const scored: { c: Candidate; score: number; distance: number }[] = [];
  for (const [i, count] of shared) {
    const c = candidates[i];
    if (c.base === base && c.tag === tag) continue;
    const coverage = count / words.length;
    if (coverage < 0.5) continue;
    const extra = new Set(c.words).size - count;
    // A public name (`spdk_...`) was most likely renamed to another public name, not to a static helper.
    const visibility = publicName && !c.base.startsWith('spdk_') ? 3 : 0;
    const score = coverage * 10 - extra * 1.5 - (tag && c.tag !== tag ? 3 : 0) - visibility;
    if (score < 6) continue;
    scored.push({ c, score, distance: editDistance(base, c.base) });
  }
  scored.sort((a, b) => b.score - a.score || a.distance - b.distance || a.c.target.length - b.c.target.length || a.c.target.localeCompare(b.c.target));
  const out: Suggestion[] = [];
  for (const { c, score } of scored) {
    const place = locator.lookup(c.symbol).sort((a, b) => pathRank(a.file) - pathRank(b.file))[0];
    if (!place) continue;
    const kind = c.what || KIND_WORD[place.kind] || place.kind;
    const owner = c.what === 'field' ? ` of ${c.symbol.slice(0, c.symbol.lastIndexOf('.'))}` : '';
    const how = score >= 10 ? 'the same words' : 'similar words';
    out.push({ target: c.target, file: place.file, line: place.line, why: `renamed? ${kind}${owner} with ${how}` });
    if (out.length >= MAX_SUGGESTIONS) break;
  }
  return out;
}

/** The same file name in another folder first (moved), then files and folders with a similar name. */
export function suggestPaths(target: string, listing: TreeListing): Suggestion[] {
  const segments = target.split('/');
  const name = segments[segments.length - 1];
  const closeness = (path: string) => {
    const other = path.split('/');
    let prefix = 0;
    while (prefix < other.length && prefix < segments.length - 1 && other[prefix] === segments[prefix]) prefix++;
    const common = other.filter((s) => segments.includes(s)).length;
    return prefix * 10 + common;
  };
  const out: Suggestion[] = [];
  const same = [...(listing.byBaseName.get(name) ?? [])].filter((f) => f !== target);
  same.sort((a, b) => closeness(b) - closeness(a) || pathRank(a) - pathRank(b) || a.localeCompare(b));
  for (const file of same.slice(0, MAX_SUGGESTIONS)) out.push({ target: file, file, line: 1, why: `moved? the same file name in ${file.slice(0, file.lastIndexOf('/') + 1) || 'the top folder'}` });
  if (out.length > 0) return out;
  const words = [...new Set(nameWords(name.replace(/\.\w+$/, '')))];
  if (words.length === 0) return out;
  const ext = /\.\w+$/.exec(name)?.[0] ?? '';
  const scored: { path: string; score: number }[] = [];
  const consider = (path: string) => {
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (ext !== '' && !base.endsWith(ext)) return;
    const theirs = new Set(nameWords(base.replace(/\.\w+$/, '')));
    const count = words.filter((w) => theirs.has(w)).length;
    const coverage = count / words.length;
    if (coverage < 0.5) return;
    scored.push({ path, score: coverage * 10 - (theirs.size - count) * 1.5 + closeness(path) / 10 });
  };
  if (ext) for (const f of listing.files) consider(f);
  else for (const f of listing.folders) consider(f);
  scored.sort((a, b) => b.score - a.score || a.path.localeCompare(b.path));
  for (const { path } of scored.slice(0, MAX_SUGGESTIONS)) out.push({ target: path, file: path, line: 1, why: 'renamed? a similar name' });
  return out;
}
