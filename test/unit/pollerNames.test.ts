// Poller names as thread_get_pollers reports them, back to the functions that run: SPDK_POLLER_REGISTER names a
// poller after its function, spdk_poller_register_named takes a literal or a buffer printed with a format (SPDK's
// nvmf_tgroup_poll is "nvmf_%s", seen as nvmf_TCP), spdk_poller_register leaves SPDK to print the address.
// With SPDK_DIR set, the recorded pollers are resolved against that real tree.
import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimeView } from '../../src/core/graph/graphView';
import { pollerNamePattern, pollerNameRegistrations, resolvePollerName } from '../../src/core/graph/pollerNames';
import { indexTree, type SpdkIndex } from '../../src/core/index/indexer';
import { fixtureResult } from '../support/fakeSpdkTarget';
import { recordedRuntime } from '../webview/recordedGraphs';
import { GRAMMARS_DIR, SAMPLE_ROOT, WORKER_SCRIPT } from './helpers';

const POLLERS_C = `#include "spdk/thread.h"

struct group {
	struct spdk_poller *poller;
	const char *transport;
};

static int
group_poll(void *arg)
{
	return SPDK_POLLER_IDLE;
}

static int
idle_poll(void *arg)
{
	return SPDK_POLLER_IDLE;
}

static int
plain_poll(void *arg)
{
	return SPDK_POLLER_BUSY;
}

static int
anything_poll(void *arg)
{
	return SPDK_POLLER_IDLE;
}

static void
group_create_poller(struct group *group)
{
	char poller_name[64];

	snprintf(poller_name, sizeof(poller_name), "grp_%s", group->transport);
	group->poller = spdk_poller_register_named(group_poll, group, 0, poller_name);
}

static void
start_pollers(struct group *group, const char *name)
{
	char any[32];

	group->poller = spdk_poller_register_named(idle_poll, group, 100, "idle_poller");
	group->poller = SPDK_POLLER_REGISTER(plain_poll, group, 0);
	snprintf(any, sizeof(any), "%s", name);
	group->poller = spdk_poller_register_named(anything_poll, group, 0, any);
}
`;

/** 1-based line of the first line of POLLERS_C holding `text`. */
function lineOf(text: string): number {
  return POLLERS_C.split('\n').findIndex((l) => l.includes(text)) + 1;
}

describe('poller names', function () {
  this.timeout(120_000);
  let root: string;
  let index: SpdkIndex;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'spdk-lens-pollers-'));
    mkdirSync(join(root, 'include', 'spdk'), { recursive: true });
    cpSync(join(SAMPLE_ROOT, 'include', 'spdk', 'thread.h'), join(root, 'include', 'spdk', 'thread.h'));
    mkdirSync(join(root, 'lib', 'grp'), { recursive: true });
    writeFileSync(join(root, 'lib', 'grp', 'pollers.c'), POLLERS_C);
    index = await indexTree({ root, cacheDir: null, workerScript: WORKER_SCRIPT, grammarsDir: GRAMMARS_DIR });
  });

  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('turns a printf format into a whole-name pattern', () => {
    const nvmf = pollerNamePattern('nvmf_%s');
    assert.ok(nvmf.test('nvmf_TCP') && nvmf.test('nvmf_RDMA') && nvmf.test('nvmf_VFIOUSER'));
    assert.ok(!nvmf.test('nvmf_') && !nvmf.test('xnvmf_TCP'));
    assert.ok(pollerNamePattern('q%u.%02d').test('q3.07'));
    assert.ok(!pollerNamePattern('q%u.%02d').test('q3x07'), 'the dot is literal');
    assert.ok(pollerNamePattern('100%% %s').test('100% busy'));
  });

  it('finds the registrations that name a poller, with the literal or the format printed into the buffer', () => {
    const found = pollerNameRegistrations(index.model).map((r) => ({ fn: r.fn, name: r.name, format: r.format, in: r.in, line: r.line }));
    assert.deepEqual(found, [
      { fn: 'group_poll', name: 'grp_%s', format: true, in: 'group_create_poller', line: lineOf('register_named(group_poll') },
      { fn: 'idle_poll', name: 'idle_poller', format: false, in: 'start_pollers', line: lineOf('register_named(idle_poll') },
      { fn: 'anything_poll', name: '%s', format: true, in: 'start_pollers', line: lineOf('register_named(anything_poll') },
    ]);
    assert.equal(pollerNameRegistrations(index.model), pollerNameRegistrations(index.model), 'memoized per index generation');
  });

  it('resolves a name by function, by registered literal or format, and explains the rest', () => {
    const registrations = pollerNameRegistrations(index.model);
    const resolve = (name: string) => resolvePollerName(name, (n) => index.functionsNamed(n), registrations);
    const plain = resolve('plain_poll');
    assert.equal(plain.how, 'function_name');
    assert.equal(plain.fn?.name, 'plain_poll');
    const tcp = resolve('grp_TCP');
    assert.equal(tcp.how, 'registered_name');
    assert.equal(tcp.fn?.name, 'group_poll');
    assert.deepEqual(tcp.fn?.contexts.map((c) => c.kind), ['poller']);
    assert.equal(resolve('idle_poller').fn?.name, 'idle_poll');
    assert.equal(resolve('0x55d0c0ffee10').how, 'address');
    // "%s" alone matches any text and so proves nothing: an unknown name stays unknown.
    const unknown = resolve('mystery_poll');
    assert.equal(unknown.how, 'unknown');
    assert.equal(unknown.fn, undefined);
  });

  it('links a renamed poller in the runtime view to its function and to the call that named it', () => {
    const model = recordedRuntime();
    const registrations = pollerNameRegistrations(index.model).map((r) => (r.fn === 'group_poll' ? { ...r, name: 'nvmf_%s' } : r));
    const view = runtimeView(model, (n) => (n === 'group_poll' ? index.functionsNamed(n) : []), registrations);
    const pollers = view.threads.flatMap((t) => t.pollers.map((p) => ({ ...p, thread: t.name })));
    const tcp = pollers.find((p) => p.name === 'nvmf_TCP');
    assert.ok(tcp);
    assert.deepEqual(tcp.source, { label: 'function group_poll', file: 'lib/grp/pollers.c', line: lineOf('group_poll(void') });
    assert.deepEqual(tcp.registeredAs, { label: 'spdk_poller_register_named(group_poll, …, "nvmf_%s")', file: 'lib/grp/pollers.c', line: lineOf('register_named(group_poll') });
    assert.equal(tcp.contextTitle !== undefined && tcp.summary.startsWith(`${tcp.contextTitle} · runs on nvmf_tgt_poll_group_000`), true, tcp.summary);
    const other = pollers.find((p) => p.name === 'malloc_completion_poller');
    assert.equal(other?.source, undefined);
    assert.match(other?.unresolved ?? '', /no function by that name or registered under it/);
  });
});

describe('recorded poller names on a real SPDK tree (SPDK_DIR)', function () {
  this.timeout(600_000);
  const spdkDir = process.env.SPDK_DIR;

  it('resolves every recorded poller to a function labelled poller', async function () {
    if (!spdkDir) this.skip();
    const spdk = await indexTree({ root: spdkDir!, cacheDir: null, workerScript: WORKER_SCRIPT, grammarsDir: GRAMMARS_DIR });
    const recorded = fixtureResult('thread_get_pollers.json') as { threads: Record<string, { name: string }[] | undefined>[] };
    const names = recorded.threads.flatMap((t) => ['active_pollers', 'timed_pollers', 'paused_pollers'].flatMap((k) => (t[k] ?? []).map((p) => p.name)));
    const registrations = pollerNameRegistrations(spdk.model);
    const unresolved = names.filter((name) => !resolvePollerName(name, (n) => spdk.functionsNamed(n), registrations).fn?.contexts.some((c) => c.kind === 'poller'));
    assert.deepEqual(unresolved, []);
    const tcp = resolvePollerName('nvmf_TCP', (n) => spdk.functionsNamed(n), registrations);
    assert.equal(tcp.fn?.name, 'nvmf_tgroup_poll');
    assert.equal(tcp.fn?.file, 'lib/nvmf/transport.c');
    assert.ok(readFileSync(join(spdkDir!, tcp.fn!.file), 'utf8').includes('"nvmf_%s"'));
  });
});
