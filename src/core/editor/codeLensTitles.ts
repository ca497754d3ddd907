// CodeLens lines above a function definition: the short form of the function's answers (see functionAnswers).
import type { SpdkIndex } from '../index/indexer';
import type { IndexModel } from '../model/indexModel';
import type { FunctionLabels, RpcMethod, TypeLabels } from '../model/indexTypes';
import { functionAnswers, type LensTitle } from './functionAnswers';

export type { LensTitle } from './functionAnswers';

/** Every lens title for one function, in the hover's order: contexts, IO roles, RPC. Empty when nothing is known. */
export function codeLensTitles(fn: FunctionLabels, rpcMethods: RpcMethod[], model?: IndexModel, typeOf: (name: string) => TypeLabels | undefined = () => undefined): LensTitle[] {
  return functionAnswers({ rpcMethods, model, typeOf }, fn).flatMap((a) => a.lenses);
}

/** Every labelled function of a file with its lens titles, in line order: what the CodeLens provider shows. */
export function fileLensTitles(index: SpdkIndex, file: string): { fn: FunctionLabels; titles: LensTitle[] }[] {
  const rpc = index.rpcMethods();
  // Behind a snapshot the facts are not loaded; titles then go without the io_device name rather than load them.
  const model = index.answersFromSnapshot ? undefined : index.model;
  return index.functionsIn(file).map((fn) => ({ fn, titles: codeLensTitles(fn, rpc, model, (t) => index.type(t)) })).filter((f) => f.titles.length > 0);
}
