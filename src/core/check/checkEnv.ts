// The CheckEnv the CLI and the editor hand the rules: the C grammar, and each file's text from the caller (an editor's
// unsaved buffer) or else from disk.
import { join } from 'node:path';
import { readSource } from '../index/sourceText';
import { loadCGrammar } from '../parse/grammar';
import type { CheckEnv } from './checker';

export async function fileCheckEnv(root: string, textOf?: (file: string) => string | undefined): Promise<CheckEnv> {
  const grammar = await loadCGrammar();
  const fromDisk = (file: string) => {
    const read = readSource(join(root, ...file.split('/')), file);
    return read.ok ? read.text : undefined;
  };
  return { grammar, readText: (file) => textOf?.(file) ?? fromDisk(file), cache: new Map() };
}
