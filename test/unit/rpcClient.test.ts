// The SPDK JSON-RPC client against recorded spdk_tgt replies served over a real Unix socket: framing (split and
// batched writes), id matching, timeouts, caps, cancellation, reconnects and the errors a user sees.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonStreamError, JsonStreamSplitter } from '../../src/core/rpc/jsonStreamSplitter';
import { parseRpcAddress } from '../../src/core/rpc/rpcAddress';
import { SpdkRpcError, type SpdkRpcErrorCode } from '../../src/core/rpc/rpcErrors';
import { SpdkRpcClient } from '../../src/core/rpc/spdkRpcClient';
import { FakeSpdkTarget, fixtureBytes, fixtureResult, replayRecordings, withId, type FakeConnection, type FakeRequest, type Responder } from '../support/fakeSpdkTarget';

async function rejectsWith(promise: Promise<unknown>, code: SpdkRpcErrorCode, message?: RegExp): Promise<SpdkRpcError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SpdkRpcError, `expected SpdkRpcError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected a ${code} error`);
}

describe('JSON stream splitter', () => {
  const text = '{"a":"x\\"}{[","b":[1,{"c":"\\\\"}]}\n{"jsonrpc":"2.0","id":2,"result":"Mallocé 💾 }"} [{"id":3}]';
  const expected = [{ a: 'x"}{[', b: [1, { c: '\\' }] }, { jsonrpc: '2.0', id: 2, result: 'Mallocé 💾 }' }, [{ id: 3 }]];

  it('finds every value whatever the read boundaries (escaped quotes and braces in strings, multi-byte UTF-8)', () => {
    const bytes = Buffer.from(text);
    assert.deepEqual(new JsonStreamSplitter(1 << 20).push(bytes), expected);
    for (let cut = 1; cut < bytes.length; cut++) {
      const splitter = new JsonStreamSplitter(1 << 20);
      assert.deepEqual([...splitter.push(bytes.subarray(0, cut)), ...splitter.push(bytes.subarray(cut))], expected, `cut at ${cut}`);
    }
    const oneByOne = new JsonStreamSplitter(1 << 20);
    const values: unknown[] = [];
    for (let i = 0; i < bytes.length; i++) values.push(...oneByOne.push(bytes.subarray(i, i + 1)));
    assert.deepEqual(values, expected);
  });

  it('rejects bytes that are not JSON and values over the cap, and stays failed', () => {
    const garbage = new JsonStreamSplitter(1 << 20);
    assert.throws(() => garbage.push(Buffer.from('HTTP/1.1 400 Bad Request\r\n')), (e: unknown) => e instanceof JsonStreamError && e.reason === 'not_json' && e.sample.startsWith('HTTP/1.1'));
    assert.throws(() => garbage.push(Buffer.from('{}')), JsonStreamError);
    assert.throws(() => new JsonStreamSplitter(1 << 20).push(Buffer.from('{"a":1,}')), (e: unknown) => e instanceof JsonStreamError && e.reason === 'not_json');
    const capped = new JsonStreamSplitter(100);
    capped.push(Buffer.from(`{"a":"${'x'.repeat(50)}`));
    assert.throws(() => capped.push(Buffer.from('x'.repeat(60))), (e: unknown) => e instanceof JsonStreamError && e.reason === 'too_large');
  });
});

describe('SPDK RPC address', () => {
  it('reads socket paths and host:port', () => {
    assert.deepEqual(parseRpcAddress(undefined), { kind: 'unix', path: '/var/tmp/spdk.sock' });
    assert.deepEqual(parseRpcAddress('/tmp/a.sock'), { kind: 'unix', path: '/tmp/a.sock' });
    assert.deepEqual(parseRpcAddress('127.0.0.1:5260'), { kind: 'tcp', host: '127.0.0.1', port: 5260 });
    assert.deepEqual(parseRpcAddress('[::1]:5260'), { kind: 'tcp', host: '::1', port: 5260 });
    assert.deepEqual(parseRpcAddress('spdk-host:5260'), { kind: 'tcp', host: 'spdk-host', port: 5260 });
    assert.deepEqual(parseRpcAddress('./spdk.sock'), { kind: 'unix', path: './spdk.sock' });
  });
});

describe('SPDK RPC client', () => {
  let target: FakeSpdkTarget | undefined;
  let client: SpdkRpcClient | undefined;
  const start = async (responder: Responder, mode?: 'whole' | 'byte-by-byte') => {
    target = await FakeSpdkTarget.start(responder, mode);
    return target;
  };
  afterEach(async () => {
    client?.close();
    client = undefined;
    await target?.stop();
    target = undefined;
  });

  it('calls methods and returns the recorded results, params sent as SPDK expects', async () => {
    const t = await start(replayRecordings('.'));
    client = new SpdkRpcClient(t.path);
    assert.deepEqual(await client.call('bdev_get_bdevs'), fixtureResult('bdev_get_bdevs.json'));
    assert.deepEqual(await client.call('bdev_raid_get_bdevs', { category: 'all' }), fixtureResult('bdev_raid_get_bdevs.json'));
    assert.deepEqual(t.requests[1], { jsonrpc: '2.0', method: 'bdev_raid_get_bdevs', id: 2, params: { category: 'all' } });
    assert.equal(t.connections, 1);
  });

  it('reassembles replies written one byte per write', async () => {
    const t = await start(replayRecordings('.'), 'byte-by-byte');
    client = new SpdkRpcClient(t.path);
    const [lvstores, subsystems] = await Promise.all([client.call('bdev_lvol_get_lvstores'), client.call('nvmf_get_subsystems')]);
    assert.deepEqual(lvstores, fixtureResult('bdev_lvol_get_lvstores.json'));
    assert.deepEqual(subsystems, fixtureResult('nvmf_get_subsystems.json'));
  });

  it('splits several replies arriving in one write, and matches them by id when they come out of order', async () => {
    // wire/31: two pipelined requests, the async one (311) answered after the sync one (312), in one read.
    const recorded = fixtureBytes('wire/31_pipelined_async_then_sync_reordered.response.bin').toString();
    const pending: { id: unknown }[] = [];
    const t = await start((request, connection) => {
      pending.push(request);
      if (pending.length < 2) return;
      const [slow, fast] = pending;
      void connection.send(recorded.replace('"id":312', `"id":${JSON.stringify(fast.id)}`).replace('"id":311', `"id":${JSON.stringify(slow.id)}`));
    });
    client = new SpdkRpcClient(t.path);
    const slow = client.call('bdev_get_bdevs', { name: 'NotYet', timeout: 300 });
    const fast = client.call('spdk_get_version');
    assert.deepEqual(await fast, { version: 'SPDK v26.09-pre', fields: { major: 26, minor: 9, patch: 0, suffix: '-pre' } });
    const error = await rejectsWith(slow, 'method_failed', /bdev_get_bdevs failed on .*Connection timed out \(JSON-RPC error -110\)/);
    assert.equal(error.rpcCode, -110);
    assert.equal(error.rpcMessage, 'Connection timed out');
  });

  it('reports -32601 as method_not_found so callers can skip the method', async () => {
    const t = await start(replayRecordings('.'));
    client = new SpdkRpcClient(t.path);
    const error = await rejectsWith(client.call('vhost_get_controllers'), 'method_not_found', /has no method vhost_get_controllers .*-32601 Method not found/);
    assert.equal(error.rpcCode, -32601);
    assert.equal(error.method, 'vhost_get_controllers');
  });

  it('carries a method failure: code and message from the recorded -19 reply', async () => {
    const t = await start((request, connection) => connection.send(withId(fixtureBytes('bdev_get_bdevs.not_found.json'), request.id)));
    client = new SpdkRpcClient(t.path);
    const error = await rejectsWith(client.call('bdev_get_bdevs', { name: 'NoSuchBdev' }), 'method_failed', /No such device \(JSON-RPC error -19\)/);
    assert.deepEqual([error.rpcCode, error.rpcMessage], [-19, 'No such device']);
  });

  it('refuses a peer that answers with garbage, or with JSON that is not JSON-RPC', async () => {
    let t = await start((_request, connection) => connection.send('HTTP/1.1 400 Bad Request\r\n\r\n'));
    client = new SpdkRpcClient(t.path);
    await rejectsWith(client.call('spdk_get_version'), 'not_spdk', /replied with something that is not JSON \(HTTP\/1\.1 400.*is this SPDK's RPC socket/);
    client.close();
    await t.stop();
    t = await start((_request, connection) => connection.send('{"hello":"world"}'));
    client = new SpdkRpcClient(t.path);
    await rejectsWith(client.call('spdk_get_version'), 'not_spdk', /not a JSON-RPC 2\.0 response/);
  });

  it('fails pending calls when the target closes the connection, then reconnects for the next call', async () => {
    let first = true;
    const replay = replayRecordings('.');
    const t = await start((request, connection) => {
      if (first) {
        first = false;
        connection.socket.destroy(); // what spdk_tgt does after a request it cannot parse (wire/20)
        return;
      }
      return replay(request, connection);
    });
    client = new SpdkRpcClient(t.path);
    await rejectsWith(client.call('bdev_lvol_get_lvstores'), 'connection_closed', /closed the connection before answering bdev_lvol_get_lvstores/);
    assert.deepEqual(await client.call('bdev_lvol_get_lvstores'), fixtureResult('bdev_lvol_get_lvstores.json'));
    assert.equal(t.connections, 2);
  });

  it('times out a call to a stalled target, and a late reply does not disturb later calls', async () => {
    const stalled: { request: FakeRequest; connection: FakeConnection }[] = [];
    const replay = replayRecordings('.');
    const t = await start((request, connection) => {
      if (request.method === 'thread_get_stats') stalled.push({ request, connection });
      else return replay(request, connection);
    });
    client = new SpdkRpcClient(t.path, { timeoutMs: 150 });
    const started = Date.now();
    await rejectsWith(client.call('thread_get_stats'), 'timeout', /thread_get_stats got no reply from .*spdk\.sock within 150 ms; the target is connected but did not answer/);
    assert.ok(Date.now() - started < 2000);
    // The stalled reply finally arrives; it is dropped, and the next call still gets its own answer.
    await stalled[0].connection.send(withId(fixtureBytes('thread_get_stats.json'), stalled[0].request.id));
    assert.deepEqual(await client.call('framework_get_reactors'), fixtureResult('framework_get_reactors.json'));
  });

  it('caps the size of a reply', async () => {
    const t = await start((request, connection) => connection.send(withId(fixtureBytes('wire/27_large_response_bdev_get_bdevs.response.bin'), request.id)));
    client = new SpdkRpcClient(t.path, { maxResponseBytes: 10_000 });
    await rejectsWith(client.call('bdev_get_bdevs'), 'response_too_large', /larger than the 10000-byte cap/);
    const roomy = new SpdkRpcClient(t.path);
    try {
      assert.equal(((await roomy.call('bdev_get_bdevs')) as unknown[]).length, 28);
    } finally {
      roomy.close();
    }
  });

  it('cancels a call with an AbortSignal, before or after it is sent', async () => {
    const t = await start(() => undefined);
    client = new SpdkRpcClient(t.path, { timeoutMs: 5000 });
    const aborted = new AbortController();
    aborted.abort();
    await rejectsWith(client.call('spdk_get_version', undefined, { signal: aborted.signal }), 'cancelled', /cancelled before it was sent/);
    const controller = new AbortController();
    const call = client.call('spdk_get_version', undefined, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await rejectsWith(call, 'cancelled', /spdk_get_version on .* was cancelled/);
  });

  it('says what is wrong when there is no socket, or the path is not a socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spdk-lens-rpc-'));
    try {
      const missing = join(dir, 'spdk.sock');
      client = new SpdkRpcClient(missing);
      await rejectsWith(client.call('spdk_get_version'), 'no_socket', new RegExp(`no SPDK RPC socket at ${missing}: is spdk_tgt running`));
      const file = join(dir, 'config.json');
      writeFileSync(file, '{}');
      client = new SpdkRpcClient(file);
      await rejectsWith(client.call('spdk_get_version'), 'connection_refused', /config\.json is a regular file, not a Unix socket/);
      // A socket left behind by a process that exited: the file is there, nobody listens.
      const stale = join(dir, 'stale.sock');
      spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.exit(0))`]);
      client = new SpdkRpcClient(stale);
      await rejectsWith(client.call('spdk_get_version'), 'connection_refused', /nothing listens on it \(a stale socket/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a refused TCP port', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    client = new SpdkRpcClient(`127.0.0.1:${port}`);
    await rejectsWith(client.call('spdk_get_version'), 'connection_refused', new RegExp(`connection refused by 127\\.0\\.0\\.1:${port}`));
  });
});
