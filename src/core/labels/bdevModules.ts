// Bdev modules: each `struct spdk_bdev_module` variable, its name, hooks and fn_table, and whether it opens or claims
// a base bdev (virtual) or sits at the bottom of the graph.
import { BASE_BDEV_API } from '../knowledge/spdkApis';
import type { BdevModule } from '../model/indexTypes';
import type { SymbolTable } from '../model/symbolTable';
import type { LinkedCalls } from './callbackEvidence';

function dirOf(file: string): string {
  return file.slice(0, Math.max(0, file.lastIndexOf('/')));
}

export function labelBdevModules(symbols: SymbolTable, linked: LinkedCalls): BdevModule[] {
  const modules: BdevModule[] = [];
  const slotsByVariable = new Map<string, { slot: string; fn: string }[]>();
  for (const s of linked.slots) {
    if (!s.variable) continue;
    const key = `${s.file}#${s.variable}`;
    const list = slotsByVariable.get(key) ?? [];
    list.push({ slot: `${s.structName}.${s.field}`, fn: s.target.item.name });
    slotsByVariable.set(key, list);
  }
  const baseBdevCalls = new Map<string, { api: string; file: string; line: number }>();
  for (const calls of linked.callsByFunction.values()) {
    for (const call of calls) {
      if (!BASE_BDEV_API.test(call.callee)) continue;
      const dir = dirOf(call.file);
      if (!baseBdevCalls.has(dir)) baseBdevCalls.set(dir, { api: call.callee, file: call.file, line: call.line });
    }
  }
  for (const facts of symbols.files.values()) {
    for (const g of facts.globals) {
      if (g.type !== 'struct spdk_bdev_module') continue;
      const nameStore = facts.fieldStores.find((s) => s.variable === g.name && s.field === 'name' && s.value.kind === 'string');
      const name = nameStore && nameStore.value.kind === 'string' ? nameStore.value.value : g.name;
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
      const base = baseBdevCalls.get(dir);
      if (base && !dir.startsWith('lib/bdev')) {
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
