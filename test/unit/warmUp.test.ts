// The warm-up sample: it runs through both shares of a cold index, never reaches an index, and takes every branch
// that real code takes (the fixture tree always, SPDK_DIR when set), so V8 compiles each function once.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { factsOfParsedFile, FactExtractor } from '../../src/core/index/factExtractor';
import { discoverSources } from '../../src/core/index/fileDiscovery';
import { completeWarmUpSample, parseWarmUpSample } from '../../src/core/index/warmUp';
import { WARM_UP_SAMPLE } from '../../src/core/index/warmUpSample';
import type { Gap } from '../support/warmUpCoverage';
import { GRAMMARS_DIR, indexSample, REPO_ROOT, SAMPLE_ROOT } from './helpers';

/** Branches `root` takes that the sample does not, per share (see test/support/warmUpCoverage.ts). */
function coverageGaps(root: string): { parse: Gap[]; facts: Gap[] } {
  const scratch = mkdtempSync(join(tmpdir(), 'spdk-lens-warm-up-'));
  try {
    const list = join(scratch, 'files.json');
    writeFileSync(list, JSON.stringify(discoverSources(root).files.map((f) => f.file)));
    const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', join(REPO_ROOT, 'test', 'support', 'warmUpCoverage.ts'), root, list], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(run.status, 0, run.stderr);
    return (JSON.parse(run.stdout) as { shares: { parse: Gap[]; facts: Gap[] } }).shares;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function describeGaps(gaps: Gap[]): string {
  return gaps.map((g) => `${g.file}:${g.line} ${g.functionName}: ${g.text} (${g.timesInTree} times in the tree)`).join('\n');
}

describe('warm-up sample', () => {
  it('goes through the parse share and the facts share, with every kind of fact in it', async () => {
    const extractor = await FactExtractor.create(GRAMMARS_DIR);
    try {
      const parsed = parseWarmUpSample(extractor);
      assert.deepEqual(
        parsed.map((p) => p.file),
        WARM_UP_SAMPLE.map((s) => s.file),
      );
      const facts = parsed.map((p) => factsOfParsedFile(structuredClone(p)));
      const count = (pick: (f: (typeof facts)[number]) => unknown[]) => facts.reduce((n, f) => n + pick(f).length, 0);
      assert.ok(count((f) => f.functions) >= 30, `functions: ${count((f) => f.functions)}`);
      assert.ok(count((f) => f.prototypes) >= 15);
      assert.ok(count((f) => f.typedefs) >= 5);
      assert.ok(count((f) => f.structs) >= 10);
      assert.ok(count((f) => f.macros) >= 10);
      assert.ok(count((f) => f.calls) >= 100);
      assert.ok(count((f) => f.fieldStores) >= 50);
      assert.ok(count((f) => f.typedCallResults) >= 3);
      assert.ok(count((f) => f.globals) >= 10);
      assert.ok(facts.some((f) => f.parseErrors > 0), 'broken on purpose in places');
      assert.doesNotThrow(() => completeWarmUpSample(parsed));
    } finally {
      extractor.dispose();
    }
  });

  it('never reaches an index', async () => {
    const index = await indexSample();
    for (const name of ['warm_poll', 'warm_create_channel', 'spdk_warm_send_msg', 'rpc_warm_up_start']) assert.deepEqual(index.functionsNamed(name), [], name);
    assert.ok([...index.files.keys()].every((file) => !file.includes('warm_up')));
  });

  it('takes every branch of both shares that the fixture tree takes', function () {
    this.timeout(60_000);
    const gaps = coverageGaps(SAMPLE_ROOT);
    assert.equal(describeGaps([...gaps.parse, ...gaps.facts]), '');
  });

  const spdkDir = process.env.SPDK_DIR;
  (spdkDir && existsSync(join(spdkDir, 'include', 'spdk', 'thread.h')) ? it : it.skip)('takes every branch of both shares that SPDK_DIR takes', function () {
    this.timeout(180_000);
    const gaps = coverageGaps(spdkDir!);
    assert.equal(describeGaps([...gaps.parse, ...gaps.facts]), '');
  });
});
