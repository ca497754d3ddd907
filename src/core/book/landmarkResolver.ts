// What a landmark named in a chapter is, tried in order of confidence: a field of the struct the paragraph names, a C
// definition, a global or enum constant, an app or module folder, an SPDK short type name, any struct field, an opaque
// struct, a path or bare file name, a library folder, then a whole-word use in a build file (unit test definitions come
// last). A name found nowhere stays unresolved (never the nearest partial match), with suggestions of where it went.
import type { ResolveContext } from '../tour/anchorResolver';
import { normalizeSymbol, type SymbolKind, type SymbolLocation } from '../tour/symbolLocator';
import { listingFor, pathRank, type TreeListing } from './treeListing';
import type { ChapterBlock, Landmark, Mention, ResolvedMention } from './chapterTypes';
import { suggestFor } from './driftSuggestions';

/** Definitions a name can mean, most likely first. */
const DEFINITION_KINDS: SymbolKind[] = ['function', 'struct', 'enum', 'typedef', 'macro', 'rpc', 'prototype'];
const VALUE_KINDS: SymbolKind[] = ['global', 'enumConstant'];
const MAX_OTHERS = 8;

export type Resolution = Pick<ResolvedMention, 'landmark' | 'unresolved' | 'external' | 'alternatives' | 'others' | 'suggestions' | 'ignored'>;

/** What a paragraph says around a mention: the structs it names qualify a field named on its own. */
export interface MentionScope {
  /** The mention's block and its section heading: a struct named here qualifies a field for sure. */
  near: string[];
  /** The blocks before it, nearest first: a struct named here decides between structs that have the field. */
  before: string[];
}

export function scopeOf(mention: Mention, blocks: readonly ChapterBlock[] | undefined): MentionScope {
  const scope: MentionScope = { near: [], before: [] };
  const block = blocks?.[mention.block];
  if (!blocks || !block) return scope;
  scope.near.push(block.text);
  if (block.section) scope.near.push(block.section);
  for (let i = mention.block - 1; i >= 0 && scope.before.length < 40; i--) scope.before.push(blocks[i].text);
  return scope;
}

export function resolveLandmark(mention: Mention, context: ResolveContext, scope: MentionScope = { near: [], before: [] }): Resolution {
  const found = mention.kind === 'path' ? resolvePathMention(mention, context) : resolveName(mention, context, scope);
  if (found.landmark || found.external) return found;
  if (mention.tentative) return { ignored: true, unresolved: `${mention.target} names no landmark in this checkout` };
  const suggestions = suggestFor(mention, context);
  return suggestions.length > 0 ? { ...found, suggestions } : found;
}

function landmarkOf(s: SymbolLocation, note?: string): Landmark {
  const landmark: Landmark = { file: s.file, line: s.line, kind: s.kind, symbol: s.symbol };
  if (s.endLine !== undefined) landmark.endLine = s.endLine;
  if (note) landmark.note = note;
  return landmark;
}

function byConfidence(kinds: SymbolKind[]): (a: SymbolLocation, b: SymbolLocation) => number {
  return (a, b) => kinds.indexOf(a.kind) - kinds.indexOf(b.kind) || pathRank(a.file) - pathRank(b.file) || a.file.localeCompare(b.file) || a.line - b.line;
}

/** The best of several places, with how many other files hold one of the same kind and a few of them. */
function pick(found: SymbolLocation[], kinds: SymbolKind[], note?: string): Resolution {
  const sorted = [...found].sort(byConfidence(kinds));
  const best = sorted[0];
  const result: Resolution = { landmark: landmarkOf(best, note) };
  const others = sorted.filter((s) => s.kind === best.kind && s !== best);
  const otherFiles = new Set(others.map((s) => s.file).filter((f) => f !== best.file));
  if (otherFiles.size > 0) {
    result.alternatives = otherFiles.size;
    result.others = others.slice(0, MAX_OTHERS).map((s) => landmarkOf(s));
  }
  return result;
}

/** `struct x`, `x`, `x.field`, `x->field`: the tag, the name, and the field when there is one. */
function splitName(target: string): { tag?: string; name: string; field?: string } {
  const m = /^(?:(struct|union|enum) )?([A-Za-z_]\w*)(?:(?:\.|->|::)([A-Za-z_]\w*))?$/.exec(normalizeSymbol(target));
  if (!m) return { name: normalizeSymbol(target) };
  return { tag: m[1], name: m[2], field: m[3] };
}

const notTest = (s: { file: string }) => !s.file.startsWith('test/');

function resolveName(mention: Mention, context: ResolveContext, scope: MentionScope): Resolution {
  const { locator } = context;
  const { tag, name, field } = splitName(mention.target);
  const tagged = tag ? `${tag} ${name}` : name;
  if (field !== undefined) return resolveQualifiedField(tagged, name, field, context);
  // A plain word is prose unless it is spelled like a constant (`CONFIG`) or names a file, folder or SPDK type.
  const plainWord = mention.tentative === true && !/[A-Z0-9]/.test(name);
  const fields = tag ? [] : locator.fieldsNamed(name);
  // The paragraph (or its section) names the struct: `destruct` next to `struct spdk_bdev_fn_table` is its field.
  const qualified = fields.length > 0 ? qualifiedField(fields, scope.near) : undefined;
  if (qualified) return qualified;
  const definitions = plainWord ? [] : locator.lookup(tagged, DEFINITION_KINDS).filter((s) => !tag || s.symbol === tagged);
  const values = plainWord || tag ? [] : locator.lookup(name, VALUE_KINDS);
  // A struct the chapter named earlier beats a module's static function of the same name (`fini_start`).
  const earlier = fields.length > 0 && !definitions.some((s) => /^(include|lib)\//.test(s.file)) ? qualifiedField(fields, scope.before) : undefined;
  if (earlier) return earlier;
  // A unit test's mock of the same name is a last resort: SPDK's own code first.
  if (definitions.some(notTest)) return pick(definitions.filter(notTest), DEFINITION_KINDS);
  if (values.some(notTest)) return pick(values.filter(notTest), VALUE_KINDS);
  const listing = tag ? undefined : listingFor(context);
  const named = listing && (name.includes('_') || mention.tentative) ? appOrModuleFolder(name, listing) : undefined;
  if (named) return { landmark: { file: named, line: 1, kind: 'folder', note: `folder of ${name}` } };
  if (tag !== 'enum' && tag !== 'union' && !name.startsWith('spdk_') && (!plainWord || talksAboutSpdk(scope))) {
    const short = locator.lookup(`struct spdk_${name}`, ['struct']);
    if (short.length > 0) return pick(short, ['struct'], `short name for struct spdk_${name}`);
  }
  if (!plainWord && fields.length > 0) return resolveField(fields.some(notTest) ? fields.filter(notTest) : fields, scope);
  if ((tag === undefined || tag === 'struct') && !plainWord) {
    const opaque = opaqueStruct(`struct ${name}`, context);
    if (opaque) return { landmark: opaque };
  }
  if (definitions.length > 0) return pick(definitions, DEFINITION_KINDS);
  if (values.length > 0) return pick(values, VALUE_KINDS);
  if (listing) {
    const file = topLevelOrBareFile(name, listing);
    if (file) return file;
    const folder = [`lib/${name}`, `module/${name}`, name].find((f) => listing.folders.has(f));
    if (folder) return { landmark: { file: folder, line: 1, kind: 'folder', note: `folder of ${name}` } };
    // A program named without its extension (`hello_bdev`): the one C file of that name.
    const programs = (listing.byBaseName.get(`${name}.c`) ?? []).filter((f) => !f.startsWith('test/'));
    if (programs.length === 1 && name.includes('_')) return { landmark: { file: programs[0], line: 1, kind: 'file', note: `the file ${name}.c` } };
    if (/^[A-Z][A-Z0-9_]*$/.test(name)) {
      const use = buildFileUse(name, context);
      if (use) return { landmark: use };
    }
  }
  return { unresolved: `no definition, global, enum constant, field, file or folder named ${tagged} in this checkout` };
}

function talksAboutSpdk(scope: MentionScope): boolean {
  return /\bspdk/i.test(scope.near[0] ?? '');
}

/** `struct spdk_bdev_fn_table.submit_request`, `spdk_bdev_io->internal`: the field of that struct, or of its spdk_ name. */
function resolveQualifiedField(tagged: string, name: string, field: string, context: ResolveContext): Resolution {
  const direct = context.locator.lookup(`${tagged}.${field}`, ['field']);
  if (direct.length > 0) return pick(direct, ['field']);
  if (!name.startsWith('spdk_') && !tagged.includes(' ')) {
    const short = context.locator.lookup(`spdk_${name}.${field}`, ['field']);
    if (short.length > 0) return pick(short, ['field'], `short name for struct spdk_${name}`);
  }
  return { unresolved: `no field ${field} in ${tagged} in this checkout` };
}

const structOf = (f: SymbolLocation) => f.symbol.slice(0, f.symbol.lastIndexOf('.'));

/** The field of the first struct these texts name that has one, if any does. */
function qualifiedField(fields: SymbolLocation[], texts: string[]): Resolution | undefined {
  const owners = new Set(fields.map(structOf));
  for (const text of texts) {
    const named = structsNamedIn(text).filter((s) => owners.has(s));
    if (named.length === 0) continue;
    return pick(fields.filter((f) => structOf(f) === named[0]), ['field'], `field of ${named[0]}, which the text names`);
  }
  return undefined;
}

/** A field named on its own that the paragraph does not qualify: of a struct named earlier, the only one, or ambiguous. */
function resolveField(fields: SymbolLocation[], scope: MentionScope): Resolution {
  const earlier = qualifiedField(fields, scope.before);
  if (earlier) return earlier;
  const owners = new Set(fields.map(structOf));
  if (owners.size === 1) return pick(fields, ['field'], `field of ${[...owners][0]}`);
  const result = pick(fields, ['field'], `field of ${owners.size} structs; the text names none of them`);
  result.alternatives = owners.size - 1;
  result.others = [...fields].sort(byConfidence(['field'])).filter((f) => f.symbol !== result.landmark!.symbol || f.file !== result.landmark!.file).slice(0, MAX_OTHERS).map((f) => landmarkOf(f));
  return result;
}

/** `struct spdk_bdev_fn_table`, `spdk_bdev_fn_table` or `union x` written in a paragraph, as the index names structs. */
function structsNamedIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\b(?:(struct|union)\s+)?([A-Za-z_]\w*)\b/g)) {
    if (m[1]) out.push(`${m[1]} ${m[2]}`);
    else if (m[2].includes('_')) out.push(`struct ${m[2]}`);
  }
  return out;
}

/** `CONFIG`, `Makefile` at the top; `bdev_malloc.c`, `bdev.h` wherever they are (public headers first). */
function topLevelOrBareFile(name: string, listing: TreeListing): Resolution | undefined {
  const all = listing.byBaseName.get(name);
  if (!all || all.length === 0) return undefined;
  const top = all.find((f) => f === name);
  if (top) return { landmark: { file: top, line: 1, kind: 'file' } };
  return pickFile(all, name);
}

function pickFile(files: string[], name: string): Resolution {
  const sorted = [...files].sort((a, b) => pathRank(a) - pathRank(b) || a.split('/').length - b.split('/').length || a.localeCompare(b));
  const result: Resolution = { landmark: { file: sorted[0], line: 1, kind: 'file', note: sorted.length > 1 ? `one of ${sorted.length} files named ${name}` : `the file named ${name}` } };
  if (sorted.length > 1) {
    result.alternatives = sorted.length - 1;
    result.others = sorted.slice(1, 1 + MAX_OTHERS).map((file) => ({ file, line: 1, kind: 'file' }));
  }
  return result;
}

/** `bdev_nvme` → module/bdev/nvme, `vbdev_passthru` → module/bdev/passthru, `nvmf_tgt` → app/nvmf_tgt, `bdevperf` → examples/bdev/bdevperf. */
export function appOrModuleFolder(name: string, listing: TreeListing): string | undefined {
  const has = (f: string) => listing.folders.has(f);
  if (has(`app/${name}`)) return `app/${name}`;
  for (let i = name.indexOf('_'); i > 0; i = name.indexOf('_', i + 1)) {
    const kind = name.slice(0, i);
    const rest = name.slice(i + 1);
    const candidates = [`module/${kind}/${rest}`];
    if (kind.startsWith('v')) candidates.push(`module/${kind.slice(1)}/${rest}`);
    if (kind === 'event') candidates.push(`module/event/subsystems/${rest}`);
    const found = candidates.find(has);
    if (found) return found;
  }
  // An example program is named after its folder and its main file (examples/bdev/bdevperf/bdevperf.c); a library of
  // the same name (lib/nvmf) is the likelier meaning.
  if (has(`lib/${name}`)) return undefined;
  const programs = (listing.byBaseName.get(`${name}.c`) ?? []).map((f) => f.slice(0, f.lastIndexOf('/'))).filter((folder) => /^(examples|test\/app)\//.test(folder) && folder.endsWith(`/${name}`));
  if (programs.length === 1) return programs[0];
  return undefined;
}

const opaqueStructs = new WeakMap<ResolveContext['locator'], Map<string, Landmark>>();

/**
 * `struct spdk_mempool`: declared in a public header but defined nowhere (its users only hold pointers). It lands on
 * the first prototype of include/ that takes or returns one.
 */
function opaqueStruct(name: string, context: ResolveContext): Landmark | undefined {
  let known = opaqueStructs.get(context.locator);
  if (!known) {
    known = new Map();
    const headers = [...context.locator.index.files.values()].filter((f) => f.file.startsWith('include/')).sort((a, b) => pathRank(a.file) - pathRank(b.file) || a.file.localeCompare(b.file));
    for (const facts of headers) {
      for (const p of facts.prototypes) {
        for (const type of [p.returnType, ...p.params.map((x) => x.type)]) {
          const m = /\bstruct\s+([A-Za-z_]\w*)/.exec(type);
          const struct = m && `struct ${m[1]}`;
          if (struct && !known.has(struct)) known.set(struct, { file: facts.file, line: p.line, kind: 'mention', symbol: struct, note: `${struct} is opaque (declared, never defined); first used by ${p.name}` });
        }
      }
    }
    opaqueStructs.set(context.locator, known);
  }
  const found = known.get(name);
  return found && { ...found };
}

/** Where a make or shell variable is used: files under mk/ and scripts/, any Makefile or .mk, top-level files. */
function isBuildFile(file: string): boolean {
  return /^(mk|scripts)\//.test(file) || /(^|\/)(Makefile|[^/]+\.mk)$/.test(file) || !file.includes('/');
}

const buildTexts = new WeakMap<TreeListing, { file: string; text: string }[]>();
const buildUses = new WeakMap<TreeListing, Map<string, Landmark | undefined>>();
const MAX_BUILD_FILE_BYTES = 512 * 1024;

function buildFileUse(name: string, context: ResolveContext): Landmark | undefined {
  const listing = listingFor(context);
  let uses = buildUses.get(listing);
  if (!uses) buildUses.set(listing, (uses = new Map()));
  if (!uses.has(name)) uses.set(name, findBuildFileUse(name, listing, context));
  const use = uses.get(name);
  return use && { ...use };
}

function findBuildFileUse(name: string, listing: TreeListing, context: ResolveContext): Landmark | undefined {
  let texts = buildTexts.get(listing);
  if (!texts) {
    texts = [];
    for (const file of listing.files) {
      if (!isBuildFile(file) || /\.(md|txt|png|svg|json|rb|map)$/i.test(file)) continue;
      const text = context.workspace.readText(file);
      if (text !== undefined && text.length <= MAX_BUILD_FILE_BYTES) texts.push({ file, text });
    }
    texts.sort((a, b) => buildRank(a.file) - buildRank(b.file));
    buildTexts.set(listing, texts);
  }
  const word = new RegExp(`(?<![\\w$])${name}(?!\\w)`);
  for (const { file, text } of texts) {
    const m = word.exec(text);
    if (!m) continue;
    const line = 1 + countNewlines(text, m.index);
    // The line that sets the variable beats the first that reads it.
    const definition = new RegExp(`^\\s*(?:export\\s+)?${name}\\s*[:+?]?=`, 'm').exec(text);
    const at = definition ? 1 + countNewlines(text, definition.index) : line;
    return { file, line: at, kind: 'mention', symbol: name, note: `mentioned at ${file}:${at} (a build or script name, not a C definition)` };
  }
  return undefined;
}

function buildRank(file: string): number {
  if (file.startsWith('mk/')) return 0;
  if (!file.includes('/')) return 1;
  if (file.startsWith('scripts/')) return 3;
  return 2;
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function resolvePathMention(mention: Mention, context: ResolveContext): Resolution {
  const target = mention.target;
  if (target.startsWith('/') || target.startsWith('~')) return { unresolved: `${target} is an absolute path outside the SPDK tree`, external: true };
  if (target.split('/').includes('..')) return { unresolved: `${target} leaves the SPDK tree`, external: true };
  const what = context.workspace.stat(target) ?? (context.locator.hasFile(target) ? 'file' : undefined);
  if (what === 'folder') return { landmark: { file: target, line: 1, kind: 'folder' } };
  if (what === 'file') return { landmark: { file: target, line: mention.targetLine ?? 1, kind: 'file' } };
  if (!target.includes('/')) {
    const bare = listingFor(context).byBaseName.get(target);
    if (bare && bare.length > 0) {
      const result = bare.includes(target) ? { landmark: { file: target, line: 1, kind: 'file' as const } } : pickFile(bare, target);
      if (mention.targetLine !== undefined) result.landmark!.line = mention.targetLine;
      return result;
    }
  }
  return { unresolved: `no file or folder ${target} in this checkout` };
}
