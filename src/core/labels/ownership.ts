// Thread ownership of struct types: per-thread io_channel contexts, thread-affine objects that record their owner
// thread, global state, and SPDK's core handles.
import { CORE_HANDLES } from '../knowledge/spdkApis';
import type { TypeLabels } from '../model/indexTypes';
import { baseTypeName } from '../parse/cText';
import type { ValueSummary } from '../facts/fileFacts';
import type { IndexModel } from '../model/indexModel';
import { fieldNamed } from '../model/symbolTable';
import { pushTo } from '../util/multiMap';
import type { EffectiveCall, FieldCallStore } from './callbackEvidence';
import { holderOfPath, isTestFile } from './callbackFlow';

function describeValue(call: EffectiveCall, index: number): string {
  const v = call.args[index];
  if (!v) return '?';
  switch (v.kind) {
    case 'ident':
      return v.name;
    case 'string':
      return JSON.stringify(v.text);
    case 'call':
      return `${v.callee}(...)`;
    case 'sizeof':
      return `sizeof(${v.text})`;
    default:
      return v.text;
  }
}

/** The struct a ctx_size names: `sizeof(struct T)`, also as the first term of `sizeof(struct T) + n * sizeof(x)`. */
function contextTypeOf(size: ValueSummary | undefined): string | undefined {
  const type = size?.kind === 'sizeof' ? size.text : size?.kind === 'other' ? /^sizeof\s*\(\s*((?:struct|union)\s+[A-Za-z_]\w*)\s*\)/.exec(size.text)?.[1] : undefined;
  return type && /^(struct|union) /.test(type) ? type : undefined;
}

function allCalls(model: IndexModel, callee: string): (EffectiveCall & { file: string })[] {
  const out: (EffectiveCall & { file: string })[] = [];
  for (const links of model.allLinks()) {
    for (const call of links.callsByCallee.get(callee) ?? []) out.push({ ...call, file: links.file });
  }
  return out;
}

export function typeOwnership(model: IndexModel): TypeLabels[] {
  return model.memoize('typeOwnership', () => labelTypeOwnership(model));
}

/** The struct names that are per-thread io_channel contexts. */
export function channelContextTypes(model: IndexModel): Set<string> {
  return model.memoize('channelContextTypes', () => new Set(typeOwnership(model).filter((t) => t.ownership === 'io_channel_ctx').map((t) => t.name)));
}

function labelTypeOwnership(model: IndexModel): TypeLabels[] {
  const symbols = model.symbols;
  const labels = new Map<string, TypeLabels>();
  const locate = (name: string, fromFile: string) => symbols.struct(name, fromFile);

  // Per-thread io_channel contexts: sizeof(struct T) as the ctx_size of spdk_io_device_register.
  const registerParams = symbols.parametersOf('spdk_io_device_register', 'include/spdk/thread.h');
  const ctxSizeIndex = registerParams?.findIndex((p) => p.name === 'ctx_size') ?? -1;
  const ioDeviceIndex = registerParams?.findIndex((p) => p.name === 'io_device') ?? 0;
  for (const call of allCalls(model, 'spdk_io_device_register')) {
    const name = contextTypeOf(call.args[ctxSizeIndex >= 0 ? ctxSizeIndex : 3]);
    if (!name) continue;
    const struct = locate(name, call.file);
    if (fromTestsOnly(call.file, struct?.file)) continue;
    const ioDevice = describeValue(call, ioDeviceIndex >= 0 ? ioDeviceIndex : 0);
    const existing = labels.get(name);
    const note = `sizeof(${name}) is the ctx_size of spdk_io_device_register(${ioDevice}, ...)`;
    if (existing && existing.ownership === 'io_channel_ctx') {
      existing.evidence.push({ file: call.file, line: call.line, note });
      continue;
    }
    labels.set(name, {
      name,
      file: struct?.file ?? call.file,
      line: struct?.item.line ?? call.line,
      ownership: 'io_channel_ctx',
      summary: `Per-thread io_channel context of io_device ${ioDevice}: each thread gets its own copy, touched only on that thread.`,
      ioDevice,
      evidence: [{ file: call.file, line: call.line, note }],
    });
  }
  for (const facts of symbols.files.values()) {
    for (const r of facts.typedCallResults) {
      if (r.callee !== 'spdk_io_channel_get_ctx') continue;
      const name = baseTypeName(r.type);
      if (fromTestsOnly(facts.file, locate(name, facts.file)?.file)) continue;
      const note = `${name} * obtained from spdk_io_channel_get_ctx()${r.caller ? ` in ${r.caller}` : ''}`;
      const existing = labels.get(name);
      if (existing) {
        if (existing.ownership === 'io_channel_ctx' && existing.evidence.length < 50) existing.evidence.push({ file: facts.file, line: r.line, note });
        continue;
      }
      const struct = locate(name, facts.file);
      labels.set(name, {
        name,
        file: struct?.file ?? facts.file,
        line: struct?.item.line ?? r.line,
        ownership: 'io_channel_ctx',
        summary: 'Per-thread io_channel context: each thread holding a channel has its own copy, touched only on that thread.',
        evidence: [{ file: facts.file, line: r.line, note }],
      });
    }
  }

  // Thread-affine objects: a `struct spdk_thread *` field set from spdk_get_thread().
  const ownerSets = new Map<string, FieldCallStore[]>();
  for (const links of model.allLinks()) {
    for (const store of links.fieldCallStores) {
      if (store.callee === 'spdk_get_thread' && !fromTestsOnly(store.file, symbols.structs.get(store.structName)?.[0]?.file)) pushTo(ownerSets, store.structName, store);
    }
  }
  // SPDK's own asserts and guards: `assert(desc->thread == spdk_get_thread())` says whose thread the object is.
  const ownerChecks = new Map<string, { field: string; file: string; line: number; caller: string; detail: string }[]>();
  for (const facts of symbols.files.values()) {
    for (const n of facts.notes ?? []) {
      if (n.kind !== 'thread_check' || n.name !== 'owner') continue;
      const holder = holderOfPath(symbols, facts.file, n.path);
      if (holder && !fromTestsOnly(facts.file, symbols.structs.get(holder.structName)?.[0]?.file)) pushTo(ownerChecks, holder.structName, { field: holder.field, file: facts.file, line: n.line, caller: n.caller, detail: n.detail });
    }
  }
  for (const [name, defs] of symbols.structs) {
    if (labels.has(name)) continue;
    const def = defs[0];
    const threadFields = def.item.fields.filter((f) => baseTypeName(f.type) === 'struct spdk_thread' && f.type.includes('*'));
    if (threadFields.length === 0) continue;
    const sets = ownerSets.get(name) ?? [];
    const checks = (ownerChecks.get(name) ?? []).filter((c) => threadFields.some((f) => f.name === c.field));
    const ownerField = checks[0]?.field ?? sets[0]?.field ?? threadFields.find((f) => /thread|owner/.test(f.name))?.name;
    if (!ownerField || (sets.length === 0 && checks.length === 0 && !/^(thread|owner_thread|owner|app_thread|md_thread|orig_thread)$/.test(ownerField))) continue;
    const field = fieldNamed(def.item.fields, ownerField) ?? threadFields[0];
    const asserted = checks.filter((c) => c.field === ownerField);
    labels.set(name, {
      name,
      file: def.file,
      line: def.item.line,
      ownership: 'thread_affine',
      summary:
        asserted.length > 0
          ? `Thread-affine: owned by the spdk_thread in field ${ownerField}; SPDK asserts or checks it is on that thread before touching it (${asserted.length} place${asserted.length === 1 ? '' : 's'}).`
          : sets.length > 0
            ? `Thread-affine: field ${ownerField} records the owning spdk_thread (set from spdk_get_thread()); work on it is sent to that thread.`
            : `Thread-affine: field ${ownerField} names the spdk_thread it belongs to.`,
      ownerField,
      evidence: [
        { file: def.file, line: field.line, note: `field ${field.name}: struct spdk_thread *` },
        ...asserted.slice(0, 10).map((c) => ({ file: c.file, line: c.line, note: `${c.detail === 'assert' ? 'asserted' : 'checked'}: ${ownerField} == spdk_get_thread()${c.caller ? ` in ${c.caller}` : ''}` })),
        ...sets.slice(0, 20).map((s) => ({ file: s.file, line: s.line, note: `${ownerField} = spdk_get_thread()${s.in ? ` in ${s.in}` : ''}` })),
      ],
    });
  }

  // Core handles from the curated table.
  for (const handle of CORE_HANDLES) {
    const def = symbols.struct(handle.type, 'include/spdk/');
    labels.set(handle.type, {
      name: handle.type,
      file: def?.file ?? '',
      line: def?.item.line ?? 0,
      ownership: 'core_handle',
      summary: `Owned by ${handle.owner}. ${handle.meaning}`,
      evidence: [],
    });
  }

  // Global state: a struct held in a file-scope variable (not a table of functions).
  for (const [varName, globals] of symbols.globals) {
    for (const g of globals) {
      const type = g.item.type;
      if (type.includes('*') || !/^(struct|union) /.test(type)) continue;
      const name = baseTypeName(type);
      if (fromTestsOnly(g.file, symbols.struct(name, g.file)?.file)) continue;
      if (labels.has(name)) {
        const existing = labels.get(name)!;
        if (existing.ownership === 'global_state' && existing.evidence.length < 20) existing.evidence.push({ file: g.file, line: g.item.line, note: `file-scope variable ${varName}` });
        continue;
      }
      const def = symbols.struct(name, g.file);
      if (!def || def.item.fields.length === 0 || def.item.fields.every((f) => f.isFunctionPointer || symbols.isFunctionType(f.type))) continue;
      if (/^struct spdk_(bdev_module|bdev_fn_table|subsystem|json_object_decoder|rpc_\w+|accel_module_if|sock_net_impl)$/.test(name)) continue;
      labels.set(name, {
        name,
        file: def.file,
        line: def.item.line,
        ownership: 'global_state',
        summary: `Global state: one instance in file-scope variable ${varName}, shared by every thread. Usually touched only from one thread (often the app thread) or under a lock.`,
        evidence: [{ file: g.file, line: g.item.line, note: `file-scope variable ${varName}` }],
      });
    }
  }
  return [...labels.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Evidence from a test file about a type the library defines: tests never decide a library type's label. */
function fromTestsOnly(evidenceFile: string, definitionFile: string | undefined): boolean {
  return isTestFile(evidenceFile) && (!definitionFile || !isTestFile(definitionFile));
}
