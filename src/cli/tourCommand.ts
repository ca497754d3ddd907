// `spdk-lens tour validate` and `spdk-lens book links`: check a tour's anchors or a book's landmark mentions against
// a checkout, so a book's CI learns which landmarks a new SPDK release broke.
import { promises as fs } from 'node:fs';
import { basename, resolve } from 'node:path';
import { readBook, readChapter } from '../core/book/bookFolder';
import { addHistory } from '../core/book/gitHistory';
import type { ResolvedMention } from '../core/book/chapterTypes';
import { resolveMentions } from '../core/book/mentions';
import { defaultCacheDir } from '../core/index/factCache';
import { indexTree } from '../core/index/indexer';
import { resolveTour, type ResolveContext } from '../core/tour/anchorResolver';
import { findBuiltinTour } from '../core/tour/builtinTour';
import { readTourText } from '../core/tour/codeTour';
import { diskWorkspace, SymbolLocator } from '../core/tour/symbolLocator';
import { parseCliArgs, UsageError } from './cliArgs';

export const TOUR_USAGE = `  spdk-lens tour validate <root> [tour files...] [--json] [--cache <dir> | --no-cache]
  spdk-lens book links <root> <book-folder> [--json] [--no-git] [--cache <dir> | --no-cache]`;

/** One line of `tour validate --json`: the step, the symbol it anchors to, where it resolved, or why not. */
export interface StepReport {
  tour: string;
  title: string;
  symbol: string | null;
  file: string | null;
  line: number | null;
  via: string | null;
  error: string | null;
}

interface TourCliOptions {
  positional: string[];
  json: boolean;
  /** `book links`: ask git when an unresolved landmark went away (when the root is a git work tree). */
  git: boolean;
  cacheDir: string | null;
}

function parseTourArgs(argv: string[]): TourCliOptions {
  const { values, positionals } = parseCliArgs(argv, { json: { type: 'boolean' }, 'no-git': { type: 'boolean' }, cache: { type: 'string' }, 'no-cache': { type: 'boolean' } }, true);
  const cacheDir = values['no-cache'] ? null : values.cache !== undefined ? resolve(values.cache) : defaultCacheDir();
  return { positional: positionals, json: values.json ?? false, git: !values['no-git'], cacheDir };
}

async function openContext(root: string, cacheDir: string | null): Promise<ResolveContext> {
  const stat = await fs.stat(root).catch(() => undefined);
  if (!stat?.isDirectory()) throw new UsageError(`${root} is not a folder`);
  const index = await indexTree({ root, cacheDir });
  await index.persisted;
  return { locator: new SymbolLocator(index), workspace: diskWorkspace(index.root) };
}

/** Runs `tour ...` or `book ...` (argv after the command word); returns the exit code. */
export async function runTourCommand(command: 'tour' | 'book', argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const options = parseTourArgs(rest);
  if (command === 'tour') {
    if (sub !== 'validate') throw new UsageError(sub ? `unknown tour command ${sub}` : 'tour needs a command (validate)');
    const [root, ...tourFiles] = options.positional;
    if (!root) throw new UsageError('tour validate needs a root folder');
    return validateTours(resolve(root), tourFiles, options);
  }
  if (sub !== 'links') throw new UsageError(sub ? `unknown book command ${sub}` : 'book needs a command (links)');
  const [root, folder] = options.positional;
  if (!root || !folder) throw new UsageError('book links needs <root> <book-folder>');
  return bookLinks(resolve(root), resolve(folder), options);
}

async function validateTours(root: string, tourFiles: string[], options: TourCliOptions): Promise<number> {
  const files = tourFiles.length > 0 ? tourFiles : [findBuiltinTour()];
  if (files[0] === undefined) throw new Error('the built-in tour (media/tours/spdk-landmarks.tour.json) is missing from this install');
  const context = await openContext(root, options.cacheDir);
  const steps: StepReport[] = [];
  const problems: { tour: string; message: string }[] = [];
  for (const file of files as string[]) {
    const name = basename(file);
    const text = await fs.readFile(file, 'utf8').catch((error: Error) => {
      problems.push({ tour: name, message: `error: cannot read ${file}: ${error.message}` });
      return undefined;
    });
    if (text === undefined) continue;
    const parsed = readTourText(text, context);
    for (const p of parsed.problems) problems.push({ tour: name, message: `${p.severity}: ${p.message}` });
    if (!parsed.tour) continue;
    for (const step of resolveTour(parsed.tour, context)) {
      steps.push({
        tour: name,
        title: step.title,
        symbol: step.anchor.symbol ?? null,
        file: step.location?.file ?? null,
        line: step.location?.line ?? null,
        via: step.location?.via ?? null,
        error: step.error ?? null,
      });
    }
  }
  const broken = steps.filter((s) => s.error !== null);
  const failed = broken.length > 0 || problems.some((p) => p.message.startsWith('error'));
  if (options.json) console.log(JSON.stringify({ steps, problems }, null, 1));
  else {
    for (const p of problems) console.log(`${p.tour}: ${p.message}`);
    steps.forEach((s, i) => {
      const where = s.error ? `BROKEN: ${s.error}` : `${s.file}:${s.line}${s.via !== 'symbol' ? ` (by ${s.via})` : ''}`;
      console.log(`${String(i + 1).padStart(3)}. ${s.title} [${s.symbol ?? 'file'}] → ${where}`);
    });
    const resolved = steps.length - broken.length;
    console.log(`${resolved}/${steps.length} steps resolve${steps.length ? ` (${Math.round((100 * resolved) / steps.length)}%)` : ''}`);
  }
  return failed ? 1 : 0;
}

/** A mention as `book links --json` lists it: plain words that named nothing are left out. */
function landmarkMentions(mentions: ResolvedMention[]): ResolvedMention[] {
  return mentions.filter((m) => !m.ignored);
}

/** `moved`, `renamed` or `removed` when the first suggestion says so, else `missing`. */
function driftWord(m: ResolvedMention): 'moved' | 'renamed' | 'removed' | 'missing' {
  const why = m.suggestions?.[0]?.why ?? '';
  for (const word of ['moved', 'renamed', 'removed'] as const) if (why.startsWith(word)) return word;
  return 'missing';
}

async function bookLinks(root: string, folder: string, options: TourCliOptions): Promise<number> {
  const book = readBook(folder);
  if (!book.ok) throw new Error(book.error);
  const context = await openContext(root, options.cacheDir);
  const chapters: { chapter: string; title: string; mentions: ResolvedMention[] }[] = [];
  for (const ref of book.chapters) {
    const chapter = readChapter(ref);
    if (!chapter.ok) throw new Error(chapter.error);
    chapters.push({ chapter: ref.number, title: chapter.chapter.title, mentions: landmarkMentions(resolveMentions(chapter.chapter, context)) });
  }
  if (options.git) await addHistory(root, chapters.flatMap((c) => c.mentions));
  // Absolute paths point outside the tree on purpose: reported, but not a broken landmark.
  const broken = chapters.reduce((n, c) => n + c.mentions.filter((m) => !m.landmark && !m.external).length, 0);
  if (options.json) console.log(JSON.stringify({ chapters }, null, 1));
  else {
    let total = 0;
    let resolved = 0;
    for (const c of chapters) {
      const ok = c.mentions.filter((m) => m.landmark).length;
      const outside = c.mentions.filter((m) => m.external);
      const drifted = c.mentions.filter((m) => !m.landmark && !m.external);
      const counts = { moved: 0, renamed: 0, removed: 0, missing: 0 };
      for (const m of drifted) counts[driftWord(m)]++;
      total += c.mentions.length;
      resolved += ok;
      const parts = [`${ok} resolved`, ...Object.entries(counts).filter(([, n]) => n > 0).map(([word, n]) => `${n} ${word}`), ...(outside.length > 0 ? [`${outside.length} outside the tree`] : [])];
      console.log(`${c.chapter} · ${c.title}: ${parts.join(', ')}`);
      for (const m of drifted) {
        const suggestions = (m.suggestions ?? []).map((s) => `${s.target}${s.target === s.file ? '' : ` (${s.file}:${s.line})`} [${s.why}]`);
        console.log(`  line ${m.line}: ${m.text} · ${driftWord(m)}${suggestions.length > 0 ? ` → ${suggestions.join('; ')}` : `: ${m.unresolved}`}`);
      }
    }
    console.log(`${resolved}/${total} landmarks resolve${broken > 0 ? `; ${broken} do not` : ''}`);
  }
  return broken > 0 ? 1 : 0;
}
