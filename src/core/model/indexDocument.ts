// The whole index as one JSON document (the CLI's --json output).
import { bdevModules } from '../labels/bdevModules';
import { functionKey } from '../labels/callbackEvidence';
import { functionLabels, signatureText } from '../labels/functionLabels';
import { typeOwnership } from '../labels/ownership';
import { rpcMethods } from '../labels/rpc';
import type { IndexModel } from './indexModel';
import { INDEX_SCHEMA, type FunctionLabels, type IndexDocument, type IndexProblem, type IndexStats } from './indexTypes';

export function indexDocument(model: IndexModel, root: string, stats: IndexStats, problems: IndexProblem[]): IndexDocument {
  const functions: FunctionLabels[] = [];
  for (const facts of model.files.values()) {
    for (const fn of facts.functions) {
      const labels = functionLabels(model, functionKey(facts.file, fn.name));
      if (!labels) continue;
      // #ifdef variants of one function share its labels, each at its own place.
      functions.push(labels.line === fn.line ? labels : { ...labels, line: fn.line, endLine: fn.endLine, signature: signatureText(fn.name, fn.returnType, fn.params) });
    }
  }
  return {
    schema: INDEX_SCHEMA,
    root,
    stats,
    functions,
    types: typeOwnership(model),
    rpcMethods: rpcMethods(model),
    bdevModules: bdevModules(model),
    problems,
  };
}
