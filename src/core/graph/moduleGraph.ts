// The static module graph of an SPDK tree: every registered bdev module (leaf or virtual, with its fn_table, what it
// consumes and what it exports), the libraries that open bdevs, and the kinds of stacking the code allows, as plain
// JSON in the instance graph's node/edge shape. Every edge points from a base to what is built on it; one "any bdev"
// node stands for every bdev a module can open as its base.
import type { SpdkIndex } from '../index/indexer';
import type { BookTopic } from '../knowledge/contextKinds';
import type { BdevModule, RpcMethod } from '../model/indexTypes';
import { commonPrefixLength, dirOf } from '../util/paths';
import type { JsonValue } from './instanceGraphTypes';
import { BASE_BDEV_API } from '../knowledge/spdkApis';
import { cardLines, lifecycleCards, type LifecycleCard } from '../labels/lifecycleCards';

export type ModuleGraphNodeKind =
  /** A `struct spdk_bdev_module` registered with SPDK_BDEV_MODULE_REGISTER. */
  | 'bdev_module'
  /** Any registered bdev: what leaf modules produce and what virtual modules and consumers open. */
  | 'bdev'
  /** A blobstore on a base bdev, holding the lvol module's bdevs. */
  | 'lvstore'
  /** Consumers of bdevs outside the bdev modules: the curated three, and any other library that opens bdevs. */
  | 'nvmf_namespace'
  | 'vhost_controller'
  | 'ublk_disk'
  | 'bdev_consumer';

export type ModuleGraphEdgeKind =
  /** leaf module → any bdev: the module registers bdevs of its own (a RAM disk, an NVMe namespace, ...) */
  | 'registers'
  /** any bdev → virtual module opening it as its base (passthru, delay, error, split, crypto, ...) */
  | 'base_bdev'
  /** any bdev → raid module using it as a member */
  | 'raid_member'
  /** any bdev → lvstore on it */
  | 'lvstore'
  /** lvstore → lvol module */
  | 'lvol'
  /** any bdev → consumer exporting or serving it */
  | 'nvmf_namespace'
  | 'vhost'
  | 'ublk'
  | 'opens';

export interface SourceRef {
  file: string;
  line: number;
}

export interface ModuleGraphNode {
  id: string;
  name: string;
  kind: ModuleGraphNodeKind;
  /** The bdev module's name (its `.name`), or the consumer's library; '' for the "any bdev" node. */
  module: string;
  aliases: string[];
  role?: 'leaf' | 'virtual';
  /** The module struct, or where a consumer opens a bdev. */
  source?: SourceRef;
  fnTable?: SourceRef & { name: string };
  topic: BookTopic;
  details: { [key: string]: JsonValue };
}

export interface ModuleGraphEdge {
  from: string;
  to: string;
  kind: ModuleGraphEdgeKind;
  /** Why the code allows it: the claim/open call, or the module's name for the curated stacking kinds. */
  evidence: string;
  /** Where that evidence is, when it is one call. */
  source?: SourceRef;
}

export interface ModuleGraph {
  schema: 'spdk-lens/module-graph@1';
  nodes: ModuleGraphNode[];
  edges: ModuleGraphEdge[];
}

/** One call that shows what code does with bdevs. */
export interface BdevCallSite {
  api: string;
  file: string;
  line: number;
}

/** What the code of one file does with bdevs, from its calls. */
export interface BdevUse {
  /** spdk_bdev_open / spdk_bdev_open_ext: takes a descriptor on a bdev. */
  opens: BdevCallSite[];
  /** Claims a bdev or builds on one as its base (spdk_bdev_module_claim_bdev, a part base, a blobstore device). */
  claims: BdevCallSite[];
  /** spdk_bdev_register and spdk_bdev_part_construct: makes bdevs of its own. */
  registers: BdevCallSite[];
  /** SPDK_BDEV_MODULE_REGISTER (spdk_bdev_module_list_add), by the module variable it registers. */
  moduleRegistrations: Map<string, BdevCallSite>;
}

/** A library outside the bdev modules whose code opens or claims bdevs. */
export interface ConsumerLibrary {
  kind: 'nvmf_namespace' | 'vhost_controller' | 'ublk_disk' | 'bdev_consumer';
  /** Its first two folders (`lib/nvmf`, `module/blob`). */
  library: string;
  name: string;
}

export const ANY_BDEV_ID = 'bdev:*';

/** Curated: modules whose stacking is not "one base bdev under one virtual bdev", keyed by SPDK's module names. */
const STACKING_OF_MODULE: Record<string, 'raid_member' | 'lvstore'> = { raid: 'raid_member', lvol: 'lvstore' };

/** Curated: modules a book chapter other than the bdev one explains. */
export const TOPIC_OF_MODULE: Record<string, BookTopic> = { lvol: 'blobstore-lvol', nvme: 'nvme-driver' };

/** Curated: consumer libraries (by folder) and what they turn a bdev into. */
const CONSUMER_LIBRARIES: { pattern: RegExp; kind: ConsumerLibrary['kind']; name: string; edge: ModuleGraphEdgeKind }[] = [
  { pattern: /^lib\/nvmf\//, kind: 'nvmf_namespace', name: 'NVMe-oF namespace', edge: 'nvmf_namespace' },
  { pattern: /^lib\/vhost\//, kind: 'vhost_controller', name: 'vhost controller', edge: 'vhost' },
  { pattern: /^lib\/ublk\//, kind: 'ublk_disk', name: 'ublk disk', edge: 'ublk' },
];

/** How consumers take a bdev: by opening a descriptor. */
export const BDEV_OPEN_API = /^spdk_bdev_open(_ext(_v2)?|_async)?$/;
/** How a module makes bdevs of its own. */
const BDEV_REGISTER_API = /^(spdk_bdev_register|spdk_bdev_part_construct(_ext)?)$/;
/** What SPDK_BDEV_MODULE_REGISTER expands to. */
const MODULE_REGISTER_API = 'spdk_bdev_module_list_add';

/** The consumer library a file belongs to: any folder of lib/ or module/ outside the bdev layer and its modules. */
export function consumerOfFile(file: string): ConsumerLibrary | undefined {
  if (isTestSource(file) || !/^(lib|module)\/[^/]+\//.test(file) || /^(lib|module)\/bdev\//.test(file)) return undefined;
  const library = file.split('/').slice(0, 2).join('/');
  const found = CONSUMER_LIBRARIES.find((c) => c.pattern.test(file));
  return found ? { kind: found.kind, library, name: found.name } : { kind: 'bdev_consumer', library, name: library };
}

/** Sources under a `test/` folder: SPDK's unit tests and their stubs. */
export function isTestSource(file: string): boolean {
  return file.startsWith('test/') || file.includes('/test/');
}

export function moduleNodeId(name: string): string {
  return `bdev_module:${name}`;
}

/** Lists call sites as "api at file:line", the first few of them. */
function sitesText(sites: readonly BdevCallSite[], limit = 6): string[] {
  const shown = sites.slice(0, limit).map((c) => `${c.api} at ${c.file}:${c.line}`);
  if (sites.length > limit) shown.push(`(+${sites.length - limit} more)`);
  return shown;
}

function bySource(a: BdevCallSite, b: BdevCallSite): number {
  return a.file.localeCompare(b.file) || a.line - b.line;
}

function emptyUse(): BdevUse {
  return { opens: [], claims: [], registers: [], moduleRegistrations: new Map() };
}

function addUse(into: BdevUse, from: BdevUse): void {
  into.opens.push(...from.opens);
  into.claims.push(...from.claims);
  into.registers.push(...from.registers);
}

/**
 * The graph from the bdev modules and what each file does with bdevs (`uses`, by root-relative file). A module is a
 * bdev module when its file registers it with SPDK_BDEV_MODULE_REGISTER; a `struct spdk_bdev_module` that is never
 * registered (lib/nvmf's "NVMe-oF Target") only names the claims of the library that holds it, a consumer.
 */
export function buildModuleGraph(modules: readonly BdevModule[], rpcMethods: readonly RpcMethod[], uses: ReadonlyMap<string, BdevUse>, cards: readonly LifecycleCard[] = []): ModuleGraph {
  const nodes: ModuleGraphNode[] = [];
  const edges: ModuleGraphEdge[] = [];
  const any: ModuleGraphNode = {
    id: ANY_BDEV_ID,
    name: 'any bdev',
    kind: 'bdev',
    module: '',
    aliases: [],
    topic: 'bdev-io',
    details: { meaning: 'Any registered bdev, whichever module made it: the base that virtual bdevs, lvstores, raids and consumers open.' },
  };
  nodes.push(any);
  const productModules = modules.filter((m) => !isTestSource(m.file));
  const registered = productModules.filter((m) => uses.get(m.file)?.moduleRegistrations.has(m.variable));
  // Each file's calls count for the registered module of its folder whose file name is closest to its own.
  const useOfModule = new Map<BdevModule, BdevUse>(registered.map((m) => [m, emptyUse()]));
  const consumerUses = new Map<string, { consumer: ConsumerLibrary; use: BdevUse }>();
  for (const [file, use] of [...uses].sort(([a], [b]) => a.localeCompare(b))) {
    const candidates = registered.filter((m) => dirOf(m.file) === dirOf(file));
    if (candidates.length > 0) {
      const base = file.slice(file.lastIndexOf('/') + 1);
      const owner = candidates.reduce((best, m) => (commonPrefixLength(base, m.file.slice(m.file.lastIndexOf('/') + 1)) > commonPrefixLength(base, best.file.slice(best.file.lastIndexOf('/') + 1)) ? m : best));
      addUse(useOfModule.get(owner)!, use);
      continue;
    }
    const consumer = consumerOfFile(file);
    if (!consumer || use.opens.length + use.claims.length === 0) continue;
    const entry = consumerUses.get(consumer.library) ?? { consumer, use: emptyUse() };
    addUse(entry.use, use);
    consumerUses.set(consumer.library, entry);
  }

  let lvstore: ModuleGraphNode | undefined;
  for (const m of registered) {
    const use = useOfModule.get(m)!;
    const registration = uses.get(m.file)!.moduleRegistrations.get(m.variable)!;
    const id = moduleNodeId(m.name);
    const methods = rpcMethods.filter((r) => dirOf(r.file) === dirOf(m.file)).map((r) => r.method).sort();
    const consumes = [...use.opens, ...use.claims].sort(bySource);
    const details: { [key: string]: JsonValue } = {
      variable: m.variable,
      registered: `${registration.api} at ${registration.file}:${registration.line}`,
      consumes: consumes.length > 0 ? sitesText(consumes) : ['no bdev: it opens and claims none'],
      exports: use.registers.length > 0 ? sitesText(use.registers.sort(bySource)) : ['no spdk_bdev_register call in its folder'],
      hooks: m.hooks.map((h) => `${h.slot.replace(/^struct spdk_bdev_module\./, '')} = ${h.fn}`),
      fn_table_slots: m.fnTableSlots.map((s) => `${s.slot.replace(/^struct spdk_bdev_fn_table\./, '')} = ${s.fn}`),
    };
    if (methods.length > 0) details.rpc_methods = methods;
    if (m.virtualEvidence) details.base_bdev_call = `${m.virtualEvidence.api} at ${m.virtualEvidence.file}:${m.virtualEvidence.line}`;
    const card = cards.find((c) => c.file === m.file && c.variable === m.variable);
    if (card) details.lifecycle = cardLines(card);
    const node: ModuleGraphNode = {
      id,
      name: m.name,
      kind: 'bdev_module',
      module: m.name,
      aliases: m.variable !== m.name ? [m.variable] : [],
      role: m.virtual ? 'virtual' : 'leaf',
      source: { file: m.file, line: m.line },
      topic: TOPIC_OF_MODULE[m.name] ?? 'bdev-modules',
      details,
    };
    if (m.fnTable && m.fnTableFile && m.fnTableLine !== undefined) node.fnTable = { name: m.fnTable, file: m.fnTableFile, line: m.fnTableLine };
    nodes.push(node);
    const evidence = m.virtualEvidence;
    const evidenceSource = evidence ? { file: evidence.file, line: evidence.line } : undefined;
    const stacking = STACKING_OF_MODULE[m.name];
    if (!m.virtual) {
      // A virtual module registers bdevs too, but drawing that back edge would make every stack a cycle.
      const made = use.registers[0];
      edges.push(
        made
          ? { from: id, to: ANY_BDEV_ID, kind: 'registers', evidence: made.api, source: { file: made.file, line: made.line } }
          : { from: id, to: ANY_BDEV_ID, kind: 'registers', evidence: `${m.name} claims no base bdev: a leaf of the graph` },
      );
    } else if (stacking === 'lvstore') {
      lvstore ??= { id: 'lvstore:*', name: 'lvstore', kind: 'lvstore', module: m.name, aliases: [], topic: 'blobstore-lvol', details: { meaning: 'A blobstore on one base bdev; each lvol in it is a bdev of the lvol module.' } };
      if (!nodes.includes(lvstore)) nodes.push(lvstore);
      edges.push({ from: ANY_BDEV_ID, to: lvstore.id, kind: 'lvstore', evidence: evidence?.api ?? m.name, source: evidenceSource });
      edges.push({ from: lvstore.id, to: id, kind: 'lvol', evidence: `the ${m.name} module's bdevs live in an lvstore` });
    } else {
      edges.push({ from: ANY_BDEV_ID, to: id, kind: stacking ?? 'base_bdev', evidence: evidence?.api ?? m.name, source: evidenceSource });
    }
  }

  const unregistered = productModules.filter((m) => !registered.includes(m));
  for (const { consumer, use } of [...consumerUses.values()].sort((a, b) => a.consumer.library.localeCompare(b.consumer.library))) {
    const sites = [...use.opens, ...use.claims].sort(bySource);
    const first = use.opens.sort(bySource)[0] ?? sites[0];
    const id = consumer.kind === 'bdev_consumer' ? `bdev_consumer:${consumer.library}` : `${consumer.kind}:*`;
    const details: { [key: string]: JsonValue } = { consumes: sitesText(sites) };
    const claimsAs = unregistered.filter((m) => consumerOfFile(m.file)?.library === consumer.library);
    if (claimsAs.length > 0) {
      details.claims_as = claimsAs.map((m) => `bdev module "${m.name}" (${m.variable} at ${m.file}:${m.line}), never registered with SPDK_BDEV_MODULE_REGISTER: not a bdev module`);
    }
    nodes.push({
      id,
      name: consumer.name,
      kind: consumer.kind,
      module: consumer.library.replace(/^(lib|module)\//, ''),
      aliases: claimsAs.map((m) => m.name),
      source: { file: first.file, line: first.line },
      topic: 'bdev-modules',
      details,
    });
    const edge = CONSUMER_LIBRARIES.find((c) => c.kind === consumer.kind)?.edge ?? 'opens';
    edges.push({ from: ANY_BDEV_ID, to: id, kind: edge, evidence: first.api, source: { file: first.file, line: first.line } });
  }
  return { schema: 'spdk-lens/module-graph@1', nodes, edges };
}

/** What each file does with bdevs, from the index's call links (after macro expansion). */
function findBdevUses(index: SpdkIndex): Map<string, BdevUse> {
  const uses = new Map<string, BdevUse>();
  for (const links of index.model.allLinks()) {
    if (isTestSource(links.file)) continue;
    const use = emptyUse();
    for (const [callee, calls] of links.callsByCallee) {
      const sites = calls.map((call) => ({ api: callee, file: links.file, line: call.line }));
      if (BDEV_OPEN_API.test(callee)) use.opens.push(...sites);
      else if (BASE_BDEV_API.test(callee)) use.claims.push(...sites);
      else if (BDEV_REGISTER_API.test(callee)) use.registers.push(...sites);
      else if (callee === MODULE_REGISTER_API) {
        for (const call of calls) {
          const [arg] = call.args ?? [];
          const variable = arg?.kind === 'ident' ? arg.name : arg?.kind === 'other' ? arg.text.replace(/^&\s*/, '') : undefined;
          if (variable) use.moduleRegistrations.set(variable, { api: call.macro ?? callee, file: links.file, line: call.line });
        }
      }
    }
    if (use.opens.length + use.claims.length + use.registers.length + use.moduleRegistrations.size > 0) uses.set(links.file, use);
  }
  return uses;
}

/** The module graph of an index, computed once per index generation. */
export function moduleGraphOf(index: SpdkIndex): ModuleGraph {
  const model = index.model;
  return model.memoize('moduleGraph', () => buildModuleGraph(index.bdevModules(), index.rpcMethods(), findBdevUses(index), lifecycleCards(model)));
}
