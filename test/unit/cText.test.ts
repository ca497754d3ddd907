import * as assert from 'node:assert/strict';
import { callValue, identValue, textValue } from '../../src/core/facts/fileFacts';
import {
  baseTypeName,
  docCommentBefore,
  peelExpression,
  readDeclaration,
  readDeclarator,
  readParameterList,
  splitTopLevel,
  summarizeValue,
} from '../../src/core/parse/cText';

describe('cText readers', () => {
  it('reads parameters with typedef names kept and raw function pointers written out', () => {
    assert.deepEqual(readParameterList('(const struct spdk_thread *thread, spdk_msg_fn fn, void *ctx)'), [
      { name: 'thread', type: 'const struct spdk_thread *' },
      { name: 'fn', type: 'spdk_msg_fn' },
      { name: 'ctx', type: 'void *' },
    ]);
    assert.deepEqual(readParameterList('(void (*cb_fn)(void *cb_arg, int rc), void *cb_arg)'), [
      { name: 'cb_fn', type: 'void (*)(void *cb_arg, int rc)' },
      { name: 'cb_arg', type: 'void *' },
    ]);
    assert.deepEqual(readParameterList('(void)'), []);
    assert.deepEqual(readParameterList('(int, char **)'), [
      { name: '', type: 'int' },
      { name: '', type: 'char **' },
    ]);
  });

  it('reads declarators: pointers, arrays, functions and function pointers', () => {
    assert.equal(readDeclarator('*name')?.pointerDepth, 1);
    assert.equal(readDeclarator('name[4]')?.isArray, true);
    const fnPtr = readDeclarator('(*submit_request)(struct spdk_io_channel *ch, struct spdk_bdev_io *bdev_io)');
    assert.equal(fnPtr?.name, 'submit_request');
    assert.equal(fnPtr?.isFunctionPointer, true);
    assert.equal(fnPtr?.params?.length, 2);
    const fn = readDeclarator('*spdk_get_thread(void)');
    assert.equal(fn?.isFunction, true);
    assert.equal(fn?.name, 'spdk_get_thread');
  });

  it('splits declarations into specifiers and declarators, dropping struct bodies', () => {
    const d = readDeclaration('static const struct spdk_bdev_fn_table null_fn_table = { .destruct = x };');
    assert.equal(d?.specifiers, 'static const struct spdk_bdev_fn_table');
    assert.equal(d?.declarators[0].text, 'null_fn_table');
    assert.equal(d?.declarators[0].initializer?.trim(), '{ .destruct = x }');
    const multi = readDeclaration('struct foo { int a; } *x = NULL, y;');
    assert.equal(multi?.specifiers, 'struct foo');
    assert.deepEqual(multi?.declarators.map((x) => x.text), ['*x', 'y']);
    const macroType = readDeclaration('static TAILQ_HEAD(  foo) g_list = TAILQ_HEAD_INITIALIZER(g_list);');
    assert.equal(macroType?.declarators[0].text, 'g_list');
    const fnPtr = readDeclaration('void (*g_cb)(void *ctx) = NULL;');
    assert.equal(fnPtr?.specifiers, 'void');
    assert.equal(readDeclarator(fnPtr!.declarators[0].text)?.name, 'g_cb');
  });

  it('summarizes values through casts, & and parentheses', () => {
    assert.deepEqual(summarizeValue('(spdk_msg_fn)&my_fn'), identValue('my_fn'));
    assert.deepEqual(summarizeValue('(void *)ctx'), identValue('ctx'));
    assert.deepEqual(summarizeValue('"bdev_" "null"'), textValue('string', 'bdev_null'));
    assert.deepEqual(summarizeValue('sizeof(struct null_io_channel)'), textValue('sizeof', 'struct null_io_channel'));
    assert.deepEqual(summarizeValue('spdk_get_thread()'), callValue('spdk_get_thread'));
    assert.equal(summarizeValue('a + b').kind, 'other');
    assert.equal(peelExpression('(a) + b'), '(a) + b', 'a parenthesised operand is not a cast');
  });

  it('splits at top-level separators only', () => {
    assert.deepEqual(splitTopLevel('a, f(b, c), "x,y", {1, 2}', ',').map((p) => p.text.trim()), ['a', 'f(b, c)', '"x,y"', '{1, 2}']);
  });

  it('names base types and finds doc comments', () => {
    assert.equal(baseTypeName('static const struct spdk_bdev *'), 'struct spdk_bdev');
    assert.equal(baseTypeName('const spdk_msg_fn'), 'spdk_msg_fn');
    const text = '/**\n * Send a message.\n *\n * \\param fn Function.\n */\nint spdk_thread_send_msg(void);';
    assert.equal(docCommentBefore(text, text.indexOf('int')), 'Send a message.\n\n\\param fn Function.');
    assert.equal(docCommentBefore('/* plain */\nint x;', 12), undefined);
  });
});
