// Hovers in the real editor: what a reader sees when they rest on a function name.
import * as assert from 'node:assert/strict';
import { useEditor } from './harness';

describe('SPDK Lens in VS Code: hovers', () => {
  const editor = useEditor({ label: 'hover' });

  before(async () => {
    await editor().openFile('module/bdev/sample_null/bdev_sample_null.c');
  });

  it('shows the function name when hovering a poller at its definition', async () => {
    const text = await editor().hoverAt({ text: 'sample_null_poll(void *arg)' });
    assert.match(text, /\bsample_null_poll\b/, `hover text:\n${text}`);
  });
});
