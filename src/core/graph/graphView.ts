// Turns the module graph, an instance graph and the runtime model into what the bdev graph webview draws, with links
// to source (from the index) and book topics, and words errors for the panel.
import { CONTEXT_KINDS, type BookTopic, type ContextKind } from '../knowledge/contextKinds';
import type { BdevModule, FunctionLabels } from '../model/indexTypes';
import { formatPercent, type GraphPanelError, type GraphView, type GraphViewNode, type RuntimePollerView, type RuntimeView, type SourceLink } from './graphViewProtocol';
import type { InstanceGraph, JsonValue } from './instanceGraphTypes';
import { TOPIC_OF_MODULE, type ModuleGraph } from './moduleGraph';
import { resolvePollerName, type PollerNameRegistration } from './pollerNames';
import type { RuntimeModel, RuntimePoller } from './runtimeModel';

export function moduleGraphView(graph: ModuleGraph, origin: string): GraphView {
  return {
    source: 'tree',
    origin,
    nodes: graph.nodes.map((n) => {
      const links: SourceLink[] = [];
      if (n.source) links.push({ label: n.kind === 'bdev_module' ? 'module struct' : 'opens a bdev', ...n.source });
      if (n.fnTable) links.push({ label: `fn_table ${n.fnTable.name}`, file: n.fnTable.file, line: n.fnTable.line });
      const subtitle = n.kind === 'bdev_module' ? `${n.role} bdev module` : n.kind === 'bdev' ? 'bdev layer' : n.kind.replace(/_/g, ' ');
      return { id: n.id, name: n.name, label: n.name, kind: n.kind, module: n.module, aliases: n.aliases, subtitle, details: n.details, links, topic: n.topic };
    }),
    edges: graph.edges.map((e) => ({ from: e.from, to: e.to, kind: e.kind, evidence: e.source ? `${e.evidence} at ${e.source.file}:${e.source.line}` : e.evidence })),
    skipped: [],
    problems: [],
  };
}

const TOPIC_OF_INSTANCE_KIND: Record<string, BookTopic> = {
  lvstore: 'blobstore-lvol',
  nvme_controller: 'nvme-driver',
  transport_address: 'nvme-driver',
};

/** Instance nodes with their module's source (from the index's bdev modules) and book topic. */
export function instanceGraphView(graph: InstanceGraph, modules: readonly BdevModule[]): GraphView {
  const byName = new Map(modules.map((m) => [m.name, m]));
  return {
    source: graph.source.kind,
    origin: graph.source.origin,
    nodes: graph.nodes.map((n) => {
      const module = byName.get(n.module);
      const links: SourceLink[] = [];
      if (module) {
        links.push({ label: `module ${module.name} (${module.variable})`, file: module.file, line: module.line });
        if (module.fnTable && module.fnTableFile && module.fnTableLine !== undefined) links.push({ label: `fn_table ${module.fnTable}`, file: module.fnTableFile, line: module.fnTableLine });
      }
      // An lvol's name is its UUID; its lvs/lvol alias is what people call it.
      const alias = n.kind === 'bdev' && n.module === 'lvol' ? n.aliases.find((a) => a.includes('/')) : undefined;
      const subtitle = [alias ? n.name : undefined, n.kind === 'bdev' ? n.module || n.productName || 'bdev' : n.kind.replace(/_/g, ' '), n.state, n.claimType && n.claimType !== 'none' ? `claimed ${n.claimType}` : undefined, n.missing ? 'missing' : undefined]
        .filter(Boolean)
        .join(' · ');
      const details: { [key: string]: JsonValue } = {};
      for (const key of ['productName', 'driverSpecificKey', 'claimed', 'claimType', 'state', 'missingReason'] as const) {
        const value = n[key];
        if (value !== undefined) details[key] = value;
      }
      Object.assign(details, n.details);
      const view: GraphViewNode = { id: n.id, name: n.name, label: alias ?? n.name, kind: n.kind, module: n.module, aliases: n.aliases, subtitle, details, links, topic: TOPIC_OF_INSTANCE_KIND[n.kind] ?? TOPIC_OF_MODULE[n.module] ?? 'bdev-modules' };
      if (n.missing) view.missing = true;
      return view;
    }),
    edges: graph.edges.map((e) => ({ from: e.from, to: e.to, kind: e.kind, evidence: e.evidence })),
    skipped: graph.skipped,
    problems: graph.problems,
  };
}

/** Groups digits with a space, as the issue writes run counts: 12345 → "12 345". */
export function groupDigits(value: number): string {
  const [whole, fraction] = String(value).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

export function pollerSummary(poller: RuntimePoller, threadName: string, contextTitle: string | undefined): string {
  const what = contextTitle ?? `${poller.type} poller`;
  const period = poller.periodUs !== undefined && poller.periodUs > 0 ? `, every ${groupDigits(poller.periodUs)} µs` : '';
  return `${what} · runs on ${threadName}, ${groupDigits(poller.runCount)} runs, busy ${formatPercent(poller.busyRunPercent)}${period}`;
}

/**
 * The runtime model with each poller linked to its function: by name (SPDK_POLLER_REGISTER), or through the
 * spdk_poller_register_named call that gave it that name (see pollerNames.ts).
 */
export function runtimeView(model: RuntimeModel, functionsNamed: (name: string) => readonly FunctionLabels[], registrations: readonly PollerNameRegistration[] = []): RuntimeView {
  return {
    ...model,
    threads: model.threads.map((t) => ({
      ...t,
      pollers: t.pollers.map((p) => {
        const resolved = resolvePollerName(p.name, functionsNamed, registrations);
        const fn = resolved.fn;
        const kind: ContextKind | undefined = fn?.contexts.find((c) => c.kind === 'poller')?.kind ?? fn?.contexts[0]?.kind;
        const info = kind ? CONTEXT_KINDS[kind] : undefined;
        const view: RuntimePollerView = { ...p, summary: pollerSummary(p, t.name, info?.title) };
        if (fn) view.source = { label: `function ${fn.name}`, file: fn.file, line: fn.line };
        if (resolved.how === 'registered_name') {
          const r = resolved.registration;
          view.registeredAs = { label: `spdk_poller_register_named(${r.fn}, …, ${JSON.stringify(r.name)})`, file: r.file, line: r.line };
        }
        if (resolved.how === 'address' || resolved.how === 'unknown') view.unresolved = resolved.reason;
        if (info) {
          view.contextTitle = info.title;
          view.topic = info.topic;
        }
        return view;
      }),
    })),
  };
}

const ERROR_TITLES: Record<string, { title: string; action?: GraphPanelError['action'] }> = {
  bad_address: { title: 'Bad RPC address', action: 'openSettings' },
  no_socket: { title: 'No SPDK socket', action: 'openSettings' },
  permission_denied: { title: 'Permission denied', action: 'openSettings' },
  connection_refused: { title: 'Connection refused', action: 'openSettings' },
  connection_failed: { title: 'Cannot connect', action: 'openSettings' },
  connection_closed: { title: 'Connection closed', action: 'refresh' },
  not_spdk: { title: 'Not an SPDK target', action: 'openSettings' },
  timeout: { title: 'Timed out', action: 'refresh' },
  response_too_large: { title: 'Reply too large' },
  cancelled: { title: 'Cancelled', action: 'refresh' },
  method_not_found: { title: 'Method not found' },
  method_failed: { title: 'Method failed', action: 'refresh' },
  not_json: { title: 'Config is not JSON', action: 'pickConfig' },
  not_spdk_config: { title: 'Not an SPDK config', action: 'pickConfig' },
};

/** An error from the RPC client or the config reader, worded for the panel; anything else keeps its message. */
export function describeGraphError(error: unknown): GraphPanelError {
  const e = error as { code?: unknown; message?: unknown; rpcCode?: unknown; rpcMessage?: unknown; method?: unknown };
  const code = typeof e?.code === 'string' ? e.code : 'failed';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const known = ERROR_TITLES[code];
  const out: GraphPanelError = { code, title: known?.title ?? 'Failed', message };
  if (code === 'method_failed' && typeof e.rpcCode === 'number') out.hint = `JSON-RPC error ${e.rpcCode}${typeof e.rpcMessage === 'string' ? ` "${e.rpcMessage}"` : ''} from ${typeof e.method === 'string' ? e.method : 'the target'}.`;
  // The errors whose fix is the address setting (the button opens it) say what to put there.
  if (known?.action === 'openSettings') out.hint = 'Set spdkLens.rpc.address to the socket spdk_tgt was started with (-r), or host:port.';
  if (known?.action) out.action = known.action;
  return out;
}
