// Plain-words explanation of what the index knows about a function or struct: the text a hover shows.
import { CONTEXT_KINDS, type ContextKind } from '../knowledge/contextKinds';
import { IO_OBJECTS } from '../knowledge/spdkApis';
import type { CallEvidence, ContextEvidence, FunctionLabels, RpcMethod, SlotEvidence, TypeLabels } from '../model/indexTypes';

/** One registration in a few words, without its location: "passed to spdk_poller_register_named via SPDK_POLLER_REGISTER as argument 0 (spdk_poller_fn) in f". */
export function describeEvidence(c: CallEvidence | SlotEvidence): string {
  if ('slot' in c) return `stored in ${c.slot}${c.variable ? ` of ${c.variable}` : ''}${c.in ? ` in ${c.in}` : ''}`;
  const via = c.macro ? ` via ${c.macro}` : '';
  const type = c.type ? ` (${c.type})` : '';
  return `passed to ${c.api}${via} as argument ${c.arg}${type}${c.in ? ` in ${c.in}` : ''}`;
}

export function describeContext(c: ContextEvidence): string {
  const title = CONTEXT_KINDS[c.kind].title;
  if ('inferred' in c) return `${title} (inferred: only called from ${c.via.join(' → ')})`;
  const flow = c.flow?.length ? `; then ${c.flow.map((s) => `${s.note} (${s.file}:${s.line})`).join('; ')}` : '';
  return `${title}: ${describeEvidence(c)} at ${c.file}:${c.line}${flow}`;
}

function uniqueKinds(contexts: ContextEvidence[]): ContextKind[] {
  return [...new Set(contexts.map((c) => c.kind))];
}

export function explainFunction(fn: FunctionLabels, rpc: RpcMethod[] = []): string {
  const lines: string[] = [];
  lines.push(`${fn.signature}`);
  lines.push(`  defined at ${fn.file}:${fn.line}${fn.static ? ' (static)' : ''}`);
  if (fn.contexts.length === 0) lines.push('Execution context: not registered as a callback anywhere in this tree; runs in its callers\' context.');
  else {
    lines.push('Execution context:');
    for (const kind of uniqueKinds(fn.contexts)) lines.push(`  ${CONTEXT_KINDS[kind].title}: ${CONTEXT_KINDS[kind].meaning}`);
    lines.push('  Evidence:');
    for (const c of fn.contexts.slice(0, 12)) lines.push(`    - ${describeContext(c)}`);
    if (fn.contexts.length > 12) lines.push(`    (+${fn.contexts.length - 12} more)`);
  }
  if (fn.ioRoles.length > 0) {
    lines.push('IO roles:');
    const seen = new Set<string>();
    for (const role of fn.ioRoles) {
      const key = `${role.object}:${role.role}:${role.via}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const title = IO_OBJECTS.find((o) => o.object === role.object)?.title ?? role.object;
      const lines_ = fn.ioRoles.filter((r) => `${r.object}:${r.role}:${r.via}` === key).map((r) => r.line);
      if (role.role === 'must_free') lines.push(`  - completion callback: receives a ${title} and must release it (spdk_bdev_free_io)`);
      else lines.push(`  - ${role.role} ${title} with ${role.via} (line${lines_.length > 1 ? 's' : ''} ${lines_.join(', ')})`);
    }
  }
  lines.push(fn.async ? `Sync/async: async — ${fn.asyncReason}` : 'Sync/async: synchronous as far as this tree shows (nothing it starts finishes after it returns).');
  for (const r of fn.asyncReasons?.slice(1) ?? []) lines.push(`  also: ${r.text} (line ${r.line})`);
  for (const m of rpc) {
    lines.push(`RPC: handles "${m.method}", replies ${m.reply}${m.replyEvidence ? ` (${m.replyEvidence.fn} at ${m.replyEvidence.file}:${m.replyEvidence.line})` : ''}`);
    if (m.reply === 'async') lines.push('  The handler returns before the work is done: a success reply comes from a callback, later.');
  }
  if (fn.handsOff.length > 0) {
    lines.push('Hands off:');
    for (const h of fn.handsOff.slice(0, 10)) lines.push(`  - ${h.fn} ${h.api ? `to ${h.api}` : `into ${h.slot}`} (line ${h.line})`);
  }
  return lines.join('\n');
}

export function explainType(name: string, labels: TypeLabels | undefined): string {
  if (!labels) return `${name}\nThread ownership: nothing known (no io_channel registration, owner thread field or global instance found).`;
  const lines = [`${labels.name}`, `  defined at ${labels.file}:${labels.line}`, `Thread ownership (${labels.ownership}): ${labels.summary}`];
  if (labels.evidence.length > 0) {
    lines.push('  Evidence:');
    for (const e of labels.evidence.slice(0, 10)) lines.push(`    - ${e.note} at ${e.file}:${e.line}`);
  }
  return lines.join('\n');
}
