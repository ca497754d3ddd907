// spdk-lens command line: index a tree and write the labelled index as JSON, or explain one place in plain words.
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { defaultCacheDir } from '../core/index/factCache';
import { indexTree, type SpdkIndex } from '../core/index/indexer';
import { functionAnswers } from '../core/editor/functionAnswers';
import { explainFunction, explainType } from '../core/report/explain';
import { CHECK_USAGE, runCheckCommand, type IndexOpenOptions } from './checkCommand';
import { parseCliArgs, UsageError } from './cliArgs';
import { GRAPH_USAGE, runGraphCommand } from './graphCommand';
import { PATH_USAGE, runPathCommand } from './pathCommand';
import { runTourCommand, TOUR_USAGE } from './tourCommand';

const USAGE = `usage:
  spdk-lens index <root> [--json <file>] [--cache <dir> | --no-cache] [--workers <n>] [--exclude <path-or-glob>]...
  spdk-lens explain <root> <file>:<line> [--cache <dir> | --no-cache]
${CHECK_USAGE}
${TOUR_USAGE}
${GRAPH_USAGE}
${PATH_USAGE}`;

interface CliOptions {
  positional: string[];
  json?: string;
  cacheDir: string | null;
  workers?: number;
  exclude?: string[];
}

function parseIndexArgs(argv: string[]): CliOptions {
  const { values, positionals } = parseCliArgs(
    argv,
    { json: { type: 'string' }, cache: { type: 'string' }, 'no-cache': { type: 'boolean' }, workers: { type: 'string' }, exclude: { type: 'string', multiple: true } },
    true,
  );
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers > 0)) throw new UsageError('--workers needs a whole number above 0');
  const cacheDir = values['no-cache'] ? null : values.cache !== undefined ? resolve(values.cache) : defaultCacheDir();
  return { positional: positionals, json: values.json, cacheDir, workers, exclude: values.exclude };
}

async function openIndex(root: string, options: IndexOpenOptions): Promise<SpdkIndex> {
  const stat = await fs.stat(root).catch(() => undefined);
  if (!stat?.isDirectory()) throw new UsageError(`${root} is not a folder`);
  return indexTree({ root, cacheDir: options.cacheDir, workers: options.workers, exclude: options.exclude });
}

function summary(index: SpdkIndex): string {
  const d = index.document;
  const s = d.stats;
  const labelled = d.functions.filter((f) => f.contexts.length > 0).length;
  const byKind = new Map<string, number>();
  for (const f of d.functions) for (const k of new Set(f.contexts.map((c) => c.kind))) byKind.set(k, (byKind.get(k) ?? 0) + 1);
  const kinds = [...byKind.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`);
  const lines = [
    `SPDK Lens index of ${d.root}`,
    `  ${s.files} files (${(s.bytes / 1048576).toFixed(1)} MB): ${s.parsedFiles} parsed, ${s.cachedFiles} from cache, ${s.parseErrorFiles} with syntax errors tolerated, in ${s.ms} ms`,
    `  phases: ${Object.entries(s.phases).map(([k, v]) => `${k} ${v} ms`).join(', ')}`,
    `  ${d.functions.length} functions, ${labelled} with an execution context; ${d.types.length} types with thread ownership`,
    `  ${d.rpcMethods.length} RPC methods (${d.rpcMethods.filter((m) => m.reply === 'async').length} reply async), ${d.bdevModules.length} bdev modules (${d.bdevModules.filter((m) => m.virtual).length} virtual)`,
    `  contexts: ${kinds.join(', ') || 'none'}`,
  ];
  if (d.problems.length > 0) {
    lines.push(`  ${d.problems.length} problem(s):`);
    for (const p of d.problems.slice(0, 20)) lines.push(`    ${p.file}: ${p.kind}: ${p.message}`);
    if (d.problems.length > 20) lines.push(`    (+${d.problems.length - 20} more in the JSON)`);
  }
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // tour and book take a bare --json flag, so each command parses its own options.
    if (command === 'tour' || command === 'book') return await runTourCommand(command, rest);
    if (command === 'graph') return await runGraphCommand(rest);
    if (command === 'check') return await runCheckCommand(rest, openIndex);
    if (command === 'path') return await runPathCommand(rest);
    const options = parseIndexArgs(rest);
    if (command === 'index') {
      const [root] = options.positional;
      if (!root) throw new UsageError('index needs a root folder');
      const index = await openIndex(resolve(root), options);
      if (options.json) await fs.writeFile(options.json, JSON.stringify(index.document, null, 1));
      console.log(summary(index));
      await index.saveSnapshot();
      if (options.json) console.log(`  wrote ${options.json}`);
      return 0;
    }
    if (command === 'explain') {
      const [root, where] = options.positional;
      const m = where ? /^(.*):(\d+)$/.exec(where) : null;
      if (!root || !m) throw new UsageError('explain needs <root> <file>:<line>');
      const index = await openIndex(resolve(root), options);
      await index.persisted;
      const file = m[1].replace(/\\/g, '/').replace(/^\.\//, '');
      const relative = file.startsWith('/') ? file.slice(index.root.length + 1) : file;
      const line = Number(m[2]);
      const fn = index.functionAt(relative, line);
      if (fn) {
        console.log(explainFunction(fn, functionAnswers({ rpcMethods: index.rpcMethods(), typeOf: (t) => index.type(t), model: index.model }, fn)));
        return 0;
      }
      const struct = index.structAt(relative, line);
      if (struct) {
        console.log(explainType(struct.name, struct.labels));
        return 0;
      }
      console.error(index.files.has(relative) ? `no function or struct definition spans ${relative}:${line}` : `${relative} is not an indexed file under ${index.root}`);
      return 1;
    }
    throw new UsageError(command ? `unknown command ${command}` : 'no command');
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`spdk-lens: ${error.message}\n${USAGE}`);
      return 2;
    }
    console.error(`spdk-lens: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
