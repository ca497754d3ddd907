// Shared assembly of an instance graph: nodes by id, bdev references resolved by name, alias or UUID once every
// record is read (a saved config may name a base before creating it), and placeholders for what is referenced but absent.
import type { InstanceEdge, InstanceEdgeKind, InstanceGraph, InstanceNode, InstanceNodeKind, JsonValue, SkippedMethod } from './instanceGraphTypes';

/** An edge end: a node id, or a bdev as another record names it (resolved at the end). */
export type EdgeEnd = { id: string } | { bdev: string };

interface PendingEdge {
  from: EdgeEnd;
  to: EdgeEnd;
  kind: InstanceEdgeKind;
  evidence: string;
  index?: number;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A record as plain JSON (JSON.parse output already is; this only narrows the type and drops the listed keys). */
export function detailsOf(record: Record<string, unknown>, drop: string[] = []): { [key: string]: JsonValue } {
  const details: { [key: string]: JsonValue } = {};
  for (const [key, value] of Object.entries(record)) if (!drop.includes(key) && value !== undefined) details[key] = value as JsonValue;
  return details;
}

/** Drops fields left undefined (optional data the target did not report), so a model equals its own JSON round trip. */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = withoutUndefined(v);
  return out as T;
}

export function nodeId(kind: InstanceNodeKind, key: string): string {
  return `${kind}:${key}`;
}

/** NVMe transport ID fields as bdev_nvme, nvmf listeners and save_config spell them. */
export interface TransportAddress {
  trtype: string;
  adrfam?: string;
  traddr: string;
  trsvcid?: string;
}

export function transportAddressOf(record: unknown): TransportAddress | undefined {
  if (!isRecord(record)) return undefined;
  const trtype = str(record.trtype);
  const traddr = str(record.traddr);
  if (!trtype || !traddr) return undefined;
  return { trtype, adrfam: str(record.adrfam), traddr, trsvcid: str(record.trsvcid) };
}

export function transportAddressKey(address: TransportAddress): string {
  return [address.trtype.toUpperCase(), (address.adrfam ?? '').toLowerCase(), address.traddr, address.trsvcid ?? ''].join('/');
}

function transportAddressName(address: TransportAddress): string {
  const host = address.traddr.includes(':') && address.adrfam?.toLowerCase() === 'ipv6' ? `[${address.traddr}]` : address.traddr;
  return `${address.trtype.toUpperCase()} ${address.trsvcid ? `${host}:${address.trsvcid}` : host}`;
}

export class InstanceGraphBuilder {
  private readonly nodes = new Map<string, InstanceNode>();
  private readonly pending: PendingEdge[] = [];
  readonly problems: string[] = [];
  readonly skipped: SkippedMethod[] = [];

  constructor(private readonly missingHint: string) {}

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  get(id: string): InstanceNode | undefined {
    return this.nodes.get(id);
  }

  /** Adds a node, or merges into the one with the same id (later sources fill what earlier ones lacked). */
  addNode(node: InstanceNode): InstanceNode {
    const existing = this.nodes.get(node.id);
    if (!existing) {
      this.nodes.set(node.id, node);
      return node;
    }
    for (const alias of node.aliases) if (!existing.aliases.includes(alias)) existing.aliases.push(alias);
    existing.details = { ...node.details, ...existing.details };
    for (const key of ['module', 'productName', 'driverSpecificKey', 'claimed', 'claimType', 'state'] as const) {
      if (existing[key] === undefined || existing[key] === '') (existing as unknown as Record<string, unknown>)[key] = node[key];
    }
    return existing;
  }

  addBdev(name: string, fields: Omit<InstanceNode, 'id' | 'name' | 'kind'>): InstanceNode {
    return this.addNode({ id: nodeId('bdev', name), name, kind: 'bdev', ...fields });
  }

  addTransportAddress(address: TransportAddress): string {
    const id = nodeId('transport_address', transportAddressKey(address));
    this.addNode({ id, name: transportAddressName(address), kind: 'transport_address', module: address.trtype.toLowerCase(), aliases: [], details: detailsOf({ ...address }) });
    return id;
  }

  link(from: EdgeEnd, to: EdgeEnd, kind: InstanceEdgeKind, evidence: string, index?: number): void {
    this.pending.push({ from, to, kind, evidence, index });
  }

  build(source: InstanceGraph['source']): InstanceGraph {
    const byReference = new Map<string, string>();
    const bdevs = [...this.nodes.values()].filter((n) => n.kind === 'bdev');
    // Names win over aliases and UUIDs: SPDK looks a bdev up by name first.
    for (const n of bdevs) for (const alias of n.aliases) if (!byReference.has(alias)) byReference.set(alias, n.id);
    for (const n of bdevs) {
      const uuid = str(n.details.uuid);
      if (uuid && !byReference.has(uuid)) byReference.set(uuid, n.id);
    }
    for (const n of bdevs) byReference.set(n.name, n.id);
    const resolve = (end: EdgeEnd, other: EdgeEnd, evidence: string): string => {
      if ('id' in end) return end.id;
      const found = byReference.get(end.bdev);
      if (found) return found;
      const id = nodeId('bdev', end.bdev);
      const referrer = 'id' in other ? (this.nodes.get(other.id)?.name ?? other.id) : other.bdev;
      const placeholder = this.nodes.get(id) ?? this.addNode({ id, name: end.bdev, kind: 'bdev', module: '', aliases: [], missing: true, missingReason: '', details: {} });
      const why = `${referrer} (${evidence})`;
      placeholder.missingReason = placeholder.missingReason ? `${placeholder.missingReason}; ${why}` : `referenced by ${why}; ${this.missingHint}`;
      byReference.set(end.bdev, id);
      this.problems.push(`${referrer} refers to bdev ${JSON.stringify(end.bdev)}, which is not in the data (${evidence})`);
      return id;
    };
    const edges: InstanceEdge[] = [];
    const seen = new Set<string>();
    for (const p of this.pending) {
      const from = resolve(p.from, p.to, p.evidence);
      const to = resolve(p.to, p.from, p.evidence);
      const key = `${from}\u0000${to}\u0000${p.kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push({ from, to, kind: p.kind, evidence: p.evidence, index: p.index });
    }
    return withoutUndefined({ schema: 'spdk-lens/instance-graph@1', source, nodes: [...this.nodes.values()], edges, skipped: this.skipped, problems: this.problems });
  }
}
