// The hand-checked answer set (test/data/spdk-answers.json: places of SPDK master read by a person, answers written
// before looking at SPDK Lens) against the index of a real tree. Runs only when SPDK_DIR points at SPDK.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { indexTree } from '../../src/core/index/indexer';
import { scorePlaces, tally, type HandCheckedPlace } from '../support/answerCheck';
import places from '../data/spdk-answers.json';
import freshPlaces from '../data/spdk-answers-fresh.json';
import thirdPlaces from '../data/spdk-answers-fresh2.json';
import fourthPlaces from '../data/spdk-answers-fresh3.json';
import fifthPlaces from '../data/spdk-answers-fresh4.json';

/** Scores one set, prints its tallies and every place not wholly right. */
function scoreSet(index: Awaited<ReturnType<typeof indexTree>>, set: HandCheckedPlace[]) {
  const scores = scorePlaces(index, set);
  const context = tally(scores, 'context');
  const sync = tally(scores, 'sync');
  const object = tally(scores, 'object');
  console.log(`      ${scores.length} places: context right ${context.right}, wrong ${context.wrong}, silent ${context.silent}; sync right ${sync.right}, wrong ${sync.wrong}; object right ${object.right}, wrong ${object.wrong}, silent ${object.silent}`);
  for (const s of scores.filter((x) => x.context !== 'right' || x.sync !== 'right' || x.object !== 'right')) {
    console.log(`      ${s.place}: context ${s.context} (said ${s.said.context}), sync ${s.sync} (said ${s.said.sync}), object ${s.object} (said ${s.said.object})`);
  }
  return { scores, context, sync, object };
}

describe('hand-checked answers on SPDK (SPDK_DIR)', function () {
  this.timeout(300_000);
  const spdkDir = process.env.SPDK_DIR;
  const ready = Boolean(spdkDir && existsSync(`${spdkDir}/include/spdk/thread.h`));
  let index: Awaited<ReturnType<typeof indexTree>> | undefined;
  const indexed = async () => (index ??= await indexTree({ root: spdkDir!, cacheDir: null }));

  // Written blind in session 13 by a reader who saw neither SPDK Lens nor its answers; first run: context 20/20,
  // sync 15/20, object 18/20 (1 wrong). Studied since: kept here so a change that breaks it shows.
  (ready ? it : it.skip)('answers the second, blind set: never a wrong context, at most one wrong sync answer', async () => {
    const { context, sync, object } = scoreSet(await indexed(), freshPlaces as HandCheckedPlace[]);
    assert.equal(context.wrong, 0);
    // bs_channel_destroy: the put of the bdev's channel is behind the bs_dev's destroy_channel slot; SPDK Lens follows
    // a slot only when every function stored there defers work, and the degraded lvol bs_dev's does not, so it says sync.
    assert.ok(sync.wrong <= 1, `sync wrong ${sync.wrong}`);
    assert.ok(object.right >= 19 && object.wrong === 0, `object right ${object.right}, wrong ${object.wrong}`);
  });

  // Written blind in session 14 (25 places, more async ones); first run: context 24/25 (1 silent), sync 21/25 (4 wrong),
  // object 23/25 (2 silent). Studied since.
  (ready ? it : it.skip)('answers the third, blind set: never a wrong context or object, at most one wrong sync answer', async () => {
    const { context, sync, object } = scoreSet(await indexed(), thirdPlaces as HandCheckedPlace[]);
    assert.equal(context.wrong, 0);
    assert.ok(context.right >= 24, `context right ${context.right}`);
    // iscsi_poll_group_handle_nop: its NOP-In is written asynchronously two files away, and only when a timer expired.
    assert.ok(sync.wrong <= 1, `sync wrong ${sync.wrong}`);
    assert.ok(object.right >= 23 && object.wrong === 0, `object right ${object.right}, wrong ${object.wrong}`);
  });

  // Written blind later in session 14, after the changes the third set led to; first run: context 16 right, 2 wrong,
  // 2 silent; sync 17/20 (3 wrong); object 18/20 (1 wrong). See docs/answers.md for each wrong answer.
  (ready ? it : it.skip)('answers the fourth, blind set: the known disagreements only', async () => {
    const { scores, object } = scoreSet(await indexed(), fourthPlaces as HandCheckedPlace[]);
    // zone_block_get_zone_info: "within the submit path" against "called directly" (and an inline completion counted
    // async by its reader); bs_batch_completion: a blobstore completion against a generic callback, and a wrong async.
    const known = new Set(['module/bdev/zone_block/vbdev_zone_block.c:zone_block_get_zone_info', 'lib/blob/request.c:bs_batch_completion']);
    assert.deepEqual(scores.filter((x) => x.context === 'wrong' && !known.has(x.place)).map((x) => x.place), []);
    assert.deepEqual(scores.filter((x) => x.sync === 'wrong' && !known.has(x.place)).map((x) => x.place), []);
    assert.ok(object.right >= 19 && object.wrong === 0, `object right ${object.right}, wrong ${object.wrong}`);
  });

  // Written blind at the end of session 14 (15 places); first run: context 14 right, 1 wrong (a blob completion delivered
  // by a message, said to be a message); sync 10/15 (5 wrong); object 13/15 (1 wrong). See docs/answers.md.
  (ready ? it : it.skip)('answers the fifth, blind set: never a wrong context, the known disagreements only', async () => {
    const { scores, context, object } = scoreSet(await indexed(), fifthPlaces as HandCheckedPlace[]);
    assert.equal(context.wrong, 0);
    // scsi_lun_reset_check_outstanding_tasks: a queued management task is run next only when there is one (its reader
    // counts that conditional hand-off as no deferral); bs_delete_persist_cpl: spdk_blob_close is answered async, its
    // reader knows it calls back at once for a blob just persisted.
    const known = new Set(['lib/scsi/lun.c:scsi_lun_reset_check_outstanding_tasks', 'lib/blob/blobstore.c:bs_delete_persist_cpl']);
    assert.deepEqual(scores.filter((x) => x.sync === 'wrong' && !known.has(x.place)).map((x) => x.place), []);
    assert.ok(object.right >= 13, `object right ${object.right}`);
  });

  (ready ? it : it.skip)('answers "what object", "which context" and "sync or async" as the people who read the code did', async () => {
    const { scores, context, sync, object } = scoreSet(await indexed(), places as HandCheckedPlace[]);
    assert.ok(object.right >= 44 && object.wrong === 0, `object right ${object.right}, wrong ${object.wrong}`);
    assert.equal(context.wrong, 0, 'a wrong context is worse than none');
    assert.ok(context.right >= Math.ceil(scores.length * 0.9), `context right ${context.right} of ${scores.length}`);
    assert.equal(sync.wrong, 0, 'a wrong sync answer is worse than none');
  });
});
