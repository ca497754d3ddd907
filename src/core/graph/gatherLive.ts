// Asks a running target for everything the instance graph and the runtime view are built from. The calls are
// pipelined on one connection; a method the target lacks is skipped, a method error is recorded, and only a failure
// of the connection itself (no socket, timeout, not SPDK, ...) rejects.
import { SpdkRpcError } from '../rpc/rpcErrors';
import type { SpdkRpcClient } from '../rpc/spdkRpcClient';
import { LIVE_GRAPH_METHODS, type SpdkLiveBundle } from './liveGraph';
import { RUNTIME_METHODS, type SpdkRuntimeBundle } from './runtimeModel';

export interface GatherOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

interface Gathered {
  results: Record<string, unknown>;
  skipped: { method: string; reason: string }[];
  failed: { method: string; rpcCode?: number; message: string }[];
}

async function gather(client: SpdkRpcClient, calls: readonly { method: string; params?: Record<string, unknown> }[], options: GatherOptions): Promise<Gathered> {
  const settled = await Promise.allSettled(calls.map((c) => client.call(c.method, c.params, options)));
  const out: Gathered = { results: {}, skipped: [], failed: [] };
  settled.forEach((s, i) => {
    const { method } = calls[i];
    if (s.status === 'fulfilled') {
      out.results[method] = s.value;
      return;
    }
    const error = s.reason;
    if (error instanceof SpdkRpcError && error.code === 'method_not_found') out.skipped.push({ method, reason: error.rpcMessage ?? 'Method not found' });
    else if (error instanceof SpdkRpcError && error.code === 'method_failed') out.failed.push({ method, rpcCode: error.rpcCode, message: error.rpcMessage ?? error.message });
  });
  // Any other failure is the connection's, shared by every call: report the first one.
  const fatal = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && !(s.reason instanceof SpdkRpcError && (s.reason.code === 'method_not_found' || s.reason.code === 'method_failed')));
  if (fatal) throw fatal.reason;
  return out;
}

export async function gatherLiveBundle(client: SpdkRpcClient, options: GatherOptions = {}): Promise<SpdkLiveBundle> {
  const { results, skipped, failed } = await gather(client, LIVE_GRAPH_METHODS, options);
  return { address: client.label, results, skipped, failed };
}

export async function gatherRuntimeBundle(client: SpdkRpcClient, options: GatherOptions = {}): Promise<SpdkRuntimeBundle> {
  const { results, skipped, failed } = await gather(client, RUNTIME_METHODS.map((method) => ({ method })), options);
  return { address: client.label, results, skipped, failed };
}
