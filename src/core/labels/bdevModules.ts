// Bdev modules: each `struct spdk_bdev_module` variable, its name, hooks and fn_table, and whether it opens or claims
// a base bdev (virtual) or sits at the bottom of the graph.
import { BASE_BDEV_API } from '../knowledge/spdkApis';
import type { BdevModule } from '../model/indexTypes';
import type { IndexModel } from '../model/indexModel';
import { pushTo } from '../util/multiMap';
import { dirOf } from '../util/paths';
import type { SymbolTable } from '../model/symbolTable';

export function bdevModules(model: IndexModel): BdevModule[] {
  return model.memoize('bdevModules', () => labelBdevModules(model));
}

function labelBdevModules(model: IndexModel): BdevModule[] {
  const symbols = model.symbols;
  const modules: BdevModule[] = [];
  const slotsByVariable = new Map<string, { slot: string; fn: string }[]>();
  const baseBdevCalls = new Map<string, { api: string; file: string; line: number }>();
  const moduleFilesByDir = new Map<string, Set<string>>();
  for (const facts of symbols.files.values()) {
    if (!facts.globals.some((g) => g.type === 'struct spdk_bdev_module')) continue;
    const files = moduleFilesByDir.get(dirOf(facts.file)) ?? new Set<string>();
    files.add(facts.file);
    moduleFilesByDir.set(dirOf(facts.file), files);
  }
  for (const links of model.allLinks()) {
    for (const s of links.slots) {
      if (s.variable) pushTo(slotsByVariable, `${s.file}#${s.variable}`, { slot: `${s.structName}.${s.field}`, fn: s.targetName });
    }
    for (const [callee, calls] of links.callsByCallee) {
      if (!BASE_BDEV_API.test(callee)) continue;
      for (const call of calls) {
        // Credit the claim to its own file's module, or to the folder's module when the folder has only one.
        const owners = moduleFilesByDir.get(dirOf(links.file));
        const owner = owners?.has(links.file) ? links.file : owners?.size === 1 ? [...owners][0] : undefined;
        if (owner && !baseBdevCalls.has(owner)) baseBdevCalls.set(owner, { api: call.callee, file: links.file, line: call.line });
      }
    }
  }
  for (const facts of symbols.files.values()) {
    for (const g of facts.globals) {
      if (g.type !== 'struct spdk_bdev_module') continue;
      const nameStore = facts.fieldStores.find((s) => s.variable === g.name && s.field === 'name' && s.value.kind === 'string');
      const name = nameStore && nameStore.value.kind === 'string' ? nameStore.value.text : g.name;
      const dir = dirOf(facts.file);
      const fnTable = findFnTable(symbols, facts.file, dir);
      const module: BdevModule = {
        name,
        file: facts.file,
        line: g.line,
        variable: g.name,
        virtual: false,
        hooks: slotsByVariable.get(`${facts.file}#${g.name}`) ?? [],
        fnTableSlots: fnTable ? (slotsByVariable.get(`${fnTable.file}#${fnTable.name}`) ?? []) : [],
      };
      if (fnTable) {
        module.fnTable = fnTable.name;
        module.fnTableFile = fnTable.file;
        module.fnTableLine = fnTable.line;
      }
      const base = baseBdevCalls.get(facts.file);
      if (base) {
        module.virtual = true;
        module.virtualEvidence = base;
      }
      modules.push(module);
    }
  }
  return modules.sort((a, b) => a.name.localeCompare(b.name));
}

function findFnTable(symbols: SymbolTable, file: string, dir: string): { name: string; file: string; line: number } | undefined {
  const candidates: { name: string; file: string; line: number }[] = [];
  for (const [name, globals] of symbols.globals) {
    for (const g of globals) {
      if (g.item.type === 'struct spdk_bdev_fn_table' && dirOf(g.file) === dir) candidates.push({ name, file: g.file, line: g.item.line });
    }
  }
  return candidates.find((c) => c.file === file) ?? candidates[0];
}
