// Whether a call takes ownership of an object it is passed (stores it, hands it on, frees it) or only borrows it
// (reads it, logs it, submits IO on a channel): learned from the callee's body where the tree has it.
import type { CallSite, FileFacts, ValueSummary } from '../facts/fileFacts';
import { pushTo } from '../util/multiMap';
import type { IndexModel } from '../model/indexModel';
import { fileOfKey, nameOfKey } from '../labels/callbackEvidence';
import { REFERS_TO_DEVICE, type Resource } from './lifetimes';
import { releaseApi } from './pathNotes';

// Calls that read what they are passed and keep nothing.
const BORROWS_ANYTHING =
  /^(memset|memcpy|memmove|memcmp|strcpy|strncpy|strcat|strncat|strcmp|strncmp|strcasecmp|strlen|strnlen|strchr|strrchr|strstr|strdup|strndup|sprintf|snprintf|vsnprintf|printf|fprintf|sscanf|assert|spdk_strcpy_pad|spdk_strlen_pad|spdk_json_decode_object|spdk_json_decode_object_relaxed|spdk_json_decode_array|spdk_json_write_(?!end\b)\w+|SPDK_ERRLOG|SPDK_WARNLOG|SPDK_NOTICELOG|SPDK_INFOLOG|SPDK_DEBUGLOG|SPDK_PRINTF|spdk_log|spdk_uuid_\w+|spdk_mem_map_\w+|pthread_mutex_\w+|pthread_spin_\w+|spdk_spin_\w+|TAILQ_INIT|STAILQ_INIT|LIST_INIT|RB_INIT|spdk_iov_\w+|spdk_ioviter_\w+|spdk_dif_\w+|spdk_bit_array_\w+|spdk_histogram_data_\w+)$/;

/** Calls that take a channel only to work on it (submit IO, read its context). */
const BORROWS_CHANNEL = /^(spdk_io_channel_get_ctx|spdk_io_channel_get_thread|spdk_io_channel_get_io_device|spdk_io_channel_iter_\w+|spdk_bdev_\w+|spdk_accel_\w+|spdk_bs_\w+|spdk_blob_\w+|spdk_nvme_\w+|spdk_fs_\w+|spdk_lvol_\w+)$/;

/** Reads of a bdev_io that leave its ownership where it was. */
const BORROWS_BDEV_IO = /^(spdk_bdev_io_get_\w+|spdk_bdev_io_complete_base_io_status|spdk_bdev_io_get_nvme_status|spdk_bdev_io_get_scsi_status|spdk_bdev_io_get_aio_status|spdk_bdev_io_get_iovec|spdk_bdev_io_get_md_buf|spdk_bdev_io_type_supported|spdk_bdev_get_\w+)$/;

const MAX_DEPTH = 4;

/** SPDK names its destructors this way; their bodies often free through a local copy the facts do not follow. */
const RELEASER_NAME = /(^free_\w+|_free|_destroy|_release|_put|_cleanup|_fini|_delete|_unref|_detach|_done|_cpl|_cb)$/;

/** A local or parameter passed on is summarised as `other` with its name as text (see bodyFacts argumentValue). */
function valueName(value: ValueSummary): string {
  return value.kind === 'ident' ? value.name : value.kind === 'other' ? value.text.replace(/^[\s*&(]+|[\s)]+$/g, '') : '';
}

function writtenCalls(model: IndexModel, file: string): Map<string, CallSite[]> {
  return model.memoize(`writtenCalls:${file}`, () => {
    const map = new Map<string, CallSite[]>();
    for (const call of model.symbols.files.get(file)?.calls ?? []) pushTo(map, call.caller, call);
    return map;
  });
}

export interface Borrowing {
  borrows: boolean;
  /** Why, in a few words, for the evidence. */
  why: string;
}

/** Whether `callee` (called from `file`) keeps or frees its argument `arg` when that argument is a `resource`. */
export function takesOwnership(model: IndexModel, callee: string, arg: number, file: string, resource: Resource, depth = 0, visiting = new Set<string>()): boolean {
  if (!callee || callee.startsWith('(')) return true; // through a function pointer: whoever it is may keep it
  if (releaseApi(callee, resource) === arg) return true;
  if (BORROWS_ANYTHING.test(callee) || (resource === 'alloc' && REFERS_TO_DEVICE.test(callee))) return false;
  if (RELEASER_NAME.test(callee)) return true;
  if (resource === 'channel' && BORROWS_CHANNEL.test(callee) && releaseApi(callee, resource) === undefined) return false;
  if (resource === 'bdev_io' && BORROWS_BDEV_IO.test(callee)) return false;
  return intoBody(model, callee, arg, file, depth, visiting, `takes#${resource}`, (body) => learnedOwnership(model, body, resource, depth, visiting));
}

/**
 * Reads `callee`'s body for its argument `arg` with `read`, bounded in depth and cut at cycles, memoised under `memo`
 * when given. A callee with no body here (a macro, an API from elsewhere), or one cut off, answers true: it may keep it.
 */
function intoBody(model: IndexModel, callee: string, arg: number, file: string, depth: number, visiting: Set<string>, memo: string | undefined, read: (body: CalleeBody) => boolean): boolean {
  const key = model.resolve(callee, file);
  if (!key) return true;
  const seen = `${key}#${arg}`;
  if (depth >= MAX_DEPTH || visiting.has(seen)) return true;
  const memoKey = memo === undefined ? undefined : `${memo}:${seen}`;
  const known = memoKey === undefined ? undefined : model.peek<boolean>(memoKey);
  if (known !== undefined) return known;
  const body = calleeBody(model, key, arg);
  if (!body) return true;
  visiting.add(seen);
  try {
    const result = read(body);
    return memoKey === undefined ? result : model.remember(memoKey, result);
  } finally {
    visiting.delete(seen);
  }
}

/** A callee's body as the facts have it: its file and name, and the names its parameter `arg` goes by there. */
interface CalleeBody {
  file: string;
  name: string;
  facts: FileFacts | undefined;
  /** The parameter and the locals it is cast into (`struct foo *ctx = arg;`). */
  aliases: Set<string>;
  /** The body stores the parameter somewhere (a field, a global, a list). */
  stores: boolean;
}

function calleeBody(model: IndexModel, key: string, arg: number): CalleeBody | undefined {
  const param = model.definitionOf(key)?.params[arg];
  if (!param || !param.name) return undefined;
  const file = fileOfKey(key);
  const name = nameOfKey(key);
  const facts = model.symbols.files.get(file);
  const aliases = new Set([param.name]);
  for (const n of facts?.notes ?? []) if (n.caller === name && n.kind === 'cast' && aliases.has(n.name)) aliases.add(n.detail);
  const stores = !!facts?.notes.some((n) => n.caller === name && n.kind === 'store' && aliases.has(n.name)) || !!facts?.fieldStores.some((st) => st.caller === name && aliases.has(valueName(st.value)));
  return { file, name, facts, aliases, stores };
}

function learnedOwnership(model: IndexModel, body: CalleeBody, resource: Resource, depth: number, visiting: Set<string>): boolean {
  const { file, name, aliases } = body;
  if (body.stores) return true;
  // Calls as written, macros included: a macro like NVME_INIT_REQUEST stores what it is given.
  for (const call of writtenCalls(model, file).get(name) ?? []) {
    // A destructor of the holder: it releases what the holder's fields keep (spdk_put_io_channel(ch->base_ch)).
    const released = releaseApi(call.callee, resource);
    const arg = released === undefined ? undefined : call.args[released];
    if (arg && arg.kind === 'other' && [...aliases].some((a) => arg.text.replace(/\s+/g, '').startsWith(`${a}->`))) return true;
    for (let i = 0; i < call.args.length; i++) {
      if (aliases.has(valueName(call.args[i])) && takesOwnership(model, call.callee, i, file, resource, depth + 1, visiting)) return true;
    }
  }
  return false;
}

/**
 * Whether `callee`, handed the object that holds a channel in a field (`spdk_gpt_base_free(gpt_base)` after
 * `gpt_base->ch = spdk_bdev_get_io_channel(...)`), puts that channel or keeps the object for someone who will. A
 * destructor's name is not enough here: its body must show it (a put of a field of the argument, a store, a hand-on).
 */
export function releasesHeldChannel(model: IndexModel, callee: string, arg: number, file: string, depth = 0, visiting = new Set<string>()): boolean {
  if (!callee || callee.startsWith('(')) return true; // through a function pointer: whoever it is may put it
  // A release of memory (free, spdk_mempool_put...) gives it back without looking inside: the channel in it stays got.
  if (releaseApi(callee, 'alloc') !== undefined || BORROWS_ANYTHING.test(callee)) return false;
  return intoBody(model, callee, arg, file, depth, visiting, 'putsHeld', (body) => heldChannelReleased(model, body, depth, visiting));
}

function heldChannelReleased(model: IndexModel, body: CalleeBody, depth: number, visiting: Set<string>): boolean {
  const { file, name, aliases } = body;
  if (body.stores) return true;
  for (const call of writtenCalls(model, file).get(name) ?? []) {
    const released = releaseApi(call.callee, 'channel');
    const put = released === undefined ? undefined : call.args[released];
    const putText = put?.kind === 'other' ? put.text.replace(/\s+/g, '').replace(/^spdk_io_channel_from_ctx\((.*)\)$/, '$1') : '';
    if ([...aliases].some((a) => putText.startsWith(`${a}->`))) return true;
    // put(spdk_io_channel_from_ctx(...)): the facts keep no argument text for a call, so which channel is not known.
    if (put?.kind === 'call' && put.callee === 'spdk_io_channel_from_ctx') return true;
    for (let i = 0; i < call.args.length; i++) {
      if (aliases.has(valueName(call.args[i])) && releasesHeldChannel(model, call.callee, i, file, depth + 1, visiting)) return true;
    }
  }
  return false;
}

/**
 * Whether `callee`, handed a decoded request (`&req`) whose `fields` spdk_json_decode_string allocated, keeps or frees
 * one of those strings: stores `req->name` somewhere, frees it, or hands `req` on to a function that does. Copying the
 * whole struct (`g_opts = *req`) is not keeping: SPDK code that does so copies the strings again right after.
 */
export function keepsDecodedStrings(model: IndexModel, callee: string, arg: number, file: string, fields: readonly string[], depth = 0, visiting = new Set<string>()): boolean {
  if (!callee || callee.startsWith('(')) return true;
  // memcpy(&g_info, &req, sizeof(req)): the string pointers now live in the copy.
  if (/^(memcpy|memmove)$/.test(callee)) return arg === 1;
  if (BORROWS_ANYTHING.test(callee)) return false;
  // Not memoised: the answer depends on which fields are strings.
  return intoBody(model, callee, arg, file, depth, visiting, undefined, ({ file: calleeFile, name, facts, aliases }) => {
    const strings = new Set([...aliases].flatMap((a) => fields.map((f) => `${a}->${f}`)));
    const text = (v: ValueSummary) => (v.kind === 'other' ? v.text.replace(/\s+/g, '') : v.kind === 'ident' ? v.name : '');
    if (facts?.fieldStores.some((s) => s.caller === name && strings.has(text(s.value)))) return true;
    for (const call of writtenCalls(model, calleeFile).get(name) ?? []) {
      for (let i = 0; i < call.args.length; i++) {
        const a = call.args[i];
        if (strings.has(text(a)) && takesOwnership(model, call.callee, i, calleeFile, 'alloc', depth + 1)) return true;
        if (aliases.has(valueName(a)) && keepsDecodedStrings(model, call.callee, i, calleeFile, fields, depth + 1, visiting)) return true;
      }
    }
    return false;
  });
}
