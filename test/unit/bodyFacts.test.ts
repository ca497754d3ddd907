import * as assert from 'node:assert/strict';
import { identValue, typedCallResult } from '../../src/core/facts/fileFacts';
import { scanFunctionBody, type BodyOutput } from '../../src/core/facts/bodyFacts';
import { lineAt, lineStarts } from '../../src/core/parse/cText';

function scan(body: string, locals: Record<string, string> = {}) {
  const text = `void f(void)\n{\n${body}\n}\n`;
  const out: BodyOutput = { calls: [], fieldStores: [], typedCallResults: [], initializers: [], notes: [] };
  const starts = lineStarts(text);
  scanFunctionBody(text, { open: text.indexOf('{'), close: text.lastIndexOf('}') }, { caller: 'f', locals: new Map(Object.entries(locals)), fileScopeTypes: new Map([['g_opts', 'struct app_opts']]) }, (o) => lineAt(starts, o), out);
  return out;
}

describe('function body scanner', () => {
  it('reads a body full of unclosed calls without rescanning it per bracket', () => {
    // 50,000 lines of `a(b(c(`: scanning from every `(` to the end made this take about a minute.
    const out = scan('\ta(b(c(\n'.repeat(50_000) + '\tdone(x);');
    assert.deepEqual(out.calls.map((c) => c.callee), [], 'none closes but `done`, and it sits 150,000 parentheses deep');
    const closed = scan('\tz(1);\n' + '\ta(b(c(\n'.repeat(1_000) + '))) + 0;\n\tlast(y);');
    assert.deepEqual(closed.calls.map((c) => c.callee).slice(0, 1), ['z']);
  });

  it('stops reading a chain of assignments after 256 of them (each reads the rest of the chain), then reads on', () => {
    // Read to its end, this 50,000-long chain cost minutes; its one store of a name, at the far end, is given up.
    const out = scan('\t' + 'p->cb = '.repeat(50_000) + 'my_fn;\n\tq->cb = other_fn;', { p: 'struct foo', q: 'struct foo' });
    assert.deepEqual(out.fieldStores.map((s) => s.value), [identValue('other_fn')]);
    const short = scan('\t' + 'p->cb = '.repeat(200) + 'my_fn;', { p: 'struct foo' });
    assert.deepEqual(short.fieldStores.map((s) => s.value), [identValue('my_fn')], 'a chain under the limit is read to its end');
  });

  it('reads calls nested up to 256 deep in one statement, and no deeper (each reads all its arguments)', () => {
    // 100,000 nested calls used to cost the square of their length: minutes.
    const out = scan('\t' + 'a('.repeat(100_000) + ')'.repeat(100_000) + ';\n\tafter(x);');
    assert.equal(out.calls.filter((c) => c.callee === 'a').length, 256);
    assert.deepEqual(out.calls.at(-1)?.callee, 'after');
  });

  it('finds calls with their arguments and lines, nested ones too', () => {
    const out = scan('\tspdk_thread_send_msg(thread, (spdk_msg_fn)my_fn, ctx);\n\tif (foo(bar(1))) {\n\t\tx->fn(y);\n\t}');
    assert.deepEqual(
      out.calls.map((c) => [c.callee || `->${c.calleeField}`, c.line]),
      [['spdk_thread_send_msg', 3], ['foo', 4], ['bar', 4], ['->fn', 5]],
    );
    assert.deepEqual(out.calls[0].args[1], identValue('my_fn'));
  });

  it('marks the calls not made on every path: in a block, after an if or while condition, in an else, a loop or a case', () => {
    const out = scan(
      [
        '\ta(x);',
        '\tif (b(x)) c(x);',
        '\tif (x) {',
        '\t\td(x);',
        '\t}',
        '\telse e(x);',
        '\tTAILQ_FOREACH(y, &h, link) f(y);',
        '\tfor (;;) g(x);',
        '\tswitch (h(x)) {',
        '\tcase 1:',
        '\t\ti(x);',
        '\t}',
        '\twhile (!done) j(x);',
        '\tk(x);',
        '\treturn l(x);',
      ].join('\n'),
    );
    const guarded = Object.fromEntries(out.calls.map((c) => [c.callee, Boolean(c.guarded)]));
    assert.deepEqual(guarded, { a: false, b: false, c: true, d: true, e: true, TAILQ_FOREACH: true, f: true, g: true, h: false, i: true, j: true, k: false, l: false });
  });

  it('ignores keywords, strings and comments', () => {
    const out = scan('\t/* fake(1) */ puts("also_fake(2)");\n\treturn sizeof(int);\n\twhile (x) {}');
    assert.deepEqual(out.calls.map((c) => c.callee), ['puts']);
  });

  it('reads field stores through ->, . and subscripts, typed by locals and globals', () => {
    const out = scan('\tstruct foo *p = get();\n\tp->ops.cb = my_cb;\n\tg_opts.shutdown_cb = stop;\n\tarr[i].x = y;\n\tif ((rc = go())) {}', { arr: 'struct bar' });
    const stores = out.fieldStores.map((s) => `${s.target.rootType}|${s.target.fields.join('.')}|${s.field}|${s.line}`);
    assert.deepEqual(stores, ['struct foo|ops|cb|4', 'struct app_opts||shutdown_cb|5', 'struct bar||x|6']);
    assert.deepEqual(out.typedCallResults, [typedCallResult('get', 'struct foo', 3, 'f', 'p')]);
  });

  it('keeps a local variable on the right out of the stores (it is not a function)', () => {
    const out = scan('\tvoid *cb = NULL;\n\tp->cb = cb;', { p: 'struct foo' });
    assert.equal(out.fieldStores.length, 0);
  });

  it('collects local struct initializers and compound literals', () => {
    const out = scan('\tstruct spdk_bdev_fn_table t = { .submit_request = sub };\n\tuse(&(struct opts){ .cb = done });');
    assert.deepEqual(out.initializers.map((i) => [i.type, i.variable]), [['struct spdk_bdev_fn_table', 't'], ['struct opts', '']]);
  });

  describe('body notes', () => {
    const notes = (body: string, locals: Record<string, string>) => scan(body, locals).notes.map((n) => [n.kind, n.name, `${n.path.rootType}${n.path.fields.map((f) => `.${f}`).join('')}`, n.detail].filter(Boolean).join(' '));

    it('a void * argument cast to a struct, in a declaration or an assignment', () => {
      assert.deepEqual(notes('\tstruct ctrlr *c = ctx;\n\tstruct ctrlr *d;\n\td = arg;', { ctx: 'void', arg: 'void' }), ['cast ctx struct ctrlr c', 'cast arg struct ctrlr d']);
      assert.deepEqual(notes('\tstruct ctrlr *c = other;', { other: 'struct ctrlr' }), [], 'a typed pointer copied is no cast');
    });

    it('a parameter stored into a field, and a call through a field of a typed object', () => {
      assert.deepEqual(notes('\titer->fn = fn;\n\titer->inner.cpl(iter->ctx, 0);', { iter: 'struct my_iter', fn: 'my_fn' }), [
        'store fn struct my_iter.fn',
        'field_call cpl struct my_iter.inner',
      ]);
    });

    it('list insertions and removals on a field, and ring operations', () => {
      assert.deepEqual(
        notes('\tTAILQ_INSERT_TAIL(&ch->io, io, link);\n\tTAILQ_FOREACH_SAFE(io, &ch->io, link, tmp) {}\n\tspdk_ring_enqueue(t->messages, &m, 1, NULL);', { ch: 'struct my_channel', io: 'struct my_io', t: 'struct my_thread' }),
        ['queue TAILQ_INSERT_TAIL struct my_channel.io insert', 'queue TAILQ_FOREACH_SAFE struct my_channel.io remove', 'queue spdk_ring_enqueue struct my_thread.messages insert'],
      );
    });

    it('a list handed over by address, and a list the function was handed', () => {
      assert.deepEqual(notes('\tdone = take_off(&ch->waiting, 5, &local);\n\tTAILQ_REMOVE(head, io, link);\n\tTAILQ_REMOVE(&g_list, io, link);', { ch: 'struct my_channel', head: 'struct my_head' }), [
        'field_address take_off struct my_channel.waiting 0',
        'queue TAILQ_REMOVE .head remove',
      ]);
    });

    it('thread checks: app-thread asserts, owner asserts and guards', () => {
      assert.deepEqual(
        notes('\tassert(spdk_thread_is_app_thread(NULL));\n\tassert(desc->thread == spdk_get_thread());\n\tif (spdk_get_thread() != ch->owner->thread) { return; }\n\tif (!spdk_thread_is_app_thread(NULL)) { return; }', {
          desc: 'struct my_desc',
          ch: 'struct my_channel',
        }),
        ['thread_check app_thread assert', 'thread_check owner struct my_desc.thread assert', 'thread_check owner struct my_channel.owner.thread guard', 'thread_check app_thread guard'],
      );
      assert.deepEqual(notes('\tt = spdk_get_thread();\n\tif (spdk_thread_is_app_thread(NULL)) { x(); }', {}), [], 'no comparison, no check; an if on being the app thread is no guard against it');
      assert.deepEqual(notes('\tassert(spdk_io_channel_get_thread(ch->parent) == spdk_get_thread());', { ch: 'struct my_channel' }), ['thread_check channel_thread assert']);
      // The current thread kept in a local first, then compared.
      assert.deepEqual(notes('\tthread = spdk_get_thread();\n\tassert(thread == dev->unregister_thread);\n\tif (other == dev->unregister_thread) { return; }', { dev: 'struct my_dev' }), [
        'thread_check owner struct my_dev.unregister_thread assert',
      ]);
    });
  });
});
