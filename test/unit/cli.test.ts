// The CLI as a user (or a book's CI) runs it: the JSON shape, explain, and its errors.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, SAMPLE_ROOT } from './helpers';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');

function run(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60000 });
}

describe('spdk-lens CLI', () => {
  let out: string;
  before(() => {
    out = mkdtempSync(join(tmpdir(), 'spdk-lens-cli-'));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('index writes the documented JSON shape and prints a summary with timings', () => {
    const json = join(out, 'index.json');
    const result = run('index', SAMPLE_ROOT, '--json', json, '--no-cache');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /files .* in \d+ ms/);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(doc.schema, 'spdk-lens/index@1');
    assert.equal(doc.root, SAMPLE_ROOT);
    assert.ok(doc.stats.files > 0 && typeof doc.stats.ms === 'number');
    const submit = doc.functions.find((f: { name: string }) => f.name === 'sample_null_submit_request');
    assert.deepEqual(Object.keys(submit).filter((k) => ['name', 'file', 'line', 'static', 'contexts', 'completesBdevIo', 'freesBdevIo', 'async'].includes(k)).sort(), [
      'async', 'completesBdevIo', 'contexts', 'file', 'freesBdevIo', 'line', 'name', 'static',
    ]);
    assert.equal(submit.file, 'module/bdev/sample_null/bdev_sample_null.c');
    assert.equal(submit.static, true);
    assert.equal(submit.completesBdevIo, true);
    assert.deepEqual(submit.contexts[0], { kind: 'bdev_fn_table', slot: 'struct spdk_bdev_fn_table.submit_request', variable: 'sample_null_fn_table', in: '', file: submit.file, line: submit.contexts[0].line });
    const poll = doc.functions.find((f: { name: string }) => f.name === 'sample_null_poll');
    assert.deepEqual(
      { ...poll.contexts[0], line: 0 },
      { kind: 'poller', api: 'spdk_poller_register_named', arg: 0, type: 'spdk_poller_fn', macro: 'SPDK_POLLER_REGISTER', in: 'sample_null_create_channel', file: submit.file, line: 0 },
    );
    const channel = doc.types.find((t: { name: string }) => t.name === 'struct sample_null_io_channel');
    assert.equal(channel.ownership, 'io_channel_ctx');
    assert.ok(channel.evidence.length > 0);
    assert.deepEqual(
      doc.rpcMethods.map((m: { method: string; reply: string }) => `${m.method}:${m.reply}`),
      ['bdev_sample_null_create:sync', 'bdev_sample_null_ping:sync', 'bdev_sample_pt_create:async', 'hostile_<b>x</b>_[y](command:z):sync', 'sample_flow_attach:async', 'sample_teardown_create:sync'],
    );
    assert.deepEqual(
      doc.bdevModules.map((m: { name: string; virtual: boolean; fnTable: string }) => [m.name, m.virtual, m.fnTable]),
      [['sample_null', false, 'sample_null_fn_table'], ['sample_passthru', true, 'sample_pt_fn_table'], ['sample_teardown', true, 'sample_td_fn_table']],
    );
  });

  it('explain prints contexts, IO roles and sync/async in plain words', () => {
    const result = run('explain', SAMPLE_ROOT, 'module/bdev/sample_passthru/vbdev_sample_passthru.c:50', '--no-cache');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /sample_pt_read_done/);
    assert.match(result.stdout, /bdev IO completion/);
    assert.match(result.stdout, /frees spdk_bdev_io bdev_io, the child IO whose completion this is \(spdk_bdev_free_io\)/);
    assert.match(result.stdout, /Works on: struct spdk_bdev_io \(cb_arg cast to struct spdk_bdev_io \*\)/);
    assert.match(result.stdout, /must release it/);
    const struct = run('explain', SAMPLE_ROOT, 'module/bdev/sample_null/bdev_sample_null.c:10', '--no-cache');
    assert.match(struct.stdout, /io_channel_ctx/);
  });

  it('fails with a usage message and exit code 2 on bad arguments', () => {
    const bad = run('index');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /usage:/);
    assert.equal(run('frobnicate').status, 2);
    assert.equal(run('index', join(out, 'missing')).status, 2);
    const nowhere = run('explain', SAMPLE_ROOT, 'nope.c:1', '--no-cache');
    assert.equal(nowhere.status, 1);
    assert.match(nowhere.stderr, /not an indexed file/);
  });
});
