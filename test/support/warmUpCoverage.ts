// Run in a fresh process (node --require tsx/cjs): which branches of each thread's share of a cold index does a tree take
// that the warm-up sample does not? Prints JSON: { shares: { parse: Gap[], facts: Gap[] } }.
//
// Block coverage starts before the index code is loaded, so every function of it is counted from its first call. The
// sample and then the tree's files go through the same two shares as in a cold index: the parse worker's (parse and
// query) and the indexer thread's (facts, then the linker). Coverage is taken after each share, which also resets it.
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

interface Block {
  url: string;
  functionName: string;
  start: number;
  end: number;
  count: number;
}

/** A branch the tree takes and the warm-up sample does not. */
export interface Gap {
  file: string;
  functionName: string;
  line: number;
  text: string;
  timesInTree: number;
}

function post<T>(session: Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))));
}

async function takeBlocks(session: Session): Promise<Block[]> {
  type Coverage = { result: { url: string; functions: { functionName: string; ranges: { startOffset: number; endOffset: number; count: number }[] }[] }[] };
  const { result } = await post<Coverage>(session, 'Profiler.takePreciseCoverage');
  const blocks: Block[] = [];
  for (const script of result) {
    if (!script.url.includes('/src/core/')) continue;
    for (const fn of script.functions) {
      for (const r of fn.ranges) blocks.push({ url: script.url, functionName: fn.functionName, start: r.startOffset, end: r.endOffset, count: r.count });
    }
  }
  return blocks;
}

/** Count of the innermost block holding `offset` (what V8 reports for that point of the code). */
function countAt(blocks: Block[], offset: number): number {
  let best: Block | undefined;
  for (const b of blocks) if (b.start <= offset && offset < b.end && (!best || b.end - b.start < best.end - best.start)) best = b;
  return best?.count ?? 0;
}

async function main(): Promise<void> {
  const [root, fileList] = process.argv.slice(2);
  const files: string[] = JSON.parse(readFileSync(fileList, 'utf8'));
  const session = new Session();
  session.connect();
  const sources = new Map<string, string>();
  session.on('Debugger.scriptParsed', (event) => {
    const { scriptId, url } = event.params as { scriptId: string; url: string };
    if (url.includes('/src/core/')) sources.set(url, scriptId);
  });
  await post(session, 'Debugger.enable');
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.startPreciseCoverage', { callCount: true, detailed: true });

  // Loaded only now (require, not import), so that coverage counts their functions from the start.
  const { FactExtractor, factsOfParsedFile } = require('../../src/core/index/factExtractor') as typeof import('../../src/core/index/factExtractor');
  const { IndexModel } = require('../../src/core/model/indexModel') as typeof import('../../src/core/model/indexModel');
  const { WARM_UP_SAMPLE } = require('../../src/core/index/warmUpSample') as typeof import('../../src/core/index/warmUpSample');
  const extractor = await FactExtractor.create(join(__dirname, '..', '..', 'grammars'));
  type Parsed = ReturnType<typeof extractor.parse>;
  const shares = async (inputs: { file: string; text: string }[]) => {
    await takeBlocks(session); // drop what loading counted
    const parsed: Parsed[] = inputs.map(({ file, text }) => extractor.parse(file, text));
    const parse = await takeBlocks(session);
    void new IndexModel(new Map(parsed.map((p) => [p.file, factsOfParsedFile(p)])));
    const facts = await takeBlocks(session);
    return { parse, facts };
  };
  // The sample first, as in a cold index: what is done once (compiling the query) is then done by the sample.
  const sample = await shares([...WARM_UP_SAMPLE]);
  const tree = await shares(files.map((file) => ({ file, text: readFileSync(join(root, file), 'utf8') })));

  const gapsOf = async (inTree: Block[], inSample: Block[]): Promise<Gap[]> => {
    const byUrl = new Map<string, Block[]>();
    for (const b of inSample) byUrl.set(b.url, [...(byUrl.get(b.url) ?? []), b]);
    const treeByUrl = new Map<string, Block[]>();
    for (const b of inTree) treeByUrl.set(b.url, [...(treeByUrl.get(b.url) ?? []), b]);
    const gaps: Gap[] = [];
    for (const b of inTree) {
      if (b.count === 0 || countAt(treeByUrl.get(b.url)!, b.start) === 0 || countAt(byUrl.get(b.url) ?? [], b.start) > 0) continue;
      const scriptId = sources.get(b.url);
      const source = scriptId ? (await post<{ scriptSource: string }>(session, 'Debugger.getScriptSource', { scriptId })).scriptSource : '';
      gaps.push({
        file: b.url.slice(b.url.indexOf('/src/core/') + 1),
        functionName: b.functionName,
        line: source.slice(0, b.start).split('\n').length,
        text: source.slice(b.start, Math.min(b.end, b.start + 100)).replace(/\s+/g, ' '),
        timesInTree: b.count,
      });
    }
    return gaps;
  };
  const result = { shares: { parse: await gapsOf(tree.parse, sample.parse), facts: await gapsOf(tree.facts, sample.facts) } };
  extractor.dispose();
  process.stdout.write(JSON.stringify(result));
}

main().catch((error: Error) => {
  process.stderr.write(error.stack ?? error.message);
  process.exitCode = 1;
});
