// `spdk-lens graph`: the instance graph of a running target (Unix socket or host:port) or of a saved config,
// as a readable summary, as JSON for scripts and CI, or as Graphviz DOT.
import { promises as fs } from 'node:fs';
import { buildConfigGraph, parseSpdkConfig } from '../core/graph/configGraph';
import { instanceGraphToDot } from '../core/graph/dotWriter';
import { gatherLiveBundle } from '../core/graph/gatherLive';
import type { InstanceGraph, InstanceNode } from '../core/graph/instanceGraphTypes';
import { buildLiveGraph } from '../core/graph/liveGraph';
import { DEFAULT_SPDK_RPC_SOCKET, looksLikeHostPort, parseRpcAddress } from '../core/rpc/rpcAddress';
import { DEFAULT_RPC_TIMEOUT_MS, SpdkRpcClient } from '../core/rpc/spdkRpcClient';
import { parseCliArgs, UsageError } from './cliArgs';

export const GRAPH_USAGE = `  spdk-lens graph [--from <save_config.json | unix socket path | host:port>] [--json | --dot] [--timeout <ms>]
      (--from defaults to ${DEFAULT_SPDK_RPC_SOCKET})`;

interface GraphCliOptions {
  from: string;
  format: 'text' | 'json' | 'dot';
  timeoutMs: number;
}

function parseGraphArgs(argv: string[]): GraphCliOptions {
  const { values } = parseCliArgs(argv, { from: { type: 'string' }, json: { type: 'boolean' }, dot: { type: 'boolean' }, timeout: { type: 'string' } }, false);
  if (values.json && values.dot) throw new UsageError('give one of --json and --dot');
  const timeoutMs = values.timeout === undefined ? DEFAULT_RPC_TIMEOUT_MS : Number(values.timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout needs a positive number of milliseconds');
  return { from: values.from ?? DEFAULT_SPDK_RPC_SOCKET, format: values.json ? 'json' : values.dot ? 'dot' : 'text', timeoutMs };
}

/** A regular file is a saved config; a socket, a path that does not exist or host:port is a target to ask. */
async function loadGraph(options: GraphCliOptions): Promise<InstanceGraph> {
  const stat = await fs.stat(options.from).catch(() => undefined);
  if (stat?.isDirectory()) throw new Error(`${options.from} is a folder: give a save_config JSON file, an SPDK RPC socket or host:port`);
  if (stat?.isFile()) return buildConfigGraph(parseSpdkConfig(await fs.readFile(options.from, 'utf8'), options.from), options.from);
  if (!stat && !looksLikeHostPort(options.from) && /\.json$/i.test(options.from)) throw new Error(`no such config file: ${options.from}`);
  const client = new SpdkRpcClient(parseRpcAddress(options.from), { timeoutMs: options.timeoutMs });
  try {
    return buildLiveGraph(await gatherLiveBundle(client));
  } finally {
    client.close();
  }
}

function describeNode(node: InstanceNode): string {
  const alias = node.aliases.find((a) => a.includes('/'));
  const what = node.kind === 'bdev' ? node.module || node.productName || 'bdev' : node.kind.replace(/_/g, ' ');
  const notes = [what, node.state, node.claimType ? `claimed ${node.claimType}` : undefined, node.missing ? 'MISSING' : undefined].filter(Boolean).join(', ');
  return `${JSON.stringify(node.name).slice(1, -1)}${alias ? ` (${alias})` : ''} [${notes}]`;
}

/** One line per node, with what it is built on; bdevs first, in the order the data listed them. */
function graphSummary(graph: InstanceGraph): string {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const count = (kind: InstanceNode['kind']) => graph.nodes.filter((n) => n.kind === kind).length;
  const lines = [
    `SPDK instance graph from ${graph.source.kind === 'live' ? 'target' : 'config'} ${graph.source.origin}`,
    `  ${count('bdev')} bdevs, ${count('lvstore')} lvstores, ${count('nvmf_subsystem')} nvmf subsystems, ${count('nvme_controller')} NVMe controllers; ${graph.edges.length} edges`,
  ];
  const kindOrder: InstanceNode['kind'][] = ['bdev', 'lvstore', 'nvme_controller', 'transport_address', 'nvmf_namespace', 'nvmf_subsystem', 'vhost_controller', 'ublk_disk'];
  for (const kind of kindOrder) {
    for (const node of graph.nodes.filter((n) => n.kind === kind)) {
      const bases = graph.edges.filter((e) => e.to === node.id).map((e) => `${byId.get(e.from)?.name ?? e.from} (${e.kind})`);
      lines.push(`  ${describeNode(node)}${bases.length > 0 ? ` <- ${bases.join(', ')}` : ''}`);
    }
  }
  for (const s of graph.skipped) lines.push(`  skipped ${s.method}: ${s.reason}`);
  for (const p of graph.problems) lines.push(`  problem: ${p}`);
  return lines.join('\n');
}

export async function runGraphCommand(argv: string[]): Promise<number> {
  const options = parseGraphArgs(argv);
  const graph = await loadGraph(options);
  if (options.format === 'json') console.log(JSON.stringify(graph, null, 1));
  else if (options.format === 'dot') process.stdout.write(instanceGraphToDot(graph));
  else console.log(graphSummary(graph));
  return 0;
}
