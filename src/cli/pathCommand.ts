// `spdk-lens path <root> <function | module:kind>`: the lifecycle and failure paths of a function or a bdev module,
// one line per step (hop, context, thread, file:line), or as plain JSON.
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { defaultCacheDir } from '../core/index/factCache';
import { indexTree } from '../core/index/indexer';
import { HOP_TITLES, PATH_KINDS, type LifecyclePath, type PathKind } from '../core/labels/lifecyclePaths';
import { PathQueryError, queryPaths, type PathAnswer } from '../core/labels/pathQuery';
import { parseCliArgs, UsageError } from './cliArgs';

export const PATH_USAGE = `  spdk-lens path <root> <function | module:kind> [--kind <kind>] [--json] [--cache <dir> | --no-cache]
      (kind: ${PATH_KINDS.join(', ')}, or a lifecycle phase: init, create-rpc, examine, submit, destruct, fini)`;

/** The answer as text: a heading per path, then its steps indented by depth. */
export function pathText(answer: PathAnswer): string {
  if (answer.paths.length === 0) return `no path found for ${answer.query}`;
  return answer.paths.map((p) => onePath(p, answer.focus)).join('\n\n');
}

function onePath(path: LifecyclePath, focus: PathAnswer['focus']): string {
  const r = path.root;
  const lines = [
    `${r.kind} path${r.module ? ` of ${r.module}` : ''} from ${r.fn} (${r.file}:${r.line})`,
    `  why: ${r.why} (${r.evidence.file}:${r.evidence.line})`,
  ];
  for (const s of path.steps) {
    const mark = focus && s.fn === focus.fn && s.file === focus.file ? '  ◀' : '';
    const at = s.hop === 'root' ? `${s.file}:${s.line}` : `${s.via?.file}:${s.via?.line}${s.key && s.file !== s.via?.file ? ` → ${s.file}:${s.line}` : s.key ? ` → line ${s.line}` : ''}`;
    lines.push(`  ${'  '.repeat(s.depth)}${s.hop === 'root' ? '' : '→ '}${s.fn}  [${HOP_TITLES[s.hop]} · ${s.context || 'no context known'} · ${s.thread}]  ${at}${mark}`);
  }
  if (path.truncated) lines.push('  (cut short: the path is longer than SPDK Lens follows)');
  return lines.join('\n');
}

export async function runPathCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCliArgs(argv, { json: { type: 'boolean' }, kind: { type: 'string' }, cache: { type: 'string' }, 'no-cache': { type: 'boolean' } }, true);
  const [root, query] = positionals;
  if (!root || !query || positionals.length > 2) throw new UsageError('path needs <root> and one <function | module:kind>');
  const kind = values.kind;
  if (kind !== undefined && !(PATH_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kind must be one of ${PATH_KINDS.join(', ')}`);
  const stat = await fs.stat(resolve(root)).catch(() => undefined);
  if (!stat?.isDirectory()) throw new UsageError(`${root} is not a folder`);
  const cacheDir = values['no-cache'] ? null : values.cache !== undefined ? resolve(values.cache) : defaultCacheDir();
  const index = await indexTree({ root: resolve(root), cacheDir });
  await index.persisted;
  let answer: PathAnswer;
  try {
    answer = queryPaths(index.model, query, kind as PathKind | undefined);
  } catch (error) {
    if (error instanceof PathQueryError) {
      console.error(`spdk-lens: ${error.message}`);
      return 1;
    }
    throw error;
  }
  console.log(values.json ? JSON.stringify(answer, null, 1) : pathText(answer));
  return answer.paths.length > 0 ? 0 : 1;
}
