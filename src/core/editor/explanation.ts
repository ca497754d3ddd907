// What a hover says, as plain data: sections of text plus the source locations that back them. The host turns it
// into Markdown (escaping every string that came from a file); tests read it directly.
import { BOOK_TOPICS, CONTEXT_BY_TYPEDEF, CONTEXT_KINDS, type BookTopic, type ContextKind } from '../knowledge/contextKinds';
import { CORE_HANDLES, IO_OBJECTS } from '../knowledge/spdkApis';
import type { Parameter } from '../facts/fileFacts';
import type { SpdkIndex } from '../index/indexer';
import { functionKey } from '../labels/callbackEvidence';
import { kindOfRegistration } from '../labels/execContext';
import { signatureText } from '../labels/functionLabels';
import type { ContextEvidence, FunctionLabels, RpcMethod, TypeLabels } from '../model/indexTypes';
import { baseTypeName } from '../parse/cText';
import { pushTo } from '../util/multiMap';
import { describeEvidence } from '../report/explain';
import { declaredTypeOf } from './symbolAtCursor';

/** A place in the tree a reader can open: root-relative path, 1-based line. */
export interface SourceLink {
  label: string;
  file: string;
  line: number;
}

export interface ExplanationSection {
  /** Bold lead of the section: "Runs as poller", "Thread ownership". */
  title: string;
  /** Plain text (never markup). */
  text: string;
  links: SourceLink[];
  /** Evidence left out to keep the hover short. */
  more?: number;
}

export interface Explanation {
  /** What is explained: a function, an API, a type, a variable, an RPC method. */
  subject: 'function' | 'api' | 'type' | 'variable' | 'rpc_method';
  name: string;
  signature?: string;
  doc?: string;
  definition?: SourceLink;
  sections: ExplanationSection[];
  /** Book topics for "Read more", most relevant first. */
  topics: { topic: BookTopic; title: string; chapter: string }[];
  /** Paragraphs of the configured book that mention this code ("Book: 00 · Orientation"). */
  bookLinks?: BookParagraphLink[];
}

export interface BookParagraphLink {
  /** `Book: 00 · Orientation`. */
  label: string;
  section?: string;
  chapterPath: string;
  block: number;
}

const MAX_LINKS_PER_SECTION = 6;

function topicsOf(kinds: Iterable<BookTopic>): Explanation['topics'] {
  return [...new Set(kinds)].map((topic) => ({ topic, ...BOOK_TOPICS[topic] }));
}

function locationLabel(file: string, line: number): string {
  return `${file}:${line}`;
}

/** Context sections: one per kind, with its meaning and the registrations that prove it. */
function contextSections(contexts: ContextEvidence[]): ExplanationSection[] {
  const byKind = new Map<ContextKind, ContextEvidence[]>();
  for (const c of contexts) pushTo(byKind, c.kind, c);
  const sections: ExplanationSection[] = [];
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
    sections.push({
      title: `Runs as ${info.title}`,
      text: `${info.meaning}${inferredText}`,
      links: links.slice(0, MAX_LINKS_PER_SECTION),
      more: links.length > MAX_LINKS_PER_SECTION ? links.length - MAX_LINKS_PER_SECTION : undefined,
    });
  }
  return sections;
}

function ioSection(fn: FunctionLabels): ExplanationSection | undefined {
  if (fn.ioRoles.length === 0) return undefined;
  const phrases: string[] = [];
  const links: SourceLink[] = [];
  const seen = new Set<string>();
  for (const role of fn.ioRoles) {
    const title = IO_OBJECTS.find((o) => o.object === role.object)?.title ?? role.object;
    const phrase =
      role.role === 'must_free'
        ? `completion callback: receives a ${title} and must free it with spdk_bdev_free_io`
        : `${role.role} ${title} (${role.via})`;
    if (!seen.has(phrase)) {
      seen.add(phrase);
      phrases.push(phrase);
    }
    if (role.role !== 'must_free') links.push({ label: `${role.via}`, file: fn.file, line: role.line });
  }
  return { title: 'IO role', text: `${phrases.join('; ')}.`, links: links.slice(0, MAX_LINKS_PER_SECTION), more: links.length > MAX_LINKS_PER_SECTION ? links.length - MAX_LINKS_PER_SECTION : undefined };
}

function syncSection(fn: FunctionLabels): ExplanationSection {
  return fn.async
    ? { title: 'Async', text: `${fn.asyncReason ?? 'part of its work runs later'}. Returning from it does not mean the work is done.`, links: [] }
    : { title: 'Sync', text: 'Nothing it starts finishes after it returns: no deferred callback, message, poller or queued work (as far as this tree shows).', links: [] };
}

function rpcSections(methods: RpcMethod[]): ExplanationSection[] {
  return methods.map((m) => {
    const links: SourceLink[] = [{ label: `registered at ${locationLabel(m.file, m.line)}`, file: m.file, line: m.line }];
    if (m.replyEvidence) links.push({ label: `reply via ${m.replyEvidence.fn}`, file: m.replyEvidence.file, line: m.replyEvidence.line });
    const reply =
      m.reply === 'async'
        ? 'replies async: the handler returns first, the reply comes later from a callback, so a success reply is the real end of the work'
        : m.reply === 'sync'
          ? 'replies sync: the reply is sent before the handler returns'
          : 'no reply found in the handler or the callbacks it hands off';
    const params = m.params && m.params.length > 0 ? ` Params decoded: ${m.params.join(', ')}.` : '';
    return { title: `RPC "${m.method}"`, text: `${reply}.${params}`, links };
  });
}

/** Thread rules for the struct types a function receives: a parameter's type tells where the function may run. */
function parameterOwnershipSection(index: SpdkIndex, params: Parameter[]): ExplanationSection | undefined {
  const lines: string[] = [];
  const links: SourceLink[] = [];
  for (const p of params) {
    const type = baseTypeName(p.type);
    const labels = typeLabelsOf(index, type);
    if (labels) {
      lines.push(`${p.name}: ${labels.summary}`);
      if (labels.file) links.push({ label: labels.name, file: labels.file, line: labels.line });
      continue;
    }
    const handle = CORE_HANDLES.find((h) => h.type === type);
    if (handle) lines.push(`${p.name} (${handle.type}): owned by ${handle.owner}.`);
  }
  if (lines.length === 0) return undefined;
  return { title: 'Thread ownership', text: lines.join(' '), links };
}

function typeLabelsOf(index: SpdkIndex, type: string): TypeLabels | undefined {
  if (!type) return undefined;
  return index.type(type) ?? (type.startsWith('struct ') ? undefined : index.type(`struct ${type}`));
}

/** For an API that takes callbacks: what each callback it receives turns into (runs later, in which context). */
function callbackParameterSection(index: SpdkIndex, api: string, params: Parameter[]): ExplanationSection | undefined {
  const symbols = index.model.symbols;
  const phrases: string[] = [];
  const kinds: ContextKind[] = [];
  params.forEach((p, arg) => {
    if (!symbols.isFunctionType(p.type)) return;
    const kind = kindOfRegistration(symbols, { api, arg, type: p.type });
    kinds.push(kind);
    const info = CONTEXT_KINDS[kind];
    phrases.push(`${p.name || `argument ${arg}`} (${p.type}) runs later as ${info.title}: ${info.meaning}`);
  });
  if (phrases.length === 0) return undefined;
  return {
    title: 'Callbacks passed to it',
    text: `${phrases.join(' ')} The call itself only submits the work and returns.`,
    links: [],
  };
}

/** The definition the editor means by `name` when it is written in `fromFile`: same file first, then the nearest. */
export function pickDefinition(index: SpdkIndex, name: string, fromFile: string): FunctionLabels | undefined {
  const all = index.functionsNamed(name);
  if (all.length <= 1) return all[0];
  const sameFile = all.find((f) => f.file === fromFile);
  if (sameFile) return sameFile;
  const resolvedKey = index.model.resolve(name, fromFile);
  return all.find((f) => functionKey(f.file, f.name) === resolvedKey) ?? all[0];
}

/** A function (defined in the tree) or an API (only declared, or both). Undefined when the name is neither. */
export function explainCallable(index: SpdkIndex, name: string, fromFile: string): Explanation | undefined {
  const fn = pickDefinition(index, name, fromFile);
  const symbols = index.model.symbols;
  const prototype = symbols.prototypes.get(name);
  if (!fn && !prototype) return undefined;
  const header = prototype?.find((p) => p.file.startsWith('include/')) ?? prototype?.[0];
  const definitionParams = fn ? index.model.definitionOf(functionKey(fn.file, fn.name))?.params : undefined;
  const params = header?.item.params ?? definitionParams ?? [];
  const isApi = Boolean(header && header.file.startsWith('include/'));
  const explanation: Explanation = {
    subject: isApi ? 'api' : 'function',
    name,
    signature: fn?.signature ?? (header ? signatureText(name, header.item.returnType, header.item.params) : undefined),
    doc: symbols.docOf(name, fromFile),
    definition: fn ? { label: locationLabel(fn.file, fn.line), file: fn.file, line: fn.line } : header ? { label: locationLabel(header.file, header.item.line), file: header.file, line: header.item.line } : undefined,
    sections: [],
    topics: [],
  };
  const topics: BookTopic[] = [];
  if (fn) {
    explanation.sections.push(...contextSections(fn.contexts));
    for (const c of fn.contexts) topics.push(CONTEXT_KINDS[c.kind].topic);
    if (fn.contexts.length === 0 && !isApi) {
      explanation.sections.push({ title: 'Context', text: "Not registered as a callback anywhere in this tree: it runs in its callers' context.", links: [] });
    }
  }
  const callbacks = isApi ? callbackParameterSection(index, name, params) : undefined;
  if (callbacks) {
    explanation.sections.push(callbacks);
    params.forEach((p, arg) => {
      if (symbols.isFunctionType(p.type)) topics.push(CONTEXT_KINDS[kindOfRegistration(symbols, { api: name, arg, type: p.type })].topic);
    });
  }
  const ownership = parameterOwnershipSection(index, definitionParams ?? params);
  if (ownership) explanation.sections.push(ownership);
  if (fn) {
    const io = ioSection(fn);
    if (io) {
      explanation.sections.push(io);
      topics.push('bdev-io');
    }
    explanation.sections.push(syncSection(fn));
    const methods = fn.rpcMethods ? index.rpcMethods().filter((m) => fn.rpcMethods!.includes(m.method)) : [];
    explanation.sections.push(...rpcSections(methods));
    if (methods.length > 0) topics.push('jsonrpc');
  } else if (!callbacks) {
    explanation.sections.push({ title: 'Sync', text: 'Declared here without a callback parameter: it finishes its work before returning.', links: [] });
  }
  explanation.topics = topicsOf(topics);
  return explanation;
}

export function explainStructType(index: SpdkIndex, name: string, fromFile: string): Explanation | undefined {
  const struct = index.model.symbols.struct(name, fromFile);
  const labels = index.type(name);
  const handle = CORE_HANDLES.find((h) => h.type === name);
  if (!struct && !labels && !handle) return undefined;
  const sections: ExplanationSection[] = [];
  const topics: BookTopic[] = [];
  if (labels) {
    sections.push({
      title: `Thread ownership (${labels.ownership.replace(/_/g, ' ')})`,
      text: labels.summary,
      links: labels.evidence.slice(0, MAX_LINKS_PER_SECTION).map((e) => ({ label: e.note, file: e.file, line: e.line })),
      more: labels.evidence.length > MAX_LINKS_PER_SECTION ? labels.evidence.length - MAX_LINKS_PER_SECTION : undefined,
    });
    topics.push(labels.ownership === 'io_channel_ctx' ? 'runtime-channels' : 'runtime-threads');
  }
  if (handle && !labels) {
    sections.push({ title: `Owned by ${handle.owner}`, text: handle.meaning, links: [] });
    topics.push(handle.topic);
  }
  if (!labels && !handle) sections.push({ title: 'Thread ownership', text: 'Nothing known: no io_channel registration, owner thread field or global instance found.', links: [] });
  const callbackFields = struct?.item.fields.filter((f) => f.isFunctionPointer).map((f) => f.name) ?? [];
  if (callbackFields.length > 0) {
    sections.push({ title: 'Callback slots', text: `${callbackFields.slice(0, 12).join(', ')}${callbackFields.length > 12 ? ` (+${callbackFields.length - 12} more)` : ''}: functions stored here run when the owner calls them.`, links: [] });
  }
  return {
    subject: 'type',
    name,
    doc: struct?.item.doc,
    definition: struct?.file ? { label: locationLabel(struct.file, struct.item.line), file: struct.file, line: struct.item.line } : undefined,
    sections,
    topics: topicsOf(topics),
  };
}

/** A variable or field whose declared type is known: its type's ownership, under the variable's name. */
export function explainVariable(index: SpdkIndex, variable: string, declaredType: string, fromFile: string): Explanation | undefined {
  const typeName = baseTypeName(declaredType);
  const structName = typeName.startsWith('struct ') || typeName.startsWith('union ') ? typeName : `struct ${typeName}`;
  const typeExplanation = explainStructType(index, typeName, fromFile) ?? (structName !== typeName ? explainStructType(index, structName, fromFile) : undefined);
  if (!typeExplanation) return undefined;
  if (!index.type(typeExplanation.name) && !CORE_HANDLES.some((h) => h.type === typeExplanation.name)) return undefined;
  return { ...typeExplanation, subject: 'variable', name: variable, signature: `${declaredType.trim()} ${variable}`, doc: undefined };
}

export function explainRpcMethod(index: SpdkIndex, method: string): Explanation | undefined {
  const m = index.rpcMethods().find((r) => r.method === method);
  return m ? describeRpcMethod(m) : undefined;
}

/** The hover of one RPC method: its handler, reply mode and decoded params. */
export function describeRpcMethod(m: RpcMethod): Explanation {
  const handlerFile = m.handlerFile ?? m.file;
  const handlerLine = m.handlerLine ?? m.line;
  const sections = rpcSections([m]);
  sections.unshift({ title: 'Handler', text: `${m.handler} runs on the app thread when a client calls "${m.method}".`, links: [{ label: `${m.handler}`, file: handlerFile, line: handlerLine }] });
  return {
    subject: 'rpc_method',
    name: m.method,
    definition: { label: locationLabel(handlerFile, handlerLine), file: handlerFile, line: handlerLine },
    sections,
    topics: topicsOf(['jsonrpc']),
  };
}

/** The struct a declared type names, as the symbol table knows it (`spdk_foo_t` typedefs of anonymous structs too). */
function structNameOfType(index: SpdkIndex, type: string, fromFile: string): string | undefined {
  const base = baseTypeName(type);
  if (!base) return undefined;
  const symbols = index.model.symbols;
  if (symbols.struct(base, fromFile)) return base;
  if (!base.includes(' ') && symbols.struct(`struct ${base}`, fromFile)) return `struct ${base}`;
  return undefined;
}

/**
 * Declared type of a variable or of a field reached through it (`ch->bdev->desc`): the first name from the scope's
 * declarations (or a global), each next one from its struct's fields.
 */
export function typeOfAccess(index: SpdkIndex, path: string[], scopeText: string, fromFile: string): string | undefined {
  const [first, ...rest] = path;
  let type = declaredTypeOf(scopeText, first) ?? index.model.symbols.global(first, fromFile)?.item.type;
  for (const name of rest) {
    if (!type) return undefined;
    const struct = structNameOfType(index, type, fromFile);
    type = struct ? index.model.symbols.field(struct, name, fromFile)?.type : undefined;
  }
  return type;
}

/** A callback typedef (`spdk_msg_fn`, `spdk_bdev_io_completion_cb`): what a function of this type is for. */
export function explainCallbackTypedef(index: SpdkIndex, name: string): Explanation | undefined {
  const typedef = index.model.symbols.callbackTypedef(name);
  if (!typedef) return undefined;
  const kind = CONTEXT_BY_TYPEDEF[name];
  const sections: ExplanationSection[] = kind
    ? [{ title: `Functions of this type run as ${CONTEXT_KINDS[kind].title}`, text: CONTEXT_KINDS[kind].meaning, links: [] }]
    : [{ title: 'Callback type', text: 'A function of this type is handed to an API and called later, not by the code that passes it.', links: [] }];
  return {
    subject: 'type',
    name,
    signature: `typedef ${signatureText(`(*${name})`, typedef.item.returnType, typedef.item.params)}`,
    doc: typedef.item.doc,
    definition: { label: locationLabel(typedef.file, typedef.item.line), file: typedef.file, line: typedef.item.line },
    sections,
    topics: topicsOf(kind ? [CONTEXT_KINDS[kind].topic] : []),
  };
}
