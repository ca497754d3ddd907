// On a real SPDK checkout (SPDK_DIR), as a new user opens it: the hovers the issue names must be right and useful.
// Skipped without SPDK_DIR; `npm run bench:editor` measures the same tree's timings.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { useEditor } from './harness';

const SPDK_DIR = process.env.SPDK_DIR;
const hasSpdk = Boolean(SPDK_DIR && existsSync(join(SPDK_DIR, 'include', 'spdk', 'thread.h')));

(hasSpdk ? describe : describe.skip)('SPDK Lens on SPDK master (SPDK_DIR)', () => {
  const editor = useEditor({ label: 'spdk-master', workspace: SPDK_DIR, copy: false });

  before(async function () {
    this.timeout(600_000);
    await editor().waitForStatus(/SPDK Lens: Ready/, 540_000);
  });

  const cases: { file: string; at: string; expect: RegExp[]; shot: string }[] = [
    { file: 'lib/bdev/bdev.c', at: 'bdev_channel_poll_qos(void *arg)', expect: [/Runs as poller/, /SPDK_POLLER_REGISTER/], shot: 'poller' },
    { file: 'module/bdev/null/bdev_null.c', at: 'bdev_null_submit_request(struct', expect: [/Runs as bdev fn_table/, /submit_request of null_fn_table/, /completes spdk_bdev_io/], shot: 'fn-table' },
    { file: 'module/bdev/aio/bdev_aio_rpc.c', at: 'rpc_bdev_aio_create(struct', expect: [/RPC "bdev_aio_create"/, /replies async/], shot: 'async-rpc' },
    { file: 'lib/bdev/bdev.c', at: 'bdev_each_channel_msg(struct', expect: [/Runs as for_each_channel step/, /spdk_for_each_channel/], shot: 'for-each-step' },
    { file: 'lib/bdev/bdev.c', at: 'bdev_each_channel_cpl(struct', expect: [/Runs as for_each_channel done/], shot: 'for-each-done' },
    { file: 'lib/bdev/bdev.c', at: 'bdev_channel_create(void *io_device', expect: [/Runs as io_channel create/, /spdk_io_device_register/], shot: 'channel-create' },
    { file: 'module/bdev/passthru/vbdev_passthru.c', at: '_pt_complete_io(struct', expect: [/Runs as bdev IO completion/, /must free it with spdk_bdev_free_io/, /frees spdk_bdev_io/], shot: 'completion-frees' },
  ];

  for (const c of cases) {
    it(`explains ${c.at.replace(/\(.*/, '')} in ${c.file}`, async () => {
      await editor().openFile(c.file);
      const text = await editor().hoverAt({ text: c.at });
      for (const re of c.expect) assert.match(text, re, text);
      await editor().screenshot(c.shot);
    });
  }
});
