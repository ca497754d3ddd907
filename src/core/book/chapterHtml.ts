// Renders a parsed chapter to HTML for the chapter webview. Everything the book says is escaped; only the markdown
// structure becomes markup, links carry their target in a data attribute for the host to vet, and each landmark
// mention becomes an element with data-file/data-line (or a class marking it unresolved).
import { escapeHtml } from '../util/html';
import type { Chapter, ChapterBlock, Inline, ResolvedMention } from './chapterTypes';

/** Link schemes the webview may offer; `javascript:`, `data:`, `vbscript:` and the rest are shown as plain text. */
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto']);

/** The link target when it is safe to hand to the host, else undefined. */
export function safeHref(href: string): string | undefined {
  // Browsers ignore control characters and whitespace inside a scheme (`java\tscript:`), so compare without them.
  const compact = href.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(compact);
  if (scheme) return SAFE_SCHEMES.has(scheme[1]) ? href.trim() : undefined;
  // A relative link (another chapter, an anchor) has no scheme; a protocol-relative one (`//host`) is refused.
  return compact.startsWith('//') ? undefined : href.trim();
}

export function renderChapterHtml(chapter: Chapter, mentions: ResolvedMention[]): string {
  const byId = new Map(mentions.map((m) => [m.id, m]));
  const out: string[] = [];
  const openLists: { ordered: boolean; level: number }[] = [];
  const closeListsTo = (level: number) => {
    while (openLists.length > 0 && openLists[openLists.length - 1].level >= level) {
      out.push(`</li></${openLists.pop()!.ordered ? 'ol' : 'ul'}>`);
    }
  };
  for (const block of chapter.blocks) {
    if (block.kind !== 'listItem') closeListsTo(0);
    else {
      const level = block.level ?? 0;
      const top = openLists[openLists.length - 1];
      if (top && top.level > level) closeListsTo(level + 1);
      const current = openLists[openLists.length - 1];
      if (current && current.level === level && current.ordered === Boolean(block.ordered)) out.push('</li>');
      else {
        if (current && current.level === level) closeListsTo(level);
        out.push(block.ordered ? '<ol>' : '<ul>');
        openLists.push({ ordered: Boolean(block.ordered), level });
      }
      out.push(`<li ${blockAttributes(block)}>${renderInlines(block.inlines, byId)}`);
      continue;
    }
    out.push(renderBlock(block, byId));
  }
  closeListsTo(0);
  return out.join('\n');
}

function blockAttributes(block: ChapterBlock): string {
  return `id="b${block.id}" data-block="${block.id}" data-line="${block.line}"`;
}

function renderBlock(block: ChapterBlock, byId: Map<number, ResolvedMention>): string {
  const attrs = blockAttributes(block);
  switch (block.kind) {
    case 'heading': {
      const level = Math.min(6, Math.max(1, block.level ?? 1));
      return `<h${level} ${attrs}>${renderInlines(block.inlines, byId)}</h${level}>`;
    }
    case 'code': {
      const language = block.language && /^[\w+-]+$/.test(block.language) ? ` class="language-${escapeHtml(block.language)}"` : '';
      return `<pre ${attrs}><code${language}>${escapeHtml(block.text)}</code></pre>`;
    }
    case 'quote':
      return `<blockquote ${attrs}><p>${renderInlines(block.inlines, byId)}</p></blockquote>`;
    case 'rule':
      return `<hr ${attrs}>`;
    default:
      return `<p ${attrs}>${renderInlines(block.inlines, byId)}</p>`;
  }
}

function renderInlines(inlines: Inline[], byId: Map<number, ResolvedMention>): string {
  return inlines.map((node) => renderInline(node, byId)).join('');
}

function renderInline(node: Inline, byId: Map<number, ResolvedMention>): string {
  switch (node.kind) {
    case 'text':
      return escapeHtml(node.text);
    case 'code': {
      const code = `<code>${escapeHtml(node.text)}</code>`;
      return node.mention === undefined ? code : landmark(byId.get(node.mention), code);
    }
    case 'mention':
      return landmark(byId.get(node.mention), escapeHtml(node.text));
    case 'strong':
      return `<strong>${renderInlines(node.children, byId)}</strong>`;
    case 'em':
      return `<em>${renderInlines(node.children, byId)}</em>`;
    case 'link': {
      const href = safeHref(node.href);
      const label = renderInlines(node.children, byId);
      if (href === undefined) return `<span class="md-link blocked" title="link not followed: unsafe target">${label}</span>`;
      return `<a class="md-link" role="link" tabindex="0" data-href="${escapeHtml(href)}">${label}</a>`;
    }
  }
}

/** A mention as a clickable landmark, or marked unresolved with the reason (and where it may have gone) in its title. */
function landmark(mention: ResolvedMention | undefined, content: string): string {
  if (!mention || mention.ignored) return content;
  const common = `data-mention="${mention.id}"`;
  if (!mention.landmark) {
    const suggestions = mention.suggestions ?? [];
    const classes = mention.external ? 'landmark unresolved external' : suggestions.length > 0 ? 'landmark unresolved drifted' : 'landmark unresolved';
    const lines = [mention.unresolved ?? 'not found', ...suggestions.map((s) => `${s.why}: ${s.target}${s.target === s.file ? '' : ` (${s.file}:${s.line})`}`)];
    const first = suggestions[0];
    const data = first ? ` data-suggest-file="${escapeHtml(first.file)}" data-suggest-line="${first.line}"` : '';
    return `<span class="${classes}" ${common}${data} title="${escapeHtml(lines.join('\n'))}">${content}</span>`;
  }
  const { file, line, kind, symbol, note } = mention.landmark;
  const place = symbol ? `${symbol} · ${file}:${line}` : `${file}${kind === 'folder' ? '/' : `:${line}`}`;
  const others = mention.alternatives ? ` (${mention.alternatives} other${mention.alternatives === 1 ? '' : 's'}: ${(mention.others ?? []).map((o) => `${o.file}:${o.line}`).join(', ')})` : '';
  const title = `${place}${note ? `\n${note}` : ''}${others}`;
  const classes = kind === 'mention' ? 'landmark mentioned' : mention.alternatives ? 'landmark ambiguous' : 'landmark';
  return `<a class="${classes}" role="link" tabindex="0" ${common} data-file="${escapeHtml(file)}" data-line="${line}" data-kind="${kind}" title="${escapeHtml(title)}">${content}</a>`;
}
