import * as assert from 'node:assert/strict';
import type { MacroDefinition, ValueSummary } from '../../src/core/facts/fileFacts';
import { MacroExpander } from '../../src/core/model/macroExpander';

const ident = (name: string): ValueSummary => ({ kind: 'ident', name });

function expander(macros: MacroDefinition[]): MacroExpander {
  return new MacroExpander((name) => macros.find((m) => m.name === name));
}

describe('macro expander', () => {
  const poller: MacroDefinition = {
    name: 'SPDK_POLLER_REGISTER',
    line: 1,
    params: ['fn', 'arg', 'period_microseconds'],
    body: 'spdk_poller_register_named(fn, arg, period_microseconds, #fn)',
  };
  const rpc: MacroDefinition = {
    name: 'SPDK_RPC_REGISTER',
    line: 2,
    params: ['method', 'func', 'state_mask'],
    body: 'static void __attribute__((constructor(1000))) rpc_register_##func(void) { spdk_rpc_register_method(method, func, state_mask); }',
  };

  it('follows macro parameters into the call the body makes', () => {
    const [call] = expander([poller]).expand({ callee: 'SPDK_POLLER_REGISTER', args: [ident('my_poll'), ident('ctx'), { kind: 'other', text: '0' }] }, 'a.c');
    assert.equal(call.callee, 'spdk_poller_register_named');
    assert.equal(call.macro, 'SPDK_POLLER_REGISTER');
    assert.deepEqual(call.args[0], ident('my_poll'));
    assert.equal(call.args[3].kind, 'other', 'a stringified parameter is not the function');
  });

  it('sees through the constructor SPDK_RPC_REGISTER defines, ignoring the pasted name', () => {
    const calls = expander([rpc]).expand({ callee: 'SPDK_RPC_REGISTER', args: [{ kind: 'string', text: 'x' }, ident('rpc_x'), ident('SPDK_RPC_RUNTIME')] }, 'a.c');
    assert.deepEqual(calls.map((c) => c.callee), ['spdk_rpc_register_method']);
    assert.deepEqual(calls[0].args, [{ kind: 'string', text: 'x' }, ident('rpc_x'), ident('SPDK_RPC_RUNTIME')]);
  });

  it('expands nested macros and stops on recursive ones', () => {
    const outer: MacroDefinition = { name: 'OUTER', line: 3, params: ['f'], body: 'SPDK_POLLER_REGISTER(f, NULL, 10)' };
    const loop: MacroDefinition = { name: 'LOOP', line: 4, params: ['x'], body: 'LOOP(x)' };
    const e = expander([poller, outer, loop]);
    const [call] = e.expand({ callee: 'OUTER', args: [ident('p')] }, 'a.c');
    assert.equal(call.callee, 'spdk_poller_register_named');
    assert.equal(call.macro, 'OUTER');
    assert.deepEqual(call.args[0], ident('p'));
    assert.deepEqual(e.expand({ callee: 'LOOP', args: [ident('p')] }, 'a.c').map((c) => c.callee), ['LOOP']);
  });

  it('passes plain calls through untouched', () => {
    const call = { callee: 'spdk_thread_send_msg', args: [ident('t')] };
    assert.deepEqual(expander([poller]).expand(call, 'a.c'), [call]);
  });
});

describe('macro expander: struct initializers in macro bodies', () => {
  it('maps `.field = param` of a struct the body defines to the argument', () => {
    const trace: MacroDefinition = {
      name: 'SPDK_TRACE_REGISTER_FN',
      line: 1,
      params: ['fn', 'name', 'order'],
      body: 'static void fn(void); struct spdk_trace_register_fn reg_ ## fn = { .name = name, .reg_fn = fn, }; static void f(void) { g(&reg_ ## fn); }',
    };
    const e = new MacroExpander((n) => (n === trace.name ? trace : undefined));
    const stores = e.expandStores({ callee: 'SPDK_TRACE_REGISTER_FN', args: [ident('my_trace'), { kind: 'string', text: 'x' }, ident('1')] }, 'a.c');
    assert.deepEqual(stores, [
      { structName: 'struct spdk_trace_register_fn', field: 'name', value: { kind: 'string', text: 'x' }, macro: 'SPDK_TRACE_REGISTER_FN' },
      { structName: 'struct spdk_trace_register_fn', field: 'reg_fn', value: ident('my_trace'), macro: 'SPDK_TRACE_REGISTER_FN' },
    ]);
  });
});

describe('macro expander: pasted callees', () => {
  it('builds the callee name from pasted pieces and arguments', () => {
    const getReg: MacroDefinition = {
      name: 'get_reg_async',
      line: 1,
      params: ['ctrlr', 'reg', 'sz', 'cb_fn', 'cb_arg'],
      body: 'transport_get_reg_ ## sz ## _async(ctrlr, offsetof(struct regs, reg), cb_fn, cb_arg)',
    };
    const getVs: MacroDefinition = { name: 'get_vs_async', line: 2, params: ['ctrlr', 'cb_fn', 'cb_arg'], body: 'get_reg_async(ctrlr, vs, 4, cb_fn, cb_arg)' };
    const e = new MacroExpander((n) => [getReg, getVs].find((m) => m.name === n));
    const [call] = e.expand({ callee: 'get_vs_async', args: [ident('c'), ident('vs_done'), ident('c')] }, 'a.c');
    assert.equal(call.callee, 'transport_get_reg_4_async');
    assert.deepEqual(call.args[2], ident('vs_done'));
  });
});
