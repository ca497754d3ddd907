// The curated layer stays complete and in step with the code it names.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { BOOK_TOPICS, CONTEXT_BY_API_ARGUMENT, CONTEXT_BY_SLOT, CONTEXT_BY_TYPEDEF, CONTEXT_KINDS, SLOT_MEANINGS } from '../../src/core/knowledge/contextKinds';
import { CORE_HANDLES } from '../../src/core/knowledge/spdkApis';
import { indexTree } from '../../src/core/index/indexer';
import { GRAMMARS_DIR, WORKER_SCRIPT } from './helpers';

describe('curated knowledge', () => {
  it('explains every context kind in words, with a book topic', () => {
    for (const [kind, info] of Object.entries(CONTEXT_KINDS)) {
      assert.equal(info.kind, kind);
      assert.ok(info.title.length > 2 && info.meaning.length > 40, kind);
      assert.ok(BOOK_TOPICS[info.topic], `${kind}: unknown topic ${info.topic}`);
    }
    for (const kind of [...Object.values(CONTEXT_BY_TYPEDEF), ...Object.values(CONTEXT_BY_API_ARGUMENT), ...Object.values(CONTEXT_BY_SLOT)]) {
      assert.ok(CONTEXT_KINDS[kind], kind);
    }
  });

  const spdkDir = process.env.SPDK_DIR;
  (spdkDir && existsSync(`${spdkDir}/include/spdk/thread.h`) ? it : it.skip)('names only typedefs, structs and fields that exist in SPDK_DIR', async function () {
    this.timeout(120000);
    const index = await indexTree({ root: spdkDir!, cacheDir: null, workerScript: WORKER_SCRIPT, grammarsDir: GRAMMARS_DIR, exclude: ['test', 'dpdk', 'isa-l', 'ocf', 'intel-ipsec-mb', 'libvfio-user', 'xnvme', 'isa-l-crypto'] });
    const symbols = index.model.symbols;
    const missing: string[] = [];
    for (const name of Object.keys(CONTEXT_BY_TYPEDEF)) if (!symbols.callbackTypedef(name)) missing.push(`typedef ${name}`);
    for (const key of Object.keys(CONTEXT_BY_API_ARGUMENT)) {
      const [api, arg] = key.split('#');
      if (!symbols.parametersOf(api, 'include/spdk/')?.[Number(arg)]) missing.push(`api ${key}`);
    }
    for (const key of Object.keys(CONTEXT_BY_SLOT)) {
      const [struct, field] = key.split('.');
      if (!symbols.struct(struct, 'include/spdk/')) missing.push(struct);
      else if (field && !symbols.field(struct, field, 'include/spdk/')) missing.push(key);
    }
    for (const key of Object.keys(SLOT_MEANINGS)) {
      const [struct, field] = key.split('.');
      if (!symbols.field(struct, field, 'include/spdk/')) missing.push(`slot ${key}`);
    }
    for (const handle of CORE_HANDLES) if (!symbols.structs.has(handle.type)) missing.push(handle.type);
    assert.deepEqual(missing, []);
  });
});
