// A lifecycle card per bdev module: the function the code has for each phase of a module's life (init, the RPC that
// creates its bdevs, examine, submit, reset, hot-remove, destruct, fini), each with its file and line.
import type { BdevModule } from '../model/indexTypes';
import type { IndexModel } from '../model/indexModel';
import { dirOf } from '../util/paths';
import { bdevModules } from './bdevModules';
import { fileOfKey } from './callbackEvidence';
import { isTestFile } from './callbackFlow';
import { kindOfRegistration, kindOfSlot } from './execContext';
import { LIFECYCLE_PHASES, lifecyclePath, moduleOfFile, pathRoots, type LifecyclePhase, type PathRoot } from './lifecyclePaths';
import { rpcRegistrations } from './rpc';


export interface CardEntry {
  phase: LifecyclePhase;
  fn: string;
  file: string;
  line: number;
  /** How the code makes it this phase: the slot, the RPC method, the case. */
  note: string;
}

export interface LifecycleCard {
  module: string;
  variable: string;
  file: string;
  line: number;
  virtual: boolean;
  entries: CardEntry[];
  /** Phases the code has no function for. */
  missing: LifecyclePhase[];
}

/** Calls that register a bdev: directly, or as a part of a base (spdk_bdev_part_construct registers it). */
const REGISTERS = /^(spdk_bdev_register|spdk_bdev_part_construct(_ext)?)$/;
const MAX_CREATE_DEPTH = 16;
const MAX_CREATE_NODES = 600;

export function lifecycleCards(model: IndexModel): LifecycleCard[] {
  return bdevModules(model).map((m) => cardOfModule(model, m));
}

/** One module's card, memoised per generation: a query about one module does not build every card. */
function cardOfModule(model: IndexModel, m: BdevModule): LifecycleCard {
  return model.memoize(`lifecycle:card:${m.file}#${m.variable}`, () => cardOf(model, m));
}

/** The module by its name or its variable: the one in `file` first, then library code before tests. */
export function bdevModuleNamed(model: IndexModel, nameOrVariable: string, file?: string): BdevModule | undefined {
  const modules = bdevModules(model).filter((m) => m.name === nameOrVariable || m.variable === nameOrVariable);
  return modules.find((m) => m.file === file) ?? modules.find((m) => !isTestFile(m.file)) ?? modules[0];
}

/** The card of a module by its name or its variable. */
export function lifecycleCardOf(model: IndexModel, nameOrVariable: string, file?: string): LifecycleCard | undefined {
  const module = bdevModuleNamed(model, nameOrVariable, file);
  return module ? cardOfModule(model, module) : undefined;
}

function slotEntry(model: IndexModel, module: BdevModule, phase: LifecyclePhase, slots: { slot: string; fn: string }[], slot: string, from: string): CardEntry | undefined {
  const found = slots.find((s) => s.slot === slot);
  if (!found) return undefined;
  const key = model.resolve(found.fn, from);
  const def = key ? model.definitionOf(key) : undefined;
  const field = slot.slice(slot.lastIndexOf('.') + 1);
  return def && key ? { phase, fn: found.fn, file: fileOfKey(key), line: def.line, note: `.${field}` } : { phase, fn: found.fn, file: from, line: module.line, note: `.${field} (defined outside this tree)` };
}

function cardOf(model: IndexModel, m: BdevModule): LifecycleCard {
  const entries: CardEntry[] = [];
  const push = (e: CardEntry | undefined) => {
    if (e) entries.push(e);
  };
  const fnTableFile = m.fnTableFile ?? m.file;
  push(slotEntry(model, m, 'init', m.hooks, 'struct spdk_bdev_module.module_init', m.file));
  entries.push(...createRpcs(model, m));
  push(slotEntry(model, m, 'examine', m.hooks, 'struct spdk_bdev_module.examine_config', m.file));
  push(slotEntry(model, m, 'examine', m.hooks, 'struct spdk_bdev_module.examine_disk', m.file));
  const submit = slotEntry(model, m, 'submit', m.fnTableSlots, 'struct spdk_bdev_fn_table.submit_request', fnTableFile);
  push(submit);
  const mine = (r: PathRoot) => r.module === m.name && dirOf(r.file) === dirOf(m.file);
  for (const r of pathRoots(model)) {
    if (r.kind === 'reset' && submit && r.fn === submit.fn && r.file === submit.file && r.branch) {
      entries.push({ phase: 'reset', fn: r.fn, file: r.file, line: r.branch.from, note: `its ${r.branch.name} case` });
    } else if (r.kind === 'hot-remove' && mine(r)) {
      const closes = lifecyclePath(model, r).steps.find((s) => s.fn === 'spdk_bdev_close');
      entries.push({ phase: 'hot-remove', fn: r.fn, file: r.file, line: r.line, note: `${r.why}${closes ? `; reaches ${closes.via?.note ?? 'spdk_bdev_close'} at ${closes.file}:${closes.line}` : ''}` });
    }
  }
  push(slotEntry(model, m, 'destruct', m.fnTableSlots, 'struct spdk_bdev_fn_table.destruct', fnTableFile));
  push(slotEntry(model, m, 'fini', m.hooks, 'struct spdk_bdev_module.fini_start', m.file));
  push(slotEntry(model, m, 'fini', m.hooks, 'struct spdk_bdev_module.module_fini', m.file));
  const order = (e: CardEntry) => LIFECYCLE_PHASES.indexOf(e.phase);
  entries.sort((a, b) => order(a) - order(b));
  return {
    module: m.name,
    variable: m.variable,
    file: m.file,
    line: m.line,
    virtual: m.virtual,
    entries,
    missing: LIFECYCLE_PHASES.filter((p) => !entries.some((e) => e.phase === p)),
  };
}

/** RPC handlers of the module's folder whose calls and callbacks reach a call that registers this module's bdev. */
function createRpcs(model: IndexModel, m: BdevModule): CardEntry[] {
  const dir = dirOf(m.file);
  const out: CardEntry[] = [];
  for (const rpc of rpcRegistrations(model)) {
    if (!rpc.handlerKey || dirOf(rpc.file) !== dir || moduleOfFile(model, rpc.file) !== m) continue;
    const registers = reachesRegister(model, rpc.handlerKey, dir, m);
    const def = model.definitionOf(rpc.handlerKey);
    if (registers && def) out.push({ phase: 'create-rpc', fn: rpc.handler, file: fileOfKey(rpc.handlerKey), line: def.line, note: `RPC "${rpc.method}"; ${registers.callee} at ${registers.file}:${registers.line}` });
  }
  return out;
}

/** Breadth first through calls and continuing hand-offs inside the folder, to a register call of this module's files. */
function reachesRegister(model: IndexModel, start: string, dir: string, m: BdevModule): { callee: string; file: string; line: number } | undefined {
  const seen = new Set([start]);
  let level = [start];
  for (let depth = 0; depth < MAX_CREATE_DEPTH && level.length > 0 && seen.size < MAX_CREATE_NODES; depth++) {
    const next: string[] = [];
    for (const key of level) {
      const file = fileOfKey(key);
      for (const call of model.callsOf(key)) {
        if (REGISTERS.test(call.callee) && moduleOfFile(model, file) === m) return { callee: call.callee, file, line: call.line };
        const target = model.resolve(call.callee, file);
        if (target && dirOf(fileOfKey(target)) === dir && !seen.has(target)) next.push(target);
        if (target) seen.add(target);
      }
      for (const h of model.handoffsOf(key)) {
        const kind = 'api' in h ? kindOfRegistration(model.symbols, h) : kindOfSlot(h);
        if (kind === 'rpc_handler' || kind === 'bdev_fn_table' || kind === 'io_channel_create' || kind === 'io_channel_destroy') continue;
        if (dirOf(fileOfKey(h.targetKey)) === dir && !seen.has(h.targetKey)) {
          seen.add(h.targetKey);
          next.push(h.targetKey);
        }
      }
    }
    level = next;
  }
  return undefined;
}

/** The card as one line per entry (phase, function, where, how), then the phases the code has no function for. */
export function cardLines(card: LifecycleCard): string[] {
  const lines = card.entries.map((e) => `${e.phase}: ${e.fn} at ${e.file}:${e.line} (${e.note})`);
  if (card.missing.length > 0) lines.push(`not in its code: ${card.missing.join(', ')}`);
  return lines;
}
