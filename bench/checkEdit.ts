// npm run bench:check -- <SPDK_DIR>: the thread-rule checks on a warm index, as `spdk-lens check` and the editor run
// them: the whole tree (first run, then again), and an edit of a file (its re-index, then the check of that file alone,
// which is what the Problems panel waits for after the edit debounce).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileCheckEnv } from '../src/core/check/checkEnv';
import { checkWithSuppressions } from '../src/core/check/suppression';
import { FactExtractor } from '../src/core/index/factExtractor';
import { indexTree } from '../src/core/index/indexer';
import { percentile } from '../src/core/util/stats';

const EDITED = ['lib/bdev/bdev.c', 'lib/nvme/nvme_ctrlr.c', 'module/bdev/nvme/bdev_nvme.c', 'lib/blob/blobstore.c', 'module/bdev/passthru/vbdev_passthru.c'];
const EDITS_PER_FILE = 5;

async function main(): Promise<void> {
  const root = process.argv[2] ? resolve(process.argv[2]) : process.env.SPDK_DIR;
  if (!root) throw new Error('usage: npm run bench:check -- <SPDK_DIR>');
  const cacheDir = mkdtempSync(join(tmpdir(), 'spdk-lens-bench-check-'));
  const options = { root, cacheDir, workerScript: join(__dirname, '..', 'dist', 'worker.js'), grammarsDir: join(__dirname, '..', 'grammars') };
  await (await indexTree(options)).persisted;
  const index = await indexTree(options);
  const model = index.model;
  // Open documents are read from their buffers: here, the edited text of the one file being edited.
  const buffers = new Map<string, string>();
  const textOf = (file: string) => buffers.get(file);

  // Never checked: every candidate body is read with tree-sitter, and the notes are saved with the index cache.
  let started = performance.now();
  const cold = await fileCheckEnv(root, textOf, cacheDir);
  const first = checkWithSuppressions(model, cold);
  const firstMs = performance.now() - started;
  cold.saveNotes();
  // A later session (the CLI again, the editor reopened) on the warm index: the notes come from the cache.
  started = performance.now();
  const env = await fileCheckEnv(root, textOf, cacheDir);
  const warm = checkWithSuppressions(model, env);
  const warmMs = performance.now() - started;
  started = performance.now();
  checkWithSuppressions(model, env);
  const againMs = performance.now() - started;
  if (warm.findings.length !== first.findings.length) throw new Error(`cached notes changed the findings: ${first.findings.length} -> ${warm.findings.length}`);
  console.log(`whole tree (${model.files.size} files): ${first.findings.length} findings, ${first.suppressed} suppressed`);
  console.log(`  first check of a tree never checked ${Math.round(firstMs)} ms; on a warm index with its saved notes ${Math.round(warmMs)} ms; again in the same session ${Math.round(againMs)} ms`);

  const extractor = await FactExtractor.create();
  const reindex: number[] = [];
  const check: number[] = [];
  for (const file of EDITED) {
    if (!model.files.has(file)) continue;
    const text = readFileSync(join(root, file), 'utf8');
    for (let i = 0; i < EDITS_PER_FILE; i++) {
      // A line added inside the first function body: what typing in a function does.
      const brace = text.indexOf('\n{\n');
      const edited = brace < 0 ? `${text}\n/* edit ${i} */\n` : `${text.slice(0, brace + 3)}\t/* edit ${i} */\n${text.slice(brace + 3)}`;
      buffers.set(file, edited);
      started = performance.now();
      index.updateFile(extractor, file, edited, true);
      reindex.push(performance.now() - started);
      started = performance.now();
      checkWithSuppressions(model, env, { files: [file] });
      check.push(performance.now() - started);
    }
    buffers.delete(file);
  }
  extractor.dispose();
  const line = (name: string, list: number[]) => {
    const sorted = [...list].sort((a, b) => a - b);
    return `${name} p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p95 ${percentile(sorted, 0.95).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`;
  };
  console.log(`edits (${reindex.length}, in ${EDITED.join(', ')}): ${line('re-index', reindex)}; ${line('check of the file', check)}`);
  const total = reindex.map((r, i) => r + check[i]);
  console.log(`edit to diagnostics inside SPDK Lens (re-index + check): ${line('', total).trim()}`);
  const debounce = 100; // spdkLens.index.editDebounceMs's default
  console.log(`  with the ${debounce} ms edit debounce in front: ${line('', total.map((t) => t + debounce)).trim()}`);
  process.exit(0);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
