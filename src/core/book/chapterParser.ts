// Reads a chapter's markdown (the subset the book uses: headings, paragraphs, lists, quotes, fenced code, code spans,
// emphasis, links) into blocks with line numbers, and finds every source landmark it mentions.
import type { Chapter, ChapterBlock, ChapterRef, Inline, Mention, SelfCheckQuestion } from './chapterTypes';

const FENCE = /^\s{0,3}(`{3,}|~{3,})\s*([^`\s]*)/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const RULE = /^\s{0,3}([-*_])(?:\s*\1){2,}\s*$/;
const LIST_ITEM = /^(\s*)([-*+•]|\d{1,9}[.)])\s+(.*)$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;

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

function parseBlocks(markdown: string): ChapterBlock[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const blocks: ChapterBlock[] = [];
  const push = (block: Omit<ChapterBlock, 'id' | 'inlines'>) => blocks.push({ ...block, id: blocks.length, inlines: [] });
  const startsBlock = (line: string) => FENCE.test(line) || HEADING.test(line) || RULE.test(line) || LIST_ITEM.test(line) || QUOTE.test(line);
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const start = i + 1;
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1];
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i].trim().startsWith(marker[0].repeat(marker.length)) && lines[i].trim().replace(new RegExp(`^\\${marker[0]}+`), '').trim() === '')) body.push(lines[i++]);
      const endLine = Math.min(i + 1, lines.length);
      i++;
      push({ kind: 'code', line: start, endLine, language: fence[2] || undefined, text: body.join('\n') });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      push({ kind: 'heading', line: start, endLine: start, level: heading[1].length, text: heading[2] });
      i++;
      continue;
    }
    if (RULE.test(line)) {
      push({ kind: 'rule', line: start, endLine: start, text: '' });
      i++;
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item) {
      const indent = item[1].replace(/\t/g, '    ').length;
      const text = [item[3]];
      i++;
      // Continuation lines: anything up to a blank line or the next block start.
      while (i < lines.length && lines[i].trim() !== '' && !startsBlock(lines[i])) text.push(lines[i++].trim());
      push({ kind: 'listItem', line: start, endLine: i, level: Math.floor(indent / 2), ordered: /\d/.test(item[2]), text: text.join('\n') });
      continue;
    }
    if (QUOTE.test(line)) {
      const text: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i])) text.push(QUOTE.exec(lines[i++])![1]);
      push({ kind: 'quote', line: start, endLine: i, text: text.join('\n') });
      continue;
    }
    const text: string[] = [];
    while (i < lines.length && lines[i].trim() !== '' && (text.length === 0 || !startsBlock(lines[i]))) text.push(lines[i++].trim());
    push({ kind: 'paragraph', line: start, endLine: i, text: text.join('\n') });
  }
  return blocks;
}

/** Splits a block's inline markdown into nodes, recording a Mention for every landmark it names. */
export function parseInlines(text: string, block: Pick<ChapterBlock, 'id' | 'line'>, mentions: Mention[]): Inline[] {
  const lineAt = (offset: number) => block.line + countNewlines(text, offset);
  const parse = (from: number, to: number): Inline[] => {
    const out: Inline[] = [];
    let plain = '';
    let plainStart = from;
    const flush = () => {
      if (plain) out.push(...splitPathMentions(plain, plainStart, block.id, lineAt, mentions));
      plain = '';
    };
    let i = from;
    while (i < to) {
      const c = text[i];
      if (c === '\\' && i + 1 < to && /[\\`*_[\]()#+\-.!<>{}|~]/.test(text[i + 1])) {
        if (!plain) plainStart = i;
        plain += text[i + 1];
        i += 2;
        continue;
      }
      if (c === '`') {
        const run = /^`+/.exec(text.slice(i, to))![0];
        const close = text.indexOf(run, i + run.length);
        if (close >= 0 && close + run.length <= to && text[close + run.length] !== '`') {
          flush();
          const raw = text.slice(i + run.length, close);
          const code = raw.length > 2 && raw.startsWith(' ') && raw.endsWith(' ') ? raw.slice(1, -1) : raw;
          out.push(codeSpan(code.replace(/\n/g, ' '), block.id, lineAt(i), mentions));
          i = close + run.length;
          plainStart = i;
          continue;
        }
      }
      const strong = c === '*' || c === '_' ? emphasisAt(text, i, to, c.repeat(2)) : undefined;
      const em = !strong && (c === '*' || c === '_') ? emphasisAt(text, i, to, c) : undefined;
      const emphasis = strong ?? em;
      if (emphasis) {
        flush();
        out.push({ kind: strong ? 'strong' : 'em', children: parse(emphasis.start, emphasis.end) });
        i = emphasis.after;
        plainStart = i;
        continue;
      }
      if (c === '[') {
        const link = linkAt(text, i, to);
        if (link) {
          flush();
          out.push({ kind: 'link', href: link.href, children: parse(link.labelStart, link.labelEnd) });
          i = link.after;
          plainStart = i;
          continue;
        }
      }
      if (c === '<') {
        const auto = /^<((?:https?|mailto):[^\s<>]+)>/.exec(text.slice(i, to));
        if (auto) {
          flush();
          out.push({ kind: 'link', href: auto[1], children: [{ kind: 'text', text: auto[1] }] });
          i += auto[0].length;
          plainStart = i;
          continue;
        }
      }
      if (!plain) plainStart = i;
      plain += c;
      i++;
    }
    flush();
    return out;
  };
  return parse(0, text.length);
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** `*x*`, `**x**`, `_x_`: underscores only at word edges, so `spdk_thread_send_msg` stays one word. */
function emphasisAt(text: string, i: number, to: number, marker: string): { start: number; end: number; after: number } | undefined {
  if (text.startsWith(marker + marker[0], i) && marker.length === 1) return undefined;
  if (!text.startsWith(marker, i)) return undefined;
  const start = i + marker.length;
  if (start >= to || /\s/.test(text[start])) return undefined;
  if (marker[0] === '_' && i > 0 && /\w/.test(text[i - 1])) return undefined;
  let close = text.indexOf(marker, start + 1);
  while (close >= 0 && close + marker.length <= to) {
    const before = text[close - 1];
    const after = text[close + marker.length];
    const edgeOk = marker[0] !== '_' || after === undefined || !/\w/.test(after);
    const notDoubled = marker.length === 2 || text[close + 1] !== marker[0];
    if (!/\s/.test(before) && edgeOk && notDoubled) return { start, end: close, after: close + marker.length };
    close = text.indexOf(marker, close + 1);
  }
  return undefined;
}

function linkAt(text: string, i: number, to: number): { labelStart: number; labelEnd: number; href: string; after: number } | undefined {
  let depth = 0;
  for (let j = i; j < to; j++) {
    if (text[j] === '\\') {
      j++;
      continue;
    }
    if (text[j] === '[') depth++;
    else if (text[j] === ']' && --depth === 0) {
      if (text[j + 1] !== '(') return undefined;
      // The target may hold balanced parentheses of its own (`f(1)`).
      let close = -1;
      for (let k = j + 2, open = 0; k < to; k++) {
        if (text[k] === '(') open++;
        else if (text[k] === ')' && open-- === 0) {
          close = k;
          break;
        }
      }
      if (close < 0) return undefined;
      const target = text.slice(j + 2, close).trim();
      const href = target.replace(/\s+"[^"]*"$/, '').replace(/^<(.*)>$/, '$1');
      return { labelStart: i + 1, labelEnd: j, href, after: close + 1 };
    }
  }
  return undefined;
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

/** Plain text with every SPDK path in it (`lib/bdev/bdev.c`) split out as a mention node. */
function splitPathMentions(text: string, offset: number, block: number, lineAt: (offset: number) => number, mentions: Mention[]): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const m of text.matchAll(PATH_IN_TEXT)) {
    const start = m.index ?? 0;
    // A sentence's full stop is not part of the path.
    const written = m[1].replace(/\.$/, '');
    if (start > last) out.push({ kind: 'text', text: text.slice(last, start) });
    const id = mentions.length;
    mentions.push({ id, text: written, kind: 'path', target: written.replace(/\/+$/, ''), inCode: false, block, line: lineAt(offset + start) });
    out.push({ kind: 'mention', text: written, mention: id });
    last = start + written.length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
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
