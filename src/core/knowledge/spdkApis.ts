// Curated facts about SPDK's own APIs: which calls complete or free an IO object, which reply to an RPC, which make a
// bdev module virtual, and what the core handle types mean. Name patterns, not copies of SPDK's lists, so new
// variants (spdk_bdev_io_complete_*_status) are found without an edit here.
import type { BookTopic } from './contextKinds';

export interface IoObject {
  object: string;
  title: string;
  completes: RegExp;
  frees: RegExp;
  /** Typedef of the completion callback that receives (and must release) the object. */
  completionTypedef?: string;
}

export const IO_OBJECTS: IoObject[] = [
  { object: 'bdev_io', title: 'spdk_bdev_io', completes: /^spdk_bdev_io_complete(_[a-z_]+_status)?$/, frees: /^spdk_bdev_free_io$/, completionTypedef: 'spdk_bdev_io_completion_cb' },
  { object: 'nvme_request', title: 'NVMe request', completes: /^nvme_complete_request$/, frees: /^nvme_free_request$/ },
  { object: 'nvmf_request', title: 'NVMe-oF request', completes: /^(spdk_nvmf_request_complete|_nvmf_request_complete)$/, frees: /^spdk_nvmf_request_free$/ },
  { object: 'accel_task', title: 'accel task', completes: /^spdk_accel_task_complete$/, frees: /^(accel_put_task|spdk_accel_put_task)$/ },
];

/** Calls whose direct use the index records per function, for the labels and the hover's "calls" line. */
export const LABEL_APIS =
  /^(spdk_bdev_io_complete\w*|spdk_bdev_free_io|spdk_thread_send_msg|spdk_thread_send_critical_msg|spdk_thread_exec_msg|spdk_get_thread|spdk_get_io_channel|spdk_put_io_channel|spdk_bdev_open_ext\w*|spdk_bdev_close|spdk_bdev_module_claim_\w+|spdk_bdev_module_release_bdev|spdk_bdev_register|spdk_bdev_unregister\w*|spdk_jsonrpc_\w+|spdk_bdev_queue_io_wait|spdk_for_each_channel|spdk_for_each_thread|spdk_bdev_for_each_channel|spdk_poller_register\w*|spdk_poller_unregister|spdk_io_device_register|spdk_io_device_unregister|nvme_complete_request|nvme_free_request|spdk_nvmf_request_complete|spdk_nvmf_request_free|spdk_accel_task_complete)$/;

/** Calls that answer a JSON-RPC request. */
export const RPC_REPLY_API = /^spdk_jsonrpc_(send_error_response(_fmt)?|send_bool_response|begin_result|end_result)$/;

/**
 * Calls by which a bdev module claims another bdev (or builds on one as a part base or blobstore device): the mark of
 * a virtual bdev. Opening alone is not: leaf modules open their own bdevs (to resize them, for example).
 */
export const BASE_BDEV_API = /^(spdk_bdev_module_claim_bdev(_desc)?|spdk_bdev_part_base_construct(_ext)?|spdk_bdev_create_bs_dev(_ext)?|spdk_bs_bdev_claim)$/;

export interface CoreHandle {
  type: string;
  owner: string;
  meaning: string;
  topic: BookTopic;
  /** Who frees it, for code that only borrows one (question 6). */
  freedBy?: string;
}

/** SPDK's core handle types and the thread rules that come with them. */
export const CORE_HANDLES: CoreHandle[] = [
  {
    type: 'struct spdk_bdev_desc',
    owner: 'the thread that opened it (for closing it and for its events)',
    meaning: 'An open handle on a bdev. Any thread may submit IO through it, each with its own io_channel; but it is closed on the thread that called spdk_bdev_open_ext, and its event callback runs there.',
    topic: 'bdev-io',
  },
  {
    type: 'struct spdk_io_channel',
    owner: 'the thread that got it',
    meaning: 'Per-thread access to an io_device. Use it only on the thread that called spdk_get_io_channel, and put it back there with spdk_put_io_channel.',
    topic: 'runtime-channels',
  },
  {
    type: 'struct spdk_nvme_qpair',
    owner: 'one polling thread at a time',
    meaning: 'An NVMe submission/completion queue pair. Not thread safe: one thread at a time submits on it and polls it for completions.',
    topic: 'nvme-driver',
  },
  {
    type: 'struct spdk_blob_store',
    owner: 'its metadata thread',
    meaning: 'A blobstore. Metadata operations (create, resize, sync, delete) run on the thread that loaded or initialised it; IO can come from any thread through its own channel.',
    topic: 'blobstore-lvol',
  },
  {
    type: 'struct spdk_poller',
    owner: 'the registering thread',
    meaning: 'A registered poller. Only the thread that registered it runs it, and only that thread may pause, resume or unregister it.',
    topic: 'runtime-pollers',
  },
  {
    type: 'struct spdk_thread',
    owner: 'itself',
    meaning: 'A lightweight SPDK thread scheduled on a reactor. Objects that store one usually record which thread owns them; send work there with spdk_thread_send_msg.',
    topic: 'runtime-threads',
  },
  {
    type: 'struct spdk_bdev_io',
    owner: 'the submitting thread',
    meaning: 'One IO request. Submitted and completed on the same thread; the bdev module completes it with spdk_bdev_io_complete and the submitter frees it with spdk_bdev_free_io.',
    topic: 'bdev-io',
    freedBy: 'the submitter frees it with spdk_bdev_free_io, in its completion callback',
  },
  {
    type: 'struct spdk_jsonrpc_request',
    owner: 'the JSON-RPC server, on the app thread',
    meaning: 'One call of a JSON-RPC method. The handler, or a callback it started, answers it exactly once; the server frees it once that reply is written.',
    topic: 'jsonrpc',
    freedBy: 'the JSON-RPC server frees it once the reply is sent (never the handler)',
  },
  {
    type: 'struct spdk_accel_task',
    owner: "the thread of the accel channel it was taken from",
    meaning: "One accel operation, taken from its channel's task pool. On its own, spdk_accel_task_complete puts it back in that pool before it calls the user's callback; a task of a sequence goes back when the sequence has finished with it.",
    topic: 'accel',
    freedBy: "its channel's task pool takes it back: spdk_accel_task_complete does so before the user's callback for a task on its own, the sequence once it has finished with a task of a sequence",
  },
  {
    type: 'struct spdk_blob',
    owner: "its blobstore's metadata thread",
    meaning: 'An open blob. Opening it again takes a reference; spdk_blob_close drops one, and the last close frees it.',
    topic: 'blobstore-lvol',
    freedBy: 'the last spdk_blob_close frees it',
  },
];

/** APIs that run, inside the call, the completions of work submitted earlier: a poller that calls them finishes it. */
export const COMPLETION_DRIVERS: Record<string, string> = {
  spdk_nvme_qpair_process_completions: "runs, inside this call, the completion callbacks of the NVMe commands that finished on the qpair",
  spdk_nvme_poll_group_process_completions: "runs, inside this call, the completion callbacks of the NVMe commands that finished on the poll group's qpairs",
  spdk_nvme_ctrlr_process_admin_completions: "runs, inside this call, the completion callbacks of the controller's finished admin commands",
  spdk_sock_group_poll: 'runs, inside this call, the callbacks of the sockets that have data or finished writes',
};
