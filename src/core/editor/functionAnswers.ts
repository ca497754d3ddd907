// The answers SPDK Lens gives about one function, built once: where it runs, what it works on and who owns that,
// whether its work is done on return, its IO roles and RPC replies. The hover, the CodeLens titles and the CLI's
// `explain` are three renderings of this list, so they cannot disagree.
import { CONTEXT_KINDS, SLOT_MEANINGS, type ContextKind } from '../knowledge/contextKinds';
import { CORE_HANDLES, IO_OBJECTS } from '../knowledge/spdkApis';
import { lifecycleAnswers } from './lifecycleAnswers';
import { FAILS_THE_IO } from '../labels/finishing';
import { valueText } from '../facts/fileFacts';
import type { IndexModel } from '../model/indexModel';
import type { CallEvidence, ContextEvidence, FinishStep, FunctionLabels, IoRole, RpcMethod, TypeLabels } from '../model/indexTypes';
import { baseTypeName } from '../parse/cText';
import { describeEvidence } from '../report/explain';
import { pushTo } from '../util/multiMap';

/** A place in the tree a reader can open: root-relative path, 1-based line. */
export interface SourceLink {
  label: string;
  file: string;
  line: number;
}

/** One CodeLens line: a short title and the places a click peeks. */
export interface LensTitle {
  title: string;
  locations: SourceLink[];
  tooltip: string;
}

export type Question = 'context' | 'object' | 'sync' | 'io' | 'finish' | 'release' | 'failure' | 'lifecycle' | 'rpc';

/** One answer: a bold lead, plain text (never markup), its evidence, and the CodeLens lines it contributes. */
export interface Answer {
  question: Question;
  title: string;
  text: string;
  links: SourceLink[];
  /** Evidence left out to keep the hover short. */
  more?: number;
  lenses: LensTitle[];
}

/** What the answers need of the index; the CodeLens path may have no facts loaded (a snapshot), hence `model?`. */
export interface AnswerSources {
  rpcMethods: RpcMethod[];
  typeOf(name: string): TypeLabels | undefined;
  model?: IndexModel;
}

const MAX_LINKS = 6;

/** Every answer about `fn`, most important first. */
export function functionAnswers(sources: AnswerSources, fn: FunctionLabels): Answer[] {
  const answers: Answer[] = [...contextAnswers(fn, sources.model)];
  const object = objectAnswer(sources, fn);
  if (object) answers.push(object);
  answers.push(syncAnswer(fn));
  const io = ioAnswer(fn);
  if (io) answers.push(io);
  const finish = stepsAnswer(fn, 'finish', 'Finishes', (fn.finishes ?? []).filter((s) => !s.onFailure));
  if (finish) answers.push(finish);
  const release = stepsAnswer(fn, 'release', 'Releases', (fn.releases ?? []).filter((s) => !s.onFailure));
  if (release) answers.push(release);
  const failure = failureAnswer(fn);
  if (failure) answers.push(failure);
  if (sources.model) answers.push(...lifecycleAnswers(sources.model, fn));
  answers.push(...rpcAnswers(fn, sources.rpcMethods));
  return answers;
}

/** The same label repeated (`spdk_bdev_io_complete` at six lines) becomes one link that says how many places. */
export function collapseLinks(links: SourceLink[]): { links: SourceLink[]; more?: number } {
  const byLabel = new Map<string, SourceLink[]>();
  for (const l of links) pushTo(byLabel, l.label, l);
  const unique = [...byLabel.values()].map((same) => {
    const places = new Set(same.map((l) => `${l.file}:${l.line}`));
    return places.size > 1 ? { ...same[0], label: `${same[0].label} (${places.size} places)` } : same[0];
  });
  return { links: unique.slice(0, MAX_LINKS), more: unique.length > MAX_LINKS ? unique.length - MAX_LINKS : undefined };
}

function contextAnswers(fn: FunctionLabels, model: IndexModel | undefined): Answer[] {
  const byKind = new Map<ContextKind, ContextEvidence[]>();
  for (const c of fn.contexts) pushTo(byKind, c.kind, c);
  const answers: Answer[] = [];
  for (const [kind, evidence] of byKind) {
    const info = CONTEXT_KINDS[kind];
    const links: SourceLink[] = [];
    let inferredText = '';
    for (const c of evidence) {
      if ('inferred' in c) inferredText = ` Inferred: only called from ${c.via.join(' → ')}.`;
      else {
        links.push({ label: describeEvidence(c), file: c.file, line: c.line });
        for (const step of c.flow ?? []) links.push({ label: step.note, file: step.file, line: step.line });
      }
    }
    const collapsed = collapseLinks(links);
    // A slot of SPDK's module tables has its own rules; the kind's text speaks of its busiest slot.
    const slots = [...new Set(evidence.flatMap((c) => ('slot' in c && SLOT_MEANINGS[c.slot] ? [c.slot] : [])))];
    const meaning = slots.length > 0 ? slots.map((s) => `${s.slice(s.lastIndexOf('.') + 1)}: ${SLOT_MEANINGS[s]}`).join(' ') : info.meaning;
    // Inferred only: a helper called from such code, not itself registered as one.
    const title = links.length === 0 && inferredText ? `Called directly, within ${info.title}` : `Runs as ${info.title}`;
    answers.push({ question: 'context', title, text: `${meaning}${inferredText}`, ...collapsed, lenses: [contextLens(kind, evidence, model)] });
  }
  const assertions = fn.threadAssertions ?? [];
  const asserted = assertions.filter((a) => a.kind === 'assert');
  if (asserted.length > 0) {
    const threads = [...new Set(asserted.map((a) => a.thread))];
    answers.push({
      question: 'context',
      title: 'Asserted thread',
      text: `SPDK's own asserts say it runs on ${threads.join(' and on ')}.`,
      ...collapseLinks(asserted.map((a) => ({ label: `assert: ${a.thread}`, file: fn.file, line: a.line }))),
      lenses: [],
    });
  }
  if (fn.starterThread && asserted.length === 0) {
    const a = fn.starterThread;
    answers.push({
      question: 'context',
      title: 'Thread',
      // Said of the function itself (a message sent to a named thread), or of the first of the chain that starts it.
      text: `${a.thread[0].toUpperCase()}${a.thread.slice(1)}: ${a.why}${a.direct ? '' : `, and this runs where that started it (${a.chain.join(' → ')})`}.`,
      links: [{ label: a.why, file: a.file, line: a.line }],
      lenses: [],
    });
  }
  if (fn.contexts.length === 0) {
    const tests = fn.testRegistrations ? ` (${fn.testRegistrations} registration${fn.testRegistrations === 1 ? '' : 's'} in test code left aside)` : '';
    answers.push({ question: 'context', title: 'Context', text: `Not registered as a callback anywhere in this tree: it runs in its callers' context${tests}.`, links: [], lenses: [] });
  }
  return answers;
}

/** The io_device (first argument) named at an spdk_io_device_register call, for "io_channel create · &g_devs". */
function ioDeviceOf(model: IndexModel | undefined, c: CallEvidence): string | undefined {
  if (!model || c.api !== 'spdk_io_device_register') return undefined;
  const call = model.linksOf(c.file)?.callsByCallee.get(c.api)?.find((k) => k.line === c.line);
  return valueText(call?.args[0]);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function contextLens(kind: ContextKind, evidence: ContextEvidence[], model: IndexModel | undefined): LensTitle {
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
    const wrappers = [...new Set(located.filter((c) => c.flow?.length && 'api' in c).map((c) => ('api' in c ? c.api : '')))];
    if (devices.length > 0) detail = devices.join(', ');
    else if (slots.length > 0 && slots.length === located.length) detail = slots.join(', ');
    else if (wrappers.length > 0) detail = `via ${wrappers.join(', ')}`;
    else detail = plural(located.length, 'registration');
  }
  return { title: `${info.title} · ${detail}`, locations, tooltip: info.meaning };
}

/** What the function works on, and who owns that: the struct, how the code shows it, and the struct's thread rule. */
function objectAnswer(sources: AnswerSources, fn: FunctionLabels): Answer | undefined {
  const objects = fn.objects ?? [];
  const phrases: string[] = [];
  const links: SourceLink[] = [];
  for (const o of objects.slice(0, 3)) {
    const owner = ownerOf(sources, o.type);
    phrases.push(`${o.type} (${o.how})${owner ? `: ${owner.text.replace(/\.+$/, '')}` : ''}`);
    links.push({ label: o.how, file: fn.file, line: o.line });
    if (owner?.link) links.push(owner.link);
  }
  const guards = (fn.threadAssertions ?? []).filter((a) => a.kind === 'guard');
  for (const g of guards) links.push({ label: `checks it is on ${g.thread}`, file: fn.file, line: g.line });
  // A channel handed in says where it runs: a channel is used only on the thread that got it.
  const channel = /struct spdk_io_channel \*(\w+)/.exec(fn.signature)?.[1];
  if (channel) phrases.push(`it is handed the io_channel ${channel}, so it runs on that channel's thread`);
  if (phrases.length === 0) return undefined;
  return { question: 'object', title: 'Works on', text: `${phrases.join('; ')}.`, ...collapseLinks(links), lenses: [] };
}

function ownerOf(sources: AnswerSources, type: string): { text: string; link?: SourceLink } | undefined {
  const labels = sources.typeOf(type);
  const handle = CORE_HANDLES.find((h) => h.type === baseTypeName(type));
  // Who frees a core handle the function only borrows (the JSON-RPC server frees the request), whatever else is known.
  const freed = handle?.freedBy && !labels?.summary.includes(handle.meaning) ? `; ${handle.freedBy}` : '';
  if (labels) return { text: `${labels.summary.replace(/\.+$/, '')}${freed}`, link: labels.file ? { label: `${labels.name} (${labels.ownership.replace(/_/g, ' ')})`, file: labels.file, line: labels.line } : undefined };
  return handle ? { text: `owned by ${handle.owner}${freed}` } : undefined;
}

function syncAnswer(fn: FunctionLabels): Answer {
  if (!fn.async) {
    const failing = fn.asyncOnFailure ?? [];
    if (failing.length === 0) {
      return { question: 'sync', title: 'Sync', text: 'Nothing it starts finishes after it returns: no deferred callback, message, poller or queued work (as far as this tree shows).', links: [], lenses: [] };
    }
    const more = failing.length > 1 ? ` (+${failing.length - 1} more)` : '';
    return {
      question: 'sync',
      title: 'Sync',
      text: `On its normal path, its work is done when it returns. Only where it handles a failure does part of it finish later: ${failing[0].text}${more}.`,
      ...collapseLinks(failing.map((r) => ({ label: `on failure: ${r.text.replace(/:.*$/, '')}`, file: fn.file, line: r.line }))),
      lenses: [],
    };
  }
  const reasons = fn.asyncReasons ?? [];
  const first = reasons[0];
  const also = reasons.length > 1 ? ` Also: ${reasons.slice(1, 3).map((r) => r.text).join('; ')}${reasons.length > 3 ? ` (+${reasons.length - 3} more)` : ''}.` : '';
  return {
    question: 'sync',
    title: 'Async',
    text: `${first ? first.text : 'part of its work runs later'}. Returning from it does not mean the work is done.${also}`,
    ...collapseLinks(reasons.map((r) => ({ label: r.text.replace(/:.*$/, ''), file: fn.file, line: r.line }))),
    lenses: fn.contexts.length === 0 && fn.handsOff.length > 0 ? [{ title: `async · hands off ${plural(fn.handsOff.length, 'callback')}`, locations: fn.handsOff.map((h) => ({ label: `${fn.file}:${h.line}`, file: fn.file, line: h.line })), tooltip: first?.text ?? '' }] : [],
  };
}

/** Steps of one kind (what it finishes, what it releases), most telling first. */
function stepsAnswer(fn: FunctionLabels, question: Question, title: string, steps: FinishStep[]): Answer | undefined {
  if (steps.length === 0) return undefined;
  const shown = steps.slice(0, 3).map((s) => `${s.text} (line ${s.line})`);
  const more = steps.length > 3 ? ` (+${steps.length - 3} more)` : '';
  return { question, title, text: `${shown.join('; ')}${more}.`, ...collapseLinks(steps.map((s) => ({ label: s.via, file: fn.file, line: s.line }))), lenses: [] };
}

/** What the function does where it handles a failure, grouped by the failure: `when rc == -ENOMEM (line 612): ...`. */
function failureAnswer(fn: FunctionLabels): Answer | undefined {
  const steps: FinishStep[] = [
    ...fn.ioRoles
      .filter((r) => r.onFailure && r.role !== 'must_free')
      .map((r) => ({ text: `${r.role} the ${ioTitle(r.object)}${r.arg ? ` ${r.arg}` : ''}${statusText(r.status)}${r.chain ? ` (through ${r.chain.join(' → ')})` : ''}`, via: r.via, line: r.line, when: r.when })),
    ...(fn.finishes ?? []).filter((s) => s.onFailure),
    ...(fn.releases ?? []).filter((s) => s.onFailure),
    ...(fn.asyncOnFailure ?? []).map((r) => ({ text: r.text, via: r.text.replace(/:.*$/, ''), line: r.line, when: r.when })),
  ].sort((a, b) => a.line - b.line);
  const unique = steps.filter((s, i) => steps.findIndex((x) => x.text === s.text && x.when === s.when) === i);
  if (unique.length === 0) return undefined;
  const groups = new Map<string, typeof unique>();
  for (const s of unique) pushTo(groups, s.when ?? '', s);
  const shown = [...groups].slice(0, 4).map(([when, list]) => `${whenText(when)} (line ${list[0].line}): ${list.slice(0, 3).map((s) => s.text).join('; ')}${list.length > 3 ? ` (+${list.length - 3} more)` : ''}`);
  const more = groups.size > 4 ? ` (+${groups.size - 4} more failure paths)` : '';
  return {
    question: 'failure',
    title: 'On failure',
    text: `${shown.join('. ')}${more}.`,
    ...collapseLinks(unique.map((s) => ({ label: `on failure: ${s.via}`, file: fn.file, line: s.line }))),
    lenses: [],
  };
}

/** `rc == -ENOMEM` → `when rc == -ENOMEM`; `err:` → `after err:`; an else or an unnamed failure block in words. */
function whenText(when: string): string {
  if (when === '') return 'where it handles a failure';
  if (when === 'else') return 'in the else branch of a failure test';
  if (when.endsWith(':')) return `after the ${when.slice(0, -1)} label`;
  if (when.startsWith('in ')) return `where ${when.slice(3)} handles a failure`;
  if (when === FAILS_THE_IO) return 'where it fails the IO';
  return `when ${when}`;
}

/** ` with NOMEM (...)`: what the status asks of the layer above. */
function statusText(status: string | undefined): string {
  if (!status || status === 'SUCCESS') return '';
  if (status === 'NOMEM') return ' with NOMEM (the bdev layer keeps it and submits it again once other IO completes)';
  return ` with ${status}`;
}

function ioTitle(object: string): string {
  return IO_OBJECTS.find((o) => o.object === object)?.title ?? object;
}

/**
 * ` bdev_io, the child IO whose completion this is` / ` raid_io, from cb_arg`: named when it tells which IO, in a
 * completion callback that frees the child IO it is handed and finishes the parent it was given as cb_arg.
 */
function ioArgument(fn: FunctionLabels, role: IoRole): string {
  if (!role.arg || !fn.ioRoles.some((r) => r.role === 'must_free')) return '';
  const param = fn.signature.includes(`*${role.arg})`) || fn.signature.includes(`*${role.arg},`);
  // It is a child only when the callback also finishes another IO, the parent.
  const finishesAnother = fn.ioRoles.some((r) => r.role === 'completes' && r.arg !== role.arg);
  if (param && role.object === 'bdev_io') return ` ${role.arg}, the ${finishesAnother ? 'child ' : ''}IO whose completion this is`;
  const fromCbArg = fn.objects?.[0]?.how.includes(' cast to ');
  return fromCbArg ? ` ${role.arg}, the parent IO it was handed as cb_arg` : ` ${role.arg}`;
}

function ioAnswer(fn: FunctionLabels): Answer | undefined {
  const roles = fn.ioRoles.filter((r) => !r.onFailure);
  if (roles.length === 0) return undefined;
  const phrases: string[] = [];
  const links: SourceLink[] = [];
  const lenses = new Map<string, LensTitle>();
  for (const role of roles) {
    const title = ioTitle(role.object);
    const through = role.chain ? `through ${role.chain.join(' → ')} → ${role.via}` : role.via;
    const phrase = role.role === 'must_free' ? `completion callback: receives a ${title} and must free it with spdk_bdev_free_io` : `${role.role} ${title}${ioArgument(fn, role)}${statusText(role.status)} (${through})`;
    if (!phrases.includes(phrase)) phrases.push(phrase);
    if (role.role !== 'must_free') links.push({ label: role.chain ? role.chain[0] : role.via, file: fn.file, line: role.line });
    const lensTitle = role.role === 'must_free' ? `must free ${role.object}` : `${role.role} ${role.object}`;
    let lens = lenses.get(lensTitle);
    if (!lens) {
      const tooltip =
        role.role === 'must_free'
          ? `Completion callback: it receives the ${role.object} and must release it (${role.via}).`
          : `Calls ${role.chain ? `${role.chain.join(" → ")} → ` : ""}${role.via}: this function ${role.role === 'completes' ? 'finishes' : 'releases'} the ${role.object}.`;
      lenses.set(lensTitle, (lens = { title: lensTitle, locations: [], tooltip }));
    }
    lens.locations.push({ label: `${fn.file}:${role.line}`, file: fn.file, line: role.line });
  }
  return { question: 'io', title: 'IO role', text: `${phrases.join('; ')}.`, ...collapseLinks(links), lenses: [...lenses.values()] };
}

function rpcAnswers(fn: FunctionLabels, methods: RpcMethod[]): Answer[] {
  return methods.filter((m) => fn.rpcMethods?.includes(m.method)).map((m) => rpcAnswer(m));
}

/** One RPC method's reply: when the client hears back, and whether that means the work is done. */
export function rpcAnswer(m: RpcMethod): Answer {
  const links: SourceLink[] = [{ label: `registered at ${m.file}:${m.line}`, file: m.file, line: m.line }];
  if (m.replyEvidence) links.push({ label: `reply via ${m.replyEvidence.fn}`, file: m.replyEvidence.file, line: m.replyEvidence.line });
  if (m.errorReply) links.push({ label: `error reply in ${m.errorReply.fn}`, file: m.errorReply.file, line: m.errorReply.line });
  const reply =
    m.reply === 'async'
      ? 'replies async: the handler returns first, the reply comes later from a callback, so a success reply is the real end of the work'
      : m.reply === 'sync'
        ? 'replies sync: the reply is sent before the handler returns'
        : 'no reply found in the handler or the callbacks it hands off';
  const params = m.params && m.params.length > 0 ? ` Params decoded: ${m.params.join(', ')}.` : '';
  const lensLocations = [{ label: `${m.file}:${m.line}`, file: m.file, line: m.line }];
  if (m.replyEvidence) lensLocations.push({ label: `${m.replyEvidence.file}:${m.replyEvidence.line}`, file: m.replyEvidence.file, line: m.replyEvidence.line });
  return {
    question: 'rpc',
    title: `RPC "${m.method}"`,
    text: `${reply}.${m.convergence ? ` Note: ${m.convergence}.` : ''}${params}`,
    links,
    lenses: [
      {
        title: `RPC ${m.method} · ${m.reply === 'none' ? 'no reply found' : `replies ${m.reply}`}`,
        locations: lensLocations,
        tooltip: m.reply === 'async' ? 'The handler returns before the work is done; the reply comes from a callback.' : 'JSON-RPC handler.',
      },
    ],
  };
}
