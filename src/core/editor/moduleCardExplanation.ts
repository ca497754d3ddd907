// The hover of a bdev module's variable (`struct spdk_bdev_module passthru_if = {...}`): its lifecycle card, one
// section per phase, each function with its place.
import type { SpdkIndex } from '../index/indexer';
import { BOOK_TOPICS } from '../knowledge/contextKinds';
import { lifecycleCards } from '../labels/lifecycleCards';
import { LIFECYCLE_PHASES } from '../labels/lifecyclePaths';
import type { Explanation, ExplanationSection } from './explanation';

const PHASE_TITLES: Record<(typeof LIFECYCLE_PHASES)[number], string> = {
  init: 'Init',
  'create-rpc': 'Created by RPC',
  examine: 'Examine',
  submit: 'Submit',
  reset: 'Reset',
  'hot-remove': 'Hot-remove',
  destruct: 'Destruct',
  fini: 'Fini',
};

/** Undefined unless `name` is a bdev module's variable defined in `file` (or the only one of that name). */
export function explainBdevModule(index: SpdkIndex, name: string, file: string): Explanation | undefined {
  const cards = lifecycleCards(index.model).filter((c) => c.variable === name);
  const card = cards.find((c) => c.file === file) ?? (cards.length === 1 ? cards[0] : undefined);
  if (!card) return undefined;
  const sections: ExplanationSection[] = [];
  for (const phase of LIFECYCLE_PHASES) {
    const entries = card.entries.filter((e) => e.phase === phase);
    if (entries.length === 0) continue;
    sections.push({
      title: PHASE_TITLES[phase],
      text: entries.map((e) => `${e.fn} (${e.note})`).join('; '),
      links: entries.slice(0, 6).map((e) => ({ label: `${e.fn} at ${e.file}:${e.line}`, file: e.file, line: e.line })),
      more: entries.length > 6 ? entries.length - 6 : undefined,
    });
  }
  if (card.missing.length > 0) sections.push({ title: 'Not in its code', text: `${card.missing.map((p) => PHASE_TITLES[p].toLowerCase()).join(', ')}.`, links: [] });
  return {
    subject: 'variable',
    name,
    signature: `struct spdk_bdev_module ${name}: bdev module "${card.module}"${card.virtual ? ' (virtual)' : ''}`,
    definition: { label: `${card.file}:${card.line}`, file: card.file, line: card.line },
    sections,
    topics: [{ topic: 'bdev-modules', ...BOOK_TOPICS['bdev-modules'] }],
  };
}
