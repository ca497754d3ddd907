// Reads a source file into text, deciding what to skip: too large, binary (NUL bytes), unreadable. Files that are not
// valid UTF-8 are decoded with replacement characters and reported, so their facts are not lost.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
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

function decodeSource(file: string, bytes: Uint8Array, maxFileBytes = DEFAULT_MAX_FILE_BYTES): SourceRead {
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

/** Reads synchronously: it runs in worker threads, where blocking costs nothing and async file IO costs ~1 ms a file. */
export function readSource(path: string, file: string, maxFileBytes = DEFAULT_MAX_FILE_BYTES): SourceRead {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    if (size > maxFileBytes) return { ok: false, problem: tooLarge(file, size, maxFileBytes) };
    const bytes = new Uint8Array(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return decodeSource(file, read === size ? bytes : bytes.subarray(0, read), maxFileBytes);
  } catch (error) {
    return { ok: false, problem: { file, kind: 'unreadable', message: (error as Error).message } };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function tooLarge(file: string, size: number, max: number): IndexProblem {
  return { file, kind: 'too_large', message: `${(size / 1048576).toFixed(1)} MB is over the ${(max / 1048576).toFixed(1)} MB limit (spdkLens.index.maxFileSizeMB); skipped` };
}
