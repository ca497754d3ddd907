// What `spdk-lens path` and the editor's path view ask: the paths of a function (those it starts, those it is on) or
// of a bdev module and a path kind or lifecycle phase (`passthru:hot-remove`, `malloc:destruct`).
import type { IndexModel } from '../model/indexModel';
import { fileOfKey, functionKey } from './callbackEvidence';
import { isTestFile } from './callbackFlow';
import { bdevModuleNamed, lifecycleCardOf } from './lifecycleCards';
import {
  LIFECYCLE_PHASES,
  lifecyclePath,
  PATH_KINDS,
  pathFrom,
  pathLabelsOf,
  pathRoots,
  type LifecyclePath,
  type LifecyclePhase,
  type PathKind,
} from './lifecyclePaths';
import { dirOf } from '../util/paths';

export interface PathAnswer {
  query: string;
  /** The function asked about, when the query named one: each path marks where it stands. */
  focus?: { fn: string; file: string; line: number };
  paths: LifecyclePath[];
}

export class PathQueryError extends Error {}

const KINDS = new Set<string>([...PATH_KINDS, ...LIFECYCLE_PHASES]);

/** Answers `<function>` or `<module>:<kind or phase>`; `kind` narrows a function's paths to one kind. */
export function queryPaths(model: IndexModel, query: string, kind?: PathKind): PathAnswer {
  const colon = query.lastIndexOf(':');
  const suffix = colon > 0 ? query.slice(colon + 1) : '';
  if (colon > 0 && KINDS.has(suffix)) return modulePaths(model, query, query.slice(0, colon), suffix as PathKind | LifecyclePhase);
  if (colon > 0) throw new PathQueryError(`"${suffix}" is no path kind or lifecycle phase; use one of ${[...KINDS].join(', ')}`);
  return functionPaths(model, query, kind);
}

/** A function by name: the library definition when tests define one of the same name. */
export function functionKeyNamed(model: IndexModel, name: string, near?: string): string | undefined {
  const defs = model.symbols.functions.get(name) ?? [];
  const def = defs.find((d) => d.file === near) ?? defs.find((d) => !isTestFile(d.file)) ?? defs[0];
  return def ? functionKey(def.file, def.item.name) : undefined;
}

/** The paths a function starts, else the paths it is on, else a walk from it. */
export function functionPaths(model: IndexModel, name: string, kind?: PathKind, near?: string): PathAnswer {
  const key = functionKeyNamed(model, name, near);
  if (!key) throw new PathQueryError(`no function named ${name} in this tree`);
  const def = model.definitionOf(key)!;
  const focus = { fn: name, file: fileOfKey(key), line: def.line };
  const started = pathRoots(model).filter((r) => r.key === key && (!kind || r.kind === kind));
  if (started.length > 0) return { query: name, focus, paths: started.map((r) => lifecyclePath(model, r)) };
  const on = pathLabelsOf(model, key).filter((l) => !kind || l.kind === kind);
  if (on.length > 0) return { query: name, focus, paths: on.map((l) => lifecyclePath(model, l.root)) };
  const walk = pathFrom(model, key, kind ?? 'walk', 'on no lifecycle path SPDK Lens knows: the calls and hand-offs from it');
  return { query: name, focus, paths: walk ? [walk] : [] };
}

function modulePaths(model: IndexModel, query: string, module: string, kind: PathKind | LifecyclePhase): PathAnswer {
  const found = bdevModuleNamed(model, module);
  if (!found) throw new PathQueryError(`no bdev module named ${module} (give its .name or its struct spdk_bdev_module variable)`);
  const pathKind: PathKind | undefined = kind === 'fini' ? 'shutdown' : (PATH_KINDS as readonly string[]).includes(kind) ? (kind as PathKind) : undefined;
  if (pathKind) {
    const roots = pathRoots(model).filter((r) => r.kind === pathKind && r.module === found.name && dirOf(r.file) === dirOf(found.file));
    return { query, paths: roots.map((r) => lifecyclePath(model, r)) };
  }
  const card = lifecycleCardOf(model, found.variable, found.file)!;
  const paths: LifecyclePath[] = [];
  for (const entry of card.entries.filter((e) => e.phase === kind)) {
    const key = functionKeyNamed(model, entry.fn, entry.file);
    const path = key ? pathFrom(model, key, kind, `the module's ${kind} (${entry.note})`) : undefined;
    if (path) paths.push(path);
  }
  return { query, paths };
}
