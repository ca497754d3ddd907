// Plain-words explanation of what the index knows about a function or struct: the text a hover shows.
import type { CallEvidence, FunctionLabels, SlotEvidence, TypeLabels } from '../model/indexTypes';

/** One registration in a few words, without its location: "passed to spdk_poller_register_named via SPDK_POLLER_REGISTER as argument 0 (spdk_poller_fn) in f". */
export function describeEvidence(c: CallEvidence | SlotEvidence): string {
  if ('slot' in c) return `stored in ${c.slot}${c.variable ? ` of ${c.variable}` : ''}${c.in ? ` in ${c.in}` : ''}`;
  const via = c.macro ? ` via ${c.macro}` : '';
  const type = c.type ? ` (${c.type})` : '';
  return `passed to ${c.api}${via} as argument ${c.arg}${type}${c.in ? ` in ${c.in}` : ''}`;
}

/** The function's answers as plain text: what `spdk-lens explain` prints (the hover and CodeLens show the same list). */
export function explainFunction(fn: FunctionLabels, answers: { title: string; text: string; links: { label: string; file: string; line: number }[]; more?: number }[]): string {
  const lines: string[] = [`${fn.signature}`, `  defined at ${fn.file}:${fn.line}${fn.static ? ' (static)' : ''}`];
  for (const a of answers) {
    lines.push(`${a.title}: ${a.text}`);
    for (const l of a.links) lines.push(`    - ${l.label} at ${l.file}:${l.line}`);
    if (a.more) lines.push(`    (+${a.more} more)`);
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
