// The graphs the panel shows, built from the real spdk_tgt recordings: the live bundle, its save_config, the degraded
// reload, and the runtime model; shared by the unit tests, the webview tests and the benchmark.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildConfigGraph, parseSpdkConfig } from '../../src/core/graph/configGraph';
import type { InstanceGraph } from '../../src/core/graph/instanceGraphTypes';
import { buildLiveGraph, LIVE_GRAPH_METHODS, type LiveGraphMethod, type SpdkLiveBundle } from '../../src/core/graph/liveGraph';
import { buildRuntimeModel, RUNTIME_METHODS, type RuntimeModel } from '../../src/core/graph/runtimeModel';
import { fixtureResult, RPC_FIXTURES } from '../support/fakeSpdkTarget';
import { existsSync } from 'node:fs';

/**
 * What gathering `methods` (every live graph method unless told) from the recordings in `dir` (relative to the
 * fixtures) gives; methods not recorded there are skipped.
 */
export function recordedLiveBundle(dir = '.', methods: readonly LiveGraphMethod[] = LIVE_GRAPH_METHODS.map((m) => m.method)): SpdkLiveBundle {
  const results: Record<string, unknown> = {};
  const skipped: { method: string; reason: string }[] = [];
  for (const method of methods) {
    const file = join(dir, `${method}.json`);
    if (existsSync(join(RPC_FIXTURES, file))) results[method] = fixtureResult(file);
    else skipped.push({ method, reason: 'Method not found' });
  }
  return { address: `recorded ${dir}`, results, skipped, failed: [] };
}

/** The live graph from the recordings in `dir` (relative to the fixtures); methods not recorded there are skipped. */
export function recordedLiveGraph(dir = '.'): InstanceGraph {
  return buildLiveGraph(recordedLiveBundle(dir));
}

export function recordedConfigGraph(file = 'save_config.json'): InstanceGraph {
  const text = readFileSync(join(RPC_FIXTURES, file), 'utf8');
  // The recording is the reply; the config is its result, as save_config writes it to a file.
  const parsed = JSON.parse(text) as { result?: unknown };
  const config = parsed.result !== undefined ? JSON.stringify(parsed.result) : text;
  return buildConfigGraph(parseSpdkConfig(config, file), file);
}

export function recordedRuntime(): RuntimeModel {
  const results: Record<string, unknown> = {};
  for (const method of RUNTIME_METHODS) results[method] = fixtureResult(`${method}.json`);
  return buildRuntimeModel({ address: 'recorded', results, skipped: [], failed: [] });
}
