// CodeLens lines above a function definition: one short title per label, each with the locations it stands for.
import { CONTEXT_KINDS, type ContextKind } from '../knowledge/contextKinds';
import { IO_OBJECTS } from '../knowledge/spdkApis';
import type { SpdkIndex } from '../index/indexer';
import type { IndexModel } from '../model/indexModel';
import type { CallEvidence, ContextEvidence, FunctionLabels, RpcMethod } from '../model/indexTypes';
import { pushTo } from '../util/multiMap';
import type { SourceLink } from './explanation';

export interface LensTitle {
  title: string;
  /** Where the label comes from; a click peeks these. */
  locations: SourceLink[];
  tooltip: string;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The io_device (first argument) named at an spdk_io_device_register call, for "io_channel create · &g_devs". */
function ioDeviceOf(model: IndexModel | undefined, c: CallEvidence): string | undefined {
  if (!model || c.api !== 'spdk_io_device_register') return undefined;
  const call = model.linksOf(c.file)?.callsByCallee.get(c.api)?.find((k) => k.line === c.line);
  const first = call?.args[0];
  if (!first) return undefined;
  return first.kind === 'ident' ? first.name : first.kind === 'other' ? first.text : undefined;
}

function contextTitles(fn: FunctionLabels, model: IndexModel | undefined): LensTitle[] {
  const byKind = new Map<ContextKind, ContextEvidence[]>();
  for (const c of fn.contexts) pushTo(byKind, c.kind, c);
  const titles: LensTitle[] = [];
  for (const [kind, evidence] of byKind) {
    const info = CONTEXT_KINDS[kind];
    const located = evidence.filter((c): c is Exclude<ContextEvidence, { inferred: true }> => !('inferred' in c));
    const locations = located.map((c) => ({ label: `${c.file}:${c.line}`, file: c.file, line: c.line }));
    let detail: string;
    if (located.length === 0) {
      const inferred = evidence.find((c) => 'inferred' in c);
      detail = inferred && 'inferred' in inferred ? `inferred via ${inferred.via[0]}` : 'inferred';
    } else {
      const slots = [...new Set(located.filter((c) => 'slot' in c).map((c) => ('slot' in c ? c.slot.slice(c.slot.lastIndexOf('.') + 1) : '')))];
      const devices = [...new Set(located.map((c) => ('api' in c ? ioDeviceOf(model, c) : undefined)).filter((d): d is string => Boolean(d)))];
      if (devices.length > 0) detail = devices.join(', ');
      else if (slots.length > 0 && slots.length === located.length) detail = slots.join(', ');
      else detail = plural(located.length, 'registration');
    }
    titles.push({ title: `${info.title} · ${detail}`, locations, tooltip: info.meaning });
  }
  return titles;
}

function ioTitles(fn: FunctionLabels): LensTitle[] {
  const titles = new Map<string, LensTitle>();
  for (const role of fn.ioRoles) {
    const object = IO_OBJECTS.find((o) => o.object === role.object)?.object ?? role.object;
    const title = role.role === 'must_free' ? `must free ${object}` : `${role.role} ${object}`;
    let entry = titles.get(title);
    if (!entry) {
      const tooltip =
        role.role === 'must_free'
          ? `Completion callback: it receives the ${object} and must release it (${role.via}).`
          : `Calls ${role.via}: this function ${role.role === 'completes' ? 'finishes' : 'releases'} the ${object}.`;
      titles.set(title, (entry = { title, locations: [], tooltip }));
    }
    entry.locations.push({ label: `${fn.file}:${role.line}`, file: fn.file, line: role.line });
  }
  return [...titles.values()];
}

function rpcTitles(fn: FunctionLabels, methods: RpcMethod[]): LensTitle[] {
  return methods
    .filter((m) => fn.rpcMethods?.includes(m.method))
    .map((m) => {
      const locations = [{ label: `${m.file}:${m.line}`, file: m.file, line: m.line }];
      if (m.replyEvidence) locations.push({ label: `${m.replyEvidence.file}:${m.replyEvidence.line}`, file: m.replyEvidence.file, line: m.replyEvidence.line });
      const reply = m.reply === 'none' ? 'no reply found' : `replies ${m.reply}`;
      return { title: `RPC ${m.method} · ${reply}`, locations, tooltip: m.reply === 'async' ? 'The handler returns before the work is done; the reply comes from a callback.' : 'JSON-RPC handler.' };
    });
}

/** Every lens title for one function, in the hover's order: contexts, IO roles, RPC. Empty when nothing is known. */
export function codeLensTitles(fn: FunctionLabels, rpcMethods: RpcMethod[], model?: IndexModel): LensTitle[] {
  const titles = [...contextTitles(fn, model), ...ioTitles(fn), ...rpcTitles(fn, rpcMethods)];
  if (titles.length === 0 && fn.async && fn.handsOff.length > 0) {
    const locations = fn.handsOff.map((h) => ({ label: `${fn.file}:${h.line}`, file: fn.file, line: h.line }));
    titles.push({ title: `async · hands off ${plural(fn.handsOff.length, 'callback')}`, locations, tooltip: fn.asyncReason ?? '' });
  }
  return titles;
}

/** Every labelled function of a file with its lens titles, in line order: what the CodeLens provider shows. */
export function fileLensTitles(index: SpdkIndex, file: string): { fn: FunctionLabels; titles: LensTitle[] }[] {
  const rpc = index.rpcMethods();
  // Behind a snapshot the facts are not loaded; titles then go without the io_device name rather than load them.
  const model = index.answersFromSnapshot ? undefined : index.model;
  return index.functionsIn(file).map((fn) => ({ fn, titles: codeLensTitles(fn, rpc, model) })).filter((f) => f.titles.length > 0);
}
