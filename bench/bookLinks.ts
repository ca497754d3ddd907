// npm run bench:book -- <SPDK_DIR> [landmarks.json]: how long resolving a 60-chapter book takes on a warm index, and
// how the landmark list of test/spdk-landmarks.json fares (resolved %, wrong resolutions, drift suggestions right first).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveMentions } from '../src/core/book/mentions';
import { indexTree } from '../src/core/index/indexer';
import { diskWorkspace, SymbolLocator } from '../src/core/tour/symbolLocator';
import { landmarkChapters, readLandmarkList, scoreLandmarks } from '../test/support/landmarkList';

const CHAPTERS = 60;

async function main(): Promise<void> {
  const root = process.argv[2] ? resolve(process.argv[2]) : process.env.SPDK_DIR;
  if (!root) throw new Error('usage: npm run bench:book -- <SPDK_DIR> [landmarks.json]');
  const list = readLandmarkList(process.argv[3] ?? join(__dirname, '..', 'test', 'spdk-landmarks.json'));
  const cacheDir = mkdtempSync(join(tmpdir(), 'spdk-lens-bench-book-'));
  const options = { root, cacheDir, workerScript: join(__dirname, '..', 'dist', 'worker.js'), grammarsDir: join(__dirname, '..', 'grammars') };
  await (await indexTree(options)).persisted;
  const warmStart = performance.now();
  const index = await indexTree(options);
  const warmMs = performance.now() - warmStart;

  const book = landmarkChapters(list, CHAPTERS);
  const mentions = book.reduce((n, c) => n + c.mentions.length, 0);
  // The index's RPC methods are worked out once per index (hovers and the graph ask for them too): not the book's cost.
  const rpcStart = performance.now();
  index.rpcMethods();
  const rpcMs = performance.now() - rpcStart;
  // CPU time beside wall time: on a machine shared with other jobs the wall clock says more about them than about us.
  const cpu = process.cpuUsage();
  const started = performance.now();
  const context = { locator: new SymbolLocator(index), workspace: diskWorkspace(index.root) };
  const locatorMs = performance.now() - started;
  const resolved = book.map((chapter) => resolveMentions(chapter, context));
  const totalMs = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  const cpuMs = (user + system) / 1000;
  const again = performance.now();
  for (const chapter of book) resolveMentions(chapter, context);
  const secondMs = performance.now() - again;

  const score = scoreLandmarks(list, resolved.flat());
  console.log(`warm index load: ${Math.round(warmMs)} ms; its RPC methods: ${Math.round(rpcMs)} ms`);
  console.log(`book of ${CHAPTERS} chapters, ${mentions} mentions: ${Math.round(totalMs)} ms wall, ${Math.round(cpuMs)} ms CPU to resolve (symbol locator ${Math.round(locatorMs)} ms wall, first tree walk and build-file reads included); again on the same context ${Math.round(secondMs)} ms`);
  console.log(`landmarks that exist: ${score.resolved}/${score.exist} resolve (${((100 * score.resolved) / score.exist).toFixed(1)} %), ${score.wrong.length} to the wrong file`);
  console.log(`landmarks that do not exist: ${score.stayedUnresolved}/${score.missing} stay unresolved; drift cases with the right first suggestion: ${score.rightFirst}/${score.drift}`);
  for (const line of [...score.wrong, ...score.notResolved, ...score.falselyResolved, ...score.wrongSuggestion]) console.log(`  ${line}`);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
