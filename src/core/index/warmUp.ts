// Runs the warm-up sample (warmUpSample.ts) through each thread's share of a cold index before the real files, so V8
// optimises every function of that share once, for all the branches and object shapes SPDK gives it.
import { internFactStrings, StringInterner } from '../facts/factStrings';
import type { FileFacts } from '../facts/fileFacts';
import { IndexModel } from '../model/indexModel';
import { factsOfParsedFile, type FactExtractor, type ParsedFile } from './factExtractor';
import { WARM_UP_SAMPLE } from './warmUpSample';

/** A parse worker's share: the sample parsed and queried; the results go on to the indexer's thread. */
export function parseWarmUpSample(extractor: FactExtractor): ParsedFile[] {
  return WARM_UP_SAMPLE.map(({ file, text }) => extractor.parse(file, text));
}

/** A whole-file worker's share: the sample extracted, and the facts dropped. */
export function extractWarmUpSample(extractor: FactExtractor): void {
  for (const { file, text } of WARM_UP_SAMPLE) extractor.extract(file, text);
}

/** The indexer's share: facts out of what a parse worker parsed (interned, as the indexer keeps them), then the linker over them; nothing is kept. */
export function completeWarmUpSample(parsed: ParsedFile[]): void {
  const files = new Map<string, FileFacts>();
  const strings = new StringInterner();
  // Twice: the second pass finds every name already interned and swaps it for the first pass's string, as facts of
  // later files do in a real index. V8 then sees each fact field written twice before it optimises (a field written
  // once is assumed constant, and every function built on that was thrown away when a repeated name first came).
  for (const p of parsed) internFactStrings(factsOfParsedFile(p), strings);
  for (const p of parsed) files.set(p.file, internFactStrings(factsOfParsedFile(p), strings));
  void new IndexModel(files);
}
