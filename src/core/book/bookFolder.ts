// Finds a book's chapters (`<folder>/content/chapters/NN-name.md`, in number order) and reads one into a Chapter.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseChapter } from './chapterParser';
import type { Chapter, ChapterRef } from './chapterTypes';

export const CHAPTERS_FOLDER = 'content/chapters';
const CHAPTER_FILE = /^(\d+)-([\w.-]+)\.md$/;

export type BookListing = { ok: true; folder: string; chaptersFolder: string; chapters: ChapterRef[] } | { ok: false; error: string };

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The chapters of the book at `folder`; also accepts the chapters folder itself. Never throws. */
export function readBook(folder: string): BookListing {
  if (!isFolder(folder)) return { ok: false, error: `book folder ${folder} does not exist (spdkLens.book.path should name the folder that holds ${CHAPTERS_FOLDER}/)` };
  const nested = join(folder, CHAPTERS_FOLDER);
  const chaptersFolder = isFolder(nested) ? nested : folder;
  let names: string[];
  try {
    names = readdirSync(chaptersFolder);
  } catch (error) {
    return { ok: false, error: `cannot list ${chaptersFolder}: ${(error as Error).message}` };
  }
  const chapters = names
    .map((fileName) => ({ fileName, m: CHAPTER_FILE.exec(fileName) }))
    .filter((c): c is { fileName: string; m: RegExpExecArray } => c.m !== null)
    .map(({ fileName, m }) => ({ number: m[1], slug: m[2], path: join(chaptersFolder, fileName), fileName }))
    .sort((a, b) => Number(a.number) - Number(b.number) || a.fileName.localeCompare(b.fileName));
  if (chapters.length === 0) {
    const where = chaptersFolder === nested ? chaptersFolder : `${folder} (and it has no ${CHAPTERS_FOLDER}/ folder)`;
    return { ok: false, error: `no chapters in ${where}: expected markdown files named like 00-orientation.md` };
  }
  return { ok: true, folder, chaptersFolder, chapters };
}

export type ChapterReading = { ok: true; chapter: Chapter } | { ok: false; error: string };

export function readChapter(ref: ChapterRef): ChapterReading {
  let markdown: string;
  try {
    markdown = readFileSync(ref.path, 'utf8');
  } catch (error) {
    return { ok: false, error: `cannot read chapter ${ref.fileName}: ${(error as Error).message}` };
  }
  return { ok: true, chapter: parseChapter(markdown, ref) };
}

/** The label back links show: `00 · Orientation`. */
export function chapterLabel(chapter: Pick<Chapter, 'ref' | 'shortTitle'>): string {
  return `${chapter.ref.number} · ${chapter.shortTitle}`;
}
