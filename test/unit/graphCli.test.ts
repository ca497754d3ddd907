// `spdk-lens graph` as a script or CI job runs it: the JSON shape, DOT, the summary, and a one-line error with a
// non-zero exit for each way the source can be wrong. Live runs talk to a fake target serving real recordings.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSpdkTarget, replayRecordings, RPC_FIXTURES } from '../support/fakeSpdkTarget';
import { REPO_ROOT } from './helpers';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process, so an in-process fake target can answer it. */
function run(args: string[], options: { uid?: number; gid?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function failsWithOneLine(result: Run, message: RegExp): void {
  assert.equal(result.status, 1, result.stderr);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /^spdk-lens: /);
  assert.match(lines[0], message);
}

const SAVE_CONFIG = join(RPC_FIXTURES, 'save_config.json');

describe('spdk-lens graph', () => {
  it('--json prints nodes {id, name, kind, module, aliases} and edges {from, to, kind} from a saved config', async () => {
    const result = await run(['graph', '--from', SAVE_CONFIG, '--json']);
    assert.equal(result.status, 0, result.stderr);
    const graph = JSON.parse(result.stdout);
    for (const n of graph.nodes) {
      assert.equal(typeof n.id, 'string');
      assert.equal(typeof n.name, 'string');
      assert.equal(typeof n.kind, 'string');
      assert.equal(typeof n.module, 'string');
      assert.ok(Array.isArray(n.aliases));
    }
    const edges = graph.edges.map((e: { from: string; to: string; kind: string }) => `${e.from} ${e.kind} ${e.to}`);
    assert.ok(edges.includes('bdev:Malloc7 base_bdev bdev:PT0'));
    assert.ok(edges.includes('bdev:Malloc1 raid_member bdev:Raid1'));
    assert.ok(edges.includes('bdev:Delay0 nvmf_namespace nvmf_namespace:nqn.2016-06.io.spdk:cnode2#1'));
    assert.equal(graph.edges.length, 26);
  });

  it('--dot prints Graphviz; the default is a readable summary', async () => {
    const dot = await run(['graph', '--from', SAVE_CONFIG, '--dot']);
    assert.equal(dot.status, 0, dot.stderr);
    assert.match(dot.stdout, /^digraph "spdk config .*save_config\.json" \{\n/);
    assert.ok(dot.stdout.includes('"bdev:Malloc9" -> "bdev:Delay0" [label="base_bdev"];'));
    const text = await run(['graph', '--from', SAVE_CONFIG]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /24 bdevs, 0 lvstores, 3 nvmf subsystems, 1 NVMe controllers; 26 edges/);
    assert.ok(text.stdout.includes('  Raid1 [raid] <- Malloc1 (raid_member), Malloc2 (raid_member)'));
    assert.ok(text.stdout.includes('  Nvme0n2 [bdev, MISSING]'));
    assert.match(text.stdout, /problem: PT_remote refers to bdev "Nvme0n2", which is not in the data/);
  });

  it('asks a live target over its Unix socket and reports skipped methods', async () => {
    const target = await FakeSpdkTarget.start(replayRecordings('.'));
    try {
      const result = await run(['graph', '--from', target.path, '--json']);
      assert.equal(result.status, 0, result.stderr);
      const graph = JSON.parse(result.stdout);
      assert.deepEqual(graph.source, { kind: 'live', origin: target.path });
      assert.equal(graph.edges.length, 37);
      assert.ok(graph.edges.some((e: { from: string; to: string; kind: string }) => e.from === 'nvmf_namespace:nqn.2016-06.io.spdk:cnode1#1' && e.to === 'bdev:Nvme0n1' && e.kind === 'remote_namespace'));
      assert.deepEqual(graph.skipped.map((s: { method: string }) => s.method), ['vhost_get_controllers', 'ublk_get_disks']);
      const text = await run(['graph', '--from', target.path]);
      assert.match(text.stdout, /skipped vhost_get_controllers: Method not found/);
      assert.ok(text.stdout.includes('  554884d0-1d6b-4c98-85e1-072e7f436145 (lvs0/lvol1) [lvol, claimed exclusive_write] <- lvs0 (lvol)'));
    } finally {
      await target.stop();
    }
  });

  it('fails with one specific line for a file that is not JSON, not a config, or not there', async () => {
    failsWithOneLine(await run(['graph', '--from', join(RPC_FIXTURES, 'README.md')]), /README\.md is not JSON \(/);
    failsWithOneLine(await run(['graph', '--from', join(RPC_FIXTURES, 'bdev_get_bdevs.json'), '--json']), /bdev_get_bdevs\.json is JSON but not an SPDK config: it is a JSON-RPC message/);
    failsWithOneLine(await run(['graph', '--from', join(RPC_FIXTURES, 'nope.json')]), /no such config file: .*nope\.json/);
    failsWithOneLine(await run(['graph', '--from', RPC_FIXTURES]), /spdk-rpc is a folder: give a save_config JSON file, an SPDK RPC socket or host:port/);
  });

  it('fails with one specific line when the target is not there, stalls, or is not SPDK', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spdk-lens-graph-cli-'));
    const stalled = await FakeSpdkTarget.start(() => undefined);
    const garbage = await FakeSpdkTarget.start((_request, connection) => connection.send('SSH-2.0-OpenSSH_9.2\r\n'));
    try {
      failsWithOneLine(await run(['graph', '--from', join(dir, 'spdk.sock')]), /no SPDK RPC socket at .*spdk\.sock: is spdk_tgt running/);
      failsWithOneLine(await run(['graph', '--from', stalled.path, '--timeout', '200']), /got no reply from .* within 200 ms/);
      failsWithOneLine(await run(['graph', '--from', garbage.path]), /replied with something that is not JSON \(SSH-2\.0-OpenSSH_9\.2.*is this SPDK's RPC socket/);
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as net.AddressInfo).port;
      await new Promise((resolve) => server.close(resolve));
      failsWithOneLine(await run(['graph', '--from', `127.0.0.1:${port}`]), new RegExp(`connection refused by 127\\.0\\.0\\.1:${port}`));
    } finally {
      await stalled.stop();
      await garbage.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says permission denied when the socket is not the user\'s', async () => {
    const target = await FakeSpdkTarget.start(replayRecordings('.'));
    try {
      chmodSync(join(target.path, '..'), 0o755);
      chmodSync(target.path, 0o600);
      // As root, run the CLI as nobody: root itself is never denied.
      const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      if (process.getuid?.() !== 0) chmodSync(target.path, 0o000);
      failsWithOneLine(await run(['graph', '--from', target.path], asUser), /permission denied connecting to .*spdk\.sock: .*run as the socket's owner/);
    } finally {
      await target.stop();
    }
  });

  it('exits 2 with usage on bad arguments', async () => {
    for (const args of [['graph', '--json', '--dot'], ['graph', 'stray'], ['graph', '--from'], ['graph', '--timeout', 'soon']]) {
      const result = await run(args);
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, /usage:[\s\S]*spdk-lens graph \[--from <save_config\.json \| unix socket path \| host:port>\]/);
    }
  });
});
