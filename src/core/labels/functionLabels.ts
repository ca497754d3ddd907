// Everything the index says about one function: contexts, IO roles, sync/async, RPC methods, hand-offs.
import type { Parameter } from '../facts/fileFacts';
import { IO_OBJECTS, LABEL_APIS } from '../knowledge/spdkApis';
import type { IndexModel } from '../model/indexModel';
import type { FunctionLabels, IoRole } from '../model/indexTypes';
import { fileOfKey, nameOfKey } from './callbackEvidence';
import { starterThreadOf } from './starterThread';
import { asyncReasons, failureConditionAt, reasonSentence } from './asyncWork';
import { carrierReleasesOf, finishesOf, handedReleasesOf, laterReleasesOf, ioRolesOf, releasesOf } from './finishing';
import { contextsOf, testRegistrationCount } from './execContext';
import { functionObjects, threadAssertions } from './functionObject';
import { rpcRegistrations } from './rpc';
import { pushTo } from '../util/multiMap';

export function signatureText(name: string, returnType: string, params: Parameter[]): string {
  const list = params.map((p) => (p.type.includes('(*)') ? p.type.replace('(*)', `(*${p.name})`) : `${p.type}${p.type.endsWith('*') ? '' : ' '}${p.name}`.trim()));
  return `${returnType}${returnType.endsWith('*') ? '' : ' '}${name}(${list.join(', ') || 'void'})`;
}

function methodsByHandler(model: IndexModel): Map<string, string[]> {
  return model.memoize('methodsByHandler', () => {
    const map = new Map<string, string[]>();
    for (const r of rpcRegistrations(model)) {
      if (r.handlerKey) pushTo(map, r.handlerKey, r.method);
    }
    return map;
  });
}

export function functionLabels(model: IndexModel, key: string): FunctionLabels | undefined {
  return model.memoize(`labels:${key}`, () => computeLabels(model, key));
}

function computeLabels(model: IndexModel, key: string): FunctionLabels | undefined {
  const fn = model.definitionOf(key);
  if (!fn) return undefined;
  const file = fileOfKey(key);
  const contexts = contextsOf(model, key);
  const apiCalls: FunctionLabels['apiCalls'] = [];
  for (const call of model.callsOf(key)) if (LABEL_APIS.test(call.callee)) apiCalls.push({ api: call.callee, line: call.line });
  const ioRoles: IoRole[] = [...ioRolesOf(model, key)];
  for (const io of IO_OBJECTS) {
    if (io.completionTypedef && contexts.some((c) => 'type' in c && c.type === io.completionTypedef)) {
      ioRoles.push({ object: io.object, role: 'must_free', via: io.completionTypedef, line: fn.line });
    }
  }
  const handsOff = model.handoffsOf(key).map((h) =>
    'api' in h ? { fn: h.targetName, api: h.api, line: h.line } : { fn: h.targetName, slot: `${h.structName}.${h.field}`, line: h.line },
  );
  const labels: FunctionLabels = {
    name: nameOfKey(key),
    file,
    line: fn.line,
    endLine: fn.endLine,
    static: fn.isStatic,
    signature: signatureText(fn.name, fn.returnType, fn.params),
    contexts,
    completesBdevIo: ioRoles.some((r) => r.object === 'bdev_io' && r.role === 'completes'),
    freesBdevIo: ioRoles.some((r) => r.object === 'bdev_io' && r.role === 'frees'),
    ioRoles,
    async: false,
    apiCalls,
    handsOff,
  };
  const reasons = asyncReasons(model, key);
  const normal = reasons.filter((r) => !r.onFailure);
  if (normal.length > 0) {
    labels.async = true;
    labels.asyncReason = `${reasonSentence(normal[0])} (line ${normal[0].line})`;
    // What a callee does inside a call that already hands over this function's own continuation is not repeated.
    const handOffLines = new Set(normal.filter((r) => r.rank < 3).map((r) => r.line));
    const shown = normal.filter((r, i) => i === 0 || r.rank !== 4 || !handOffLines.has(r.line));
    labels.asyncReasons = shown.slice(0, 8).map((r) => ({ text: reasonSentence(r), line: r.line }));
  }
  const failing = reasons.filter((r) => r.onFailure);
  if (failing.length > 0) {
    labels.asyncOnFailure = failing.slice(0, 4).map((r) => {
      // On this function's normal path, but where the helper it calls handles a failure.
      const when = failureConditionAt(model, key, r.line) ?? (r.via?.[0] ? `in ${r.via[0]}` : undefined);
      return { text: reasonSentence(r), line: r.line, ...(when && { when }) };
    });
  }
  const finishes = finishesOf(model, key);
  if (finishes.length > 0) labels.finishes = finishes.slice(0, 8);
  const releases = [...releasesOf(model, key), ...handedReleasesOf(model, key), ...carrierReleasesOf(model, key, contexts), ...laterReleasesOf(model, key)];
  if (releases.length > 0) labels.releases = releases.slice(0, 8);
  const starter = starterThreadOf(model, key);
  if (starter && (starter.chain.length > 1 || starter.direct)) labels.starterThread = starter;
  const objects = functionObjects(model, key);
  if (objects.length > 0) labels.objects = objects;
  const assertions = threadAssertions(model, key);
  if (assertions.length > 0) labels.threadAssertions = assertions;
  const fromTests = testRegistrationCount(model, key);
  if (fromTests > 0) labels.testRegistrations = fromTests;
  const methods = methodsByHandler(model).get(key);
  if (methods) labels.rpcMethods = methods;
  return labels;
}
