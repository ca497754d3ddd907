import * as assert from 'node:assert/strict';
import { macroMadeFunctionEnd, separateFunctionBodies } from '../../src/core/parse/functionBodies';
import { latin1Text, normalizeSourceForParsing } from '../../src/core/parse/sourceNormalizer';

const lines = (s: string) => s.split('\n').length;

describe('source normalizer', () => {
  it('terminates file-scope registration macros and keeps every row', () => {
    const text = 'SPDK_RPC_REGISTER("a", rpc_a, SPDK_RPC_RUNTIME)\nSPDK_LOG_REGISTER_COMPONENT(x)\nstruct foo {\n\tint a;\n};\n';
    const out = normalizeSourceForParsing(text);
    assert.equal(lines(out), lines(text));
    assert.match(out, /SPDK_RPC_RUNTIME\);\n/);
    assert.match(out, /COMPONENT\(x\);\n/);
  });

  it('terminates a registration macro that ends the file, with or without a last newline', () => {
    // SPDK files often end this way (SPDK_LOG_REGISTER_COMPONENT, SPDK_TRACE_REGISTER_FN): half the files whose
    // skeletons tree-sitter reported an error in had only this missing `;`.
    assert.equal(normalizeSourceForParsing('int x;\nSPDK_LOG_REGISTER_COMPONENT(bdev)\n'), 'int x;\nSPDK_LOG_REGISTER_COMPONENT(bdev);\n');
    assert.equal(normalizeSourceForParsing('int x;\nSPDK_LOG_REGISTER_COMPONENT(bdev)'), 'int x;\nSPDK_LOG_REGISTER_COMPONENT(bdev);');
    assert.equal(normalizeSourceForParsing('int x;\nSPDK_LOG_REGISTER_COMPONENT(bdev) /* last */\n'), 'int x;\nSPDK_LOG_REGISTER_COMPONENT(bdev); /* last */\n');
  });

  it('leaves macros followed by a body, an initializer or a semicolon alone', () => {
    const text = 'DEFINE_STUB(f, int, (void), 0);\nFOO(x)\n{\n}\nBAR(y) = 1;\n';
    assert.equal(normalizeSourceForParsing(text), text);
  });

  it('turns loop macros into while loops of the same length, but not in #define lines', () => {
    const text = '#define TAILQ_FOREACH(v, h, f) for (;;)\nvoid f(void) {\n\tTAILQ_FOREACH(x, &h, link) {\n\t}\n}\n';
    const out = normalizeSourceForParsing(text);
    assert.equal(out.length, text.length);
    assert.match(out, /^#define TAILQ_FOREACH\(/);
    assert.match(out, /\twhile {8}\(x, &h, link\)/);
  });

  it('puts one Latin-1 stand-in for each character outside Latin-1, so no offset or row moves', () => {
    // Curly quotes (double ones too) become ', dashes -, the rest ?; Latin-1 itself (é, ©) stays; an emoji is two
    // UTF-16 units, so two stand-ins.
    const text = '/* it\u2019s \u201cdone\u201d \u2014 caf\u00e9 \u00a9 \u2603 \ud83d\ude00 */\nputs("\u201chi\u201d");\n';
    const out = latin1Text(text);
    assert.equal(out, "/* it's 'done' - caf\u00e9 \u00a9 ? ?? */\nputs(\"'hi'\");\n");
    assert.equal(out.length, text.length);
    assert.equal(normalizeSourceForParsing(text), out);
    const plain = 'int a; /* caf\u00e9 */\n';
    assert.equal(latin1Text(plain), plain);
  });

  it('drops the first argument of anonymous list heads', () => {
    assert.equal(normalizeSourceForParsing('struct a {\n\tTAILQ_HEAD(, b) list;\n};\n'), 'struct a {\n\tTAILQ_HEAD(  b) list;\n};\n');
  });
});

describe('function body separation', () => {
  it('empties function bodies down to their newlines and maps them back', () => {
    const text = 'struct s { int a; };\nstatic int\nf(int a)\n{\n\tint b = a;\n\treturn g(b);\n}\nint x = 1;\n';
    const { skeleton, bodies } = separateFunctionBodies(text);
    assert.equal(lines(skeleton), lines(text));
    assert.doesNotMatch(skeleton, /return/);
    assert.match(skeleton, /struct s \{ int a; \};/);
    assert.equal(bodies.size, 1);
    const [[skeletonOpen, span]] = [...bodies];
    assert.equal(skeleton[skeletonOpen], '{');
    assert.equal(text[span.open], '{');
    assert.equal(text[span.close], '}');
    assert.match(text.slice(span.open, span.close), /return g\(b\)/);
  });

  it('does not take initializers, struct bodies or attribute-packed structs for function bodies', () => {
    const text = 'static struct x y = {\n\t.a = f,\n};\nstruct __attribute__((packed)) {\n\tint a;\n} z;\nextern "C" {\nint g(void) { return 0; }\n}\n';
    const { bodies } = separateFunctionBodies(text);
    assert.equal(bodies.size, 1, 'only g has a body');
  });

  it('survives braces in strings, comments and directives', () => {
    const text = 'void f(void)\n{\n\tputs("}");\n\t/* } */\n#if 0\n#endif\n\tg(\'{\');\n}\nvoid h(void) {}\n';
    const { bodies } = separateFunctionBodies(text);
    assert.equal(bodies.size, 2);
  });

  it('finds column-0 macros only at file scope, after comments and directives, never inside literals', () => {
    const text = [
      'SPDK_LOG_REGISTER_COMPONENT(first)', // the very first line
      '// a comment, then a macro on the next line',
      'SPDK_RPC_REGISTER("a", rpc_a, SPDK_RPC_RUNTIME)',
      '#define WRAP(x) \\',
      'NOT_A_STATEMENT(x)', // the continuation of the directive above
      'static const char *s = "unterminated',
      'NOT_EITHER(y)', // the line an unterminated literal ran into
      'void f(void)',
      '{',
      'INSIDE_BODY(z)', // braces: not file scope
      '}',
      '  #pragma once',
      'SPDK_BDEV_MODULE_REGISTER(null, &null_if)',
      'static int after;',
      '',
    ].join('\n');
    const out = normalizeSourceForParsing(text);
    assert.equal(lines(out), lines(text));
    assert.match(out, /COMPONENT\(first\);\n/);
    assert.match(out, /SPDK_RPC_RUNTIME\);\n/);
    assert.match(out, /&null_if\);\n/);
    for (const untouched of ['NOT_A_STATEMENT(x)\n', 'NOT_EITHER(y)\n', 'INSIDE_BODY(z)\n']) assert.ok(out.includes(untouched), untouched);
  });

  it('matches a body brace past braces in literals, comments and directives at the start of a line', () => {
    const text = 'int f(void)\n{\n\tchar c = \'}\';\n\t// }\n  #define CLOSE }\n\t/* } */ if (1) { g(); }\n}\nint x;\n';
    const { skeleton, bodies } = separateFunctionBodies(text);
    assert.equal(bodies.size, 1);
    const [span] = [...bodies.values()];
    assert.equal(text.slice(span.close, span.close + 3), '}\ni');
    assert.match(skeleton, /int x;/);
  });

  it('cuts macro-made functions (a parameter list among the arguments) out of the skeleton, rows and bodies kept', () => {
    const text = [
      'DEFINE_STUB(spdk_x_get_name, const char *, (const struct spdk_x *x), "x");',
      '  DEFINE_STUB_V(spdk_x_free,',
      '\t(struct spdk_x *x, int flags));',
      'DEFINE_WRAPPER(calloc, void *, (size_t nmemb, size_t size), (nmemb, size));',
      'STUB_VOID(f, (void));',
      'int kept_before;',
      'void g(int a)',
      '{',
      '\treturn;',
      '}',
      'int kept_after;',
      '',
    ].join('\n');
    const { skeleton, bodies } = separateFunctionBodies(text);
    assert.equal(lines(skeleton), lines(text));
    assert.doesNotMatch(skeleton, /DEFINE_|STUB_VOID/);
    assert.deepEqual(
      skeleton.split('\n').map((l) => l.trim()),
      ['', '', '', '', '', 'int kept_before;', 'void g(int a)', '{', '', '}', 'int kept_after;', ''],
    );
    // The body's skeleton offset still maps to its place in the text.
    const [[skeletonOpen, span]] = [...bodies];
    assert.equal(skeleton[skeletonOpen], '{');
    assert.equal(text.slice(span.open, span.close + 1), '{\n\treturn;\n}');
  });

  it('reads a file of unclosed macro invocations without rescanning it per line, in the normalizer and the separator', () => {
    // 150,000 lines of `A(`: matching each from its own `(` to the end of the file used to take minutes.
    const text = 'A(\n'.repeat(150_000) + 'int kept;\n';
    const normalized = normalizeSourceForParsing(text);
    assert.equal(normalized, text, 'no `;` inserted after an invocation that never closes');
    const { skeleton } = separateFunctionBodies(normalized);
    assert.equal(skeleton, text);
  });

  it('does not take a huge parenthesized argument for a parameter list (nor spend the square of its length deciding)', () => {
    const text = `STUB(f, (int a${' '.repeat(400_000)}+ b), 0);\nint kept;\n`;
    assert.equal(separateFunctionBodies(text).skeleton, text);
  });

  it('cuts a comment that never closes out of the skeleton, to the end of the file, rows kept', () => {
    // Every `/*` inside it made tree-sitter look for its end over the rest of the file: 80 KB of these took 15 s.
    const text = 'int a;\nvoid f(void)\n{\n}\n' + '/* never closed\n'.repeat(50_000);
    const { skeleton, bodies } = separateFunctionBodies(text);
    assert.equal(skeleton, 'int a;\nvoid f(void)\n{\n}\n' + '\n'.repeat(50_000));
    assert.equal(bodies.size, 1);
  });

  it('keeps macro statements whose arguments are not a parameter list, and stubs inside braces or without their `;`', () => {
    const kept = [
      'SPDK_RPC_REGISTER("bdev_x_create", rpc_bdev_x_create, SPDK_RPC_RUNTIME);',
      'SPDK_STATIC_ASSERT(sizeof(struct x) == 8, "size (bytes)");',
      'CALL_ARGS(f, (a, b));',
      'SUM(f, (a) + (b));',
      'EXPR(f, (a + b));',
      'lower_case(f, (int a));',
      'NO_SEMICOLON(f, (int a))',
      'struct s {',
      'INSIDE(f, (int a));',
      '};',
      '',
    ];
    const text = kept.join('\n');
    const { skeleton } = separateFunctionBodies(text);
    assert.equal(skeleton, text);
    assert.equal(macroMadeFunctionEnd(text, 0), -1);
  });
});
