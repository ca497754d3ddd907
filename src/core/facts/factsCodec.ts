// A compact JSON form of FileFacts for the worker → indexer hop and the on-disk cache. Calls are most of a file's
// facts; written as arrays with their arguments as tagged strings they take a third of the space and parse three
// times faster than the object form, which is what warm starts pay for.
import { callSite, callValue, fieldStore, identValue, structPath, textValue, typedCallResult, type CallSite, type FieldStore, type FileFacts, type ValueSummary } from './fileFacts';

/** `name` (identifier), `"text` (string literal), `#type` (sizeof), `(callee` (call result), `~text` (anything else). */
export function encodeValue(v: ValueSummary): string {
  switch (v.kind) {
    case 'ident':
      return v.name;
    case 'string':
      return '"' + v.text;
    case 'sizeof':
      return '#' + v.text;
    case 'call':
      return '(' + v.callee;
    case 'other':
      return '~' + v.text;
  }
}

export function decodeValue(s: string): ValueSummary {
  switch (s.charCodeAt(0)) {
    case 34:
      return textValue('string', s.slice(1));
    case 35:
      return textValue('sizeof', s.slice(1));
    case 40:
      return callValue(s.slice(1));
    case 126:
      return textValue('other', s.slice(1));
    default:
      return identValue(s);
  }
}

type EncodedCall = [callee: string, line: number, caller: number, args: string[], calleeField?: string, guarded?: 1];
type EncodedStore = [rootType: string, fields: string[], field: string, position: number, value: string, line: number, caller: number, variable: string, base: string];

export interface EncodedFacts extends Omit<FileFacts, 'calls' | 'fieldStores'> {
  /** Caller names, referenced by index from calls and stores (-1: file scope). */
  callers: string[];
  calls: EncodedCall[];
  fieldStores: EncodedStore[];
}

export function encodeFacts(facts: FileFacts): EncodedFacts {
  const callers: string[] = [];
  const callerIndex = new Map<string, number>();
  const indexOf = (caller: string) => {
    if (!caller) return -1;
    let i = callerIndex.get(caller);
    if (i === undefined) {
      i = callers.length;
      callers.push(caller);
      callerIndex.set(caller, i);
    }
    return i;
  };
  const calls = facts.calls.map((c): EncodedCall => {
    const encoded: EncodedCall = [c.callee, c.line, indexOf(c.caller), c.args.map(encodeValue)];
    if (c.calleeField || c.guarded) encoded.push(c.calleeField ?? '');
    if (c.guarded) encoded.push(1);
    return encoded;
  });
  const fieldStores = facts.fieldStores.map(
    (s): EncodedStore => [s.target.rootType, s.target.fields, s.field, s.position ?? -1, encodeValue(s.value), s.line, indexOf(s.caller), s.variable ?? '', s.base ?? ''],
  );
  return { ...facts, callers, calls, fieldStores };
}

export function decodeFacts(encoded: EncodedFacts): FileFacts {
  const callers = encoded.callers;
  const callerAt = (i: number) => (i < 0 ? '' : callers[i]);
  const calls = encoded.calls.map(([callee, line, caller, args, calleeField, guarded]): CallSite => {
    return callSite(callee, calleeField || undefined, line, callerAt(caller), args.map(decodeValue), guarded === 1);
  });
  const fieldStores = encoded.fieldStores.map(([rootType, fields, field, position, value, line, caller, variable, base]): FieldStore => {
    return fieldStore(structPath(rootType, fields), field, position >= 0 ? position : undefined, decodeValue(value), line, callerAt(caller), variable || undefined, base || undefined);
  });
  // Made as extraction makes them, so the index reads one shape whichever way a file's facts came.
  const typedCallResults = encoded.typedCallResults.map((r) => typedCallResult(r.callee, r.type, r.line, r.caller, r.variable ?? ''));
  const { callers: _callers, ...rest } = encoded;
  void _callers;
  return { ...rest, calls, fieldStores, typedCallResults };
}
