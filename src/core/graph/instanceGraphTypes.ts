// The instance graph of one SPDK target (live, or as a saved config would build it): plain JSON data for the host,
// the webview and `spdk-lens graph --json`. Every edge points from a base to what is built on it.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type InstanceNodeKind =
  | 'bdev'
  | 'lvstore'
  | 'nvmf_subsystem'
  | 'nvmf_namespace'
  /** An NVMe transport ID's address part (trtype, adrfam, traddr, trsvcid): an nvmf listener or what a controller connects to. */
  | 'transport_address'
  | 'nvme_controller'
  | 'vhost_controller'
  | 'ublk_disk';

export interface InstanceNode {
  /** Unique in the graph: `<kind>:<SPDK's own key>` (bdev name, lvstore UUID, NQN, ...). */
  id: string;
  name: string;
  kind: InstanceNodeKind;
  /** SPDK module that implements it (`malloc`, `passthru`, `lvol`, `raid`, `nvme`, `nvmf`, ...); '' when the data does not say. */
  module: string;
  aliases: string[];
  /** bdev product_name, as the target reports it (live only). */
  productName?: string;
  /** The first driver_specific key of a bdev (`passthru`, `error_disk`, ...): the module's own JSON section. */
  driverSpecificKey?: string;
  claimed?: boolean;
  claimType?: string;
  /** raid state, NVMe controller state, ... */
  state?: string;
  /** Referenced by another node but not present in the data; `missingReason` says what referenced it and why it may be absent. */
  missing?: boolean;
  missingReason?: string;
  /** What the target reported (or the config's params): the record this node was built from, minus name and aliases. */
  details: { [key: string]: JsonValue };
}

export type InstanceEdgeKind =
  /** base bdev → lvstore on it */
  | 'lvstore'
  /** lvstore → lvol bdev */
  | 'lvol'
  /** snapshot lvol → its clone */
  | 'snapshot'
  /** member bdev → raid bdev */
  | 'raid_member'
  /** base bdev → virtual bdev (passthru, delay, split, error, ... via driver_specific or create params) */
  | 'base_bdev'
  /** bdev → nvmf namespace exporting it */
  | 'nvmf_namespace'
  /** nvmf namespace → its subsystem */
  | 'namespace_of'
  /** nvmf subsystem → transport address it listens on */
  | 'listener'
  /** transport address → NVMe controller connected to it */
  | 'nvme_connect'
  /** NVMe controller (or its address when the controller list is missing) → NVMe bdev of one of its namespaces */
  | 'nvme_namespace'
  /** nvmf namespace → NVMe bdev that is a remote view of it (same subnqn, nsid and listener address in this data) */
  | 'remote_namespace'
  /** bdev → vhost controller / ublk disk consuming it */
  | 'vhost'
  | 'ublk';

export interface InstanceEdge {
  from: string;
  to: string;
  kind: InstanceEdgeKind;
  /** What in the data implies the edge, e.g. `driver_specific.passthru.base_bdev_name`. */
  evidence: string;
  /** raid slot, nsid, ... */
  index?: number;
}

export interface SkippedMethod {
  method: string;
  reason: string;
}

export interface InstanceGraph {
  schema: 'spdk-lens/instance-graph@1';
  source: { kind: 'live' | 'config'; origin: string };
  nodes: InstanceNode[];
  edges: InstanceEdge[];
  /** Methods the target lacks (JSON-RPC -32601), skipped rather than fatal. */
  skipped: SkippedMethod[];
  /** Methods that failed, dangling references, records that could not be read. */
  problems: string[];
}
