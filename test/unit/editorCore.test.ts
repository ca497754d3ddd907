// The editor's answers, computed by the pure core: hover explanations, their Markdown, CodeLens titles, the async call
// hierarchy and the word under the cursor. The VS Code adapters only map these to vscode types.
import { strict as assert } from 'node:assert';
import { incomingEdges, outgoingEdges } from '../../src/core/editor/asyncCallHierarchy';
import { codeLensTitles, fileLensTitles } from '../../src/core/editor/codeLensTitles';
import { explainCallable, explainCallbackTypedef, explainRpcMethod, explainStructType, explainVariable, typeOfAccess, type Explanation } from '../../src/core/editor/explanation';
import { escapeMarkdown, renderDoc, renderHoverMarkdown } from '../../src/core/editor/hoverMarkdown';
import { collapseLinks, functionAnswers } from '../../src/core/editor/functionAnswers';
import { explainFunction } from '../../src/core/report/explain';
import { declaredTypeOf, wordAtCursor } from '../../src/core/editor/symbolAtCursor';
import type { SpdkIndex } from '../../src/core/index/indexer';
import { indexSample } from './helpers';

const NULL_C = 'module/bdev/sample_null/bdev_sample_null.c';
const PT_C = 'module/bdev/sample_passthru/vbdev_sample_passthru.c';

function section(e: Explanation | undefined, title: string) {
  assert.ok(e, 'an explanation');
  const found = e.sections.find((s) => s.title === title);
  assert.ok(found, `section "${title}" in ${JSON.stringify(e.sections.map((s) => s.title))}`);
  return found;
}

/** Link targets of a Markdown text that are real links (not escaped brackets). */
function linkTargets(markdown: string): string[] {
  return [...markdown.matchAll(/(?<!\\)\]\(([^)\s]*)/g)].map((m) => m[1]);
}

describe('editor core', () => {
  let index: SpdkIndex;
  before(async () => {
    index = await indexSample();
  });

  describe('hover explanations', () => {
    it('a poller: its context, the registration that proves it, the book topic', () => {
      const e = explainCallable(index, 'sample_null_poll', NULL_C);
      assert.equal(e?.subject, 'function');
      const poller = section(e, 'Runs as poller');
      assert.match(poller.text, /must not block/);
      assert.deepEqual(
        poller.links.map((l) => [l.file, l.line]),
        [[NULL_C, 116]],
      );
      assert.match(poller.links[0].label, /SPDK_POLLER_REGISTER/);
      assert.ok(e!.topics.some((t) => t.topic === 'runtime-pollers'));
    });

    it('a fn_table entry: slot, the objects it works on and their owners, IO role', () => {
      const e = explainCallable(index, 'sample_null_submit_request', NULL_C);
      const slot = section(e, 'Runs as bdev fn_table');
      assert.match(slot.links[0].label, /struct spdk_bdev_fn_table\.submit_request of sample_null_fn_table/);
      const works = section(e, 'Works on');
      assert.match(works.text, /^struct sample_null_io_channel \(its channel context, from spdk_io_channel_get_ctx\): Per-thread io_channel context/);
      assert.match(works.text, /struct spdk_bdev_io \(parameter bdev_io\)/);
      assert.match(section(e, 'Async').text, /queues on struct sample_null_io_channel\.queued; sample_null_complete_task \(poller\) takes it off later/);
      // It completes an IO itself only when it fails it; the poller completes the rest.
      assert.equal(e!.sections.some((a) => a.title === 'IO role'), false);
      assert.match(section(e, 'On failure').text, /completes the spdk_bdev_io bdev_io with FAILED/);
      assert.equal(e!.signature, 'void sample_null_submit_request(struct spdk_io_channel *_ch, struct spdk_bdev_io *bdev_io)');
    });

    it('an RPC handler that replies from a callback says so', () => {
      const e = explainCallable(index, 'rpc_bdev_sample_pt_create', 'module/bdev/sample_passthru/vbdev_sample_passthru_rpc.c');
      const rpc = section(e, 'RPC "bdev_sample_pt_create"');
      assert.match(rpc.text, /replies async/);
      assert.ok(rpc.links.some((l) => /reply via/.test(l.label)));
      section(e, 'Runs as RPC handler');
    });

    it('a for_each_channel step and its done callback', () => {
      assert.match(section(explainCallable(index, 'sample_pt_count_channel', PT_C), 'Runs as for_each_channel step').text, /spdk_for_each_channel_continue|each channel/);
      section(explainCallable(index, 'sample_pt_count_done', PT_C), 'Runs as for_each_channel done');
    });

    it('a completion callback that must free its bdev_io', () => {
      const e = explainCallable(index, 'sample_pt_read_done', PT_C);
      section(e, 'Runs as bdev IO completion');
      assert.match(section(e, 'IO role').text, /must free it with spdk_bdev_free_io/);
    });

    it('an SPDK API: what happens to the callbacks passed to it', () => {
      const e = explainCallable(index, 'spdk_for_each_channel', PT_C);
      assert.equal(e?.subject, 'api');
      const callbacks = section(e, 'Callbacks passed to it');
      assert.match(callbacks.text, /fn \(spdk_channel_msg\) runs later as for_each_channel step/);
      assert.match(callbacks.text, /cpl \(spdk_channel_for_each_cpl\) runs later as for_each_channel done/);
      assert.match(section(explainCallable(index, 'spdk_thread_send_msg', PT_C), 'Callbacks passed to it').text, /thread message/);
    });

    it('a struct type and a variable of it: per-thread io_channel context', () => {
      const type = explainStructType(index, 'struct sample_pt_channel', PT_C);
      assert.match(section(type, 'Thread ownership (io channel ctx)').text, /io_device/);
      const scope = 'sample_pt_count_channel(struct spdk_io_channel_iter *i)\n{\n\tstruct spdk_io_channel *ch = spdk_io_channel_iter_get_channel(i);\n\tstruct sample_pt_channel *pt_ch = spdk_io_channel_get_ctx(ch);\n';
      const declared = typeOfAccess(index, ['pt_ch'], scope, PT_C);
      assert.equal(declared, 'struct sample_pt_channel *');
      const variable = explainVariable(index, 'pt_ch', declared!, PT_C);
      assert.equal(variable?.subject, 'variable');
      assert.equal(variable?.signature, 'struct sample_pt_channel * pt_ch');
    });

    it('a field reached through a pointer takes the field type', () => {
      const scope = 'f(struct sample_pt_disk *disk)\n{\n';
      assert.equal(typeOfAccess(index, ['disk', 'base_desc'], scope, PT_C), 'struct spdk_bdev_desc *');
      const e = explainVariable(index, 'base_desc', 'struct spdk_bdev_desc *', PT_C);
      assert.match(section(e, 'Thread ownership (core handle)').text, /opened/);
    });

    it('a callback typedef says what its functions run as', () => {
      const e = explainCallbackTypedef(index, 'spdk_poller_fn');
      assert.equal(e?.definition?.file, 'include/spdk/thread.h');
      assert.match(e!.signature!, /^typedef int \(\*spdk_poller_fn\)\(void \*ctx\)$/);
      section(e, 'Functions of this type run as poller');
      assert.equal(explainCallbackTypedef(index, 'sample_null_poll'), undefined);
    });

    it('an RPC method name', () => {
      const e = explainRpcMethod(index, 'bdev_sample_null_create');
      assert.equal(e?.definition?.file, 'module/bdev/sample_null/bdev_sample_null_rpc.c');
      assert.match(section(e, 'RPC "bdev_sample_null_create"').text, /Params decoded: name, num_blocks/);
      assert.equal(explainRpcMethod(index, 'no_such_method'), undefined);
    });

    it('a plain local function with no label says it runs in its callers\' context', () => {
      const e = explainCallable(index, 'sample_pt_reset_counters', PT_C);
      assert.ok(e);
      assert.ok(e.sections.some((s) => s.title === 'Context' || s.title.startsWith('Runs as')));
    });
  });

  describe('hover Markdown', () => {
    it('escapes hostile doc comments, names and RPC strings; the only links are SPDK Lens commands', () => {
      const poller = explainCallable(index, 'hostile_poller', 'lib/sample/hostile.c');
      assert.ok(poller?.doc?.includes('command:workbench'), 'the fixture comment reached the explanation');
      const rpc = index.rpcMethods().find((m) => m.method.startsWith('hostile_'));
      assert.ok(rpc, 'the hostile RPC method is indexed');
      for (const e of [poller!, explainRpcMethod(index, rpc.method)!]) {
        const markdown = renderHoverMarkdown(e);
        for (const target of linkTargets(markdown)) assert.match(target, /^command:spdkLens\.(openLocation|openBookTopic)\?/, markdown);
        assert.doesNotMatch(markdown, /(?<!\\)<(img|a|b)\b/, 'no raw HTML tag survives');
        assert.doesNotMatch(markdown, /(?<!\\)!\[/, 'no image');
      }
    });

    it('one model: the CLI text, the hover sections and the CodeLens titles come from the same answers', () => {
      const fn = index.functionsNamed('sample_reset_channel')[0];
      const answers = functionAnswers({ rpcMethods: index.rpcMethods(), typeOf: (t) => index.type(t), model: index.model }, fn);
      const hover = explainCallable(index, 'sample_reset_channel', fn.file)!;
      assert.deepEqual(hover.sections.map((s) => s.title), answers.map((a) => a.title));
      const text = explainFunction(fn, answers);
      for (const a of answers) assert.ok(text.includes(`${a.title}: ${a.text}`), a.title);
      assert.deepEqual(codeLensTitles(fn, index.rpcMethods(), index.model, (t) => index.type(t)).map((l) => l.title), answers.flatMap((a) => a.lenses.map((l) => l.title)));
      // The step reaches spdk_for_each_channel through two wrappers: the chain is its evidence.
      assert.equal(answers[0].title, 'Runs as for_each_channel step');
      assert.deepEqual(
        answers[0].links.map((l) => l.label),
        [
          'passed to sample_ctrlr_reset_channels as argument 1 (sample_channel_step_fn) in sample_flow_start',
          'sample_ctrlr_reset_channels passes step on to sample_ctrlr_for_each_channel (argument 1)',
          'sample_ctrlr_for_each_channel stores fn in struct sample_channel_iter.fn',
          'called through struct sample_channel_iter.fn by sample_each_channel_msg (for each channel step)',
          'sample_each_channel_msg is passed to spdk_for_each_channel in sample_ctrlr_for_each_channel',
        ],
      );
      assert.equal(answers[0].lenses[0].title, 'for_each_channel step · via sample_ctrlr_reset_channels');
    });

    it('repeated evidence collapses to one link that counts its places', () => {
      const { links } = collapseLinks([
        { label: 'spdk_bdev_io_complete', file: 'a.c', line: 3 },
        { label: 'spdk_bdev_io_complete', file: 'a.c', line: 9 },
        { label: 'spdk_bdev_io_complete', file: 'a.c', line: 9 },
        { label: 'spdk_bdev_free_io', file: 'a.c', line: 12 },
      ]);
      assert.deepEqual(links.map((l) => [l.label, l.line]), [['spdk_bdev_io_complete (2 places)', 3], ['spdk_bdev_free_io', 12]]);
    });

    it('Doxygen commands render as Markdown, text still escaped', () => {
      const md = renderDoc('/**\n * \\brief Close a *descriptor*.\n *\n * \\param desc Descriptor to close,\n *        opened on this thread.\n * @param[in] cb [link](command:x)\n * \\return 0 on success.\n */');
      assert.equal(md, 'Close a \\*descriptor\\*\\.\n\n- *desc*: Descriptor to close, opened on this thread\\.\n- *cb*: \\[link\\]\\(command\\:x\\)\n\n*Returns:* 0 on success\\.');
      assert.deepEqual(linkTargets(md), []);
    });

    it('escapeMarkdown leaves no active punctuation', () => {
      assert.equal(escapeMarkdown('[a](command:x) <b>'), '\\[a\\]\\(command\\:x\\) \\<b\\>');
      assert.equal(escapeMarkdown('two\nlines'), 'two lines');
    });

    it('folds the sections past the fifth to their first sentence, keeping what follows a colon', () => {
      const sections = ['A', 'B', 'C', 'D', 'E', 'IO role'].map((title) => ({ title, text: 'completes x; completion callback: must free it. More detail.', links: [] }));
      const markdown = renderHoverMarkdown({ subject: 'function', name: 'f', sections, topics: [] });
      assert.match(markdown, /\*\*E:\*\* completes x; completion callback\\: must free it\\\. More detail\\\./);
      assert.match(markdown, /\*\*IO role:\*\* completes x; completion callback\\: must free it\\\.$/m);
    });

    it('a signature with backticks cannot close its code fence', () => {
      const markdown = renderHoverMarkdown({ subject: 'function', name: 'f', signature: 'int f(```)', sections: [], topics: [] });
      assert.match(markdown, /^````c$/m);
    });
  });

  describe('CodeLens titles', () => {
    const titlesOf = (file: string, name: string) => {
      const fn = index.functionsIn(file).find((f) => f.name === name);
      assert.ok(fn, name);
      return codeLensTitles(fn, index.rpcMethods(), index.model);
    };

    it('context, evidence count and locations', () => {
      const [poller] = titlesOf(NULL_C, 'sample_null_poll');
      assert.equal(poller.title, 'poller · 1 registration');
      assert.deepEqual(poller.locations.map((l) => l.line), [116]);
      assert.deepEqual(titlesOf(NULL_C, 'sample_null_submit_request').map((t) => t.title), ['bdev fn_table · submit_request']);
    });

    it('names the io_device of a channel create callback', () => {
      assert.deepEqual(titlesOf(NULL_C, 'sample_null_create_channel').map((t) => t.title), ['io_channel create · g_sample_null_disks']);
    });

    it('RPC handlers and completion callbacks', () => {
      const rpc = titlesOf('module/bdev/sample_passthru/vbdev_sample_passthru_rpc.c', 'rpc_bdev_sample_pt_create').map((t) => t.title);
      assert.ok(rpc.includes('RPC bdev_sample_pt_create · replies async'), rpc.join(' | '));
      assert.ok(titlesOf(PT_C, 'sample_pt_read_done').some((t) => t.title === 'must free bdev_io'));
    });

    it('lists a file\'s labelled functions in line order with their titles', () => {
      const lenses = fileLensTitles(index, NULL_C);
      assert.ok(lenses.every((l) => l.titles.length > 0));
      assert.deepEqual(lenses.map((l) => l.fn.line), [...lenses.map((l) => l.fn.line)].sort((a, b) => a - b));
      assert.deepEqual(lenses.find((l) => l.fn.name === 'sample_null_poll')?.titles.map((t) => t.title), ['poller · 1 registration', 'completes bdev_io'], 'it completes each task through sample_null_complete_task');
    });

    it('an unlabelled function gets no lens', () => {
      assert.deepEqual(titlesOf(PT_C, 'sample_pt_reset_counters').filter((t) => !t.title.startsWith('async')), []);
    });
  });

  describe('async call hierarchy', () => {
    it('incoming calls of a message callback are the places that send it', () => {
      const edges = incomingEdges(index.model, `${PT_C}#sample_pt_finish_create`);
      const sent = edges.find((e) => e.async);
      assert.ok(sent, JSON.stringify(edges));
      assert.equal(sent.node.name, 'sample_pt_create');
      // Leads with the kind of callback: the call hierarchy's default width shows about twenty characters of it.
      assert.equal(sent.node.detail, 'thread message (async) via spdk_thread_send_msg');
      assert.deepEqual(sent.lines, [203]);
    });

    it('incoming calls of a fn_table entry come from its table', () => {
      const [edge] = incomingEdges(index.model, `${NULL_C}#sample_null_submit_request`);
      assert.equal(edge.node.name, 'sample_null_fn_table');
      assert.equal(edge.node.kind, 'file_scope');
      assert.equal(edge.node.detail, 'bdev fn_table (async) in struct spdk_bdev_fn_table.submit_request');
    });

    it('outgoing calls include the callbacks handed off, then direct calls', () => {
      const edges = outgoingEdges(index.model, `${PT_C}#sample_pt_create`);
      const handedOff = edges.filter((e) => e.async).map((e) => e.node.name);
      assert.ok(handedOff.includes('sample_pt_finish_create'), handedOff.join());
      assert.ok(handedOff.includes('sample_pt_ch_create'), handedOff.join());
      assert.equal(edges.find((e) => e.node.name === 'sample_pt_finish_create')?.node.detail, 'thread message (async) via spdk_thread_send_msg');
      assert.ok(edges.every((e, i) => i === 0 || !e.async || edges[i - 1].async), 'async edges first');
    });

    it('direct callers across the tree', () => {
      const edges = incomingEdges(index.model, `${NULL_C}#sample_null_complete_task`);
      assert.deepEqual(
        edges.map((e) => [e.node.name, e.async]),
        [['sample_null_poll', false]],
      );
    });
  });

  describe('word under the cursor', () => {
    it('tells identifiers, struct tags, fields and strings apart', () => {
      assert.deepEqual(wordAtCursor('\tspdk_thread_send_msg(t, fn, ctx);', 5), { word: 'spdk_thread_send_msg', start: 1, end: 21, role: 'identifier' });
      assert.equal(wordAtCursor('\tstruct sample_pt_channel *pt_ch;', 12)?.typeName, 'struct sample_pt_channel');
      assert.deepEqual(wordAtCursor('\tdisk->base_desc->x = 1;', 10)?.basePath, ['disk']);
      assert.deepEqual(wordAtCursor('\ta.b->c = 1;', 7)?.basePath, ['a', 'b']);
      assert.equal(wordAtCursor('\tf()->c = 1;', 6)?.role, 'identifier');
      assert.equal(wordAtCursor("\tclient.call('bdev_null_create', params)", 16)?.role, 'string');
      assert.equal(wordAtCursor('\tx = 1; // "quoted', 1)?.role, 'identifier');
      assert.equal(wordAtCursor('\tx = 1; // "quoted', 13)?.role, 'identifier');
      assert.equal(wordAtCursor('   ', 1), undefined);
    });

    it('finds the declared type of locals and parameters', () => {
      const text = 'static void\nf(struct spdk_bdev_desc *desc, int n)\n{\n\tconst struct foo **pp = NULL;\n\tspdk_bdev_io_wait_cb cb;\n\treturn desc;\n';
      assert.equal(declaredTypeOf(text, 'desc'), 'struct spdk_bdev_desc *');
      assert.equal(declaredTypeOf(text, 'pp'), 'const struct foo **');
      assert.equal(declaredTypeOf(text, 'cb'), 'spdk_bdev_io_wait_cb');
      assert.equal(declaredTypeOf(text, 'n'), 'int');
      assert.equal(declaredTypeOf(text, 'missing'), undefined);
      assert.equal(declaredTypeOf('return x;', 'x'), undefined);
    });
  });
});
