// The runtime view of a target: reactors (one per core) → SPDK threads → pollers and io_channels, from
// framework_get_reactors, thread_get_stats, thread_get_pollers and thread_get_io_channels. Poller names are the
// registered function names (SPDK_POLLER_REGISTER), kept verbatim so the host can link each to its source.
import { isRecord, str, withoutUndefined } from './graphBuilder';

export const RUNTIME_METHODS = ['framework_get_reactors', 'thread_get_stats', 'thread_get_pollers', 'thread_get_io_channels'] as const;
export type RuntimeMethod = (typeof RUNTIME_METHODS)[number];

export interface SpdkRuntimeBundle {
  address: string;
  results: Partial<Record<RuntimeMethod, unknown>>;
  skipped: { method: string; reason: string }[];
  failed: { method: string; rpcCode?: number; message: string }[];
}

export type PollerType = 'active' | 'timed' | 'paused';

export interface RuntimePoller {
  /** The poller function's name as registered. */
  name: string;
  id: number;
  type: PollerType;
  /** waiting, running, unregistered, paused, ... as the target reports it. */
  state: string;
  runCount: number;
  /** Runs that did work (returned SPDK_POLLER_BUSY). */
  busyCount: number;
  /** busyCount / runCount, in percent; 0 for a poller that never ran. */
  busyRunPercent: number;
  /** Timed pollers: period in ticks and in microseconds (from the tick rate). */
  periodTicks?: number;
  periodUs?: number;
}

export interface RuntimeIoChannel {
  /** The io_device's name (bdev_<name> for a bdev's channel, or the module's io_device name). */
  name: string;
  ref: number;
}

export interface RuntimeThread {
  id: number;
  name: string;
  cpumask?: string;
  /** The reactor (lcore) that ran the thread when sampled. */
  lcore?: number;
  busyTicks?: number;
  idleTicks?: number;
  /** busy / (busy + idle), in percent. */
  busyPercent?: number;
  activePollersCount?: number;
  timedPollersCount?: number;
  pausedPollersCount?: number;
  pollers: RuntimePoller[];
  ioChannels: RuntimeIoChannel[];
}

export interface RuntimeReactor {
  lcore: number;
  numaId?: number;
  tid?: number;
  busyTicks?: number;
  idleTicks?: number;
  busyPercent?: number;
  inInterrupt?: boolean;
  threadIds: number[];
}

export interface RuntimeModel {
  schema: 'spdk-lens/runtime@1';
  origin: string;
  tickRate?: number;
  pid?: number;
  reactors: RuntimeReactor[];
  threads: RuntimeThread[];
  skipped: { method: string; reason: string }[];
  problems: string[];
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function percent(part: number | undefined, whole: number | undefined): number | undefined {
  if (part === undefined || whole === undefined) return undefined;
  return whole > 0 ? Math.round((part / whole) * 10000) / 100 : 0;
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

export function buildRuntimeModel(bundle: SpdkRuntimeBundle): RuntimeModel {
  const r = bundle.results;
  const problems = bundle.failed.map((f) => `${f.method} failed: ${f.message}`);
  const reactorsResult = isRecord(r.framework_get_reactors) ? r.framework_get_reactors : {};
  const statsResult = isRecord(r.thread_get_stats) ? r.thread_get_stats : {};
  const pollersResult = isRecord(r.thread_get_pollers) ? r.thread_get_pollers : {};
  const channelsResult = isRecord(r.thread_get_io_channels) ? r.thread_get_io_channels : {};
  const tickRate = num(reactorsResult.tick_rate) ?? num(statsResult.tick_rate) ?? num(pollersResult.tick_rate);
  const threads = new Map<number, RuntimeThread>();
  const threadByName = new Map<string, RuntimeThread>();
  const thread = (id: number, name: string): RuntimeThread => {
    let t = threads.get(id);
    if (!t) {
      t = { id, name, pollers: [], ioChannels: [] };
      threads.set(id, t);
    }
    threadByName.set(name, t);
    return t;
  };

  const reactors: RuntimeReactor[] = [];
  for (const reactor of records(reactorsResult.reactors)) {
    const lcore = num(reactor.lcore);
    if (lcore === undefined) continue;
    const busy = num(reactor.busy);
    const idle = num(reactor.idle);
    const threadIds: number[] = [];
    for (const lw of records(reactor.lw_threads)) {
      const id = num(lw.id);
      const name = str(lw.name);
      if (id === undefined || name === undefined) continue;
      const t = thread(id, name);
      t.lcore = lcore;
      t.cpumask = str(lw.cpumask);
      threadIds.push(id);
    }
    reactors.push({
      lcore,
      numaId: num(reactor.numa_id),
      tid: num(reactor.tid),
      busyTicks: busy,
      idleTicks: idle,
      busyPercent: percent(busy, busy !== undefined && idle !== undefined ? busy + idle : undefined),
      inInterrupt: typeof reactor.in_interrupt === 'boolean' ? reactor.in_interrupt : undefined,
      threadIds,
    });
  }

  for (const s of records(statsResult.threads)) {
    const id = num(s.id);
    const name = str(s.name);
    if (id === undefined || name === undefined) continue;
    const t = thread(id, name);
    t.cpumask ??= str(s.cpumask);
    t.busyTicks = num(s.busy);
    t.idleTicks = num(s.idle);
    t.busyPercent = percent(t.busyTicks, t.busyTicks !== undefined && t.idleTicks !== undefined ? t.busyTicks + t.idleTicks : undefined);
    t.activePollersCount = num(s.active_pollers_count);
    t.timedPollersCount = num(s.timed_pollers_count);
    t.pausedPollersCount = num(s.paused_pollers_count);
  }

  for (const p of records(pollersResult.threads)) {
    const id = num(p.id);
    const name = str(p.name);
    if (id === undefined || name === undefined) continue;
    const t = thread(id, name);
    for (const type of ['active', 'timed', 'paused'] as const) {
      for (const poller of records(p[`${type}_pollers`])) {
        const runCount = num(poller.run_count) ?? 0;
        const busyCount = num(poller.busy_count) ?? 0;
        const periodTicks = num(poller.period_ticks);
        t.pollers.push({
          name: str(poller.name) ?? '',
          id: num(poller.id) ?? -1,
          type,
          state: str(poller.state) ?? '',
          runCount,
          busyCount,
          busyRunPercent: percent(busyCount, runCount) ?? 0,
          periodTicks,
          periodUs: periodTicks !== undefined && tickRate ? Math.round((periodTicks / tickRate) * 1e6) : undefined,
        });
      }
    }
  }

  // thread_get_io_channels names threads but gives no id: match by name.
  for (const c of records(channelsResult.threads)) {
    const name = str(c.name);
    if (name === undefined) continue;
    const t = threadByName.get(name);
    if (!t) {
      problems.push(`thread_get_io_channels lists thread ${JSON.stringify(name)}, which no other method reported`);
      continue;
    }
    for (const ch of records(c.io_channels)) t.ioChannels.push({ name: str(ch.name) ?? '', ref: num(ch.ref) ?? 0 });
  }

  return withoutUndefined({
    schema: 'spdk-lens/runtime@1',
    origin: bundle.address,
    tickRate,
    pid: num(reactorsResult.pid),
    reactors,
    threads: [...threads.values()].sort((a, b) => a.id - b.id),
    skipped: bundle.skipped,
    problems,
  });
}
