// Scores SPDK Lens's answers against a hand-checked set (test/data/spdk-answers.json): people read each function of
// SPDK master first and wrote what it runs as and whether its work is done on return; this compares the index.
import type { SpdkIndex } from '../../src/core/index/indexer';
import { isGenericKind } from '../../src/core/labels/callbackFlow';
import type { FunctionLabels } from '../../src/core/model/indexTypes';
import type { ContextKind } from '../../src/core/knowledge/contextKinds';

export interface HandCheckedPlace {
  file: string;
  function: string;
  context: string[];
  sync: 'sync' | 'async';
}

export type Verdict = 'right' | 'wrong' | 'silent';

export interface PlaceScore {
  place: string;
  context: Verdict;
  sync: Verdict;
  said: { context: string; sync: string };
  expected: { context: string[]; sync: string };
}

/** The kind a reader takes from the labels: the first one that says where code runs, else "called directly". */
export function primaryContext(fn: FunctionLabels): string {
  const informative = fn.contexts.map((c) => c.kind).filter((k: ContextKind) => !isGenericKind(k));
  if (informative.length > 0) {
    const direct = fn.contexts.find((c) => !('inferred' in c) && !isGenericKind(c.kind));
    return direct ? direct.kind : `called_directly>${informative[0]}`;
  }
  return fn.contexts.length > 0 ? fn.contexts[0].kind : 'called_directly';
}

export function scorePlaces(index: SpdkIndex, places: HandCheckedPlace[]): PlaceScore[] {
  return places.map((p) => {
    const fn = index.functionsNamed(p.function).find((f) => f.file === p.file);
    const place = `${p.file}:${p.function}`;
    if (!fn) return { place, context: 'silent', sync: 'silent', said: { context: 'not found', sync: 'not found' }, expected: { context: p.context, sync: p.sync } };
    const said = primaryContext(fn);
    const [kind, inherited] = said.split('>');
    let context: Verdict;
    if (isGenericKind(kind as ContextKind)) context = p.context.includes(kind) ? 'right' : 'silent';
    else if (kind === 'called_directly') context = p.context[0] === 'called_directly' && (!inherited || p.context.includes(inherited)) ? 'right' : inherited ? 'wrong' : 'silent';
    else context = p.context.includes(kind) ? 'right' : 'wrong';
    const sync = fn.async ? 'async' : 'sync';
    return { place, context, sync: sync === p.sync ? 'right' : 'wrong', said: { context: said, sync: `${sync}${fn.asyncReason ? `: ${fn.asyncReason}` : ''}` }, expected: { context: p.context, sync: p.sync } };
  });
}

export function tally(scores: PlaceScore[], question: 'context' | 'sync'): Record<Verdict, number> {
  const out: Record<Verdict, number> = { right: 0, wrong: 0, silent: 0 };
  for (const s of scores) out[s[question]]++;
  return out;
}
