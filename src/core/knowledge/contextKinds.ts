// The curated layer: what each execution context means for a reader, and which callback typedef, API argument or
// struct slot implies it. Everything else (which function lands in which slot, which API takes which typedef) is
// learnt from the source; these keys only name SPDK's own typedefs and structs, and a test checks they still exist.

export type ContextKind =
  | 'poller'
  | 'interrupt'
  | 'thread_message'
  | 'for_each_thread_step'
  | 'for_each_thread_done'
  | 'for_each_channel_step'
  | 'for_each_channel_done'
  | 'reactor_event'
  | 'rpc_handler'
  | 'io_channel_create'
  | 'io_channel_destroy'
  | 'io_device_unregister_done'
  | 'bdev_io_completion'
  | 'bdev_io_wait'
  | 'bdev_event'
  | 'bdev_module_hook'
  | 'bdev_fn_table'
  | 'subsystem_hook'
  | 'app_start'
  | 'app_shutdown'
  | 'blob_completion'
  | 'lvol_completion'
  | 'nvme_completion'
  | 'accel_completion'
  | 'buffer_wait'
  | 'sync_callback'
  | 'async_callback'
  | 'struct_slot'
  | 'callback_argument';

export interface ContextKindInfo {
  kind: ContextKind;
  /** Short label for CodeLens and summaries. */
  title: string;
  /** Two or three sentences: which thread, when, what must follow. */
  meaning: string;
  /** Book topic (chapter slug) that explains it. */
  topic: BookTopic;
}

export type BookTopic = 'runtime-threads' | 'runtime-pollers' | 'runtime-channels' | 'bdev-io' | 'bdev-modules' | 'jsonrpc' | 'app-startup' | 'blobstore-lvol' | 'nvme-driver' | 'accel';

export const BOOK_TOPICS: Record<BookTopic, { title: string; chapter: string }> = {
  'runtime-threads': { title: 'The SPDK runtime: reactors, spdk_thread and messages', chapter: '00-orientation' },
  'runtime-pollers': { title: 'Pollers: callbacks that run on every loop', chapter: '00-orientation' },
  'runtime-channels': { title: 'io_channel: per-thread state without locks', chapter: '00-orientation' },
  'bdev-io': { title: 'The bdev layer: how one IO is routed and completed', chapter: '00-orientation' },
  'bdev-modules': { title: 'Bdev modules and the bdev graph', chapter: '00-orientation' },
  jsonrpc: { title: 'JSON-RPC: how tools drive SPDK', chapter: '00-orientation' },
  'app-startup': { title: 'App start-up and subsystems', chapter: '00-orientation' },
  'blobstore-lvol': { title: 'Blobstore and logical volumes', chapter: '00-orientation' },
  'nvme-driver': { title: 'The user-space NVMe driver', chapter: '00-orientation' },
  accel: { title: 'The accel framework', chapter: '00-orientation' },
};

export const CONTEXT_KINDS: Record<ContextKind, ContextKindInfo> = {
  poller: {
    kind: 'poller',
    title: 'poller',
    meaning:
      'Called again and again by the spdk_thread that registered it, between other work on that thread. It must not block and should return SPDK_POLLER_BUSY when it did work, SPDK_POLLER_IDLE otherwise; only that thread may pause or unregister it.',
    topic: 'runtime-pollers',
  },
  interrupt: {
    kind: 'interrupt',
    title: 'interrupt handler',
    meaning:
      'Runs on its spdk_thread when the registered file descriptor becomes ready, in interrupt mode instead of busy polling. Same rules as a poller: short, non-blocking, on the owning thread.',
    topic: 'runtime-pollers',
  },
  thread_message: {
    kind: 'thread_message',
    title: 'thread message',
    meaning:
      'Queued as a message and run later, once, on the target spdk_thread, never inside the call that sent it. Anything it touches must belong to that thread; results go back with another message.',
    topic: 'runtime-threads',
  },
  for_each_thread_step: {
    kind: 'for_each_thread_step',
    title: 'for_each_thread step',
    meaning: 'Runs once on every spdk_thread in turn, as a message on each. The iteration moves on when it returns.',
    topic: 'runtime-threads',
  },
  for_each_thread_done: {
    kind: 'for_each_thread_done',
    title: 'for_each_thread done',
    meaning: 'Runs once, on the thread that started the iteration, after every thread has run the step.',
    topic: 'runtime-threads',
  },
  for_each_channel_step: {
    kind: 'for_each_channel_step',
    title: 'for_each_channel step',
    meaning:
      'Runs on each thread that holds a channel of the io_device, with that thread\'s channel, one thread after another. It must call the continue function (spdk_for_each_channel_continue or spdk_bdev_for_each_channel_continue) exactly once, possibly later, or the iteration stalls.',
    topic: 'runtime-channels',
  },
  for_each_channel_done: {
    kind: 'for_each_channel_done',
    title: 'for_each_channel done',
    meaning: 'Runs once on the thread that started the iteration, after every channel was visited (or a step stopped it with a non-zero status).',
    topic: 'runtime-channels',
  },
  reactor_event: {
    kind: 'reactor_event',
    title: 'reactor event',
    meaning: 'Runs on a reactor (an OS thread pinned to a core) outside any spdk_thread, from the reactor\'s event ring. Rare outside the event framework itself.',
    topic: 'runtime-threads',
  },
  rpc_handler: {
    kind: 'rpc_handler',
    title: 'RPC handler',
    meaning:
      'Called on the app thread when a JSON-RPC request for its method arrives. It must answer exactly once with spdk_jsonrpc_send_* or begin/end_result, now or later from a callback; an early return without a reply leaves the client waiting.',
    topic: 'jsonrpc',
  },
  io_channel_create: {
    kind: 'io_channel_create',
    title: 'io_channel create',
    meaning:
      'Runs on a thread the first time that thread asks for a channel of the io_device; it fills in the per-thread context (ctx_size bytes). Everything it sets up belongs to that thread only.',
    topic: 'runtime-channels',
  },
  io_channel_destroy: {
    kind: 'io_channel_destroy',
    title: 'io_channel destroy',
    meaning: 'Runs on the channel\'s own thread when its last reference is put; it tears down what the create callback built, for example unregistering the channel\'s poller.',
    topic: 'runtime-channels',
  },
  io_device_unregister_done: {
    kind: 'io_device_unregister_done',
    title: 'io_device unregistered',
    meaning: 'Runs on the thread that called spdk_io_device_unregister, once every channel of the device is gone. Only now may the device memory be freed.',
    topic: 'runtime-channels',
  },
  bdev_io_completion: {
    kind: 'bdev_io_completion',
    title: 'bdev IO completion',
    meaning:
      'Called once per IO on the thread that submitted it, when the bdev below completes it. It owns the spdk_bdev_io from here and must release it with spdk_bdev_free_io (after reading status or data).',
    topic: 'bdev-io',
  },
  bdev_io_wait: {
    kind: 'bdev_io_wait',
    title: 'bdev io_wait retry',
    meaning: 'Runs on the submitting thread when a bdev_io becomes free again after a submit returned -ENOMEM; it should resubmit the IO that failed.',
    topic: 'bdev-io',
  },
  bdev_event: {
    kind: 'bdev_event',
    title: 'bdev event',
    meaning:
      'Called on the thread that opened the descriptor when the bdev is removed or resized. On a remove it must close the descriptor (on that same thread) so the unregister can finish.',
    topic: 'bdev-io',
  },
  bdev_module_hook: {
    kind: 'bdev_module_hook',
    title: 'bdev module hook',
    meaning:
      'Called by the bdev layer through the module\'s struct spdk_bdev_module: init and fini at start-up and shutdown on the app thread, examine when a new bdev appears, config_json when the config is saved. Async variants must report back (for example spdk_bdev_module_examine_done).',
    topic: 'bdev-modules',
  },
  bdev_fn_table: {
    kind: 'bdev_fn_table',
    title: 'bdev fn_table',
    meaning:
      'Called by the bdev layer through the bdev\'s struct spdk_bdev_fn_table. submit_request runs on the thread that submitted the IO, with that thread\'s channel, and must complete every IO exactly once with spdk_bdev_io_complete*, now or later.',
    topic: 'bdev-modules',
  },
  subsystem_hook: {
    kind: 'subsystem_hook',
    title: 'subsystem hook',
    meaning:
      'Called by the event framework through struct spdk_subsystem, on the app thread, in dependency order: init at start-up (reports with spdk_subsystem_init_next), fini at shutdown (reports with spdk_subsystem_fini_next).',
    topic: 'app-startup',
  },
  app_start: {
    kind: 'app_start',
    title: 'app start',
    meaning: 'Runs once on the app thread after the framework and every subsystem are initialised; the application\'s own set-up begins here.',
    topic: 'app-startup',
  },
  app_shutdown: {
    kind: 'app_shutdown',
    title: 'app shutdown',
    meaning: 'Runs on the app thread when the app is asked to stop (signal or spdk_app_start_shutdown); it starts an orderly, asynchronous tear-down that ends with spdk_app_stop.',
    topic: 'app-startup',
  },
  blob_completion: {
    kind: 'blob_completion',
    title: 'blobstore completion',
    meaning: 'Called when a blobstore operation finishes, on the thread that issued it (metadata operations on the blobstore\'s metadata thread). Check bserrno first.',
    topic: 'blobstore-lvol',
  },
  lvol_completion: {
    kind: 'lvol_completion',
    title: 'lvol completion',
    meaning: 'Called when an lvol or lvol store operation finishes, on the thread that started it; lvolerrno tells whether the handle it passes is valid.',
    topic: 'blobstore-lvol',
  },
  nvme_completion: {
    kind: 'nvme_completion',
    title: 'NVMe completion',
    meaning:
      'Called from spdk_nvme_qpair_process_completions (or the admin queue poll) on the thread polling that queue pair, when the controller posts the command\'s completion. Check the completion status before using data.',
    topic: 'nvme-driver',
  },
  accel_completion: {
    kind: 'accel_completion',
    title: 'accel completion',
    meaning: 'Called on the submitting thread when the accel operation (copy, CRC, crypto, compression...) finishes, from that thread\'s accel channel poller.',
    topic: 'accel',
  },
  buffer_wait: {
    kind: 'buffer_wait',
    title: 'buffer wait',
    meaning: 'Called on the requesting thread when a data buffer is available, immediately or later after waiting in the iobuf queue. The IO continues from here.',
    topic: 'bdev-io',
  },
  async_callback: {
    kind: 'async_callback',
    title: 'async callback',
    meaning: 'Handed to an SPDK API that calls it later, usually on the thread that called the API, when the operation it started finishes.',
    topic: 'runtime-threads',
  },
  struct_slot: {
    kind: 'struct_slot',
    title: 'function-pointer slot',
    meaning: 'Stored in a struct field and called through it later by whoever holds the struct; the slot\'s owner decides the thread.',
    topic: 'runtime-threads',
  },
  sync_callback: {
    kind: 'sync_callback',
    title: 'synchronous callback',
    meaning:
      'Called back by the function it is passed to before that function returns (an iterator, a visitor, a decoder): it runs on the same thread and in the same context as the code that made the call, before that call returns.',
    topic: 'runtime-threads',
  },
  callback_argument: {
    kind: 'callback_argument',
    title: 'passed as a function',
    meaning: 'Passed as a function pointer to a function whose prototype is not in this tree, so when and where it runs is not known here.',
    topic: 'runtime-threads',
  },
};

/** Callback typedef → context kind. Keys are SPDK typedef names exactly as the headers spell them. */
export const CONTEXT_BY_TYPEDEF: Record<string, ContextKind> = {
  spdk_poller_fn: 'poller',
  spdk_interrupt_fn: 'interrupt',
  spdk_msg_fn: 'thread_message',
  spdk_channel_msg: 'for_each_channel_step',
  spdk_channel_for_each_cpl: 'for_each_channel_done',
  spdk_bdev_for_each_channel_msg: 'for_each_channel_step',
  spdk_bdev_for_each_channel_done: 'for_each_channel_done',
  spdk_event_fn: 'reactor_event',
  spdk_rpc_method_handler: 'rpc_handler',
  spdk_io_channel_create_cb: 'io_channel_create',
  spdk_io_channel_destroy_cb: 'io_channel_destroy',
  spdk_io_device_unregister_cb: 'io_device_unregister_done',
  spdk_bdev_io_completion_cb: 'bdev_io_completion',
  spdk_bdev_io_wait_cb: 'bdev_io_wait',
  spdk_bdev_event_cb_t: 'bdev_event',
  spdk_app_shutdown_cb: 'app_shutdown',
  spdk_bs_op_complete: 'blob_completion',
  spdk_bs_op_with_handle_complete: 'blob_completion',
  spdk_blob_op_complete: 'blob_completion',
  spdk_blob_op_with_handle_complete: 'blob_completion',
  spdk_blob_op_with_id_complete: 'blob_completion',
  // The blobstore's own sequence and batch completions (lib/blob/request.h).
  spdk_bs_sequence_cpl: 'blob_completion',
  spdk_lvol_op_complete: 'lvol_completion',
  spdk_lvol_op_with_handle_complete: 'lvol_completion',
  spdk_lvs_op_complete: 'lvol_completion',
  spdk_lvs_op_with_handle_complete: 'lvol_completion',
  spdk_nvme_cmd_cb: 'nvme_completion',
  // The driver calls these from the same queue-pair polls that deliver completions.
  spdk_nvme_timeout_cb: 'nvme_completion',
  spdk_nvme_aer_cb: 'nvme_completion',
  spdk_accel_completion_cb: 'accel_completion',
  spdk_iobuf_get_cb: 'buffer_wait',
  spdk_bdev_io_get_buf_cb: 'buffer_wait',
  spdk_bdev_io_get_aux_buf_cb: 'buffer_wait',
};

/** API argument → kind, where the typedef alone is ambiguous (spdk_msg_fn serves several roles). */
export const CONTEXT_BY_API_ARGUMENT: Record<string, ContextKind> = {
  'spdk_for_each_thread#0': 'for_each_thread_step',
  'spdk_for_each_thread#2': 'for_each_thread_done',
  'spdk_app_start#1': 'app_start',
};

/** Struct (all its function-pointer fields) or `struct.field` → kind. */
export const CONTEXT_BY_SLOT: Record<string, ContextKind> = {
  'struct spdk_bdev_module': 'bdev_module_hook',
  'struct spdk_bdev_fn_table': 'bdev_fn_table',
  'struct spdk_subsystem': 'subsystem_hook',
  'struct spdk_app_opts.shutdown_cb': 'app_shutdown',
};

/**
 * What one slot of SPDK's module tables means, where the kind's text would say another slot's rules: `destruct` is no
 * `submit_request`. Keys are `struct.field` exactly as SPDK's headers spell them (a test checks they exist).
 */
export const SLOT_MEANINGS: Record<string, string> = {
  'struct spdk_bdev_fn_table.destruct':
    'Called once when the bdev is unregistered, after its descriptors are closed, on the app thread (the bdev layer moves there first, in bdev_destroy_cb). Its job is to release what the module holds for this bdev; returning 1 says that job finishes later, with a call to spdk_bdev_destruct_done.',
  'struct spdk_bdev_fn_table.submit_request':
    'Called for every IO on the thread that submitted it, with that thread\'s channel. It must complete each IO exactly once with spdk_bdev_io_complete*, now or later, never on another thread.',
  'struct spdk_bdev_fn_table.io_type_supported':
    'Asked whether the bdev handles an IO type, once per type when the bdev is registered, on the app thread: the bdev layer keeps the answers (later changes of the module\'s state are not seen). A quick answer from the bdev\'s own state, nothing more.',
  'struct spdk_bdev_fn_table.get_io_channel':
    'Called on a thread that wants to submit IO to the bdev: returns that thread\'s channel of the module\'s io_device (spdk_get_io_channel), created by the io_device\'s create callback on first use.',
  'struct spdk_bdev_fn_table.dump_info_json':
    'Writes the bdev\'s driver-specific details into a JSON reply (bdev_get_bdevs), on the app thread while an RPC is being answered. Synchronous.',
  'struct spdk_bdev_fn_table.write_config_json':
    'Writes the RPC call that recreates this bdev into a saved config (save_config), on the app thread. Synchronous.',
  'struct spdk_bdev_fn_table.get_spin_time': 'Reports how long the module\'s pollers spun without work, for bdev statistics; called on the thread that asks.',
  'struct spdk_bdev_fn_table.get_module_ctx': 'Returns the module\'s own context for the bdev; a plain accessor.',
  'struct spdk_bdev_fn_table.get_memory_domains': 'Lists the memory domains the bdev can take data in; called when a consumer sets up, on any thread.',
  'struct spdk_bdev_fn_table.reset_device_stat': 'Clears the module\'s per-device statistics, on the thread that handles the RPC.',
  'struct spdk_bdev_fn_table.dump_device_stat_json': 'Writes the module\'s per-device statistics into a JSON reply, on the app thread.',
  'struct spdk_bdev_fn_table.accel_sequence_supported': 'Asked whether the bdev can run a chain of accel operations for an IO type; a quick answer.',
  'struct spdk_bdev_module.module_init':
    'Called once at start-up on the app thread, before any bdev of the module exists. With async_init set it must call spdk_bdev_module_init_done when ready.',
  'struct spdk_bdev_module.module_fini':
    'Called once at shutdown on the app thread, after every bdev is gone. With async_fini set it must call spdk_bdev_module_fini_done.',
  'struct spdk_bdev_module.fini_start': 'Called at the start of shutdown on the app thread, before bdevs are unregistered: the module can start tearing down its own bdevs.',
  'struct spdk_bdev_module.init_complete': 'Called on the app thread once every module finished its init.',
  'struct spdk_bdev_module.config_json': 'Writes the module\'s own settings into a saved config (save_config), on the app thread. Synchronous.',
  'struct spdk_bdev_module.get_ctx_size': 'Returns how many bytes of driver context each spdk_bdev_io of this module needs; asked once at start-up.',
  'struct spdk_bdev_module.examine_config':
    'Called on the app thread for every new bdev: decides from configuration alone, synchronously, whether to claim it, and must call spdk_bdev_module_examine_done before returning.',
  'struct spdk_bdev_module.examine_disk':
    'Called on the app thread for every new bdev after examine_config: may read the bdev (asynchronously) to decide whether to build on it, and must call spdk_bdev_module_examine_done when done.',
};
