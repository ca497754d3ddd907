// Reads a file's candidate functions with tree-sitter and walks them (see lifetimes.ts); notes are kept per file hash.
import type { Node } from 'web-tree-sitter';
import type { FunctionDefinition } from '../facts/fileFacts';
import { lineAt, lineStarts } from '../parse/cText';
import { normalizeSourceForParsing } from '../parse/sourceNormalizer';
import type { CheckEnv } from './checker';
import { walkFunction, type LifetimeApis, type LifetimeNote, type Resource } from './lifetimes';

const ALLOCATORS = new Map<string, Resource>([
  ['calloc', 'alloc'],
  ['malloc', 'alloc'],
  ['strdup', 'alloc'],
  ['strndup', 'alloc'],
  ['spdk_sprintf_alloc', 'alloc'],
  ['spdk_zmalloc', 'alloc'],
  ['spdk_malloc', 'alloc'],
  ['spdk_dma_zmalloc', 'alloc'],
  ['spdk_dma_malloc', 'alloc'],
  ['spdk_mempool_get', 'alloc'],
  ['spdk_get_io_channel', 'channel'],
  ['spdk_bdev_get_io_channel', 'channel'],
  ['spdk_accel_get_io_channel', 'channel'],
  ['spdk_bs_alloc_io_channel', 'channel'],
]);

/** Release calls: which argument they release, per resource. */
const RELEASES: Record<Resource, Map<string, number>> = {
  alloc: new Map([
    ['free', 0],
    ['spdk_free', 0],
    ['spdk_dma_free', 0],
    ['spdk_mempool_put', 1],
  ]),
  channel: new Map([
    ['spdk_put_io_channel', 0],
    ['spdk_bs_free_io_channel', 0],
  ]),
  bdev_io: new Map([['spdk_bdev_free_io', 0]]),
};

const COMPLETES = /^spdk_bdev_io_complete(_nvme_status|_scsi_status|_aio_status|_base_io_status)?$/;

/** The bdev submit APIs whose -ENOMEM means "no spdk_bdev_io left on this channel, wait and retry". */
export const BDEV_SUBMIT =
  /^spdk_bdev_(readv?|writev?|unmap|flush|write_zeroes|reset|compare|comparev|compare_and_writev|zcopy_start|nvme_io_passthru|nvme_io_passthru_md|nvme_iov_passthru_md|nvme_admin_passthru|copy|abort|seek_data|seek_hole)(_blocks)?(_with_md)?(_ext)?$/;

export const LIFETIME_APIS: LifetimeApis = {
  acquire: (callee) => ALLOCATORS.get(callee),
  release: (callee, resource) => RELEASES[resource].get(callee),
  completes: (callee) => COMPLETES.test(callee),
  submits: (callee) => BDEV_SUBMIT.test(callee),
};

export function releaseApi(callee: string, resource: Resource): number | undefined {
  return RELEASES[resource].get(callee);
}

// Functions without any of these words have nothing for the walker to follow.
const CANDIDATE = /\b(calloc|malloc|strn?dup|spdk_sprintf_alloc|spdk_z?malloc|spdk_dma_z?malloc|spdk_mempool_get|get_io_channel|alloc_io_channel|spdk_bdev_free_io|spdk_bdev_io_complete\w*|spdk_bdev_\w+(_blocks|_ext|_passthru\w*))\s*\(/;

/** `(struct spdk_bdev_io *bdev_io, bool success, void *cb_arg)`: the child IO a completion callback must free. */
export function completionParam(fn: Pick<FunctionDefinition, 'params'>): string | undefined {
  const [io, ok, arg] = fn.params;
  if (fn.params.length !== 3 || !io || !ok || !arg) return undefined;
  if (!/^struct spdk_bdev_io \*$/.test(io.type.trim()) || !/^bool$/.test(ok.type.trim()) || !/^void \*$/.test(arg.type.trim())) return undefined;
  return io.name;
}

export interface FilePathNotes {
  hash: string;
  /** Function name → its notes. */
  byFunction: Map<string, LifetimeNote[]>;
}

let wrapperParse: { parse(text: string): { rootNode: Node; delete(): void } | null } | undefined;

/** Path notes of one file's functions, from the cache while the file's hash is unchanged. */
export function pathNotesOf(env: CheckEnv, file: string, hash: string, functions: FunctionDefinition[]): FilePathNotes | undefined {
  const cacheKey = `paths:${file}`;
  const cached = env.cache?.get(cacheKey) as FilePathNotes | undefined;
  if (cached && cached.hash === hash) return cached;
  const raw = env.readText(file);
  if (raw === undefined) return undefined;
  const text = normalizeSourceForParsing(raw);
  const starts = lineStarts(text);
  const parser = (wrapperParse ??= env.grammar.newParser());
  const byFunction = new Map<string, LifetimeNote[]>();
  for (const fn of functions) {
    if (fn.line < 1 || fn.line > starts.length) continue;
    const from = starts[fn.line - 1];
    const source = text.slice(from, fn.endLine < starts.length ? starts[fn.endLine] : text.length);
    const held = completionParam(fn);
    if (!held && !CANDIDATE.test(source)) continue;
    const brace = bodyBrace(source);
    if (brace < 0) continue;
    // The body alone, behind a dummy head on the same row: rows of the snippet are rows of the file from the brace on.
    const head = 'void f(void)';
    const tree = parser.parse(head + source.slice(brace));
    if (!tree) continue;
    try {
      const body = tree.rootNode.namedChild(0)?.childForFieldName('body');
      if (!body) continue;
      const braceLine = lineAt(starts, from + brace);
      const notes = walkFunction(
        { body, heldParams: held ? [{ name: held, resource: 'bdev_io' }] : [], lineOf: (n) => braceLine + n.startPosition.row, endLine: fn.endLine },
        LIFETIME_APIS,
      );
      if (notes.length > 0) byFunction.set(fn.name, notes);
    } finally {
      tree.delete();
    }
  }
  const result = { hash, byFunction };
  env.cache?.set(cacheKey, result);
  return result;
}

/** Offset of the body's `{`: the first brace after the parameter list closes. */
function bodyBrace(source: string): number {
  let depth = 0;
  let sawParen = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '(') {
      depth++;
      sawParen = true;
    } else if (ch === ')') depth--;
    else if (ch === '{' && depth === 0 && sawParen) return i;
  }
  return -1;
}
