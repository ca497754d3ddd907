// Failure and lifecycle paths: the roots SPDK gives them (a bdev event callback's REMOVE case, the RESET case of a
// submit_request, an -ENOMEM retry through spdk_bdev_queue_io_wait, a module's fini), and from each root the steps
// through direct calls and async hand-offs, every step with its evidence. Computed on demand, memoised per generation.
import { CONTEXT_KINDS, type ContextKind } from '../knowledge/contextKinds';
import type { BdevModule } from '../model/indexTypes';
import type { IndexModel } from '../model/indexModel';
import { baseTypeName } from '../parse/cText';
import { commonPrefixLength, dirOf } from '../util/paths';
import { bdevModules } from './bdevModules';
import { fileOfKey, functionKey, nameOfKey, type EffectiveCall } from './callbackEvidence';
import { isTestFile, notesOf } from './callbackFlow';
import { contextsOf, kindOfRegistration, kindOfSlot } from './execContext';
import { threadAssertions } from './functionObject';

export type PathKind = 'hot-remove' | 'reset' | 'enomem' | 'shutdown';
export const PATH_KINDS: readonly PathKind[] = ['hot-remove', 'reset', 'enomem', 'shutdown'];
/** A phase of a bdev module's life, as its lifecycle card lists them. */
export type LifecyclePhase = 'init' | 'create-rpc' | 'examine' | 'submit' | 'reset' | 'hot-remove' | 'destruct' | 'fini';
export const LIFECYCLE_PHASES: readonly LifecyclePhase[] = ['init', 'create-rpc', 'examine', 'submit', 'reset', 'hot-remove', 'destruct', 'fini'];

/** How a step is reached from the one before it. */
export type HopKind = 'root' | 'direct' | 'message' | 'channel_step' | 'completion' | 'poller' | 'io_wait_retry' | 'callback' | 'unregister_destruct' | 'unload_destroy';

export const HOP_TITLES: Record<HopKind, string> = {
  root: 'root',
  direct: 'direct call',
  message: 'message',
  channel_step: 'per-channel step',
  completion: 'completion',
  poller: 'poller',
  io_wait_retry: 'io_wait retry',
  callback: 'callback',
  unregister_destruct: 'unregister → destruct',
  unload_destroy: 'unload → bs_dev destroy',
};

export interface PathStep {
  fn: string;
  /** The definition, or for an SPDK API the tree does not define (or that the path does not enter), the call. */
  file: string;
  line: number;
  /** `file#name` when the step's function is defined in the tree. */
  key?: string;
  hop: HopKind;
  /** Where the previous step makes the hop: the call, the hand-off or the unregister. */
  via?: { note: string; file: string; line: number };
  /** The context the function runs in (its own registration, or the kind of the hop). */
  context: string;
  thread: string;
  /** Index of the step it is reached from; -1 for the root. */
  parent: number;
  depth: number;
}

export interface PathRoot {
  /** A path kind for the roots SPDK Lens finds; a phase (or `walk`) for a walk asked from any function. */
  kind: PathKind | LifecyclePhase | 'walk';
  key: string;
  fn: string;
  file: string;
  line: number;
  /** Why it is a root, in plain words. */
  why: string;
  /** The registration, slot or branch that makes it one. */
  evidence: { file: string; line: number };
  /** The API the root was handed to, when a registration makes it one. */
  api?: string;
  /** The context its registration or slot gives it, when that is what makes it a root. */
  context?: ContextKind;
  /** Only the calls and hand-offs on these lines count (the REMOVE case of an event callback). */
  branch?: { from: number; to: number; name: string };
  /** The bdev module of the root's file, whose destruct an unregister on the path reaches. */
  module?: string;
}

export interface LifecyclePath {
  root: PathRoot;
  /** Depth first: each step follows its parent, children in source order. */
  steps: PathStep[];
  /** The node or depth cap cut the walk short. */
  truncated: boolean;
}

/** Where a function stands on a path: the shortest chain from the root to it. */
export interface PathLabel {
  kind: PathKind;
  root: PathRoot & { kind: PathKind };
  chain: PathStep[];
}

const SCAN_CALLBACK_TYPE = /(probe|attach)_cb$/;
const MAX_DEPTH = 14;
const MAX_STEPS = 160;

/** APIs a path shows as a step although it does not walk into them: what the reader looks for on these paths. */
const PATH_API =
  /^(spdk_bdev_close|spdk_bdev_module_release_bdev|spdk_put_io_channel|spdk_io_device_unregister|spdk_poller_unregister|spdk_bdev_io_complete\w*|spdk_bdev_queue_io_wait|spdk_bdev_free_io|spdk_app_stop|spdk_thread_exit|spdk_bdev_destruct_done|spdk_bdev_module_fini_done|spdk_bdev_module_fini_start_done|spdk_subsystem_fini_next|spdk_bdev_reset|spdk_nvme_detach\w*|spdk_nvme_ctrlr_reset\w*|spdk_nvme_ctrlr_disconnect\w*|spdk_lvs_unload|spdk_lvs_destroy|spdk_bs_unload|spdk_bdev_part_\w+|spdk_bdev_module_examine_done)$/;
/** SPDK's own helpers for virtual bdevs built on parts: a path walks into them, their base's close is in there. */
const ENTERED_API = /^spdk_bdev_part_(base_hotremove|free|base_free)$/;
const UNREGISTER_API = /^spdk_bdev_unregister(_by_name)?$/;
/** Unloading a blobstore ends with its bs_dev's destroy: for a bs_dev made on a bdev, that closes the bdev. */
const UNLOAD_API = /^(spdk_lvs_unload|spdk_lvs_destroy|spdk_bs_unload|spdk_bs_destroy)$/;
const BS_DEV_API = /^spdk_bdev_create_bs_dev(_ext)?$/;
/** Hand-offs that set up a handler for later rather than continue the work on the path. */
const NOT_ON_PATH = new Set<ContextKind>(['rpc_handler', 'io_channel_create', 'io_channel_destroy', 'bdev_fn_table', 'bdev_module_hook', 'subsystem_hook', 'app_start', 'bdev_event']);
/** Library functions that are roots by themselves (when the tree defines them). */
const CURATED_ROOTS: { fn: string; kind: PathKind; why: string }[] = [
  { fn: 'spdk_bdev_reset', kind: 'reset', why: 'the bdev layer\'s reset of one bdev: freezes every channel, drains, then submits the RESET IO' },
  { fn: 'bdev_nvme_reset_ctrlr', kind: 'reset', why: 'bdev_nvme\'s controller reset: deletes the qpairs of every channel, resets, then creates them again' },
  { fn: 'bdev_nvme_failover_ctrlr', kind: 'reset', why: 'bdev_nvme\'s failover: a reset that reconnects through the next path' },
  { fn: '_bdev_io_handle_no_mem', kind: 'enomem', why: 'the bdev layer puts an IO its module failed with NOMEM on the channel\'s nomem queue, to retry' },
  { fn: 'bdev_no_mem_poller', kind: 'enomem', why: 'retries the nomem queue when no IO completion is left to do it' },
  { fn: 'spdk_app_stop', kind: 'shutdown', why: 'stops the app: the reactors stop once every subsystem has finished' },
];

const THREAD_OF_KIND: Partial<Record<ContextKind, string>> = {
  bdev_event: 'the thread that opened the descriptor',
  thread_message: 'the thread the message is sent to',
  for_each_channel_step: 'each thread that holds a channel',
  for_each_channel_done: 'the thread that started the iteration',
  for_each_thread_step: 'each SPDK thread in turn',
  for_each_thread_done: 'the thread that started the iteration',
  poller: 'the thread that registered the poller',
  bdev_io_completion: 'the thread that submitted the IO',
  bdev_io_wait: 'the thread that queued the wait',
  bdev_module_hook: 'the app thread',
  bdev_fn_table: 'the thread the bdev layer calls it on (for submit_request, the submitting thread)',
  subsystem_hook: 'the app thread',
  app_shutdown: 'the app thread',
  io_device_unregister_done: 'the thread that unregistered the io_device',
  nvme_completion: 'the thread polling the queue pair',
};

/** Every root in the tree (test code left out), memoised per generation. */
export function pathRoots(model: IndexModel): (PathRoot & { kind: PathKind })[] {
  return model.memoize('lifecycle:roots', () => findRoots(model));
}

function findRoots(model: IndexModel): (PathRoot & { kind: PathKind })[] {
  const roots = new Map<string, PathRoot & { kind: PathKind }>();
  const add = (root: Omit<PathRoot, 'fn' | 'file' | 'line' | 'module'> & { kind: PathKind }) => {
    const def = model.definitionOf(root.key);
    if (!def || isTestFile(fileOfKey(root.key))) return;
    const id = `${root.kind}|${root.key}`;
    if (roots.has(id)) return;
    const full: PathRoot & { kind: PathKind } = { ...root, fn: def.name, file: fileOfKey(root.key), line: def.line };
    const module = moduleOfFile(model, full.file);
    if (module) full.module = module.name;
    roots.set(id, full);
  };
  for (const links of model.allLinks()) {
    if (isTestFile(links.file)) continue;
    for (const r of links.registrations) {
      const kind = kindOfRegistration(model.symbols, r);
      // Most registrations are none of these; the type's base name only for those that may be.
      const type = r.type.includes('remove_cb') ? baseTypeName(r.type) : '';
      const evidence = { file: r.file, line: r.line };
      if (kind === 'bdev_event') {
        const remove = notesOf(model, r.targetKey, 'branch').find((n) => n.name === 'SPDK_BDEV_EVENT_REMOVE');
        // An event callback without a REMOVE case (`dummy_bdev_event_cb`) ignores hot-remove: no path.
        if (remove) add({ kind: 'hot-remove', key: r.targetKey, why: `bdev event callback handed to ${r.api}; its SPDK_BDEV_EVENT_REMOVE case`, evidence, api: r.api, context: kind, branch: { from: remove.line, to: Number(remove.detail), name: remove.name } });
      } else if (type === 'spdk_bdev_remove_cb_t') add({ kind: 'hot-remove', key: r.targetKey, why: `remove callback handed to ${r.api}: called when the base bdev goes away`, evidence, api: r.api, context: kind });
      else if (type === 'spdk_nvme_remove_cb') add({ kind: 'hot-remove', key: r.targetKey, why: `NVMe remove callback handed to ${r.api}: called when the controller is hot-removed`, evidence, context: kind });
      else if (kind === 'poller' && /hotplug/.test(r.targetName)) add({ kind: 'hot-remove', key: r.targetKey, why: `hotplug poller registered with ${r.macro ?? r.api}: finds controllers that went away`, evidence, context: kind });
    }
    for (const s of links.slots) {
      const slot = `${s.structName}.${s.field}`;
      const evidence = { file: s.file, line: s.line };
      if (slot === 'struct spdk_bdev_fn_table.submit_request') {
        const reset = notesOf(model, s.targetKey, 'branch').find((n) => n.name === 'SPDK_BDEV_IO_TYPE_RESET');
        if (reset) add({ kind: 'reset', key: s.targetKey, why: 'submit_request; its SPDK_BDEV_IO_TYPE_RESET case', evidence, context: kindOfSlot(s), branch: { from: reset.line, to: Number(reset.detail), name: reset.name } });
      } else if (slot === 'struct spdk_bdev_module.module_fini' || slot === 'struct spdk_bdev_module.fini_start') {
        add({ kind: 'shutdown', key: s.targetKey, why: `the module's ${s.field} hook`, evidence, context: kindOfSlot(s) });
      } else if (slot === 'struct spdk_subsystem.fini') add({ kind: 'shutdown', key: s.targetKey, why: 'a subsystem\'s fini hook', evidence, context: kindOfSlot(s) });
      else if (kindOfSlot(s) === 'app_shutdown') add({ kind: 'shutdown', key: s.targetKey, why: `the app's shutdown callback (${slot})`, evidence, context: 'app_shutdown' });
    }
    for (const call of links.callsByCallee.get('spdk_bdev_queue_io_wait') ?? []) {
      if (call.caller) add({ kind: 'enomem', key: functionKey(links.file, call.caller), why: 'waits for a free bdev_io with spdk_bdev_queue_io_wait, then retries', evidence: { file: links.file, line: call.line } });
    }
  }
  for (const curated of CURATED_ROOTS) {
    for (const f of model.symbols.functions.get(curated.fn) ?? []) {
      add({ kind: curated.kind, key: functionKey(f.file, f.item.name), why: curated.why, evidence: { file: f.file, line: f.item.line } });
    }
  }
  return [...roots.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.file.localeCompare(b.file) || a.line - b.line);
}

/** The bdev module a file belongs to: the one defined in it, else the one of its folder whose file name shares the most with it. */
export function moduleOfFile(model: IndexModel, file: string): BdevModule | undefined {
  const modules = bdevModules(model);
  const inFile = modules.find((m) => m.file === file);
  if (inFile) return inFile;
  const base = file.slice(file.lastIndexOf('/') + 1);
  let best: BdevModule | undefined;
  let bestShared = -1;
  for (const m of modules) {
    if (dirOf(m.file) !== dirOf(file)) continue;
    const shared = commonPrefixLength(base, m.file.slice(m.file.lastIndexOf('/') + 1));
    if (shared > bestShared) [best, bestShared] = [m, shared];
  }
  return best;
}

/** The path from one root, memoised per generation. */
export function lifecyclePath<R extends PathRoot>(model: IndexModel, root: R): LifecyclePath & { root: R } {
  return model.memoize(`lifecycle:path:${root.kind}:${root.key}`, () => walk(model, root)) as LifecyclePath & { root: R };
}

interface Edge {
  fn: string;
  key?: string;
  file: string;
  line: number;
  hop: HopKind;
  via: { note: string; file: string; line: number };
  context?: ContextKind;
  /** Walk on from it. */
  enter: boolean;
  /** Steps that hang below this one (the destruct an unregister reaches). */
  then?: Edge[];
}

function hopOfKind(kind: ContextKind): HopKind {
  switch (kind) {
    case 'thread_message':
    case 'reactor_event':
      return 'message';
    case 'for_each_channel_step':
    case 'for_each_thread_step':
      return 'channel_step';
    case 'poller':
    case 'interrupt':
      return 'poller';
    case 'bdev_io_wait':
      return 'io_wait_retry';
    case 'for_each_channel_done':
    case 'for_each_thread_done':
    case 'io_device_unregister_done':
    case 'bdev_io_completion':
    case 'blob_completion':
    case 'lvol_completion':
    case 'nvme_completion':
    case 'accel_completion':
    case 'async_callback':
      return 'completion';
    default:
      return 'callback';
  }
}

function describeCall(call: EffectiveCall): string {
  const args = call.args.map((a) => (a.kind === 'ident' ? a.name : a.kind === 'call' ? `${a.callee}(…)` : a.kind === 'string' ? `"${a.text}"` : a.text));
  const text = `${call.callee}(${args.join(', ')})`;
  return text.length > 90 ? `${text.slice(0, 87)}…)` : text;
}

function inBranch(root: PathRoot, key: string, line: number): boolean {
  return key !== root.key || !root.branch || (line >= root.branch.from && line <= root.branch.to);
}

/** The destruct slot of the module whose bdev an unregister on this path tears down. */
function destructOf(model: IndexModel, root: PathRoot, callFile: string): { fn: string; key?: string; file: string; line: number } | undefined {
  const module = (root.module ? bdevModules(model).find((m) => m.name === root.module && (m.file === root.file || dirOf(m.file) === dirOf(root.file))) : undefined) ?? moduleOfFile(model, callFile);
  const slot = module?.fnTableSlots.find((s) => s.slot === 'struct spdk_bdev_fn_table.destruct');
  if (!module || !slot) return undefined;
  const key = model.resolve(slot.fn, module.fnTableFile ?? module.file);
  const def = key ? model.definitionOf(key) : undefined;
  return def && key ? { fn: slot.fn, key, file: fileOfKey(key), line: def.line } : { fn: slot.fn, file: module.fnTableFile ?? module.file, line: module.fnTableLine ?? module.line };
}

function edgesOf(model: IndexModel, root: PathRoot, key: string): Edge[] {
  const file = fileOfKey(key);
  const home = dirOf(root.file);
  const edges: Edge[] = [];
  for (const h of model.handoffsOf(key)) {
    if (!inBranch(root, key, h.line)) continue;
    const kind = 'api' in h ? kindOfRegistration(model.symbols, h) : kindOfSlot(h);
    if (NOT_ON_PATH.has(kind)) continue;
    // A hotplug scan hands over probe, attach and remove callbacks: only the remove one is on the hot-remove path.
    if (root.kind === 'hot-remove' && 'api' in h && SCAN_CALLBACK_TYPE.test(h.type)) continue;
    const def = model.definitionOf(h.targetKey);
    if (!def) continue;
    const note = 'api' in h ? `hands ${h.targetName} to ${h.macro ?? h.api}` : `stores ${h.targetName} in ${h.structName}.${h.field}`;
    const enter = dirOf(fileOfKey(h.targetKey)) === home || fileOfKey(h.targetKey) === file;
    edges.push({ fn: h.targetName, key: h.targetKey, file: fileOfKey(h.targetKey), line: def.line, hop: hopOfKind(kind), via: { note, file: h.file, line: h.line }, context: kind, enter });
  }
  for (const call of model.callsOf(key)) {
    if (!inBranch(root, key, call.line)) continue;
    const unregister = UNREGISTER_API.test(call.callee);
    const unload = !unregister && UNLOAD_API.test(call.callee) && root.api !== undefined && BS_DEV_API.test(root.api);
    const target = unregister || unload ? undefined : model.resolve(call.callee, file);
    // The APIs a path shows are where it ends (spdk_bdev_io_complete), even when the tree defines them next to the root.
    const shown = PATH_API.test(call.callee);
    const entered = ENTERED_API.test(call.callee);
    const enterable = target !== undefined && (entered || (!shown && (fileOfKey(target) === file || dirOf(fileOfKey(target)) === home))) && !isTestFile(fileOfKey(target));
    if (!unregister && !unload && !enterable && !shown) continue;
    const via = { note: describeCall(call), file, line: call.line };
    if (unregister) {
      const destruct = destructOf(model, root, file);
      const then: Edge[] = destruct
        ? [{ ...destruct, hop: 'unregister_destruct', via: { note: `${call.callee} → fn_table destruct (${destruct.fn}), once no descriptor is open`, file, line: call.line }, context: 'bdev_fn_table', enter: destruct.key !== undefined }]
        : [];
      edges.push({ fn: call.callee, file, line: call.line, hop: 'direct', via, enter: false, then });
      continue;
    }
    if (unload) {
      const destroy = bsDevDestroyOf(model, root);
      const then: Edge[] = destroy
        ? [{ ...destroy, hop: 'unload_destroy', via: { note: `${call.callee} → struct spdk_bs_dev.destroy of the device ${root.api} made (${destroy.fn})`, file, line: call.line }, enter: true }]
        : [];
      edges.push({ fn: call.callee, file, line: call.line, hop: 'direct', via, enter: false, then });
      continue;
    }
    if (enterable) {
      const def = model.definitionOf(target)!;
      edges.push({ fn: call.callee, key: target, file: fileOfKey(target), line: def.line, hop: 'direct', via, enter: true });
    } else if (PATH_API.test(call.callee)) edges.push({ fn: call.callee, file, line: call.line, hop: 'direct', via, enter: false });
  }
  // Source order; on one line the call before the callback it hands off.
  return edges.sort((a, b) => a.via.line - b.via.line || Number(a.hop !== 'direct') - Number(b.hop !== 'direct'));
}

/** The destroy stored in the bs_dev that the root's API (spdk_bdev_create_bs_dev_ext) builds, in that API's file. */
function bsDevDestroyOf(model: IndexModel, root: PathRoot): { fn: string; key: string; file: string; line: number } | undefined {
  const api = root.api ? model.resolve(root.api, root.evidence.file) : undefined;
  const slot = api ? model.linksOf(fileOfKey(api))?.slots.find((s) => s.structName === 'struct spdk_bs_dev' && s.field === 'destroy') : undefined;
  const def = slot ? model.definitionOf(slot.targetKey) : undefined;
  return slot && def ? { fn: slot.targetName, key: slot.targetKey, file: fileOfKey(slot.targetKey), line: def.line } : undefined;
}

function threadOf(model: IndexModel, key: string | undefined, hop: HopKind, context: ContextKind | undefined): string {
  const asserted = key ? threadAssertions(model, key).find((a) => a.kind === 'assert') : undefined;
  if (asserted) return `${asserted.thread} (SPDK asserts it)`;
  if (hop === 'direct') return 'same thread as its caller';
  if (hop === 'unregister_destruct') return 'the thread that unregistered the bdev, once its last descriptor is closed';
  const known = context && THREAD_OF_KIND[context];
  if (known) return known;
  return hop === 'root' ? 'the thread that calls it' : 'the thread that runs the callback (not known here)';
}

function contextOf(hop: HopKind, context: ContextKind | undefined): string {
  if (hop === 'direct') return 'called directly';
  return context ? CONTEXT_KINDS[context].title : '';
}

function walk(model: IndexModel, root: PathRoot): LifecyclePath {
  // The root's own registration says its context; only other roots need the (costlier) inference.
  const rootContext = root.context ?? contextsOf(model, root.key)[0]?.kind;
  const found: PathStep[] = [
    {
      fn: root.fn,
      file: root.file,
      line: root.line,
      key: root.key,
      hop: 'root',
      via: { note: root.why, file: root.evidence.file, line: root.evidence.line },
      context: rootContext ? CONTEXT_KINDS[rootContext].title : '',
      thread: threadOf(model, root.key, 'root', rootContext),
      parent: -1,
      depth: 0,
    },
  ];
  // Breadth first, so each function is reached by its shortest chain; a function (or an API) appears once.
  const seen = new Set<string>([root.key]);
  const queue: number[] = [0];
  let truncated = false;
  const push = (edge: Edge, parent: number): number | undefined => {
    const id = edge.key ?? `api:${edge.fn}:${edge.via.file}:${edge.via.line}`;
    if (seen.has(id)) return undefined;
    if (found.length >= MAX_STEPS) {
      truncated = true;
      return undefined;
    }
    seen.add(id);
    const depth = found[parent].depth + 1;
    found.push({
      fn: edge.fn,
      file: edge.file,
      line: edge.line,
      ...(edge.key ? { key: edge.key } : {}),
      hop: edge.hop,
      via: edge.via,
      context: contextOf(edge.hop, edge.context),
      thread: threadOf(model, edge.key, edge.hop, edge.context),
      parent,
      depth,
    });
    const index = found.length - 1;
    if (edge.enter && edge.key) {
      if (depth < MAX_DEPTH) queue.push(index);
      else truncated = true;
    }
    for (const next of edge.then ?? []) push(next, index);
    return index;
  };
  for (let head = 0; head < queue.length; head++) {
    const at = queue[head];
    for (const edge of edgesOf(model, root, found[at].key!)) push(edge, at);
  }
  return { root, steps: depthFirst(pruneHelpers(found)), truncated };
}

/**
 * Drops direct calls that lead to nothing a reader follows on these paths (no hand-off, no API step below them):
 * accessors and checks (`spdk_bdev_desc_get_bdev`, `bdev_io_should_split`) would bury the steps that matter.
 */
function pruneHelpers(steps: PathStep[]): PathStep[] {
  const keep = steps.map((s, i) => i === 0 || s.hop !== 'direct' || !s.key);
  // Breadth-first order: every child comes after its parent, so one backward pass carries "keep" up the tree.
  for (let i = steps.length - 1; i > 0; i--) if (keep[i]) keep[steps[i].parent] = true;
  const position = new Map<number, number>();
  const kept: PathStep[] = [];
  steps.forEach((s, i) => {
    if (!keep[i]) return;
    position.set(i, kept.length);
    kept.push({ ...s, parent: s.parent < 0 ? -1 : position.get(s.parent)! });
  });
  return kept;
}

/** The breadth-first tree reordered so each step follows its parent (children in the order they were found). */
function depthFirst(steps: PathStep[]): PathStep[] {
  const children = steps.map(() => [] as number[]);
  steps.forEach((s, i) => {
    if (s.parent >= 0) children[s.parent].push(i);
  });
  const order: number[] = [];
  const stack = [0];
  while (stack.length > 0) {
    const i = stack.pop()!;
    order.push(i);
    for (let c = children[i].length - 1; c >= 0; c--) stack.push(children[i][c]);
  }
  const position = new Map(order.map((old, index) => [old, index]));
  return order.map((old) => ({ ...steps[old], parent: steps[old].parent < 0 ? -1 : position.get(steps[old].parent)! }));
}

/** The chain from the root to step `index`: the root first. */
export function chainTo(path: LifecyclePath, index: number): PathStep[] {
  const chain: PathStep[] = [];
  for (let i = index; i >= 0 && chain.length <= MAX_DEPTH + 2; i = path.steps[i].parent) chain.unshift(path.steps[i]);
  return chain;
}

/** For each function on some path: the shortest chain per path kind (the first root wins a tie). */
function labelsByFunction(model: IndexModel): Map<string, PathLabel[]> {
  return model.memoize('lifecycle:labels', () => {
    const map = new Map<string, PathLabel[]>();
    for (const root of pathRoots(model)) {
      const path = lifecyclePath(model, root);
      path.steps.forEach((step, index) => {
        if (!step.key) return;
        const labels = map.get(step.key) ?? [];
        const chain = chainTo(path, index);
        const same = labels.findIndex((l) => l.kind === root.kind);
        if (same < 0) labels.push({ kind: root.kind, root, chain });
        else if (chain.length < labels[same].chain.length) labels[same] = { kind: root.kind, root, chain };
        map.set(step.key, labels);
      });
    }
    return map;
  });
}

/** The paths a function is on, one label per kind, in PATH_KINDS order. */
export function pathLabelsOf(model: IndexModel, key: string): PathLabel[] {
  return [...(labelsByFunction(model).get(key) ?? [])].sort((a, b) => PATH_KINDS.indexOf(a.kind) - PATH_KINDS.indexOf(b.kind));
}

/** A walk from any function, for a reader who asks from a place that is no root. */
export function pathFrom(model: IndexModel, key: string, kind: PathRoot['kind'], why = 'asked for: not a root SPDK Lens knows'): LifecyclePath | undefined {
  const def = model.definitionOf(key);
  if (!def) return undefined;
  const file = fileOfKey(key);
  const root: PathRoot = { kind, key, fn: nameOfKey(key), file, line: def.line, why, evidence: { file, line: def.line } };
  const module = moduleOfFile(model, file);
  if (module) root.module = module.name;
  return walk(model, root);
}
