// blocking-in-reactor and wrong-thread-close: where a function runs (its context, or the chain of calls from one)
// against what it does there.
import { fileOfKey, functionKey, nameOfKey } from '../../labels/callbackEvidence';
import { isTestFile, notesOf } from '../../labels/callbackFlow';
import { directContexts } from '../../labels/execContext';
import type { ContextKind } from '../../knowledge/contextKinds';
import type { IndexModel } from '../../model/indexModel';
import type { CallEvidence, SlotEvidence } from '../../model/indexTypes';
import type { CallSite, FileFacts } from '../../facts/fileFacts';
import { registerRule, type RuleContext } from '../checker';
import type { CheckEvidence, Finding } from '../checkTypes';
import type { HandleOp } from '../pathNotes';
import { notedFunctions } from './treeNotes';
import { callersIndex, chainFromContext, chainText, type CallerEdge, type ContextChain } from '../reach';

/** Contexts that run on a reactor, inside its poll loop. Start-up code before spdk_app_start's callback is not here. */
const REACTOR: ReadonlySet<ContextKind> = new Set<ContextKind>([
  'poller',
  'interrupt',
  'thread_message',
  'for_each_thread_step',
  'for_each_thread_done',
  'for_each_channel_step',
  'for_each_channel_done',
  'reactor_event',
  'rpc_handler',
  'io_channel_create',
  'io_channel_destroy',
  'io_device_unregister_done',
  'bdev_io_completion',
  'bdev_io_wait',
  'bdev_event',
  'bdev_module_hook',
  'bdev_fn_table',
  'subsystem_hook',
  'app_shutdown',
  'blob_completion',
  'lvol_completion',
  'accel_completion',
  'buffer_wait',
]);

/** Calls that put the calling thread to sleep until something else happens. */
const BLOCKING = /^(sleep|usleep|nanosleep|clock_nanosleep|sem_wait|sem_timedwait|pthread_cond_wait|pthread_cond_timedwait|pthread_join|system|popen|waitpid|wait|sched_yield)$/;
/** Library calls that block only in one form: OCF's management lock taken with the cache alone (the later API takes a callback). */
const BLOCKING_WITH_ARGS: ReadonlyMap<string, number> = new Map([
  ['ocf_mngt_cache_lock', 1],
  ['ocf_mngt_cache_read_lock', 1],
]);

function blocks(call: CallSite): boolean {
  return BLOCKING.test(call.callee) || BLOCKING_WITH_ARGS.get(call.callee) === call.args.length;
}

/** An NVMe completion set up by SPDK's own libraries and modules: their queue pairs are polled by pollers. */
function polledOnReactor(c: CallEvidence | SlotEvidence): boolean {
  return c.kind === 'nvme_completion' && !('slot' in c) && /^(module|lib)\//.test(c.file) && !c.file.startsWith('lib/nvme/');
}

function contextWords(c: CallEvidence | SlotEvidence): string {
  if ('slot' in c) return `${c.slot} (${c.file}:${c.line})`;
  return `${c.kind.replace(/_/g, ' ')} via ${c.api} (${c.file}:${c.line})`;
}

function chainEvidence(chain: ContextChain, last: string): CheckEvidence[] {
  const evidence: CheckEvidence[] = [{ file: chain.context.file, line: chain.context.line, note: `${nameOfKey(chain.chain[0].key)} runs as ${'slot' in chain.context ? chain.context.slot : chain.context.kind.replace(/_/g, ' ')}` }];
  for (let i = 1; i < chain.chain.length; i++) {
    evidence.push({ file: fileOfKey(chain.chain[i - 1].key), line: chain.chain[i - 1].line, note: `calls ${nameOfKey(chain.chain[i].key)}` });
  }
  evidence.push({ file: fileOfKey(chain.chain[chain.chain.length - 1].key), line: 0, note: last });
  return evidence;
}

function blockingRule(context: RuleContext): Finding[] {
  const { model } = context;
  const callers = callersIndex(model, context.env.cache, context.only);
  const findings: Finding[] = [];
  const reactor = (c: CallEvidence | SlotEvidence) => REACTOR.has(c.kind) || polledOnReactor(c);
  // A blocking call is the decision of the function that makes it; a spin loop makes its function a synchronous wait,
  // and the decision is its caller's (bdev_nvme calling spdk_nvme_ctrlr_reset), unless the loop is in the context itself.
  const sites: { file: string; fn: string; line: number; what: string; spins: boolean }[] = [];
  for (const facts of model.symbols.files.values()) {
    if (isTestFile(facts.file)) continue;
    // A blocking call is reported in its own function: an edit of another file cannot change it.
    if (!context.inFile(facts.file)) continue;
    for (const call of facts.calls) if (call.caller && blocks(call)) sites.push({ file: facts.file, fn: call.caller, line: call.line, what: `calls ${call.callee}(), which blocks the thread`, spins: false });
  }
  for (const { file, fn, notes } of notedFunctions(context, true).filter((f) => f.notes.busyWaits.length > 0)) {
    const b = notes.busyWaits[0];
    sites.push({ file, fn, line: b.line, what: `spins on ${b.api}() until the operation completes`, spins: true });
  }
  const reported = new Set<string>();
  const report = (where: { key: string; line: number }, site: (typeof sites)[number], chain: ContextChain, waitVia: string) => {
    const file = fileOfKey(where.key);
    const fn = nameOfKey(where.key);
    // One finding per function that waits: waiting on three paths, or through two APIs, is one decision to review.
    const seen = site.spins ? `${where.key}:spins` : `${where.key}:${where.line}`;
    if (!context.inFile(file) || reported.has(seen)) return;
    reported.add(seen);
    const what = site.spins ? `calls ${waitVia}, which ${site.what} (${site.file}:${site.line})` : site.what;
    const evidence = chainEvidence(chain, site.what);
    evidence[evidence.length - 1].line = site.line;
    evidence[evidence.length - 1].file = site.file;
    findings.push({
      rule: 'blocking-in-reactor',
      severity: 'error',
      file,
      line: where.line,
      function: fn,
      message: `${fn} ${what}, and it runs on a reactor: ${chain.chain.length > 1 ? `${chainText(chain.chain)}, from ` : ''}${contextWords(chain.context)}`,
      evidence,
    });
  };
  for (const site of sites) {
    const key = functionKey(site.file, site.fn);
    if (!site.spins) {
      const chain = chainFromContext(model, key, reactor);
      if (chain) report({ key, line: site.line }, site, chain, site.fn);
      continue;
    }
    // A spin loop makes its function a synchronous wait (and the thin wrappers named for waiting that call it): each
    // caller that reaches a reactor chose to wait there.
    const waits = new Set([key]);
    const choosers: (CallerEdge & { via: string })[] = [];
    let frontier = [key];
    for (let depth = 0; depth < 3 && frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const w of frontier) {
        for (const edge of callers.get(w) ?? []) {
          // A dispatch through an ops table is no choice to wait: the implementation made it.
          if (waits.has(edge.caller) || edge.slot) continue;
          // A public function of the spinning file is an API that waits (spdk_nvme_probe): its callers elsewhere choose.
          if (WAIT_WRAPPER.test(nameOfKey(edge.caller)) || (edge.file === site.file && model.definitionOf(edge.caller)?.isStatic === false)) {
            waits.add(edge.caller);
            next.push(edge.caller);
          } else choosers.push({ ...edge, via: nameOfKey(w) });
        }
      }
      frontier = next;
    }
    const own = chainFromContext(model, key, reactor);
    if (own && own.chain.length === 1) report({ key, line: site.line }, site, own, site.fn);
    // Callers in the spinning function's own file share its synchronous design (the opal commands): the choice worth a
    // look is made where another file calls in.
    for (const edge of choosers.filter((e) => e.file !== site.file).slice(0, 60)) {
      const chain = chainFromContext(model, edge.caller, reactor);
      if (chain) report({ key: edge.caller, line: edge.line }, site, chain, edge.via === site.fn ? site.fn : `${edge.via} (which waits in ${site.fn})`);
    }
  }
  return [...findings, ...contendedLocks(context, reactor)];
}

/** Thin wrappers of a synchronous wait: their callers, not they, chose to wait. */
const WAIT_WRAPPER = /wait|_sync$|_poll_async$/;

/** Calls that wait for another thread while the caller keeps whatever locks it holds. */
const WAITS_HOLDING = /^(sem_wait|sem_timedwait|usleep|sleep|nanosleep|pthread_join)$/;

/** `pthread_mutex_lock(&dev->lock)` as `struct dev.lock`, `pthread_mutex_lock(&g_mutex)` as `g_mutex`. */
function mutexOf(facts: FileFacts, call: CallSite): string | undefined {
  const typed = facts.notes.find((n) => n.kind === 'field_address' && n.caller === call.caller && n.line === call.line && n.name === call.callee && n.detail === '0');
  if (typed && typed.path.rootType) return `${typed.path.rootType}.${typed.path.fields.join('.')}`;
  const a = call.args[0];
  return a?.kind === 'ident' ? a.name : undefined;
}

/**
 * A mutex locked with a blocking lock on a reactor while another function holds it across a wait (a semaphore, a
 * sleep, a join): the reactor stalls for as long as that wait lasts, and deadlocks if the wait is for this reactor.
 */
function contendedLocks(context: RuleContext, reactor: (c: CallEvidence | SlotEvidence) => boolean): Finding[] {
  const { model } = context;
  const locks: { facts: FileFacts; call: CallSite; mutex: string }[] = [];
  for (const facts of model.symbols.files.values()) {
    if (isTestFile(facts.file)) continue;
    for (const call of facts.calls) {
      if (call.callee !== 'pthread_mutex_lock' || !call.caller) continue;
      const mutex = mutexOf(facts, call);
      if (mutex) locks.push({ facts, call, mutex });
    }
  }
  const unlocks = new Map<string, { line: number; mutex: string }[]>();
  for (const facts of model.symbols.files.values()) {
    for (const call of facts.calls) {
      if (call.callee !== 'pthread_mutex_unlock' || !call.caller) continue;
      const mutex = mutexOf(facts, call);
      const key = functionKey(facts.file, call.caller);
      if (mutex) unlocks.set(key, [...(unlocks.get(key) ?? []), { line: call.line, mutex }]);
    }
  }
  // A wait after the lock with no unlock of that mutex in between, in the function or in a callee that never unlocks it.
  const waitWhileHolding = (key: string, mutex: string, from: number): { line: number; what: string } | undefined => {
    const released = (unlocks.get(key) ?? []).filter((u) => u.mutex === mutex && u.line > from).map((u) => u.line);
    const until = released.length > 0 ? Math.min(...released) : Infinity;
    for (const c of model.callsOf(key)) {
      if (c.line <= from || c.line >= until) continue;
      if (WAITS_HOLDING.test(c.callee)) return { line: c.line, what: `${c.callee}()` };
      const callee = model.resolve(c.callee, fileOfKey(key));
      if (!callee || callee === key || (unlocks.get(callee) ?? []).some((u) => u.mutex === mutex)) continue;
      const inner = model.callsOf(callee).find((x) => WAITS_HOLDING.test(x.callee));
      if (inner) return { line: c.line, what: `${c.callee}, which calls ${inner.callee}()` };
    }
    return undefined;
  };
  const holders = new Map<string, { key: string; line: number; what: string }>();
  for (const l of locks) {
    if (holders.has(l.mutex)) continue;
    const key = functionKey(l.facts.file, l.call.caller);
    const wait = waitWhileHolding(key, l.mutex, l.call.line);
    if (wait) holders.set(l.mutex, { key, ...wait });
  }
  const findings: Finding[] = [];
  const reported = new Set<string>();
  for (const l of locks) {
    const holder = holders.get(l.mutex);
    const key = functionKey(l.facts.file, l.call.caller);
    if (!holder || holder.key === key || !context.inFile(l.facts.file) || reported.has(key)) continue;
    const chain = chainFromContext(model, key, reactor);
    if (!chain) continue;
    reported.add(key);
    const evidence = chainEvidence(chain, `pthread_mutex_lock(${l.mutex}) waits for the lock`);
    evidence[evidence.length - 1].line = l.call.line;
    evidence.push({ file: fileOfKey(holder.key), line: holder.line, note: `${nameOfKey(holder.key)} holds ${l.mutex} and waits here (${holder.what})` });
    findings.push({
      rule: 'blocking-in-reactor',
      severity: 'error',
      file: l.facts.file,
      line: l.call.line,
      function: l.call.caller,
      message: `${l.call.caller} takes ${l.mutex} with a blocking lock on a reactor (${chain.chain.length > 1 ? `${chainText(chain.chain)}, from ` : ''}${contextWords(chain.context)}), while ${nameOfKey(holder.key)} holds it across a wait; use pthread_mutex_trylock and retry by message`,
      evidence,
    });
  }
  return findings;
}

/** The destruct slot runs on whichever thread unregisters the bdev, not on the thread that opened its handles. */
function isDestruct(c: CallEvidence | SlotEvidence): boolean {
  return 'slot' in c && c.slot === 'struct spdk_bdev_fn_table.destruct';
}

/**
 * Contexts tied to no particular thread: destruct, and an io_device's unregister callback when destruct (directly or
 * through calls) unregistered it, since that callback runs on the thread that called spdk_io_device_unregister.
 */
function untiedContext(model: IndexModel) {
  return (c: CallEvidence | SlotEvidence): boolean => {
    if (isDestruct(c)) return true;
    if ('slot' in c || c.kind !== 'io_device_unregister_done' || !c.in) return false;
    return !!chainFromContext(model, functionKey(c.file, c.in), isDestruct, (k) => hasThreadCheck(model, k));
  };
}

const HANDLE_WORDS: Record<HandleOp['handle'], { thing: string; opened: string; closed: string; close: string }> = {
  desc: { thing: 'bdev descriptor', opened: 'opened', closed: 'closed', close: 'close' },
  channel: { thing: 'io_channel', opened: 'got', closed: 'put', close: 'put' },
  poller: { thing: 'poller', opened: 'registered', closed: 'unregistered', close: 'unregister' },
};

/** Contexts that run on the app thread: what they open belongs to it. */
const APP_THREAD = new Set<ContextKind>(['rpc_handler', 'bdev_module_hook', 'subsystem_hook', 'app_start']);
/** Of the module hooks, those the bdev layer calls on the app thread. */
const APP_THREAD_SLOTS = /\.(examine_config|examine_disk|module_init|init_complete|fini_start)$/;
/** Contexts that run once per channel, each on that channel's thread. */
const PER_CHANNEL = new Set<ContextKind>(['for_each_channel_step', 'io_channel_create', 'io_channel_destroy']);

function isAppThread(c: CallEvidence | SlotEvidence): boolean {
  return APP_THREAD.has(c.kind) && (!('slot' in c) || APP_THREAD_SLOTS.test(c.slot));
}

/** The chain of a function that runs itself as `kind` (registered directly, not through a caller). */
function directContext(model: IndexModel, key: string, kind: ContextKind): ContextChain | undefined {
  const context = directContexts(model, key).find((c) => c.kind === kind);
  return context && { chain: [{ key, line: 0 }], context };
}

function hasThreadCheck(model: IndexModel, key: string): boolean {
  return notesOf(model, key, 'thread_check').length > 0;
}

/**
 * The handle's field named by the struct that holds it: `struct raid_bdev.base_bdev_info.desc` and `struct
 * raid_base_bdev_info.desc` are the same field when base_bdev_info's elements are raid_base_bdev_info.
 */
function holderField(model: IndexModel, op: Pick<HandleOp, 'rootType' | 'fields'>, file: string): string {
  let type = op.rootType;
  let i = 0;
  for (; i < op.fields.length - 1; i++) {
    const field = model.symbols.struct(type, file)?.item.fields.find((f) => f.name === op.fields[i]);
    const next = field?.type.replace(/\b(const|volatile)\b|\*|\[[^\]]*\]/g, '').replace(/\s+/g, ' ').trim();
    if (!next || !/^(struct|union) \w+$/.test(next)) break;
    type = next;
  }
  return `${type}.${op.fields.slice(i).join('.')}`;
}

function wrongThreadRule(context: RuleContext): Finding[] {
  const { model } = context;
  callersIndex(model, context.env.cache, context.only);
  // Opens are looked for in every file: a descriptor opened in the module's RPC file is closed in its main file.
  const all = notedFunctions(context, true).filter((f) => f.notes.handles.length > 0);
  const opens = new Map<string, { file: string; fn: string; op: HandleOp }[]>();
  for (const f of all) for (const op of f.notes.handles) if (op.op === 'open') {
    const k = `${op.handle}:${holderField(model, op, f.file)}`;
    const list = opens.get(k) ?? [];
    list.push({ file: f.file, fn: f.fn, op });
    opens.set(k, list);
  }
  const untied = untiedContext(model);
  const findings: Finding[] = [];
  const reported = new Set<string>();
  for (const f of all) {
    if (!context.inFile(f.file)) continue;
    for (const op of f.notes.handles) {
      if (op.op !== 'close') continue;
      const field = holderField(model, op, f.file);
      const openers = (opens.get(`${op.handle}:${field}`) ?? []).filter((o) => o.fn !== f.fn || o.file !== f.file);
      if (openers.length === 0) continue;
      const key = functionKey(f.file, f.fn);
      const checked = (k: string) => hasThreadCheck(model, k);
      const opener = openers[0];
      const openChain = chainFromContext(model, functionKey(opener.file, opener.fn), (c) => REACTOR.has(c.kind) && !isDestruct(c));
      // A function on the way that compares spdk_get_thread() with a stored thread has taken care of it. Besides
      // destruct, a per-channel context closing what an app-thread context opened is on another thread by design.
      const openerKey = functionKey(opener.file, opener.fn);
      const onAppThread = !!chainFromContext(model, openerKey, isAppThread) && !chainFromContext(model, openerKey, (c) => PER_CHANNEL.has(c.kind));
      // A handle of the io_device itself, opened by the first channel's create callback and closed by the last
      // channel's destroy callback: the two channels may live on different threads.
      const shared = op.fromParam === 0 && opener.op.fromParam === 0 && directContext(model, openerKey, 'io_channel_create') ? directContext(model, key, 'io_channel_destroy') : undefined;
      const chain = chainFromContext(model, key, untied, checked) ?? (onAppThread ? chainFromContext(model, key, (c) => PER_CHANNEL.has(c.kind), checked) : undefined) ?? shared;
      if (!chain || chain.chain.some((c) => checked(c.key))) continue;
      const words = HANDLE_WORDS[op.handle];
      const openWhere = openChain ? ` (${'slot' in openChain.context ? openChain.context.slot : openChain.context.kind.replace(/_/g, ' ')})` : '';
      const evidence: CheckEvidence[] = [
        { file: opener.file, line: opener.op.line, note: `${field} ${words.opened} here by ${opener.op.api}, in ${opener.fn}${openWhere}: that thread owns it` },
        ...chainEvidence(chain, `${op.api}(${field}) on the current thread, with no check that it is the owning one`),
      ];
      evidence[evidence.length - 1].line = op.line;
      reported.add(`${f.file}:${op.line}`);
      findings.push({
        rule: 'wrong-thread-close',
        severity: 'error',
        file: f.file,
        line: op.line,
        function: f.fn,
        message: chain === shared
          ? `${words.thing} ${field} belongs to the io_device, not to one channel: ${opener.fn} ${words.opened} it when the first channel was created, on that channel's thread, and this channel destroy callback ${words.closed} it when the last channel goes, on that channel's thread, which may be another; send the ${words.close} to the thread that ${words.opened} it with spdk_thread_send_msg`
          : PER_CHANNEL.has(chain.context.kind)
          ? `${words.thing} ${field} is ${words.closed} in ${chain.context.kind === 'for_each_channel_step' ? 'a for_each_channel step' : `a channel ${chain.context.kind === 'io_channel_create' ? 'create' : 'destroy'} callback`}${chain.chain.length > 1 ? ` (via ${chainText(chain.chain)})` : ''}, which runs on each channel's own thread, while ${opener.fn} ${words.opened} it on the app thread; send the ${words.close} to that thread with spdk_thread_send_msg`
          : `${words.thing} ${field} is ${words.closed} ${isDestruct(chain.context) ? 'in the destruct callback' : `after destruct unregistered an io_device (${chain.context.in})`}${chain.chain.length > 1 ? ` (via ${chainText(chain.chain)})` : ''}, which runs on whichever thread unregisters the bdev, not necessarily the thread that ${words.opened} it in ${opener.fn}; send the ${words.close} to that thread with spdk_thread_send_msg`,
        evidence,
      });
    }
  }
  for (const f of notedFunctions(context)) {
    for (const o of f.notes.offThread ?? []) {
      if (reported.has(`${f.file}:${o.line}`)) continue;
      const handle = o.api === 'spdk_bdev_close' ? 'desc' : o.api === 'spdk_put_io_channel' ? 'channel' : 'poller';
      const words = HANDLE_WORDS[handle];
      const where = o.where === 'before' ? 'before the check' : o.where === 'inside' ? 'on the side of the check where it is not' : 'after the check, on a path the other-thread side falls through to';
      findings.push({
        rule: 'wrong-thread-close',
        severity: 'error',
        file: f.file,
        line: o.line,
        function: f.fn,
        message: `${f.fn} asks whether it runs on the owning thread (${o.check}, line ${o.checkLine}), yet ${words.thing} ${o.target} is ${words.closed} ${where}: on another thread it is ${words.closed} where it was not ${words.opened}; ${words.close} it on the owning side or in the message`,
        evidence: [
          { file: f.file, line: o.checkLine, note: `${o.check}: this function may run on a thread other than the owner` },
          { file: f.file, line: o.line, note: `${o.api}(${o.target}) ${where}` },
        ],
      });
    }
  }
  return findings;
}

registerRule('blocking-in-reactor', blockingRule);
registerRule('wrong-thread-close', wrongThreadRule);
