// The fixture tree says, in comments under each line, what the index must find there. One test per comment.
import * as assert from 'node:assert/strict';
import type { SpdkIndex } from '../../src/core/index/indexer';
import type { FunctionLabels } from '../../src/core/model/indexTypes';
import { indexSample, readAnnotations, SAMPLE_ROOT, type Annotation } from './helpers';

function functionNamed(index: SpdkIndex, name: string, file?: string): FunctionLabels {
  const all = index.functionsNamed(name).filter((f) => !file || f.file === file);
  assert.equal(all.length, 1, `expected one definition of ${name}, found ${all.length}`);
  return all[0];
}

function check(index: SpdkIndex, a: Annotation): void {
  const f = a.fields;
  switch (a.kind) {
    case 'context': {
      const fn = functionNamed(index, f.fn);
      const match = fn.contexts.find(
        (c) =>
          !('inferred' in c) &&
          c.file === a.file &&
          c.line === a.line &&
          c.kind === f.kind &&
          (f.api === undefined || ('api' in c && c.api === f.api)) &&
          (f.arg === undefined || ('arg' in c && String(c.arg) === f.arg)) &&
          (f.type === undefined || ('type' in c && c.type === f.type)) &&
          (f.macro === undefined || ('macro' in c && c.macro === f.macro)) &&
          (f.slot === undefined || ('slot' in c && c.slot === f.slot)),
      );
      assert.ok(match, `${f.fn}: no context like ${a.text} at ${a.file}:${a.line}; found ${JSON.stringify(fn.contexts)}`);
      return;
    }
    case 'inferred': {
      const fn = functionNamed(index, f.fn);
      assert.equal(fn.line, a.line);
      assert.deepEqual(fn.contexts, [{ kind: f.kind, inferred: true, via: f.via.split(',') }]);
      return;
    }
    case 'io': {
      const fn = functionNamed(index, f.fn);
      assert.ok(
        fn.ioRoles.some((r) => r.role === f.role && r.object === f.object && r.line === a.line),
        `${f.fn}: no ${f.role} ${f.object} at line ${a.line}; found ${JSON.stringify(fn.ioRoles)}`,
      );
      if (f.object === 'bdev_io' && f.role === 'completes') assert.equal(fn.completesBdevIo, true);
      if (f.object === 'bdev_io' && f.role === 'frees') assert.equal(fn.freesBdevIo, true);
      return;
    }
    case 'must_free': {
      const fn = functionNamed(index, f.fn);
      assert.ok(fn.ioRoles.some((r) => r.role === 'must_free' && r.object === 'bdev_io'), JSON.stringify(fn.ioRoles));
      return;
    }
    case 'async':
    case 'sync': {
      const fn = functionNamed(index, f.fn);
      assert.equal(fn.line, a.line);
      assert.equal(fn.async, a.kind === 'async', fn.asyncReason);
      return;
    }
    case 'rpc': {
      const method = index.rpcMethods().find((m) => m.method === f.method);
      assert.ok(method, `RPC ${f.method} not found`);
      assert.equal(method.handler, f.handler);
      assert.equal(method.file, a.file);
      assert.equal(method.line, a.line);
      assert.equal(method.reply, f.reply);
      if (f.params) assert.deepEqual(method.params, f.params.split(','));
      return;
    }
    case 'object': {
      const fn = functionNamed(index, f.fn);
      assert.equal(fn.objects?.[0]?.type, f.type, JSON.stringify(fn.objects));
      return;
    }
    case 'ownership': {
      const type = index.type(f.type);
      assert.ok(type, `${f.type} has no ownership label`);
      assert.equal(type.ownership, f.kind);
      assert.equal(type.file, a.file);
      assert.equal(type.line, a.line, 'labelled at the struct definition');
      return;
    }
    case 'owner': {
      const type = index.type(f.type);
      assert.ok(type, `${f.type} has no ownership label`);
      assert.equal(type.ownerField, f.field);
      assert.ok(type.evidence.some((e) => e.file === a.file && e.line === a.line), JSON.stringify(type.evidence));
      return;
    }
    case 'module': {
      const module = index.model && index.document.bdevModules.find((m) => m.name === f.name);
      assert.ok(module, `module ${f.name} not found`);
      assert.equal(module.file, a.file);
      assert.equal(module.line, a.line);
      assert.equal(String(module.virtual), f.virtual);
      assert.equal(module.fnTable, f.fnTable);
      return;
    }
    case 'function': {
      const fn = functionNamed(index, f.name);
      assert.equal(fn.file, a.file);
      assert.equal(fn.line, a.line);
      return;
    }
    case 'struct': {
      const facts = index.files.get(a.file);
      assert.ok(facts?.structs.some((s) => s.name === f.name && s.line === a.line), `struct ${f.name} not at ${a.file}:${a.line}`);
      return;
    }
    default:
      assert.fail(`unknown annotation kind ${a.kind} at ${a.file}:${a.line + 1}`);
  }
}

describe('annotated fixtures', () => {
  const annotations = readAnnotations(SAMPLE_ROOT);
  it('has annotations to check', () => {
    assert.ok(annotations.length >= 30, `only ${annotations.length} annotations`);
  });
  for (const a of annotations) {
    it(`${a.file}:${a.line + 1} ${a.text.replace(/^\/\* @expect |\s*\*\/$/g, '')}`, async () => {
      check(await indexSample(), a);
    });
  }
});
