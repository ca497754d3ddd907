// The path notes every rule reads, computed once per index generation: allocator wrappers first, then each file.
import type { FileFacts } from '../../facts/fileFacts';
import { isTestFile } from '../../labels/callbackFlow';
import type { IndexModel } from '../../model/indexModel';
import type { RuleContext } from '../checker';
import { takesOwnership } from '../ownershipFlow';
import { allocatorWrappers, pathNotesOf, type FunctionPathNotes, type Learnt } from '../pathNotes';

export interface NotedFunction {
  file: string;
  fn: string;
  notes: FunctionPathNotes;
}

/** The files the rules read: product code with functions (tests are not checked). */
export function checkedFiles(model: IndexModel): FileFacts[] {
  return model.memoize('check:productFiles', () => [...model.symbols.files.values()].filter((f) => !isTestFile(f.file) && f.functions.length > 0));
}

/** Path notes of the functions in the files the caller wants (every file with `everyFile`); test code left out. */
export function notedFunctions(context: RuleContext, everyFile = false): NotedFunction[] {
  const { model, env } = context;
  const product = checkedFiles(model);
  // An edit keeps the wrappers the last whole-tree check learnt: relearning them costs a pass over every file.
  const kept = context.only ? (env.cache?.get('check:wrappers') as Map<string, Learnt> | undefined) : undefined;
  const wrappers = kept ?? model.memoize('check:wrappers', () => allocatorWrappers(env, product, (p, file, resource) => takesOwnership(model, p.callee, p.arg, file, resource)));
  env.cache?.set('check:wrappers', wrappers);
  const out: NotedFunction[] = [];
  for (const facts of product) {
    if (!everyFile && !context.inFile(facts.file)) continue;
    for (const [fn, notes] of pathNotesOf(env, facts, wrappers)?.byFunction ?? []) out.push({ file: facts.file, fn, notes });
  }
  return out;
}
