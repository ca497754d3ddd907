// A list of landmarks a book about SPDK names (test/spdk-landmarks.json: names and paths only), written into chapters
// and scored: which resolve, to the expected file or not, and whether drift cases get the right first suggestion.
import { readFileSync } from 'node:fs';
import { parseChapter } from '../../src/core/book/chapterParser';
import type { Chapter, ResolvedMention } from '../../src/core/book/chapterTypes';

export interface LandmarkList {
  /** Landmarks that exist in SPDK master, with the file (or folder) each must resolve to. */
  resolve: { text: string; kind: string; file: string; context?: string }[];
  /** Names that do not exist: each must stay unresolved; `suggest` is the right first suggestion for a drift case. */
  unresolved: { text: string; suggest?: string }[];
}

export function readLandmarkList(path: string): LandmarkList {
  const list = JSON.parse(readFileSync(path, 'utf8')) as LandmarkList;
  if (!Array.isArray(list.resolve) || !Array.isArray(list.unresolved)) throw new Error(`${path}: expected { resolve: [...], unresolved: [...] }`);
  return list;
}

/** The list spread over `count` chapters, about ten landmarks each (the list repeats when it is shorter), one per paragraph. */
export function landmarkChapters(list: LandmarkList, count: number, perChapter = 10): Chapter[] {
  const entries: { text: string; context?: string }[] = [...list.resolve, ...list.unresolved];
  const chapters: Chapter[] = [];
  for (let c = 0; c < count; c++) {
    const lines = [`# Chapter ${c}: landmarks`, ''];
    for (let k = 0; k < perChapter; k++) {
      const e = entries[(c * perChapter + k) % entries.length];
      lines.push(`${e.context ?? 'In SPDK, look at this landmark.'} It is \`${e.text}\`.`, '');
    }
    const number = String(c).padStart(2, '0');
    chapters.push(parseChapter(lines.join('\n'), { number, slug: 'landmarks', path: `/book/${number}-landmarks.md`, fileName: `${number}-landmarks.md` }));
  }
  return chapters;
}

/** Every entry of the list as one chapter each (so each is resolved in the context it was written with). */
export function everyLandmark(list: LandmarkList): Chapter[] {
  const total = list.resolve.length + list.unresolved.length;
  return landmarkChapters(list, Math.ceil(total / 10));
}

export interface LandmarkScore {
  exist: number;
  resolved: number;
  missing: number;
  stayedUnresolved: number;
  drift: number;
  rightFirst: number;
  wrong: string[];
  notResolved: string[];
  falselyResolved: string[];
  wrongSuggestion: string[];
}

export function scoreLandmarks(list: LandmarkList, mentions: ResolvedMention[]): LandmarkScore {
  const byText = new Map<string, ResolvedMention>();
  for (const m of mentions) if (!byText.has(m.text)) byText.set(m.text, m);
  const score: LandmarkScore = { exist: list.resolve.length, resolved: 0, missing: list.unresolved.length, stayedUnresolved: 0, drift: 0, rightFirst: 0, wrong: [], notResolved: [], falselyResolved: [], wrongSuggestion: [] };
  for (const e of list.resolve) {
    const m = byText.get(e.text);
    if (!m?.landmark) score.notResolved.push(`not resolved: ${e.text} (${m ? m.unresolved : 'not a mention'})`);
    else if (m.landmark.file !== e.file) score.wrong.push(`wrong: ${e.text} → ${m.landmark.file}:${m.landmark.line}, expected ${e.file}`);
    else score.resolved++;
  }
  for (const e of list.unresolved) {
    const m = byText.get(e.text);
    if (m?.landmark) score.falselyResolved.push(`resolved but does not exist: ${e.text} → ${m.landmark.file}:${m.landmark.line}`);
    else score.stayedUnresolved++;
    if (e.suggest === undefined) continue;
    score.drift++;
    const first = m?.suggestions?.[0]?.target;
    if (first === e.suggest) score.rightFirst++;
    else score.wrongSuggestion.push(`drift: ${e.text} → first suggestion ${first ?? 'none'}, expected ${e.suggest}`);
  }
  return score;
}
