// Reads a source file into text, deciding what to skip: too large, binary (NUL bytes), unreadable. Files that are not
// valid UTF-8 are decoded with replacement characters and reported, so their facts are not lost.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { IndexProblem } from '../model/indexTypes';

export const DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024;

export type SourceRead =
  | { ok: true; text: string; hash: string; problem?: IndexProblem }
  | { ok: false; problem: IndexProblem };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

export function hashText(bytes: Uint8Array | string): string {
  return createHash('sha1').update(bytes).digest('hex');
}

export function decodeSource(file: string, bytes: Uint8Array, maxFileBytes = DEFAULT_MAX_FILE_BYTES): SourceRead {
  if (bytes.length > maxFileBytes) return { ok: false, problem: tooLarge(file, bytes.length, maxFileBytes) };
  const probe = bytes.subarray(0, 8192);
  if (probe.includes(0)) return { ok: false, problem: { file, kind: 'binary', message: 'contains NUL bytes: not C source text; skipped' } };
  const hash = hashText(bytes);
  try {
    return { ok: true, text: strictUtf8.decode(bytes), hash };
  } catch {
    return {
      ok: true,
      text: lenientUtf8.decode(bytes),
      hash,
      problem: { file, kind: 'non_utf8', message: 'not valid UTF-8: indexed with replacement characters for the bad bytes' },
    };
  }
}

export async function readSource(path: string, file: string, maxFileBytes = DEFAULT_MAX_FILE_BYTES): Promise<SourceRead> {
  try {
    const stat = await fs.stat(path);
    if (stat.size > maxFileBytes) return { ok: false, problem: tooLarge(file, stat.size, maxFileBytes) };
    return decodeSource(file, await fs.readFile(path), maxFileBytes);
  } catch (error) {
    return { ok: false, problem: { file, kind: 'unreadable', message: (error as Error).message } };
  }
}

function tooLarge(file: string, size: number, max: number): IndexProblem {
  return { file, kind: 'too_large', message: `${(size / 1048576).toFixed(1)} MB is over the ${(max / 1048576).toFixed(1)} MB limit (spdkLens.maxFileSize); skipped` };
}
