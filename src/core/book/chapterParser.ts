// Reads a chapter's markdown into blocks with line numbers (markdown-it does the CommonMark parsing), and finds every
// source landmark it mentions: paths in code spans and plain text, SPDK symbols in code spans.
import MarkdownIt from 'markdown-it';
import type { Chapter, ChapterBlock, ChapterRef, Inline, Mention, SelfCheckQuestion } from './chapterTypes';

// No raw HTML, and links kept exactly as written: the renderer decides which targets are safe (safeHref).
const commonMark = new MarkdownIt('commonmark', { html: false });
commonMark.validateLink = () => true;
commonMark.normalizeLink = (url) => url;
commonMark.normalizeLinkText = (text) => text;

/** Heading of the section whose list items are the chapter's self-check questions. */
const SELF_CHECK_HEADING = /self[- ]?check|check yourself|review questions|^questions\b/i;

/** Top-level folders of an SPDK checkout: a path starting with one is a landmark even in plain text. */
const SPDK_TOP_DIRS = ['lib', 'module', 'include', 'app', 'examples', 'test', 'scripts', 'doc', 'python', 'mk', 'go', 'schema', 'proto', 'docker'];
/** A path from a top-level folder, README.md, or a bare C file name (`bdev_malloc.c`) in plain text. */
const PATH_IN_TEXT = new RegExp(`(?<![\\w./-])((?:${SPDK_TOP_DIRS.join('|')})/[\\w./-]*[\\w/]|README\\.md\\b|[A-Za-z_][\\w-]*\\.[ch](?![\\w-]))`, 'g');
const PATH_IN_CODE = /^(?:\.\/)?[\w.-]+(?:\/[\w.-]+)*\/?(?::(\d+))?$/;
const FILE_EXTENSION = /\.(?:c|h|cc|cpp|md|py|json|sh|mk|txt|go|proto|yaml|yml|rst|cfg|conf|ini|toml|in|map)$/;
/** `spdk_foo`, `spdk_foo()`, `struct spdk_bdev`, `enum x`, and a field of a struct: `spdk_bdev_io.internal`, `bdev->fn_table`. */
const SYMBOL_IN_CODE = /^(?:(struct|union|enum)\s+)?([A-Za-z_]\w*)((?:\.|->|::)[A-Za-z_]\w*)?(\(\))?$/;
/** A plain word in a code span (`Makefile`, `CONFIG`, `thread`): a landmark only if the checkout has one by that name. */
const WORD_IN_CODE = /^[A-Za-z][A-Za-z0-9]{2,}$/;

export function parseChapter(markdown: string, ref: ChapterRef): Chapter {
  const blocks = parseBlocks(markdown);
  const mentions: Mention[] = [];
  let section: string | undefined;
  for (const block of blocks) {
    if (block.kind !== 'code' && block.kind !== 'rule') block.inlines = parseInlines(block.text, block, mentions);
    if (block.kind === 'heading') section = plainText(block.inlines);
    else if (section !== undefined) block.section = section;
  }
  const firstHeading = blocks.find((b) => b.kind === 'heading' && b.level === 1) ?? blocks.find((b) => b.kind === 'heading');
  const title = firstHeading ? plainText(firstHeading.inlines).trim() : ref.slug.replace(/-/g, ' ');
  const colon = title.indexOf(':');
  return { ref, title, shortTitle: colon > 0 ? title.slice(0, colon).trim() : title, blocks, mentions, selfCheck: selfCheckQuestions(blocks, mentions) };
}

function parseBlocks(source: string): ChapterBlock[] {
  // Plain-text chapters mark list items with `•`, which CommonMark does not know: read them as `-` items, line for line.
  const tokens = commonMark.parse(source.replace(/^([ \t]*)•[ \t]+/gm, '$1- '), {});
  const blocks: ChapterBlock[] = [];
  const push = (block: Omit<ChapterBlock, 'id' | 'inlines'>) => blocks.push({ ...block, id: blocks.length, inlines: [] });
  const lists: boolean[] = [];
  let quote: { line: number; endLine: number; texts: string[] } | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const line = (t.map?.[0] ?? 0) + 1;
    const endLine = t.map?.[1] ?? line;
    switch (t.type) {
      case 'bullet_list_open':
      case 'ordered_list_open':
        lists.push(t.type === 'ordered_list_open');
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        lists.pop();
        break;
      case 'blockquote_open':
        quote ??= { line, endLine, texts: [] };
        break;
      case 'blockquote_close':
        if (quote && t.level === 0) {
          push({ kind: 'quote', line: quote.line, endLine: quote.endLine, text: quote.texts.join('\n') });
          quote = undefined;
        }
        break;
      case 'heading_open':
        push({ kind: 'heading', line, endLine, level: Number(t.tag.slice(1)), text: tokens[i + 1]?.content ?? '' });
        break;
      case 'paragraph_open': {
        const text = tokens[i + 1]?.content ?? '';
        if (quote) quote.texts.push(text);
        else if (lists.length > 0) push({ kind: 'listItem', line, endLine, level: lists.length - 1, ordered: lists[lists.length - 1], text });
        else push({ kind: 'paragraph', line, endLine, text });
        break;
      }
      case 'fence':
      case 'code_block':
        push({ kind: 'code', line, endLine, language: t.info.trim().split(/\s+/)[0] || undefined, text: t.content.replace(/\n$/, '') });
        break;
      case 'hr':
        push({ kind: 'rule', line, endLine: line, text: '' });
        break;
    }
  }
  return blocks;
}

/** Splits a block's inline markdown into nodes, recording a Mention for every landmark it names. */
export function parseInlines(text: string, block: Pick<ChapterBlock, 'id' | 'line'>, mentions: Mention[]): Inline[] {
  const children = commonMark.parseInline(text, {})[0]?.children ?? [];
  let line = block.line;
  let at = 0;
  // Consecutive text tokens are one run: markdown-it cuts text at `_` and `*`, which paths and names contain.
  const walk = (close: string | undefined): Inline[] => {
    const out: Inline[] = [];
    let plain = '';
    let plainLine = line;
    const flush = () => {
      if (plain) out.push(...splitPathMentions(plain, plainLine, block.id, mentions));
      plain = '';
    };
    const addText = (value: string) => {
      if (!plain) plainLine = line;
      plain += value;
    };
    while (at < children.length) {
      const t = children[at++];
      if (t.type === close) break;
      switch (t.type) {
        case 'text':
          addText(t.content);
          break;
        case 'softbreak':
        case 'hardbreak':
          addText('\n');
          line++;
          break;
        case 'code_inline':
          flush();
          out.push(codeSpan(t.content, block.id, line, mentions));
          break;
        case 'strong_open':
        case 'em_open': {
          flush();
          const kind = t.type === 'strong_open' ? 'strong' : 'em';
          out.push({ kind, children: walk(`${kind}_close`) });
          break;
        }
        case 'link_open':
          flush();
          out.push({ kind: 'link', href: String(t.attrGet('href') ?? ''), children: walk('link_close') });
          break;
        case 'image':
          flush();
          out.push({ kind: 'link', href: String(t.attrGet('src') ?? ''), children: [{ kind: 'text', text: t.content }] });
          break;
        default:
          addText(t.content);
      }
    }
    flush();
    return out;
  };
  return walk(undefined);
}

/** A code span, and the mention it is when it names a path or an SPDK-looking symbol. */
function codeSpan(code: string, block: number, line: number, mentions: Mention[]): Inline {
  const trimmed = code.trim();
  const mention = classifyCode(trimmed);
  if (!mention) return { kind: 'code', text: code };
  const id = mentions.length;
  mentions.push({ id, text: trimmed, ...mention, inCode: true, block, line });
  return { kind: 'code', text: code, mention: id };
}

export function classifyCode(code: string): Pick<Mention, 'kind' | 'target' | 'targetLine' | 'tentative'> | undefined {
  const path = PATH_IN_CODE.exec(code);
  const absolute = /^(?:\/|~\/)[^\s]*$/.test(code);
  if (absolute) return { kind: 'path', target: code.replace(/\/+$/, '') };
  if (path && (code.includes('/') || FILE_EXTENSION.test(code.replace(/:\d+$/, '')))) {
    const target = code.replace(/:\d+$/, '').replace(/^\.\//, '').replace(/\/+$/, '');
    return path[1] ? { kind: 'path', target, targetLine: Number(path[1]) } : { kind: 'path', target };
  }
  const symbol = SYMBOL_IN_CODE.exec(code);
  if (!symbol) return undefined;
  const [, tag, name, field = ''] = symbol;
  // A single plain word (`poll`, `Makefile`) is prose unless the checkout has a landmark by that name.
  if (!tag && !field && !name.includes('_')) return WORD_IN_CODE.test(name) ? { kind: 'symbol', target: name, tentative: true } : undefined;
  return { kind: 'symbol', target: `${tag ? `${tag} ` : ''}${name}${field}` };
}

/** Plain text with every SPDK path in it (`lib/bdev/bdev.c`) split out as a mention node; `line` is the text's first. */
function splitPathMentions(text: string, line: number, block: number, mentions: Mention[]): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const m of text.matchAll(PATH_IN_TEXT)) {
    const start = m.index ?? 0;
    // A sentence's full stop is not part of the path.
    const written = m[1].replace(/\.$/, '');
    if (start > last) out.push({ kind: 'text', text: text.slice(last, start) });
    const id = mentions.length;
    mentions.push({ id, text: written, kind: 'path', target: written.replace(/\/+$/, ''), inCode: false, block, line: line + newlinesBefore(text, start) });
    out.push({ kind: 'mention', text: written, mention: id });
    last = start + written.length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}

function newlinesBefore(text: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

export function plainText(inlines: Inline[]): string {
  return inlines.map((n) => ('children' in n ? plainText(n.children) : n.text)).join('');
}

/** List items under a self-check heading, up to the next heading of the same or a higher level. */
function selfCheckQuestions(blocks: ChapterBlock[], mentions: Mention[]): SelfCheckQuestion[] {
  const questions: SelfCheckQuestion[] = [];
  let level: number | undefined;
  for (const block of blocks) {
    if (block.kind === 'heading') {
      if (level !== undefined && block.level! <= level) level = undefined;
      if (level === undefined && SELF_CHECK_HEADING.test(plainText(block.inlines))) level = block.level;
      continue;
    }
    if (level === undefined || block.kind !== 'listItem') continue;
    questions.push({
      text: plainText(block.inlines).replace(/\s*\n\s*/g, ' ').trim(),
      block: block.id,
      line: block.line,
      mentions: mentions.filter((m) => m.block === block.id).map((m) => m.id),
    });
  }
  return questions;
}
