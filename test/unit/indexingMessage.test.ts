// What a hover says while the index is being built.
import { strict as assert } from 'node:assert';
import { indexingMessage } from '../../src/core/editor/indexingMessage';

describe('hover while indexing', () => {
  it('says how far indexing has got', () => {
    assert.match(indexingMessage({ done: 312, total: 854 }), /^SPDK Lens is indexing \(312\/854\)…/);
  });

  it('says it is indexing before the files are counted', () => {
    assert.match(indexingMessage(undefined), /^SPDK Lens is indexing… /);
    assert.match(indexingMessage({ done: 0, total: 0 }), /^SPDK Lens is indexing… /);
  });
});
