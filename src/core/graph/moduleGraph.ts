// The static module graph of an SPDK tree: every bdev module the index found (leaf or virtual, with its fn_table)
// and the kinds of stacking its code allows, as plain JSON in the instance graph's node/edge shape. Every edge points
// from a base to what is built on it; one "any bdev" node stands for every bdev a module can open as its base.
import type { SpdkIndex } from '../index/indexer';
import type { BookTopic } from '../knowledge/contextKinds';
import type { BdevModule, RpcMethod } from '../model/indexTypes';
import { dirOf } from '../util/paths';
import type { JsonValue } from './instanceGraphTypes';

export type ModuleGraphNodeKind =
  /** A `struct spdk_bdev_module`. */
  | 'bdev_module'
  /** Any registered bdev: what leaf modules produce and what virtual modules and consumers open. */
  | 'bdev'
  /** A blobstore on a base bdev, holding the lvol module's bdevs. */
  | 'lvstore'
  /** Consumers of bdevs outside the bdev layer. */
  | 'nvmf_namespace'
  | 'vhost_controller'
  | 'ublk_disk';

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
  | 'ublk';

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

/** A library outside the bdev layer that opens bdevs, found by its open call. */
export interface BdevConsumer {
  kind: 'nvmf_namespace' | 'vhost_controller' | 'ublk_disk';
  /** The library folder (`lib/nvmf`). */
  library: string;
  api: string;
  source: SourceRef;
}

export const ANY_BDEV_ID = 'bdev:*';

/** Curated: modules whose stacking is not "one base bdev under one virtual bdev", keyed by SPDK's module names. */
const STACKING_OF_MODULE: Record<string, 'raid_member' | 'lvstore'> = { raid: 'raid_member', lvol: 'lvstore' };

/** Curated: modules a book chapter other than the bdev one explains. */
export const TOPIC_OF_MODULE: Record<string, BookTopic> = { lvol: 'blobstore-lvol', nvme: 'nvme-driver' };

/** Curated: consumer libraries (by folder) and what they turn a bdev into. */
const CONSUMER_LIBRARIES: { pattern: RegExp; kind: BdevConsumer['kind']; name: string; edge: ModuleGraphEdgeKind }[] = [
  { pattern: /^lib\/nvmf\//, kind: 'nvmf_namespace', name: 'NVMe-oF namespace', edge: 'nvmf_namespace' },
  { pattern: /^lib\/vhost\//, kind: 'vhost_controller', name: 'vhost controller', edge: 'vhost' },
  { pattern: /^lib\/ublk\//, kind: 'ublk_disk', name: 'ublk disk', edge: 'ublk' },
];

/** How consumers take a bdev: by opening a descriptor. */
const BDEV_OPEN_API = /^spdk_bdev_open(_ext)?$/;

/** The consumer library a file belongs to, if any. */
export function consumerOfFile(file: string): { kind: BdevConsumer['kind']; library: string } | undefined {
  const found = CONSUMER_LIBRARIES.find((c) => c.pattern.test(file));
  return found ? { kind: found.kind, library: file.split('/').slice(0, 2).join('/') } : undefined;
}

/** Sources under a `test/` folder: SPDK's unit tests and their stubs. */
function isTestSource(file: string): boolean {
  return file.startsWith('test/') || file.includes('/test/');
}

function moduleNodeId(name: string): string {
  return `bdev_module:${name}`;
}

export function buildModuleGraph(modules: readonly BdevModule[], rpcMethods: readonly RpcMethod[], consumers: readonly BdevConsumer[]): ModuleGraph {
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
  let lvstore: ModuleGraphNode | undefined;
  // Unit-test stand-ins (test/unit/.../bdev_ut.c) register modules too; they are not part of the product's graph.
  for (const m of modules.filter((m) => !isTestSource(m.file))) {
    const id = moduleNodeId(m.name);
    const methods = rpcMethods.filter((r) => dirOf(r.file) === dirOf(m.file)).map((r) => r.method).sort();
    const details: { [key: string]: JsonValue } = {
      variable: m.variable,
      hooks: m.hooks.map((h) => `${h.slot.replace(/^struct spdk_bdev_module\./, '')} = ${h.fn}`),
      fn_table_slots: m.fnTableSlots.map((s) => `${s.slot.replace(/^struct spdk_bdev_fn_table\./, '')} = ${s.fn}`),
    };
    if (methods.length > 0) details.rpc_methods = methods;
    if (m.virtualEvidence) details.base_bdev_call = `${m.virtualEvidence.api} at ${m.virtualEvidence.file}:${m.virtualEvidence.line}`;
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
      edges.push({ from: id, to: ANY_BDEV_ID, kind: 'registers', evidence: `${m.name} claims no base bdev: a leaf of the graph` });
    } else if (stacking === 'lvstore') {
      lvstore ??= { id: 'lvstore:*', name: 'lvstore', kind: 'lvstore', module: m.name, aliases: [], topic: 'blobstore-lvol', details: { meaning: 'A blobstore on one base bdev; each lvol in it is a bdev of the lvol module.' } };
      if (!nodes.includes(lvstore)) nodes.push(lvstore);
      edges.push({ from: ANY_BDEV_ID, to: lvstore.id, kind: 'lvstore', evidence: evidence?.api ?? m.name, source: evidenceSource });
      edges.push({ from: lvstore.id, to: id, kind: 'lvol', evidence: `the ${m.name} module's bdevs live in an lvstore` });
    } else {
      edges.push({ from: ANY_BDEV_ID, to: id, kind: stacking ?? 'base_bdev', evidence: evidence?.api ?? m.name, source: evidenceSource });
    }
  }
  for (const library of CONSUMER_LIBRARIES) {
    const found = consumers.filter((c) => c.kind === library.kind).sort((a, b) => a.source.file.localeCompare(b.source.file) || a.source.line - b.source.line);
    if (found.length === 0) continue;
    const first = found[0];
    const id = `${library.kind}:*`;
    nodes.push({
      id,
      name: library.name,
      kind: library.kind,
      module: first.library.replace(/^lib\//, ''),
      aliases: [],
      source: first.source,
      topic: 'bdev-modules',
      details: { opens_bdevs_at: found.map((c) => `${c.api} at ${c.source.file}:${c.source.line}`) },
    });
    edges.push({ from: ANY_BDEV_ID, to: id, kind: library.edge, evidence: first.api, source: first.source });
  }
  return { schema: 'spdk-lens/module-graph@1', nodes, edges };
}

/** Where consumer libraries open bdevs, from the index's call links. */
function findBdevConsumers(index: SpdkIndex): BdevConsumer[] {
  const consumers: BdevConsumer[] = [];
  for (const links of index.model.allLinks()) {
    const consumer = consumerOfFile(links.file);
    if (!consumer) continue;
    for (const [callee, calls] of links.callsByCallee) {
      if (!BDEV_OPEN_API.test(callee)) continue;
      for (const call of calls) consumers.push({ ...consumer, api: callee, source: { file: links.file, line: call.line } });
    }
  }
  return consumers;
}

/** The module graph of an index, computed once per index generation. */
export function moduleGraphOf(index: SpdkIndex): ModuleGraph {
  const model = index.model;
  return model.memoize('moduleGraph', () => buildModuleGraph(index.bdevModules(), index.rpcMethods(), findBdevConsumers(index)));
}
