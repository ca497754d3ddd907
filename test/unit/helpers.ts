// Shared test helpers: the fixture tree, and one index of it built the way the product builds it (worker threads).
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { indexTree, type SpdkIndex } from '../../src/core/index/indexer';

export const REPO_ROOT = join(__dirname, '..', '..');
export const SAMPLE_ROOT = join(REPO_ROOT, 'test', 'fixtures', 'sample-spdk');
export const GRAMMARS_DIR = join(REPO_ROOT, 'grammars');
export const WORKER_SCRIPT = join(REPO_ROOT, 'dist', 'worker.js');

let sampleIndex: Promise<SpdkIndex> | undefined;

/** The fixture tree indexed once per test run, with no cache. */
export function indexSample(): Promise<SpdkIndex> {
  sampleIndex ??= indexTree({ root: SAMPLE_ROOT, cacheDir: null, workerScript: WORKER_SCRIPT, grammarsDir: GRAMMARS_DIR });
  return sampleIndex;
}

/** A writable copy of the fixture tree in a fresh temp folder. */
export function copySample(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spdk-lens-test-'));
  cpSync(SAMPLE_ROOT, dir, { recursive: true });
  return dir;
}

/** Every .ts file under `dir`. */
export function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.[ch]$/.test(name)) out.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  return out;
}

export interface Annotation {
  file: string;
  /** 1-based line the annotation describes: the nearest line above it that is not an annotation. */
  line: number;
  kind: string;
  fields: Record<string, string>;
  text: string;
}

const EXPECT = /\/\* @expect (\w+)((?:\s+\w+=[^*]*?)*)\s*\*\//;

/** Every `/* @expect kind key=value ... *\/` comment in the tree; values run to the next ` key=`. */
export function readAnnotations(root: string): Annotation[] {
  const annotations: Annotation[] = [];
  for (const file of sourceFiles(root)) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    let described = 0; // 1-based number of the last line that is not an annotation
    lines.forEach((text, index) => {
      const m = EXPECT.exec(text);
      if (!m) {
        described = index + 1;
        return;
      }
      const fields: Record<string, string> = {};
      for (const f of m[2].matchAll(/(\w+)=((?:(?!\s+\w+=).)*)/g)) fields[f[1]] = f[2].trim();
      annotations.push({ file, line: described, kind: m[1], fields, text: text.trim() });
    });
  }
  return annotations;
}
