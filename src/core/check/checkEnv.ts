// The CheckEnv the CLI and the editor hand the rules: the C grammar, and each file's text from the caller (an editor's
// unsaved buffer) or else from disk; with a cache folder, the path notes a previous check saved there.
import { join } from 'node:path';
import { readSource } from '../index/sourceText';
import { loadCGrammar } from '../parse/grammar';
import type { CheckEnv } from './checker';
import { PathNotesCache } from './notesCache';

export interface FileCheckEnv extends CheckEnv {
  cache: Map<string, unknown>;
  /** Saves the path notes for the next run (a no-op without a cache folder, or when nothing changed). */
  saveNotes(): void;
}

export async function fileCheckEnv(root: string, textOf?: (file: string) => string | undefined, cacheDir?: string | null): Promise<FileCheckEnv> {
  const grammar = await loadCGrammar();
  const fromDisk = (file: string) => {
    const read = readSource(join(root, ...file.split('/')), file);
    return read.ok ? read.text : undefined;
  };
  const notes = cacheDir ? new PathNotesCache(cacheDir, root) : undefined;
  const env: FileCheckEnv = {
    grammar,
    readText: (file) => textOf?.(file) ?? fromDisk(file),
    cache: new Map(),
    saveNotes: () => {
      try {
        notes?.save(env);
      } catch {
        // A cache that cannot be written only makes the next run slower.
      }
    },
  };
  notes?.load(env);
  return env;
}
