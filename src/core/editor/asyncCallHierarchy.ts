// Call hierarchy that follows SPDK's asynchronous edges: besides direct calls, a callback's incoming "calls" are the
// places that register it (as a message, a poller, a fn_table slot...), and a function's outgoing ones include the
// callbacks it hands off. Plain data; the host maps it to vscode.CallHierarchyItem.
import { CONTEXT_KINDS } from '../knowledge/contextKinds';
import { fileOfKey, functionKey, nameOfKey } from '../labels/callbackEvidence';
import { kindOfRegistration, kindOfSlot } from '../labels/execContext';
import type { IndexModel } from '../model/indexModel';

export interface HierarchyNode {
  /** `file#name` for functions; `file#<file scope>` for registrations outside any function. */
  key: string;
  name: string;
  file: string;
  line: number;
  endLine: number;
  kind: 'function' | 'file_scope';
  /** Shown beside the name: the async edge ("poller (async) via SPDK_POLLER_REGISTER"), or empty. */
  detail: string;
}

export interface HierarchyEdge {
  node: HierarchyNode;
  /** Lines (1-based, in the caller's file for incoming, in the function's own file for outgoing) of the calls. */
  lines: number[];
  async: boolean;
}

const FILE_SCOPE = '<file scope>';

function functionNode(model: IndexModel, key: string, detail = ''): HierarchyNode | undefined {
  const def = model.definitionOf(key);
  if (!def) return undefined;
  return { key, name: def.name, file: fileOfKey(key), line: def.line, endLine: def.endLine, kind: 'function', detail };
}

function scopeNode(model: IndexModel, file: string, inFunction: string, line: number, detail: string, variable?: string): HierarchyNode {
  if (inFunction) {
    const node = functionNode(model, functionKey(file, inFunction), detail);
    if (node) return node;
  }
  return { key: functionKey(file, variable ?? FILE_SCOPE), name: variable ?? `${file.slice(file.lastIndexOf('/') + 1)} (file scope)`, file, line, endLine: line, kind: 'file_scope', detail };
}

/** The sidebar cuts details at about twenty characters, so the kind of callback comes first, then how. */
function asyncDetail(kind: string, how: string): string {
  return `${kind} (async) ${how}`;
}

/** Adds `line` to the edge for `node`, creating it; edges stay grouped by (node, detail) like VS Code shows them. */
function addEdge(edges: Map<string, HierarchyEdge>, node: HierarchyNode, line: number, async: boolean): void {
  const id = `${node.key}|${node.detail}`;
  const edge = edges.get(id);
  if (edge) {
    if (!edge.lines.includes(line)) edge.lines.push(line);
  } else edges.set(id, { node, lines: [line], async });
}

export function hierarchyNode(model: IndexModel, key: string): HierarchyNode | undefined {
  return functionNode(model, key);
}

/** Who calls this function directly, and who registers it to be called later. */
export function incomingEdges(model: IndexModel, key: string): HierarchyEdge[] {
  const name = nameOfKey(key);
  const edges = new Map<string, HierarchyEdge>();
  for (const r of model.registrationsOf(key)) {
    const detail = asyncDetail(CONTEXT_KINDS[kindOfRegistration(model.symbols, r)].title, `via ${r.macro ?? r.api}`);
    addEdge(edges, scopeNode(model, r.file, r.in, r.line, detail), r.line, true);
  }
  for (const s of model.slotsOf(key)) {
    const detail = asyncDetail(CONTEXT_KINDS[kindOfSlot(s)].title, `in ${s.structName}.${s.field}`);
    addEdge(edges, scopeNode(model, s.file, s.in, s.line, detail, s.in ? undefined : s.variable), s.line, true);
  }
  for (const links of model.allLinks()) {
    const calls = links.callsByCallee.get(name);
    if (!calls) continue;
    if (model.resolve(name, links.file) !== key) continue;
    for (const call of calls) addEdge(edges, scopeNode(model, links.file, call.caller, call.line, ''), call.line, false);
  }
  return [...edges.values()].sort((a, b) => Number(b.async) - Number(a.async) || a.node.file.localeCompare(b.node.file) || a.node.line - b.node.line);
}

/** What this function calls directly (functions defined in the tree) and the callbacks it hands off. */
export function outgoingEdges(model: IndexModel, key: string): HierarchyEdge[] {
  const file = fileOfKey(key);
  const edges = new Map<string, HierarchyEdge>();
  for (const h of model.handoffsOf(key)) {
    const target = functionNode(model, h.targetKey);
    if (!target) continue;
    const detail =
      'api' in h
        ? asyncDetail(CONTEXT_KINDS[kindOfRegistration(model.symbols, h)].title, `via ${h.macro ?? h.api}`)
        : asyncDetail(CONTEXT_KINDS[kindOfSlot(h)].title, `in ${h.structName}.${h.field}`);
    addEdge(edges, { ...target, detail }, h.line, true);
  }
  for (const call of model.callsOf(key)) {
    const targetKey = model.resolve(call.callee, file);
    if (!targetKey) continue;
    const target = functionNode(model, targetKey);
    if (target) addEdge(edges, target, call.line, false);
  }
  return [...edges.values()].sort((a, b) => Number(b.async) - Number(a.async) || Math.min(...a.lines) - Math.min(...b.lines));
}
