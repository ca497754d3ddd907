// The instance graph of a running target, from the replies of its listing methods (bdev_get_bdevs and friends).
// Edges come only from fields the target reports: driver_specific sections, lvstore UUIDs, raid member lists,
// nvmf namespaces and listeners, NVMe transport IDs.
import { detailsOf, InstanceGraphBuilder, isRecord, nodeId, str, transportAddressKey, transportAddressOf } from './graphBuilder';
import type { InstanceGraph, InstanceNode } from './instanceGraphTypes';

/** The methods the graph is built from, with the params each is called with. */
export const LIVE_GRAPH_METHODS = [
  { method: 'bdev_get_bdevs' },
  { method: 'bdev_lvol_get_lvstores' },
  { method: 'bdev_lvol_get_lvols' },
  // `all` also lists raids still configuring or offline, which are not registered bdevs yet.
  { method: 'bdev_raid_get_bdevs', params: { category: 'all' } },
  { method: 'bdev_nvme_get_controllers' },
  { method: 'nvmf_get_subsystems' },
  { method: 'vhost_get_controllers' },
  { method: 'ublk_get_disks' },
] as const satisfies readonly { method: string; params?: Record<string, unknown> }[];

export type LiveGraphMethod = (typeof LIVE_GRAPH_METHODS)[number]['method'];

/** What one gathering of a target returned: each method's `result`, and the methods skipped or failed. */
export interface SpdkLiveBundle {
  address: string;
  results: Partial<Record<LiveGraphMethod, unknown>>;
  /** Methods the target lacks (-32601). */
  skipped: { method: string; reason: string }[];
  /** Methods that answered with another JSON-RPC error. */
  failed: { method: string; rpcCode?: number; message: string }[];
}

/** driver_specific key → bdev module name, where they differ or the key is the module's own section. */
const MODULE_OF_DRIVER_SPECIFIC_KEY: Record<string, string> = { error_disk: 'error' };

/** product_name → module for leaf bdevs whose driver_specific is empty (as recorded: Malloc disk, Null disk). */
const MODULE_OF_PRODUCT_NAME: Record<string, string> = { 'Malloc disk': 'malloc', 'Null disk': 'null' };

/** driver_specific keys that are not a module's section (bdev_nvme writes mp_policy next to `nvme`). */
const SHARED_DRIVER_SPECIFIC_KEYS = new Set(['mp_policy']);

const LIVE_MISSING_HINT = 'the target does not list it (a raid member or base that was removed, or a base a passthru still waits for)';

function listOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

export function buildLiveGraph(bundle: SpdkLiveBundle): InstanceGraph {
  const g = new InstanceGraphBuilder(LIVE_MISSING_HINT);
  g.skipped.push(...bundle.skipped);
  for (const f of bundle.failed) g.problems.push(`${f.method} failed: ${f.message}${f.rpcCode === undefined ? '' : ` (JSON-RPC error ${f.rpcCode})`}`);
  const r = bundle.results;
  const lvstoreNames = new Map<string, string>();

  for (const lvs of listOf(r.bdev_lvol_get_lvstores)) {
    const uuid = str(lvs.uuid);
    const name = str(lvs.name);
    if (!uuid) continue;
    if (name) lvstoreNames.set(uuid, name);
    const id = nodeId('lvstore', uuid);
    g.addNode({ id, name: name ?? uuid, kind: 'lvstore', module: 'lvol', aliases: [uuid], details: detailsOf(lvs, ['name']) });
    const base = str(lvs.base_bdev);
    if (base) g.link({ bdev: base }, { id }, 'lvstore', 'bdev_lvol_get_lvstores base_bdev');
  }

  for (const bdev of listOf(r.bdev_get_bdevs)) addLiveBdev(g, bdev, lvstoreNames);

  for (const lvol of listOf(r.bdev_lvol_get_lvols)) {
    const uuid = str(lvol.uuid);
    const lvs = isRecord(lvol.lvs) ? lvol.lvs : {};
    const lvsUuid = str(lvs.uuid);
    if (!uuid || !lvsUuid) continue;
    const lvstore = nodeId('lvstore', lvsUuid);
    if (!g.has(lvstore)) g.addNode({ id: lvstore, name: str(lvs.name) ?? lvsUuid, kind: 'lvstore', module: 'lvol', aliases: [lvsUuid], details: detailsOf(lvs, ['name']) });
    const alias = str(lvol.alias);
    // An lvol the bdev layer does not list (degraded, or not opened yet) still belongs to its lvstore.
    const bdev = g.get(nodeId('bdev', uuid)) ?? g.addBdev(uuid, { module: 'lvol', aliases: alias ? [alias] : [], details: { registered: false } });
    bdev.details = { ...bdev.details, bdev_lvol_get_lvols: detailsOf(lvol) };
    g.link({ id: lvstore }, { id: bdev.id }, 'lvol', 'bdev_lvol_get_lvols lvs.uuid');
  }

  for (const raid of listOf(r.bdev_raid_get_bdevs)) {
    const name = str(raid.name);
    if (!name) continue;
    const id = nodeId('bdev', name);
    if (!g.has(id)) {
      // Listed by bdev_raid_get_bdevs but not registered: a raid still configuring or offline.
      g.addBdev(name, { module: 'raid', aliases: [], state: str(raid.state), details: { ...detailsOf(raid, ['name']), registered: false } });
    }
    linkRaidMembers(g, id, raid.base_bdevs_list, 'bdev_raid_get_bdevs base_bdevs_list');
  }

  const controllers = listOf(r.bdev_nvme_get_controllers);
  for (const controller of controllers) {
    const name = str(controller.name);
    if (!name) continue;
    const id = nodeId('nvme_controller', name);
    const paths = listOf(controller.ctrlrs);
    g.addNode({ id, name, kind: 'nvme_controller', module: 'nvme', aliases: [], state: str(paths[0]?.state), details: detailsOf(controller, ['name']) });
    for (const path of paths) {
      const address = transportAddressOf(path.trid);
      if (address) g.link({ id: g.addTransportAddress(address) }, { id }, 'nvme_connect', 'bdev_nvme_get_controllers ctrlrs[].trid', numberOr(path.cntlid));
    }
  }

  const subsystems = listOf(r.nvmf_get_subsystems);
  for (const subsystem of subsystems) {
    const nqn = str(subsystem.nqn);
    if (!nqn) continue;
    const id = nodeId('nvmf_subsystem', nqn);
    g.addNode({ id, name: nqn, kind: 'nvmf_subsystem', module: 'nvmf', aliases: [], state: str(subsystem.subtype), details: detailsOf(subsystem, ['nqn']) });
    for (const listen of listOf(subsystem.listen_addresses)) {
      const address = transportAddressOf(listen);
      if (address) g.link({ id }, { id: g.addTransportAddress(address) }, 'listener', 'nvmf_get_subsystems listen_addresses');
    }
    for (const ns of listOf(subsystem.namespaces)) {
      const nsid = numberOr(ns.nsid);
      const bdevName = str(ns.bdev_name);
      if (nsid === undefined) continue;
      const nsId = nodeId('nvmf_namespace', `${nqn}#${nsid}`);
      g.addNode({ id: nsId, name: `${nqn} ns${nsid}`, kind: 'nvmf_namespace', module: 'nvmf', aliases: [], details: detailsOf(ns) });
      g.link({ id: nsId }, { id }, 'namespace_of', 'nvmf_get_subsystems namespaces[]', nsid);
      if (bdevName) g.link({ bdev: bdevName }, { id: nsId }, 'nvmf_namespace', 'nvmf_get_subsystems namespaces[].bdev_name', nsid);
    }
  }

  linkNvmeBdevs(g, listOf(r.bdev_get_bdevs), controllers, subsystems);
  addConsumers(g, r.vhost_get_controllers, 'vhost_controller', 'vhost', 'vhost_get_controllers');
  addConsumers(g, r.ublk_get_disks, 'ublk_disk', 'ublk', 'ublk_get_disks');
  return g.build({ kind: 'live', origin: bundle.address });
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function addLiveBdev(g: InstanceGraphBuilder, bdev: Record<string, unknown>, lvstoreNames: Map<string, string>): void {
  const name = str(bdev.name);
  if (!name) {
    g.problems.push(`bdev_get_bdevs listed a bdev without a name: ${JSON.stringify(bdev).slice(0, 120)}`);
    return;
  }
  const driverSpecific = isRecord(bdev.driver_specific) ? bdev.driver_specific : {};
  const key = Object.keys(driverSpecific).find((k) => !SHARED_DRIVER_SPECIFIC_KEYS.has(k));
  const productName = str(bdev.product_name);
  const module = key ? (MODULE_OF_DRIVER_SPECIFIC_KEY[key] ?? key) : productName ? (MODULE_OF_PRODUCT_NAME[productName] ?? '') : '';
  const aliases = Array.isArray(bdev.aliases) ? bdev.aliases.filter((a): a is string => typeof a === 'string') : [];
  const raid = isRecord(driverSpecific.raid) ? driverSpecific.raid : undefined;
  const node = g.addBdev(name, {
    module,
    aliases,
    productName,
    driverSpecificKey: key,
    claimed: typeof bdev.claimed === 'boolean' ? bdev.claimed : undefined,
    claimType: str(bdev.claim_type),
    state: raid ? str(raid.state) : undefined,
    details: detailsOf(bdev, ['name', 'aliases']),
  });
  if (!key) return;
  const section = driverSpecific[key];
  if (key === 'lvol' && isRecord(section)) {
    linkLvol(g, node, section, lvstoreNames);
    return;
  }
  if (raid) {
    linkRaidMembers(g, node.id, raid.base_bdevs_list, 'driver_specific.raid.base_bdevs_list');
    return;
  }
  if (!isRecord(section)) return; // nvme paths (an array) are linked once controllers and subsystems are known
  for (const field of ['base_bdev_name', 'base_bdev'] as const) {
    const base = str(section[field]);
    if (base) {
      g.link({ bdev: base }, { id: node.id }, 'base_bdev', `driver_specific.${key}.${field}`);
      return;
    }
  }
}

function linkLvol(g: InstanceGraphBuilder, node: InstanceNode, lvol: Record<string, unknown>, lvstoreNames: Map<string, string>): void {
  const lvsUuid = str(lvol.lvol_store_uuid);
  if (!lvsUuid) return;
  const lvstore = nodeId('lvstore', lvsUuid);
  // The lvstore's name is also the prefix of each lvol's alias (lvs0/lvol1), when bdev_lvol_get_lvstores was skipped.
  const aliasPrefix = node.aliases.find((a) => a.includes('/'))?.split('/')[0];
  const lvsName = lvstoreNames.get(lvsUuid) ?? aliasPrefix;
  if (!g.has(lvstore)) {
    g.addNode({ id: lvstore, name: lvsName ?? lvsUuid, kind: 'lvstore', module: 'lvol', aliases: [lvsUuid], details: { uuid: lvsUuid } });
    const base = str(lvol.base_bdev);
    if (base) g.link({ bdev: base }, { id: lvstore }, 'lvstore', 'driver_specific.lvol.base_bdev');
  }
  g.link({ id: lvstore }, { id: node.id }, 'lvol', 'driver_specific.lvol.lvol_store_uuid');
  // Snapshot and clone names are lvol names inside the same lvstore, i.e. the alias without the lvstore prefix.
  const inStore = (lvolName: string) => ({ bdev: lvsName ? `${lvsName}/${lvolName}` : lvolName });
  const baseSnapshot = str(lvol.base_snapshot);
  if (baseSnapshot) g.link(inStore(baseSnapshot), { id: node.id }, 'snapshot', 'driver_specific.lvol.base_snapshot');
  if (Array.isArray(lvol.clones)) {
    for (const clone of lvol.clones) if (typeof clone === 'string') g.link({ id: node.id }, inStore(clone), 'snapshot', 'driver_specific.lvol.clones');
  }
}

function linkRaidMembers(g: InstanceGraphBuilder, raidId: string, members: unknown, evidence: string): void {
  if (!Array.isArray(members)) return;
  members.forEach((member, slot) => {
    // An empty slot (a removed member) has no name: nothing to link.
    const name = isRecord(member) ? str(member.name) : undefined;
    if (name) g.link({ bdev: name }, { id: raidId }, 'raid_member', evidence, slot);
  });
}

/** NVMe bdevs: each path's trid and cntlid name its controller; subnqn + nsid + address name the nvmf namespace it views. */
function linkNvmeBdevs(g: InstanceGraphBuilder, bdevs: Record<string, unknown>[], controllers: Record<string, unknown>[], subsystems: Record<string, unknown>[]): void {
  const controllerByPath = new Map<string, string>();
  for (const controller of controllers) {
    const name = str(controller.name);
    if (!name) continue;
    for (const path of listOf(controller.ctrlrs)) {
      const address = transportAddressOf(path.trid);
      const subnqn = isRecord(path.trid) ? str(path.trid.subnqn) : undefined;
      if (address) controllerByPath.set(`${transportAddressKey(address)}|${subnqn ?? ''}|${numberOr(path.cntlid) ?? ''}`, nodeId('nvme_controller', name));
    }
  }
  const listenersByNqn = new Map<string, Set<string>>();
  for (const subsystem of subsystems) {
    const nqn = str(subsystem.nqn);
    if (!nqn) continue;
    const keys = new Set<string>();
    for (const listen of listOf(subsystem.listen_addresses)) {
      const address = transportAddressOf(listen);
      if (address) keys.add(transportAddressKey(address));
    }
    listenersByNqn.set(nqn, keys);
  }
  for (const bdev of bdevs) {
    const name = str(bdev.name);
    const driverSpecific = isRecord(bdev.driver_specific) ? bdev.driver_specific : {};
    if (!name || !Array.isArray(driverSpecific.nvme)) continue;
    const id = nodeId('bdev', name);
    for (const path of listOf(driverSpecific.nvme)) {
      const address = transportAddressOf(path.trid);
      if (!address) continue;
      const addressKey = transportAddressKey(address);
      const subnqn = isRecord(path.trid) ? str(path.trid.subnqn) : undefined;
      const cntlid = isRecord(path.ctrlr_data) ? numberOr(path.ctrlr_data.cntlid) : undefined;
      const nsid = isRecord(path.ns_data) ? numberOr(path.ns_data.id) : undefined;
      const controller = controllerByPath.get(`${addressKey}|${subnqn ?? ''}|${cntlid ?? ''}`);
      if (controller) g.link({ id: controller }, { id }, 'nvme_namespace', 'driver_specific.nvme[].trid + ctrlr_data.cntlid', nsid);
      else g.link({ id: g.addTransportAddress(address) }, { id }, 'nvme_namespace', 'driver_specific.nvme[].trid', nsid);
      // Same subnqn, nsid and a listener on the same address in this very target: the NVMe bdev views that namespace.
      if (subnqn && nsid !== undefined && listenersByNqn.get(subnqn)?.has(addressKey)) {
        const ns = nodeId('nvmf_namespace', `${subnqn}#${nsid}`);
        if (g.has(ns)) g.link({ id: ns }, { id }, 'remote_namespace', `driver_specific.nvme[].trid.subnqn + ns_data.id, listener ${addressKey}`, nsid);
      }
    }
  }
}

/** vhost controllers and ublk disks: not in the recordings, so only the `bdev_name` fields they carry are trusted. */
function addConsumers(g: InstanceGraphBuilder, result: unknown, kind: 'vhost_controller' | 'ublk_disk', edgeKind: 'vhost' | 'ublk', method: string): void {
  listOf(result).forEach((entry, i) => {
    const name = str(entry.ctrlr) ?? str(entry.ublk_device) ?? (typeof entry.id === 'number' ? String(entry.id) : `${method}[${i}]`);
    const id = nodeId(kind, name);
    g.addNode({ id, name, kind, module: edgeKind, aliases: [], details: detailsOf(entry) });
    for (const bdevName of bdevNamesIn(entry)) g.link({ bdev: bdevName }, { id }, edgeKind, `${method} bdev_name`);
  });
}

function bdevNamesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) bdevNamesIn(v, out);
  else if (isRecord(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'bdev_name' && typeof v === 'string') out.push(v);
      else bdevNamesIn(v, out);
    }
  }
  return out;
}
