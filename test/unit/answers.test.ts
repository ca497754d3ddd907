// The answers to the book's first questions on the sample tree's own SPDK-style code (module/bdev/sample_flow): what a
// callback works on, what SPDK's asserts say, when an RPC's success reply comes, and that test code decides nothing.
import { strict as assert } from 'node:assert';
import type { SpdkIndex } from '../../src/core/index/indexer';
import { indexSample } from './helpers';
import { functionAnswers } from '../../src/core/editor/functionAnswers';

const FLOW_C = 'module/bdev/sample_flow/bdev_sample_flow.c';

describe('answers from the code', () => {
  let index: SpdkIndex;
  before(async () => {
    index = await indexSample();
  });
  const fn = (name: string) => {
    const found = index.functionsNamed(name).find((f) => f.file === FLOW_C);
    assert.ok(found, name);
    return found;
  };

  it('a function handed a struct works on it before a buffer it casts further on', () => {
    const put = index.functionsNamed('sample_thr_put_buf')[0];
    assert.deepEqual(put.objects?.map((o) => o.type), ['struct sample_thr_channel', 'struct sample_thr_buf']);
  });

  it('a callback works on what its void * argument is cast to', () => {
    assert.deepEqual(fn('sample_attach_done').objects?.[0], { type: 'struct sample_attach_ctx', how: 'cb_arg cast to struct sample_attach_ctx *', line: 183 });
    assert.equal(fn('sample_req_done_msg').objects?.[0]?.type, 'struct sample_req');
  });

  it("SPDK's own assert says the callback runs on the app thread", () => {
    assert.deepEqual(fn('sample_attach_done').threadAssertions, [{ thread: 'app thread', kind: 'assert', line: 185 }]);
  });

  it('a callback started from code on the app thread runs there too: an assert, a module hook, an app shutdown up the chain', () => {
    assert.deepEqual(fn('sample_attach_examined').starterThread, {
      thread: 'the app thread',
      chain: ['sample_attach_done', 'sample_attach_examined'],
      why: 'sample_attach_done asserts it runs on the app thread',
      file: FLOW_C,
      line: 185,
    });
    const unregisterDone = index.functionsNamed('sample_null_unregister_done')[0];
    assert.deepEqual(unregisterDone.starterThread?.chain, ['sample_null_fini', 'sample_null_unregister_done']);
    assert.match(unregisterDone.starterThread?.why ?? '', /^sample_null_fini runs as bdev module hook, on the app thread$/);
    // A function that asserts it itself says so in its own answer, not through a chain.
    assert.equal(fn('sample_attach_done').starterThread, undefined);
  });

  it('an RPC whose first callback only reports errors replies success after examine has settled', () => {
    const rpc = index.rpcMethods().find((m) => m.method === 'sample_flow_attach');
    assert.ok(rpc);
    assert.equal(rpc.reply, 'async');
    assert.deepEqual(rpc.replyEvidence, { fn: 'sample_attach_examined', file: FLOW_C, line: 175 });
    assert.deepEqual(rpc.errorReply, { fn: 'rpc_sample_flow_attach', file: FLOW_C, line: 200 });
    assert.match(rpc.convergence ?? '', /waits for spdk_bdev_wait_for_examine/);
  });

  it('work queued on a list that a poller empties through a helper is async', () => {
    const queue = fn('sample_delay_queue');
    assert.equal(queue.async, true);
    assert.match(queue.asyncReason ?? '', /^queues on struct sample_delay_channel\.waiting; sample_delay_poll \(poller\) takes it off later/);
  });

  it('a channel list a poller swaps out whole is queued work; stopping a poller and a hop to the app thread are not', () => {
    const batch = (name: string) => {
      const found = index.functionsNamed(name).find((f) => f.file === 'module/bdev/sample_flow/bdev_sample_flow_batch.c');
      assert.ok(found, name);
      return found;
    };
    assert.match(batch('sample_batch_complete').asyncReason ?? '', /^queues on struct sample_batch_channel\.done; sample_batch_poll \(poller\) takes it off later/);
    assert.equal(batch('sample_batch_destroy_cb').async, false, 'a stopped poller never runs again once spdk_poller_unregister returns');
    assert.equal(batch('sample_batch_release').async, false);
  });

  it('work left behind only where a failure is handled does not make the normal path async; a chain of helpers does', () => {
    const failure = (name: string) => {
      const found = index.functionsNamed(name).find((f) => f.file === 'module/bdev/sample_flow/bdev_sample_flow_failure.c');
      assert.ok(found, name);
      return found;
    };
    const register = failure('sample_fail_register');
    assert.equal(register.async, false);
    assert.deepEqual(register.asyncOnFailure, [{ text: 'calls spdk_io_device_unregister: the io_device goes away only after every channel of it is released', line: 45, when: 'rc != 0' }]);
    const examine = failure('sample_fail_examine');
    assert.equal(examine.async, false);
    assert.match(examine.asyncOnFailure?.[0]?.text ?? '', /^calls sample_fail_register, which on a failure path calls spdk_io_device_unregister/);
    const done = failure('sample_fail_io_done');
    assert.equal(done.async, false, done.asyncReason);
    assert.match(done.asyncOnFailure?.[0]?.text ?? '', /^hands sample_fail_io_done to sample_fail_resubmit/);
    const status = failure('sample_fail_complete_status');
    assert.equal(status.async, false, status.asyncReason);
    assert.match(status.asyncOnFailure?.[0]?.text ?? '', /^hands sample_fail_retry_msg to spdk_thread_send_msg/);
    const submit = failure('sample_fail_submit');
    assert.equal(submit.async, true, 'a call in the condition is not on the failure path');
    assert.equal(submit.asyncOnFailure, undefined);
    assert.match(failure('sample_fail_start').asyncReason ?? '', /^calls sample_fail_prepare \(then sample_fail_hop\), which hands sample_fail_retry_msg to spdk_thread_send_msg: it runs later, as thread message \(line \d+\)$/);
  });

  it('the object through a converting macro, a channel-context macro, and the global a function fills in', () => {
    const failure = (name: string) => index.functionsNamed(name).find((f) => f.file === 'module/bdev/sample_flow/bdev_sample_flow_failure.c')!;
    assert.deepEqual(failure('sample_fail_channel_reset').objects?.[0], { type: 'struct sample_fail_channel', how: 'its channel context, from sample_fail_ch_to_ctx (which reads spdk_io_channel_get_ctx)', line: 130 });
    assert.deepEqual(failure('sample_fail_unregister_done').objects?.[0], { type: 'struct sample_fail_node', how: 'io_device converted to struct sample_fail_node * by sample_fail_from_io_dev', line: 138 });
    assert.deepEqual(failure('sample_fail_job_start').objects?.[0], { type: 'struct sample_fail_job', how: 'sets its field poller', line: 154 });
  });

  it('who finishes, who frees, and what a failure does: a stored completion, a freed request, two RPC replies, a helper that completes', () => {
    const failure = (name: string) => index.functionsNamed(name).find((f) => f.file === 'module/bdev/sample_flow/bdev_sample_flow_failure.c')!;
    const done = failure('sample_fail_req_done');
    assert.deepEqual(done.finishes, [{ text: 'calls the completion stored in struct sample_fail_req.cb_fn (req->cb_fn)', via: 'struct sample_fail_req.cb_fn', line: 171 }]);
    assert.deepEqual(done.releases, [{ text: 'frees req (struct sample_fail_req)', via: 'free', line: 172, type: 'struct sample_fail_req' }]);
    const rpc = failure('sample_fail_rpc_done');
    assert.deepEqual(rpc.finishes, [
      { text: 'answers the RPC request with an error (code rc, "failed")', via: 'spdk_jsonrpc_send_error_response', line: 181, onFailure: true, when: 'rc != 0' },
      { text: 'answers the RPC request', via: 'spdk_jsonrpc_send_bool_response', line: 184 },
    ]);
    const answers = functionAnswers({ rpcMethods: index.rpcMethods(), typeOf: (t) => index.type(t), model: index.model }, rpc);
    assert.equal(answers.find((a) => a.question === 'finish')?.text, 'answers the RPC request (line 184).');
    assert.equal(answers.find((a) => a.question === 'failure')?.text, 'when rc != 0 (line 181): answers the RPC request with an error (code rc, "failed").');
    assert.deepEqual(failure('sample_fail_req_abort').releases, [{ text: 'frees req (struct sample_fail_req) through sample_fail_req_free', via: 'sample_fail_req_free', line: 200, type: 'struct sample_fail_req' }]);
    assert.match(failure('sample_fail_qpair_poll').finishes?.[0]?.text ?? '', /^runs, inside this call, the completion callbacks of the NVMe commands/);
    assert.deepEqual(failure('sample_fail_ctx_begin').releases, [
      {
        text: 'the struct sample_fail_ctx, allocated here at line 243, is freed by sample_fail_ctx_examined (line 226), reached through sample_fail_ctx_done (via sample_fail_start_op), then sample_fail_wait',
        via: 'sample_fail_ctx_done',
        line: 247,
      },
    ]);
    assert.equal(failure('sample_fail_ctx_put').releases?.[0]?.text, 'frees ctx (struct sample_fail_ctx) (only when ctx->last_ref)');
    assert.deepEqual(failure('sample_fail_reset').finishes, [{ text: 'returns -EBUSY', via: 'return', line: 266, onFailure: true, when: 'node->retries > 3' }]);
    assert.deepEqual(failure('sample_fail_task_done').finishes, [
      {
        text: "sets the IO's status to NOMEM (the bdev layer keeps the IO and submits it again once other IO completes)",
        via: 'NOMEM',
        line: 279,
        onFailure: true,
        when: 'status == -ENOMEM',
      },
    ]);
    // The helper's own labels are asked first: what its caller says does not depend on the order labels are computed in.
    assert.deepEqual(failure('sample_fail_io_fail').ioRoles, [
      { object: 'bdev_io', role: 'completes', via: 'spdk_bdev_io_complete', line: 287, arg: 'bdev_io', status: 'FAILED', onFailure: true, when: 'fails the IO' },
    ]);
    assert.deepEqual(failure('sample_fail_submit_or_fail').ioRoles, [
      { object: 'bdev_io', role: 'completes', via: 'spdk_bdev_io_complete', line: 294, chain: ['sample_fail_io_fail'], arg: 'bdev_io', status: 'FAILED', onFailure: true, when: 'rc != 0' },
    ]);
    const poll = index.functionsNamed('sample_null_poll')[0];
    assert.deepEqual(poll.ioRoles, [{ object: 'bdev_io', role: 'completes', via: 'spdk_bdev_io_complete', line: 104, chain: ['sample_null_complete_task'], arg: 'task', status: 'SUCCESS' }]);
  });

  it('what a callback it hands over frees later, when the object was never handed to it', () => {
    const fini = index.functionsNamed('sample_thr_fini')[0];
    assert.deepEqual(fini.releases?.map((r) => r.text), ['later, sample_thr_unregistered (handed to spdk_io_device_unregister) frees stats (struct sample_thr_stats)']);
    // What the function had itself is told once, as the fate of what it handed on.
    const attach = fn('sample_attach_done');
    assert.deepEqual(attach.releases?.filter((r) => r.text.startsWith('later,')), []);
    assert.ok(attach.releases?.some((r) => r.text.startsWith('the struct sample_attach_ctx is freed by sample_attach_examined')));
  });

  it("a module's done call finishes its step: examine_done, fini_done", () => {
    const examine = index.functionsNamed('sample_td_examine')[0];
    assert.deepEqual(examine.finishes?.map((f) => f.text), ['tells the bdev layer this module has finished examining the bdev']);
    const fini = index.functionsNamed('sample_null_unregister_done')[0];
    assert.ok(fini.finishes?.some((f) => f.via === 'spdk_bdev_module_fini_done'), JSON.stringify(fini.finishes));
  });

  it('every error reply of an RPC, each with its condition, its code and its message', () => {
    const rpc = index.functionsNamed('rpc_bdev_sample_null_create')[0];
    const replies = (rpc.finishes ?? []).filter((s) => s.onFailure).map((s) => [s.when, s.text]);
    assert.deepEqual(replies, [
      ['spdk_json_decode_object(params, rpc_sample_null_create_decoders, SPDK_COUNTOF...', 'answers the RPC request with an error (code -22, "Invalid parameters")'],
      ['sample_null_create(req.name, &bdev) != 0', 'answers the RPC request with an error (code -22, "Cannot create the bdev")'],
    ]);
  });

  it('who frees what a function only borrows: the JSON-RPC request of a handler', () => {
    const rpc = index.functionsNamed('rpc_bdev_sample_null_create')[0];
    const works = functionAnswers({ typeOf: (t) => index.type(t), rpcMethods: index.rpcMethods(), model: index.model }, rpc).find((a) => a.question === 'object');
    assert.match(works?.text ?? '', /struct spdk_jsonrpc_request \(parameter request\): .*the server frees it once that reply is written/);
  });

  it('the iterator that carries a done callback through a wrapper is freed by the function that calls it', () => {
    assert.deepEqual(fn('sample_reset_done').releases, [
      { text: 'the struct sample_channel_iter that holds it is freed by sample_each_channel_cpl (line 52) once it has called it', via: 'sample_each_channel_cpl', line: 94 },
    ]);
    // The step is called through the same iterator, but by a function that does not free it.
    assert.equal(fn('sample_reset_channel').releases, undefined);
  });

  it('the thread of what started it: a walk started by a submit, a helper handed a channel context, a poller it registers', () => {
    const THREADS_C = 'module/bdev/sample_flow/bdev_sample_flow_threads.c';
    const at = (name: string) => index.functionsNamed(name).find((f) => f.file === THREADS_C)!;
    assert.deepEqual(at('sample_thr_walk_done').starterThread?.chain, ['sample_thr_submit_request', 'sample_thr_walk_done']);
    assert.equal(at('sample_thr_walk_done').starterThread?.thread, "the io_channel's thread");
    assert.match(at('sample_thr_walk_done').starterThread?.why ?? '', /sample_thr_submit_request runs as bdev fn table submit_request, on the thread of its io_channel/);
    // A poller runs where it was registered: by a helper that is handed a channel's context.
    assert.deepEqual(at('sample_thr_resume_poll').starterThread?.chain, ['sample_thr_count', 'sample_thr_resume_poll']);
    assert.match(at('sample_thr_resume_poll').starterThread?.why ?? '', /is handed struct sample_thr_channel, a per-thread channel context/);
    const thread = functionAnswers({ typeOf: (t) => index.type(t), rpcMethods: index.rpcMethods(), model: index.model }, at('sample_thr_walk_done')).find((a) => a.title === 'Thread');
    assert.match(thread?.text ?? '', /^The io_channel's thread: sample_thr_submit_request runs as/);
    // A message runs on the thread it is sent to: the one a struct keeps.
    assert.equal(at('sample_thr_owner_msg').starterThread?.thread, 'the thread in struct sample_thr_disk.thread');
    assert.equal(at('sample_thr_owner_msg').starterThread?.why, 'sample_thr_start sends sample_thr_owner_msg to disk->thread');
    // Called elsewhere, it sends itself to the app thread: its work runs there.
    assert.equal(at('sample_thr_on_app').starterThread?.why, 'sample_thr_on_app sends itself to the app thread when it is called elsewhere');
    // A blobstore metadata operation completes on the blobstore's metadata thread.
    assert.equal(at('sample_thr_blob_deleted').starterThread?.thread, 'the thread in struct spdk_blob_store.md_thread');
    assert.ok(at('sample_thr_blob_deleted').starterThread?.direct);
    assert.equal(at('sample_thr_accel_fini').starterThread?.why, 'sample_thr_accel_fini runs as the module_fini hook of an accel module, on the app thread');
    // A helper only called from a submit is not itself a slot: it runs within one.
    const helper = functionAnswers({ typeOf: (t) => index.type(t), rpcMethods: index.rpcMethods(), model: index.model }, at('sample_thr_count')).find((a) => a.question === 'context');
    assert.equal(helper?.title, 'Called directly, within bdev fn_table');
    assert.match(helper?.text ?? '', /Inferred: only called from sample_thr_submit_request\.$/);
  });

  it('async through another file only for work left behind on every path; a walk moved on by its step, a self-retry, a command waited for', () => {
    const THREADS_C = 'module/bdev/sample_flow/bdev_sample_flow_threads.c';
    const at = (name: string) => index.functionsNamed(name).find((f) => f.file === THREADS_C)!;
    assert.equal(at('sample_thr_destruct').async, true);
    assert.match(at('sample_thr_destruct').asyncReason ?? '', /^calls sample_part_free, which hands sample_part_free_cb to spdk_io_device_unregister/);
    assert.equal(at('sample_thr_refresh').async, false, 'the library defers only under a condition');
    assert.equal(at('sample_thr_walk_step').async, false, 'a step that moves the walk on has done its own work');
    assert.equal(at('sample_thr_resume_poll').async, true, 'a poller that resumes a parked walk leaves the rest to later');
    assert.match(at('sample_thr_resume_poll').asyncReason ?? '', /sample_for_each_channel_continue/);
    assert.equal(at('sample_thr_drain').async, true, 'sends itself to its own thread: it runs again later');
    assert.equal(at('sample_thr_read_log').async, false, 'spins on admin completions until its own command is done');
    assert.match(at('sample_thr_fini_next').asyncReason ?? '', /^calls struct spdk_subsystem\.fini: the subsystem finishes its fini when it calls spdk_subsystem_fini_next/);
    // A unit test's stand-in macro for spdk_put_io_channel holds in the test only.
    const destroy = index.functionsNamed('sample_td_ch_destroy')[0];
    assert.match(destroy.asyncReason ?? '', /^calls spdk_put_io_channel/);
    const abort = index.functionsNamed('sample_abort_queued')[0];
    assert.equal(abort.asyncReason, 'queues on struct sample_qpair.aborting; sample_complete_aborted (from spdk_nvme_qpair_process_completions, at the next poll) takes it off later (line 99)');
  });

  it('a struct a unit test keeps at file scope is not global state of the library', () => {
    assert.equal(index.type('struct sample_channel_iter'), undefined);
    assert.equal(index.type('struct sample_flow_ut_state')?.ownership, 'global_state', 'a test struct of its own is the test\'s global state');
  });
});
