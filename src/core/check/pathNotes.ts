// Reads a file's candidate functions with tree-sitter and walks them (see lifetimes.ts); notes are kept per file hash.
import { createHash } from 'node:crypto';
import type { PlainNode as Node } from '../parse/plainTree';
import type { FileFacts, FunctionDefinition } from '../facts/fileFacts';
import { lineAt, lineStarts } from '../parse/cText';
import { plainTree } from '../parse/plainTree';
import { normalizeSourceForParsing } from '../parse/sourceNormalizer';
import type { CheckEnv } from './checker';
import { argumentsOf, declaredName, walkFunction, type LifetimeApis, type LifetimeNote, type PassedTo, type Resource } from './lifetimes';

const ALLOCATORS = new Map<string, Resource>([
  ['calloc', 'alloc'],
  ['malloc', 'alloc'],
  ['strdup', 'alloc'],
  ['strndup', 'alloc'],
  ['spdk_sprintf_alloc', 'alloc'],
  ['spdk_zmalloc', 'alloc'],
  ['spdk_malloc', 'alloc'],
  ['spdk_dma_zmalloc', 'alloc'],
  ['spdk_dma_malloc', 'alloc'],
  ['spdk_mempool_get', 'alloc'],
  // DPDK's allocator, used directly by older modules (crypto, compress): its source is not in an SPDK tree.
  ['rte_malloc', 'alloc'],
  ['rte_zmalloc', 'alloc'],
  ['rte_calloc', 'alloc'],
  ['rte_malloc_socket', 'alloc'],
  ['rte_zmalloc_socket', 'alloc'],
  // SPDK library objects with a matching destructor: each is lost like memory when an error path forgets it.
  ['spdk_vsprintf_alloc', 'alloc'],
  ['spdk_bit_array_create', 'alloc'],
  ['spdk_bit_pool_create', 'alloc'],
  ['spdk_ring_create', 'alloc'],
  ['spdk_mempool_create', 'alloc'],
  ['spdk_histogram_data_alloc', 'alloc'],
  ['spdk_nvme_ctrlr_alloc_io_qpair', 'alloc'],
  ['spdk_bdev_get_io', 'bdev_io'],
  ['bdev_channel_get_io', 'bdev_io'],
  ['spdk_get_io_channel', 'channel'],
  ['spdk_bdev_get_io_channel', 'channel'],
  ['spdk_accel_get_io_channel', 'channel'],
  ['spdk_bs_alloc_io_channel', 'channel'],
]);

/** Release calls: which argument they release, per resource. */
const RELEASES: Record<Resource, Map<string, number>> = {
  alloc: new Map([
    ['free', 0],
    ['spdk_free', 0],
    ['spdk_dma_free', 0],
    ['spdk_mempool_put', 1],
    ['rte_free', 0],
    ['spdk_bit_array_free', 0],
    ['spdk_bit_pool_free', 0],
    ['spdk_ring_free', 0],
    ['spdk_mempool_free', 0],
    ['spdk_histogram_data_free', 0],
    ['spdk_nvme_ctrlr_free_io_qpair', 0],
    // Frees the writer whether or not the last write failed.
    ['spdk_json_write_end', 0],
  ]),
  channel: new Map([
    ['spdk_put_io_channel', 0],
    ['spdk_bs_free_io_channel', 0],
  ]),
  bdev_io: new Map([['spdk_bdev_free_io', 0]]),
};

const COMPLETES = /^spdk_bdev_io_complete(_nvme_status|_scsi_status|_aio_status|_base_io_status)?$/;

/** The bdev submit APIs whose -ENOMEM means "no spdk_bdev_io left on this channel, wait and retry". */
export const BDEV_SUBMIT =
  /^spdk_bdev_(readv?|writev?|unmap|flush|write_zeroes|reset|compare|comparev|compare_and_writev|zcopy_start|nvme_io_passthru|nvme_io_passthru_md|nvme_iov_passthru_md|nvme_admin_passthru|copy|abort|seek_data|seek_hole)(_blocks)?(_with_md)?(_ext)?$/;

export const LIFETIME_APIS: LifetimeApis = {
  // `bdev->fn_table->get_io_channel(ctx)`: a module's channel getter hands out a reference like spdk_get_io_channel.
  acquire: (callee) => ALLOCATORS.get(callee) ?? (callee === '(get_io_channel)' ? 'channel' : undefined),
  release: (callee, resource) => RELEASES[resource].get(callee),
  completes: (callee) => COMPLETES.test(callee),
  submits: (callee) => BDEV_SUBMIT.test(callee),
};

export function releaseApi(callee: string, resource: Resource): number | undefined {
  return RELEASES[resource].get(callee);
}

// Which functions are worth a parse, from the calls the index already holds (no text read for the others).
const WALK_CALLS = /^(calloc|malloc|strn?dup|spdk_v?sprintf_alloc|spdk_bit_array_create|spdk_bit_pool_create|spdk_ring_create|spdk_mempool_create|spdk_histogram_data_alloc|spdk_nvme_ctrlr_alloc_io_qpair|spdk_z?malloc|spdk_dma_z?malloc|spdk_mempool_get|rte_z?malloc(_socket)?|rte_calloc|\w*get_io_channel|spdk_bs_alloc_io_channel|spdk_bdev_free_io|spdk_bdev_io_complete\w*)$/;
/** Releases and decoders: callbacks that free their argument, and RPC handlers that decode into a local struct. */
const RELEASE_CALLS = /^(free|spdk_free|spdk_dma_free|spdk_mempool_put|rte_free|free_\w+|\w*_free|spdk_nvme_ctrlr_free_io_qpair)$/;
const DECODE_CALLS = /^spdk_json_decode_object(_relaxed)?$/;
const HANDLE_CALLS = /^(spdk_bdev_open(_ext)?|spdk_bdev_close|spdk_put_io_channel|\w*get_io_channel|spdk_poller_register\w*|SPDK_POLLER_REGISTER|spdk_poller_unregister)$/;
const SPINS_ON = /^(\w+_poll_async|spdk_nvme_qpair_process_completions|spdk_nvme_ctrlr_process_admin_completions|nvme_qpair_process_completions|spdk_thread_poll|spdk_bdev_io_poll|nvme_ctrlr_process_init)$/;

interface Wanted {
  walk: boolean;
  handles: boolean;
  spins: boolean;
}

/** What a learnt wrapper does for its callers: acquires a resource, or submits bdev IO (its result may be -ENOMEM). */
export type Learnt = Resource | 'submit';

function wantedFunctions(facts: Pick<NotesInput, 'calls' | 'functions'>, learned: ReadonlyMap<string, Learnt>, steps: ReadonlySet<string>): Map<string, Wanted> {
  const wanted = new Map<string, Wanted>();
  // A release matters only to a callback that may own its `void *` argument.
  const voidArgs = new Set(facts.functions.filter((f) => f.params.some((p) => /^void \*$/.test(p.type.trim()))).map((f) => f.name));
  const get = (name: string) => {
    let w = wanted.get(name);
    if (!w) wanted.set(name, (w = { walk: false, handles: false, spins: false }));
    return w;
  };
  for (const call of facts.calls) {
    if (!call.caller) continue;
    if (steps.has(call.callee)) get(call.caller).spins = true;
    if (WALK_CALLS.test(call.callee) || BDEV_SUBMIT.test(call.callee) || learned.has(call.callee) || DECODE_CALLS.test(call.callee)) get(call.caller).walk = true;
    else if (RELEASE_CALLS.test(call.callee) && voidArgs.has(call.caller)) get(call.caller).walk = true;
    if (HANDLE_CALLS.test(call.callee)) get(call.caller).handles = true;
    if (SPINS_ON.test(call.callee)) get(call.caller).spins = true;
  }
  for (const fn of facts.functions) if (completionParam(fn)) get(fn.name).walk = true;
  return wanted;
}

/** `(struct spdk_bdev_io *bdev_io, bool success, void *cb_arg)`: the child IO a completion callback must free. */
export function completionParam(fn: Pick<FunctionDefinition, 'params'>): string | undefined {
  const [io, ok, arg] = fn.params;
  if (fn.params.length !== 3 || !io || !ok || !arg) return undefined;
  // SPDK before v17.07 passed `enum spdk_bdev_io_status status` where it now passes `bool success`.
  if (!/^struct spdk_bdev_io \*$/.test(io.type.trim()) || !/^(bool|enum spdk_bdev_io_status)$/.test(ok.type.trim()) || !/^void \*$/.test(arg.type.trim())) return undefined;
  return io.name;
}

/** An open or close of a handle kept in a struct field: `spdk_bdev_open_ext(..., &node->base_desc)`, `spdk_bdev_close(node->base_desc)`. */
export interface HandleOp {
  handle: 'desc' | 'channel' | 'poller';
  op: 'open' | 'close';
  api: string;
  /** The struct type that holds the field, and the fields down to it. */
  rootType: string;
  fields: string[];
  line: number;
  /** The function parameter the holder came from (`lun = io_device` is 0 in a channel callback), when it did. */
  fromParam?: number;
}

/** A loop that spins on a completion API until the operation it waits for is done. */
export interface BusyWait {
  api: string;
  line: number;
}

/**
 * A close, put or unregister of a handle kept in `root`, in a function that itself asks whether it runs on
 * `root`'s thread (`if (x->thread != spdk_get_thread())`), done where that answer may be no: before the check, on
 * its other-thread side, or after an other-thread side that does not return.
 */
export interface OffThreadClose {
  api: string;
  target: string;
  line: number;
  /** The thread check (`meta_ctx->thread != spdk_get_thread()`) and its line. */
  check: string;
  checkLine: number;
  where: 'before' | 'inside' | 'after';
}

export interface FunctionPathNotes {
  lifetimes: LifetimeNote[];
  handles: HandleOp[];
  busyWaits: BusyWait[];
  offThread?: OffThreadClose[];
}

export interface FilePathNotes {
  hash: string;
  byFunction: Map<string, FunctionPathNotes>;
  /**
   * Per function read: a key of its text (and what it was read with) and its first line then. After an edit, a
   * function whose key is unchanged keeps its notes, moved to where it now starts, without a new parse.
   */
  read?: Map<string, { key: string; line: number }>;
}

/** What reading a file's paths needs of its facts: its functions' extent and parameters, and who calls what. */
export interface NotesInput {
  file: string;
  hash: string;
  calls: readonly Pick<FileFacts['calls'][number], 'caller' | 'callee'>[];
  functions: readonly Pick<FunctionDefinition, 'name' | 'line' | 'endLine' | 'params'>[];
}

let wrapperParse: ReturnType<CheckEnv['grammar']['newParser']> | undefined;

const NO_WRAPPERS: ReadonlyMap<string, Learnt> = new Map();

/**
 * Path notes of one file's functions, from the cache while the file's hash (and the allocator wrappers it calls) are
 * unchanged. `wrappers` are the tree's allocator wrappers (see allocatorWrappers): calling one acquires.
 */
export function pathNotesOf(env: CheckEnv, facts: NotesInput, wrappers: ReadonlyMap<string, Learnt> = NO_WRAPPERS): FilePathNotes | undefined {
  const { file } = facts;
  const called = new Map<string, Learnt>();
  for (const call of facts.calls) {
    const r = wrappers.get(call.callee);
    if (r) called.set(call.callee, r);
  }
  const hash = `${facts.hash}:${[...called.keys()].sort().join(',')}`;
  // Without wrappers (the first pass) and with them, kept apart so neither pass evicts the other.
  const cacheKey = called.size === 0 ? `paths0:${file}` : `paths:${file}`;
  const cached = env.cache?.get(cacheKey) as FilePathNotes | undefined;
  if (cached && cached.hash === hash) return cached;
  const steps = pollSteps(facts);
  const wanted = wantedFunctions(facts, called, steps);
  if (wanted.size === 0) return { hash, byFunction: new Map() };
  const wrappersOf = new Map<string, string[]>();
  for (const call of facts.calls) {
    if (!call.caller || !called.has(call.callee)) continue;
    const list = wrappersOf.get(call.caller) ?? [];
    if (!list.includes(call.callee)) wrappersOf.set(call.caller, [...list, call.callee]);
  }
  // With wrappers, only the functions that call one read differently: the others keep their first-pass notes.
  const first = called.size === 0 ? undefined : pathNotesOf(env, facts);
  const learntResource = (callee: string): Resource | undefined => {
    const learnt = called.get(callee);
    return learnt === 'submit' ? undefined : learnt;
  };
  const apis: LifetimeApis =
    called.size === 0
      ? LIFETIME_APIS
      : { ...LIFETIME_APIS, acquire: (callee) => LIFETIME_APIS.acquire(callee) ?? learntResource(callee), submits: (callee) => LIFETIME_APIS.submits(callee) || called.get(callee) === 'submit' };
  const raw = env.readText(file);
  if (raw === undefined) return undefined;
  const text = normalizeSourceForParsing(raw);
  const starts = lineStarts(text);
  const decoderStrings = decoderStringFields(text);
  // The tables sit outside the functions that use them: a change to one must reach those functions' keys.
  const decoderKey = JSON.stringify([...decoderStrings]);
  const parser = (wrapperParse ??= env.grammar.newParser());
  const byFunction = new Map<string, FunctionPathNotes>();
  const read = new Map<string, { key: string; line: number }>();
  for (const fn of facts.functions) {
    const want = wanted.get(fn.name);
    if (!want) continue;
    if (first && !wrappersOf.has(fn.name)) {
      const kept = first.byFunction.get(fn.name);
      if (kept) byFunction.set(fn.name, kept);
      continue;
    }
    if (fn.line < 1 || fn.line > starts.length) continue;
    const from = starts[fn.line - 1];
    const source = text.slice(from, fn.endLine < starts.length ? starts[fn.endLine] : text.length);
    const held = completionParam(fn);
    const { walk, handles, spins } = want;
    const key = functionKey(`${decoderKey}\0${source}`, want, fn.params, wrappersOf.get(fn.name));
    read.set(fn.name, { key, line: fn.line });
    const before = cached?.read?.get(fn.name);
    if (before?.key === key) {
      const kept = cached!.byFunction.get(fn.name);
      if (kept) byFunction.set(fn.name, fn.line === before.line ? kept : movedNotes(kept, fn.line - before.line));
      continue;
    }
    const brace = bodyBrace(source);
    if (brace < 0) continue;
    // The body alone, behind a dummy head on the same row: rows of the snippet are rows of the file from the brace on.
    const head = 'void f(void)';
    const snippet = head + source.slice(brace);
    const tree = parser.parse(snippet);
    if (!tree) continue;
    try {
      const body = plainTree(tree, snippet).namedChild(0)?.childForFieldName('body');
      if (!body) continue;
      const braceLine = lineAt(starts, from + brace);
      const lineOf = (n: Node) => braceLine + n.startPosition.row;
      const notes: FunctionPathNotes = {
        lifetimes: walk ? walkFunction(
            {
              body,
              heldParams: held ? [{ name: held, resource: 'bdev_io' }] : [],
              lineOf,
              endLine: fn.endLine,
              params: fn.params.map((p) => p.name),
              callbackArgs: fn.params.filter((p) => /^void \*$/.test(p.type.trim()) && p.name).map((p) => p.name),
              decoderStrings,
            },
            apis,
          ) : [],
        handles: handles ? handleOps(body, fn, lineOf) : [],
        ...(handles ? offThreadOf(body, lineOf) : {}),
        busyWaits: spins ? busyWaits(body, lineOf, steps) : [],
      };
      if (notes.lifetimes.length + notes.handles.length + notes.busyWaits.length + (notes.offThread?.length ?? 0) > 0) byFunction.set(fn.name, notes);
    } finally {
      tree.delete();
    }
  }
  const result = { hash, byFunction, read };
  env.cache?.set(cacheKey, result);
  return result;
}

const DECODER_TABLE = /spdk_json_object_decoder\s+(\w+)\s*\[[^\]]*\]\s*=\s*\{([\s\S]*?)\n\s*\}\s*;/g;
const STRING_ENTRY = /offsetof\s*\(\s*[^,()]+,\s*([\w.[\]]+)\s*\)\s*,\s*spdk_json_decode_string\b/g;

/** The file's decoder tables, each with the fields spdk_json_decode_string fills (it allocates a copy of the string). */
function decoderStringFields(text: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  if (!text.includes('spdk_json_object_decoder')) return tables;
  for (const table of text.matchAll(DECODER_TABLE)) {
    const fields = [...table[2].matchAll(STRING_ENTRY)].map((m) => m[1]);
    if (fields.length > 0) tables.set(table[1], fields);
  }
  return tables;
}

/** What a function's notes depend on: its text, what it is read for, its parameters, the wrappers it calls. */
function functionKey(source: string, want: Wanted, params: readonly { name: string; type: string }[], wrappers: string[] | undefined): string {
  const what = `${+want.walk}${+want.handles}${+want.spins}\0${params.map((p) => `${p.type}\0${p.name}`).join('\0')}\0${(wrappers ?? []).sort().join(',')}\0`;
  return createHash('sha1').update(what).update(source).digest('base64');
}

/** A function's notes with every line moved by `delta` (the function moved down or up the file). */
function movedNotes(notes: FunctionPathNotes, delta: number): FunctionPathNotes {
  const at = (line: number) => line + delta;
  const passed = (list: PassedTo[]) => list.map((p) => ({ ...p, line: at(p.line) }));
  return {
    lifetimes: notes.lifetimes.map((n): LifetimeNote => {
      switch (n.kind) {
        case 'exit_held':
          return { ...n, acquired: at(n.acquired), line: at(n.line), passed: passed(n.passed), failed: passed(n.failed), ...(n.releasedAt !== undefined ? { releasedAt: at(n.releasedAt) } : {}), ...(n.holderFreedAt !== undefined ? { holderFreedAt: at(n.holderFreedAt) } : {}), ...(n.missedStrings ? { missedStrings: { ...n.missedStrings, at: at(n.missedStrings.at) } } : {}) };
        case 'double_release':
        case 'use_after_release':
          return { ...n, acquired: at(n.acquired), line: at(n.line), first: at(n.first) };
        case 'double_complete':
        case 'use_after_complete':
          return { ...n, line: at(n.line), first: at(n.first) };
        case 'submit_failure_fails_io':
          return { ...n, submitLine: at(n.submitLine), line: at(n.line) };
        case 'returns_acquired':
          return { ...n, line: at(n.line), passed: passed(n.passed) };
        case 'returns_submit':
          return { ...n, line: at(n.line) };
        case 'freed_unsubmitted':
          return { ...n, acquired: at(n.acquired), line: at(n.line) };
      }
    }),
    handles: notes.handles.map((h) => ({ ...h, line: at(h.line) })),
    ...(notes.offThread ? { offThread: notes.offThread.map((o) => ({ ...o, line: at(o.line), checkLine: at(o.checkLine) })) } : {}),
    busyWaits: notes.busyWaits.map((b) => ({ ...b, line: at(b.line) })),
  };
}

/** Offset of the body's `{`: the first brace after the parameter list closes. */
function bodyBrace(source: string): number {
  let depth = 0;
  let sawParen = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '(') {
      depth++;
      sawParen = true;
    } else if (ch === ')') depth--;
    else if (ch === '{' && depth === 0 && sawParen) return i;
  }
  return -1;
}

/** Locals and parameters by name, with their struct type (`struct vbdev_passthru`), for typing `x->f` paths. */
function structTypes(body: Node, fn: Pick<FunctionDefinition, 'params'>): Map<string, string> {
  const types = new Map<string, string>();
  for (const p of fn.params) {
    const m = /^(?:const\s+)?(struct\s+\w+|\w+)\s*\*/.exec(p.type.trim());
    if (m && p.name) types.set(p.name, m[1].replace(/\s+/g, ' '));
  }
  for (const d of body.descendantsOfType('declaration')) {
    const type = d?.childForFieldName('type');
    if (!d || !type) continue;
    const typeText = type.text.replace(/\s+/g, ' ');
    for (const c of d.namedChildren) {
      if (!c || c === type) continue;
      let n: Node | null = c.type === 'init_declarator' ? c.childForFieldName('declarator') : c;
      if (n?.type !== 'pointer_declarator') continue;
      while (n && n.type !== 'identifier') n = n.childForFieldName('declarator');
      if (n) types.set(n.text, typeText);
    }
  }
  return types;
}

/** `&a->b.c` or `a->b.c` as a struct type and fields, when a's type is known; undefined otherwise. */
function typedPath(expr: Node | null | undefined, types: Map<string, string>): { rootType: string; fields: string[]; root: string } | undefined {
  let n = withoutAddress(expr);
  const fields: string[] = [];
  while (n && (n.type === 'field_expression' || (n.type === 'subscript_expression' && fields.length > 0))) {
    // `r->base_bdev_info[i].desc`: an element of the array field, which the rule reads through the field's type.
    if (n.type === 'subscript_expression') {
      n = n.childForFieldName('argument');
      continue;
    }
    const f = n.childForFieldName('field');
    if (!f) return undefined;
    fields.unshift(f.text);
    n = n.childForFieldName('argument');
  }
  if (!n || n.type !== 'identifier' || fields.length === 0) return undefined;
  const rootType = types.get(n.text);
  return rootType ? { rootType, fields, root: n.text } : undefined;
}

/** `(&x->desc)` as `x->desc`: parentheses and the address-of taken off. */
function withoutAddress(expr: Node | null | undefined): Node | null {
  let n = expr ?? null;
  while (n && (n.type === 'parenthesized_expression' || (n.type === 'pointer_expression' && n.childForFieldName('operator')?.text === '&'))) {
    n = n.type === 'pointer_expression' ? n.childForFieldName('argument') : n.namedChild(0);
  }
  return n;
}

/** Which parameter `name` is, or was set from (`struct lun *lun = io_device;`). */
function paramIndexOf(body: Node, fn: Pick<FunctionDefinition, 'params'>, name: string): number | undefined {
  const direct = fn.params.findIndex((p) => p.name === name);
  if (direct >= 0) return direct;
  for (const d of body.descendantsOfType('init_declarator')) {
    const value = d?.childForFieldName('value');
    if (!d || !value || declaredName(d.childForFieldName('declarator')) !== name) continue;
    const from = value.type === 'cast_expression' ? value.childForFieldName('value') : value;
    const index = from?.type === 'identifier' ? fn.params.findIndex((p) => p.name === from.text) : -1;
    return index >= 0 ? index : undefined;
  }
  return undefined;
}

const OPENS: Record<string, { handle: HandleOp['handle']; arg: number | 'result' }> = {
  spdk_bdev_open_ext: { handle: 'desc', arg: 4 },
  spdk_bdev_open: { handle: 'desc', arg: 4 },
  spdk_get_io_channel: { handle: 'channel', arg: 'result' },
  spdk_bdev_get_io_channel: { handle: 'channel', arg: 'result' },
  spdk_poller_register: { handle: 'poller', arg: 'result' },
  spdk_poller_register_named: { handle: 'poller', arg: 'result' },
  SPDK_POLLER_REGISTER: { handle: 'poller', arg: 'result' },
};
const CLOSES: Record<string, HandleOp['handle']> = { spdk_bdev_close: 'desc', spdk_put_io_channel: 'channel', spdk_poller_unregister: 'poller' };

function handleOp(handle: HandleOp['handle'], op: HandleOp['op'], api: string, path: { rootType: string; fields: string[]; root: string }, body: Node, fn: Pick<FunctionDefinition, 'params'>, line: number): HandleOp {
  const fromParam = paramIndexOf(body, fn, path.root);
  return { handle, op, api, rootType: path.rootType, fields: path.fields, line, ...(fromParam !== undefined ? { fromParam } : {}) };
}

/** `x->desc = desc` after `spdk_bdev_open(..., &desc)` into a local: the field that keeps the handle. */
function fieldStoreOf(body: Node, target: Node | null | undefined): Node | undefined {
  const n = withoutAddress(target);
  if (n?.type !== 'identifier') return undefined;
  for (const a of body.descendantsOfType('assignment_expression')) {
    const right = a?.childForFieldName('right');
    const left = a?.childForFieldName('left');
    if (right?.type === 'identifier' && right.text === n.text && left && left.type !== 'identifier') return left;
  }
  return undefined;
}

function handleOps(body: Node, fn: Pick<FunctionDefinition, 'params'>, lineOf: (n: Node) => number): HandleOp[] {
  const types = structTypes(body, fn);
  const ops: HandleOp[] = [];
  for (const call of body.descendantsOfType('call_expression')) {
    const callee = call?.childForFieldName('function');
    if (!call || callee?.type !== 'identifier') continue;
    const api = callee.text;
    const args = argumentsOf(call);
    const open = OPENS[api];
    if (open) {
      // Early SPDK registered a poller through an out-parameter: spdk_poller_register(&x->poller, fn, arg, lcore, period).
      const outParam = open.handle === 'poller' && args[0]?.text.trim().startsWith('&') ? args[0] : undefined;
      const target = open.arg === 'result' ? (call.parent?.type === 'assignment_expression' ? call.parent.childForFieldName('left') : outParam) : args[open.arg];
      const path = typedPath(target, types) ?? typedPath(fieldStoreOf(body, target), types);
      if (path) ops.push(handleOp(open.handle, 'open', api, path, body, fn, lineOf(call)));
      continue;
    }
    const close = CLOSES[api];
    if (close) {
      const path = typedPath(args[0], types);
      if (path) ops.push(handleOp(close, 'close', api, path, body, fn, lineOf(call)));
    }
  }
  return ops;
}

const THREAD_COMPARE = /^(\w+)((?:->|\.)\w+)*(->|\.)\w*thread\w*$/;
const OWNED_CLOSES = /^(spdk_put_io_channel|spdk_bdev_close|spdk_poller_unregister)$/;

interface ThreadCheck {
  root: string;
  text: string;
  line: number;
  node: Node;
  /** The branch taken on the thread that owns root, and the one taken elsewhere. */
  same: Node | null;
  other: Node | null;
}

/** `x->thread != spdk_get_thread()` (or `==`, either order), alone or as one of `&&`'s operands. */
function threadCheckOf(cond: Node): { root: string; text: string; equal: boolean } | undefined {
  let c: Node | null = cond;
  while (c && c.type === 'parenthesized_expression') c = c.namedChild(0);
  if (!c || c.type !== 'binary_expression') return undefined;
  const op = c.childForFieldName('operator')?.text;
  const left = c.childForFieldName('left');
  const right = c.childForFieldName('right');
  if (!left || !right) return undefined;
  if (op === '&&') return threadCheckOf(right) ?? threadCheckOf(left);
  if (op !== '!=' && op !== '==') return undefined;
  const isCurrent = (n: Node) => /^spdk_get_thread\s*\(\s*\)$/.test(n.text);
  const other = isCurrent(right) ? left : isCurrent(left) ? right : undefined;
  const m = other ? THREAD_COMPARE.exec(other.text.replace(/\s+/g, '')) : null;
  return m ? { root: m[1], text: c.text.replace(/\s+/g, ' '), equal: op === '==' } : undefined;
}

/** Whether a branch always leaves the function (its last statement returns or jumps away). */
function leaves(branch: Node | null): boolean {
  let b = branch;
  if (b?.type === 'else_clause') b = b.namedChild(0);
  if (b?.type === 'compound_statement') {
    const stmts = b.namedChildren.filter((c) => c.type !== 'comment');
    b = stmts[stmts.length - 1] ?? null;
  }
  return b?.type === 'return_statement' || b?.type === 'goto_statement';
}

function within(node: Node, ancestor: Node | null): boolean {
  if (!ancestor) return false;
  return node.startIndex >= ancestor.startIndex && node.endIndex <= ancestor.endIndex;
}

/** Closes of a handle kept in an object whose thread the function itself checks, done where that check may fail. */
function offThreadOf(body: Node, lineOf: (n: Node) => number): { offThread?: OffThreadClose[] } {
  const checks: ThreadCheck[] = [];
  for (const stmt of body.descendantsOfType('if_statement')) {
    const cond = stmt.childForFieldName('condition');
    const check = cond ? threadCheckOf(cond) : undefined;
    if (!check) continue;
    const consequence = stmt.childForFieldName('consequence');
    const alternative = stmt.childForFieldName('alternative');
    checks.push({ root: check.root, text: check.text, line: lineOf(stmt), node: stmt, same: check.equal ? consequence : alternative, other: check.equal ? alternative : consequence });
  }
  if (checks.length === 0) return {};
  // `x->thread = spdk_get_thread()` (a handle opened again here): from there on this is x's thread.
  const retied = body.descendantsOfType('assignment_expression').filter((a) => /^spdk_get_thread\s*\(\s*\)$/.test(a.childForFieldName('right')?.text ?? '') && THREAD_COMPARE.test((a.childForFieldName('left')?.text ?? '').replace(/\s+/g, '')));
  const found: OffThreadClose[] = [];
  for (const call of body.descendantsOfType('call_expression')) {
    const api = call.childForFieldName('function')?.text ?? '';
    if (!OWNED_CLOSES.test(api)) continue;
    const arg = argumentsOf(call)[0];
    const target = arg?.text.replace(/\s+/g, '').replace(/^&/, '') ?? '';
    const mine = checks.filter((c) => target.startsWith(`${c.root}->`) || target.startsWith(`${c.root}.`));
    if (mine.length === 0) continue;
    // Safe on the owning side of any check, or after a check whose other side leaves the function.
    if (mine.some((c) => within(call, c.same) || (call.startIndex >= c.node.endIndex && leaves(c.other)))) continue;
    if (retied.some((a) => a.startIndex < call.startIndex && mine.some((c) => a.startIndex > c.node.endIndex && (a.childForFieldName('left')?.text ?? '').replace(/\s+/g, '').startsWith(`${c.root}`)))) continue;
    const first = mine[0];
    const inside = mine.find((c) => within(call, c.other));
    const check = inside ?? first;
    const where = inside ? 'inside' : call.startIndex < first.node.startIndex ? 'before' : 'after';
    found.push({ api, target, line: lineOf(call), check: check.text, checkLine: check.line, where });
  }
  return found.length > 0 ? { offThread: found } : {};
}

/**
 * Functions of the file that poll for completions once (`rc = spdk_nvme_qpair_process_completions(qpair, 0)` and some
 * bookkeeping): a loop that calls one spins as surely as one that polls itself.
 */
function pollSteps(facts: Pick<NotesInput, 'calls' | 'functions'>): Set<string> {
  const steps = new Set<string>();
  for (const call of facts.calls) if (call.caller && SPINS_ON.test(call.callee) && !SPINS_ON.test(call.caller)) steps.add(call.caller);
  return steps;
}

/** `while (!done) { poll(); }` or `do { rc = poll(); } while (rc == -EAGAIN)`: a loop that re-polls until a state changes. */
function busyWaits(body: Node, lineOf: (n: Node) => number, steps: ReadonlySet<string>): BusyWait[] {
  const found: BusyWait[] = [];
  for (const loop of body.descendantsOfType(['while_statement', 'do_statement'])) {
    const cond = loop?.childForFieldName('condition');
    // A list walk (TAILQ_FOREACH, rewritten to `while (x, head, link)`) polls each element once: not a wait.
    if (!loop || !cond || cond.namedChild(0)?.type === 'comma_expression') continue;
    const calls = [...cond.descendantsOfType('call_expression'), ...(loop.childForFieldName('body')?.descendantsOfType('call_expression') ?? [])];
    for (const call of calls) {
      const name = call?.childForFieldName('function')?.text ?? '';
      if (call && (SPINS_ON.test(name) || steps.has(name))) {
        found.push({ api: name, line: lineOf(call) });
        break;
      }
    }
  }
  return found;
}
/**
 * Functions that hand their caller a freshly acquired object (`return ctx;` after `ctx = calloc(...)`, or `return
 * spdk_get_io_channel(...)`), from a first pass over the files that allocate: their callers acquire too. Likewise
 * functions that return a bdev submit's result: their callers submit. An object
 * also put in a tree or list on the way (`spdk_nvme_ctrlr_get_ns`) belongs to that tree, so `keeps` must say no.
 * Wrappers of wrappers (`vbdev_ocf_data_alloc` over `env_malloc` over `spdk_malloc`) are learnt in further rounds,
 * each reading again only the functions that call a wrapper the round before learnt.
 */
export function allocatorWrappers(env: CheckEnv, files: Iterable<NotesInput>, keeps: (p: PassedTo, file: string, resource: Resource) => boolean): Map<string, Learnt> {
  const list = [...files];
  let wrappers = new Map<string, Learnt>();
  for (let round = 0; round < MAX_WRAPPER_ROUNDS; round++) {
    const learnt = new Map(wrappers);
    for (const facts of list) {
      for (const [fn, notes] of pathNotesOf(env, facts, wrappers)?.byFunction ?? []) {
        if (learnt.has(fn) || ALLOCATORS.has(fn) || BDEV_SUBMIT.test(fn)) continue;
        const returns = notes.lifetimes.filter((n): n is Extract<LifetimeNote, { kind: 'returns_acquired' }> => n.kind === 'returns_acquired');
        if (returns.length > 0 && !returns.some((r) => r.passed.some((p) => keeps(p, facts.file, r.resource)))) learnt.set(fn, returns[0].resource);
        // A function that hands back a submit's result is a submit to its callers (`rc = zone_reset(...)`).
        // Only on an IO path (it takes a channel, a bdev_io or a per-IO task): a set-up function that reads a superblock
        // on one of its paths is not a submit to the RPC or examine that calls it.
        else if (notes.lifetimes.some((n) => n.kind === 'returns_submit') && facts.functions.some((f) => f.name === fn && f.params.some((p) => IO_PATH_PARAM.test(p.type.trim())))) learnt.set(fn, 'submit');
      }
    }
    if (learnt.size === wrappers.size) break;
    wrappers = learnt;
  }
  return wrappers;
}

const IO_PATH_PARAM = /^(const\s+)?struct\s+(spdk_io_channel|spdk_bdev_io|\w*_io|\w*task)\s*\*$/;

/** How deep wrappers of wrappers are learnt. */
const MAX_WRAPPER_ROUNDS = 4;
