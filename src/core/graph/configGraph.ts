// The instance graph a saved config would build: the JSON `save_config` writes and `spdk_tgt --json` reads,
// replayed as the create/attach/add calls it lists (the --with-batches form nests calls in arrays).
import { detailsOf, InstanceGraphBuilder, isRecord, nodeId, str, transportAddressOf } from './graphBuilder';
import type { InstanceGraph } from './instanceGraphTypes';

export interface SpdkConfigCall {
  method: string;
  params: Record<string, unknown>;
}

export interface SpdkConfig {
  subsystems: { subsystem: string; config: SpdkConfigCall[] }[];
}

export class SpdkConfigError extends Error {
  override readonly name = 'SpdkConfigError';
  constructor(
    readonly code: 'not_json' | 'not_spdk_config',
    message: string,
  ) {
    super(message);
  }
}

const EXPECTED_SHAPE = 'expected {"subsystems": [{"subsystem": "bdev", "config": [{"method": ..., "params": {...}}]}]} as written by save_config and read by spdk_tgt --json';

/** Parses and recognises a saved config; `origin` (a file name) goes into the error message. */
export function parseSpdkConfig(text: string, origin: string): SpdkConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SpdkConfigError('not_json', `${origin} is not JSON (${(error as Error).message}); expected the output of rpc.py save_config`);
  }
  return recogniseSpdkConfig(value, origin);
}

function recogniseSpdkConfig(value: unknown, origin: string): SpdkConfig {
  const notConfig = (why: string) => new SpdkConfigError('not_spdk_config', `${origin} is JSON but not an SPDK config: ${why}; ${EXPECTED_SHAPE}`);
  if (Array.isArray(value) && value.every((v) => isRecord(v) && typeof v.method === 'string')) {
    throw notConfig('it is a bare list of calls (framework_get_config prints one subsystem like this), not a whole config');
  }
  if (!isRecord(value)) throw notConfig(`the top level is ${Array.isArray(value) ? 'an array' : typeof value}`);
  if ('jsonrpc' in value) throw notConfig('it is a JSON-RPC message (a recorded reply?), not a config; of a save_config reply, only `result` is the config');
  if (!Array.isArray(value.subsystems)) throw notConfig('it has no "subsystems" array');
  const subsystems: SpdkConfig['subsystems'] = [];
  for (const [i, entry] of value.subsystems.entries()) {
    if (!isRecord(entry) || typeof entry.subsystem !== 'string') throw notConfig(`subsystems[${i}] has no "subsystem" name`);
    const calls: SpdkConfigCall[] = [];
    // save_config writes null for a subsystem with nothing to save; --with-batches nests calls in arrays.
    const flat = Array.isArray(entry.config) ? entry.config.flat() : entry.config == null ? [] : undefined;
    if (!flat) throw notConfig(`subsystems[${i}] (${entry.subsystem}) has a "config" that is not a list of calls`);
    for (const call of flat) {
      if (!isRecord(call) || typeof call.method !== 'string') throw notConfig(`subsystems[${i}] (${entry.subsystem}) lists something that is not a {"method", "params"} call`);
      calls.push({ method: call.method, params: isRecord(call.params) ? call.params : {} });
    }
    subsystems.push({ subsystem: entry.subsystem, config: calls });
  }
  return { subsystems };
}

const CONFIG_MISSING_HINT =
  'this config does not create it; bdevs created at run time are not saved as create calls: lvol bdevs load from their lvstore on examine (save_config names them by UUID), NVMe bdevs appear when bdev_nvme_attach_controller connects';

/** Base-bdev parameters of create calls, as the recorded configs spell them (passthru, delay, split, error). */
const BASE_BDEV_PARAMS = ['base_bdev_name', 'base_bdev', 'base_name'] as const;

export function buildConfigGraph(config: SpdkConfig, origin: string): InstanceGraph {
  const g = new InstanceGraphBuilder(CONFIG_MISSING_HINT);
  for (const { subsystem, config: calls } of config.subsystems) {
    for (const call of calls) {
      const evidence = `${subsystem}: ${call.method}`;
      if (subsystem === 'bdev') addBdevCall(g, call, evidence);
      else if (subsystem === 'nvmf') addNvmfCall(g, call, evidence);
    }
  }
  return g.build({ kind: 'config', origin });
}

function addBdevCall(g: InstanceGraphBuilder, { method, params }: SpdkConfigCall, evidence: string): void {
  if (method === 'bdev_nvme_attach_controller') {
    const name = str(params.name);
    if (!name) return;
    const id = nodeId('nvme_controller', name);
    g.addNode({ id, name, kind: 'nvme_controller', module: 'nvme', aliases: [], details: { ...detailsOf(params, ['name']), config_method: method } });
    const address = transportAddressOf(params);
    if (address) g.link({ id: g.addTransportAddress(address) }, { id }, 'nvme_connect', `${evidence} trtype/traddr/trsvcid`);
    return;
  }
  const create = /^bdev_(\w+)_create$/.exec(method);
  if (!create || create[1].startsWith('lvol')) return;
  const module = create[1];
  const details = { ...detailsOf(params), config_method: method };
  const base = BASE_BDEV_PARAMS.map((p) => [p, str(params[p])] as const).find(([, v]) => v !== undefined);
  if (module === 'split') {
    // bdev_split_create names its parts <base>p0..p<n-1> (as recorded: Malloc8 → Malloc8p0..Malloc8p3).
    const count = typeof params.split_count === 'number' ? params.split_count : 0;
    if (!base?.[1] || count <= 0) return;
    for (let i = 0; i < count; i++) {
      const part = g.addBdev(`${base[1]}p${i}`, { module, aliases: [], details: { ...details, name_from: `${method} split_count` } });
      g.link({ bdev: base[1] }, { id: part.id }, 'base_bdev', `${evidence} ${base[0]}`);
    }
    return;
  }
  // bdev_error_create takes no name: the error bdev is EE_<base> (as recorded: Malloc8p3 → EE_Malloc8p3).
  const name = str(params.name) ?? (module === 'error' && base?.[1] ? `EE_${base[1]}` : undefined);
  if (!name) {
    g.problems.push(`${evidence} has no name parameter; skipped`);
    return;
  }
  const uuid = str(params.uuid);
  const node = g.addBdev(name, { module, aliases: uuid ? [uuid] : [], details });
  if (base?.[1]) g.link({ bdev: base[1] }, { id: node.id }, 'base_bdev', `${evidence} ${base[0]}`);
  if (module === 'raid') {
    // Recorded as an array; rpc.py also accepts one space-separated string.
    const members = Array.isArray(params.base_bdevs) ? params.base_bdevs : typeof params.base_bdevs === 'string' ? params.base_bdevs.split(/\s+/).filter(Boolean) : [];
    members.forEach((member, slot) => {
      if (typeof member === 'string') g.link({ bdev: member }, { id: node.id }, 'raid_member', `${evidence} base_bdevs`, slot);
    });
  }
}

function addNvmfCall(g: InstanceGraphBuilder, { method, params }: SpdkConfigCall, evidence: string): void {
  const nqn = str(params.nqn);
  if (!nqn) return;
  const subsystem = nodeId('nvmf_subsystem', nqn);
  const ensureSubsystem = (details: Record<string, unknown>) =>
    g.addNode({ id: subsystem, name: nqn, kind: 'nvmf_subsystem', module: 'nvmf', aliases: [], details: detailsOf(details, ['nqn']) });
  if (method === 'nvmf_create_subsystem') ensureSubsystem({ ...params, config_method: method });
  else if (method === 'nvmf_subsystem_add_ns' && isRecord(params.namespace)) {
    ensureSubsystem({});
    const ns = params.namespace;
    const nsid = typeof ns.nsid === 'number' ? ns.nsid : undefined;
    if (nsid === undefined) return;
    const id = nodeId('nvmf_namespace', `${nqn}#${nsid}`);
    g.addNode({ id, name: `${nqn} ns${nsid}`, kind: 'nvmf_namespace', module: 'nvmf', aliases: [], details: detailsOf(ns) });
    g.link({ id }, { id: subsystem }, 'namespace_of', evidence, nsid);
    const bdevName = str(ns.bdev_name);
    if (bdevName) g.link({ bdev: bdevName }, { id }, 'nvmf_namespace', `${evidence} namespace.bdev_name`, nsid);
  } else if (method === 'nvmf_subsystem_add_listener') {
    // The discovery subsystem exists without a create call; its listener is the first mention of it.
    ensureSubsystem({});
    const address = transportAddressOf(params.listen_address);
    if (address) g.link({ id: subsystem }, { id: g.addTransportAddress(address) }, 'listener', `${evidence} listen_address`);
  } else if (method === 'nvmf_subsystem_add_host') {
    const node = ensureSubsystem({});
    const host = str(params.host);
    if (host) node.details.hosts = [...(Array.isArray(node.details.hosts) ? node.details.hosts : []), host];
  }
}
