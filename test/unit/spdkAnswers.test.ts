// The hand-checked answer set (test/data/spdk-answers.json: places of SPDK master read by a person, answers written
// before looking at SPDK Lens) against the index of a real tree. Runs only when SPDK_DIR points at SPDK.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { indexTree } from '../../src/core/index/indexer';
import { scorePlaces, tally, type HandCheckedPlace } from '../support/answerCheck';
import places from '../data/spdk-answers.json';

describe('hand-checked answers on SPDK (SPDK_DIR)', function () {
  this.timeout(300_000);
  const spdkDir = process.env.SPDK_DIR;
  const ready = Boolean(spdkDir && existsSync(`${spdkDir}/include/spdk/thread.h`));
  (ready ? it : it.skip)('answers "what object", "which context" and "sync or async" as the people who read the code did', async () => {
    const index = await indexTree({ root: spdkDir!, cacheDir: null });
    const scores = scorePlaces(index, places as HandCheckedPlace[]);
    const context = tally(scores, 'context');
    const sync = tally(scores, 'sync');
    const object = tally(scores, 'object');
    console.log(`      ${scores.length} places: context right ${context.right}, wrong ${context.wrong}, silent ${context.silent}; sync right ${sync.right}, wrong ${sync.wrong}; object right ${object.right}, wrong ${object.wrong}, silent ${object.silent}`);
    for (const s of scores.filter((x) => x.context !== 'right' || x.sync !== 'right' || x.object !== 'right')) {
      console.log(`      ${s.place}: context ${s.context} (said ${s.said.context}), sync ${s.sync} (said ${s.said.sync}), object ${s.object} (said ${s.said.object})`);
    }
    assert.ok(object.right >= 44 && object.wrong === 0, `object right ${object.right}, wrong ${object.wrong}`);
    assert.equal(context.wrong, 0, 'a wrong context is worse than none');
    assert.ok(context.right >= Math.ceil(scores.length * 0.9), `context right ${context.right} of ${scores.length}`);
    assert.equal(sync.wrong, 0, 'a wrong sync answer is worse than none');
  });
});
