// "What happens on hot-remove, reset, -ENOMEM, shutdown?" for one function: the paths it starts or is on, each as the
// shortest chain from its root with the hops marked, for the hover, the CodeLens and `explain` (via functionAnswers).
import { functionKey } from '../labels/callbackEvidence';
import { HOP_TITLES, lifecyclePath, pathLabelsOf, pathRoots, type PathStep } from '../labels/lifecyclePaths';
import type { IndexModel } from '../model/indexModel';
import type { FunctionLabels } from '../model/indexTypes';
import type { Answer, SourceLink } from './functionAnswers';

/** Past this many steps the chain keeps its first and last ones. */
const MAX_CHAIN = 7;

function chainText(chain: PathStep[]): string {
  const shown = chain.length > MAX_CHAIN ? [...chain.slice(0, 2), undefined, ...chain.slice(-(MAX_CHAIN - 3))] : chain;
  return shown.map((s) => (!s ? '…' : s.hop === 'root' || s.hop === 'direct' ? s.fn : `(${HOP_TITLES[s.hop]}) ${s.fn}`)).join(' → ');
}

export function lifecycleAnswers(model: IndexModel, fn: FunctionLabels): Answer[] {
  const key = functionKey(fn.file, fn.name);
  const answers: Answer[] = [];
  for (const root of pathRoots(model).filter((r) => r.key === key)) {
    const path = lifecyclePath(model, root);
    const ends = path.steps.filter((s) => !s.key).map((s) => s.fn);
    const reaches = [...new Set(ends)].slice(0, 5);
    const of = root.module ? ` of ${root.module}` : '';
    answers.push({
      question: 'lifecycle',
      title: `Starts the ${root.kind} path${of}`,
      text: `${root.why}. ${path.steps.length - 1} steps follow${reaches.length > 0 ? `, down to ${reaches.join(', ')}` : ''}${path.truncated ? ' (cut short)' : ''}. The whole path: spdk-lens path, or "Show Lifecycle Paths" in the editor.`,
      links: [{ label: root.why, file: root.evidence.file, line: root.evidence.line }],
      lenses: [{ title: `${root.kind} path root`, locations: [{ label: `${root.evidence.file}:${root.evidence.line}`, file: root.evidence.file, line: root.evidence.line }], tooltip: root.why }],
    });
  }
  for (const label of pathLabelsOf(model, key)) {
    if (label.chain.length < 2) continue;
    const of = label.root.module ? ` of ${label.root.module}` : '';
    const links: SourceLink[] = label.chain.map((s) => (s.hop === 'root' ? { label: `root: ${label.root.why}`, file: label.root.evidence.file, line: label.root.evidence.line } : { label: `${HOP_TITLES[s.hop]}: ${s.via?.note ?? s.fn}`, file: s.via?.file ?? s.file, line: s.via?.line ?? s.line }));
    const text = chainText(label.chain);
    answers.push({
      question: 'lifecycle',
      title: `On the ${label.kind} path${of}`,
      text: `${text}. It runs as ${label.chain.at(-1)!.context || 'its caller does'}, on ${label.chain.at(-1)!.thread}.`,
      links: links.slice(0, 6),
      more: links.length > 6 ? links.length - 6 : undefined,
      lenses: [{ title: `on ${label.kind} path`, locations: links.map((l) => ({ label: `${l.file}:${l.line}`, file: l.file, line: l.line })), tooltip: text }],
    });
  }
  return answers;
}
