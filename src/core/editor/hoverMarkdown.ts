// Renders an Explanation as hover Markdown. Every string that came from a source file (names, doc comments, types,
// paths) is escaped, so a comment holding Markdown, HTML or `command:` links shows as text; the only links are the
// ones built here, to SPDK Lens's own commands.
import type { Explanation, SourceLink } from './explanation';
import { COMMAND } from '../../shared/commandIds';

/** Backslash-escapes every Markdown punctuation character and neutralises HTML; newlines become spaces. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()#+\-.!|<>~:"'=&^$%@]/g, (ch) => `\\${ch}`)
    .replace(/\r?\n/g, ' ');
}

/** Text for inside a fenced code block: a run of backticks cannot close the fence we open. */
function codeFence(text: string, language: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\r/g, '')}\n${fence}`;
}

/** A `command:` URI for one of SPDK Lens's own commands with JSON arguments (the encoding keeps it one token). */
export function commandUri(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

export const OPEN_LOCATION_COMMAND = COMMAND.openLocation;
export const OPEN_BOOK_TOPIC_COMMAND = COMMAND.openBookTopic;
export const OPEN_CHAPTER_COMMAND = COMMAND.bookOpenChapter;

function link(l: SourceLink): string {
  return `[${escapeMarkdown(l.label)}](${commandUri(OPEN_LOCATION_COMMAND, [l.file, l.line])})`;
}

const SUBJECT_TITLES: Record<Explanation['subject'], string> = {
  function: 'function',
  api: 'SPDK API',
  type: 'type',
  variable: 'variable',
  rpc_method: 'RPC method',
};

/** Doc comments lose their comment markers and long ones are cut, so the labels stay in view. */
function cleanDoc(doc: string): string {
  const text = doc
    .replace(/^\/\*\*?|\*\/$/g, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\*\s?/, '').trimEnd())
    .join('\n')
    .trim();
  return text.length > 900 ? `${text.slice(0, 900)}…` : text;
}

/** Doxygen commands (`\param`, `\return`, `\brief`, also with `@`) rendered as Markdown; every word of the text escaped. */
export function renderDoc(doc: string): string {
  const description: string[] = [];
  const params: { name: string; text: string }[] = [];
  let returns = '';
  let into: 'description' | 'param' | 'return' = 'description';
  for (const raw of cleanDoc(doc).split('\n')) {
    const line = raw.trim();
    const param = /^[\\@]param(?:\[[a-z, ]*\])?\s+(\S+)\s*(.*)$/.exec(line);
    const ret = /^[\\@]returns?\b\s*(.*)$/.exec(line);
    if (param) {
      params.push({ name: param[1], text: param[2] });
      into = 'param';
    } else if (ret) {
      returns = ret[1];
      into = 'return';
    } else if (line === '') {
      into = 'description';
      description.push('');
    } else if (into === 'param') params[params.length - 1].text += ` ${line}`;
    else if (into === 'return') returns += ` ${line}`;
    else description.push(line.replace(/^[\\@]brief\s+/, '').replace(/^[\\@](note|warning)\s+/, (_m, w: string) => `${w[0].toUpperCase()}${w.slice(1)}: `));
  }
  const parts = description
    .join('\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map(escapeMarkdown);
  if (params.length > 0) parts.push(params.map((p) => `- *${escapeMarkdown(p.name)}*: ${escapeMarkdown(p.text.trim())}`).join('\n'));
  if (returns.trim()) parts.push(`*Returns:* ${escapeMarkdown(returns.trim())}`);
  return parts.join('\n\n');
}

/** Sections past this many are folded to their lead and first sentence, so a hover fits above its line. */
const FULL_SECTIONS = 5;

/** Up to the first full stop: a colon starts the list the sentence is about, so it is kept with it. */
function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/);
  return end > 0 ? text.slice(0, end + 1) : text;
}

export function renderHoverMarkdown(explanation: Explanation): string {
  const parts: string[] = [];
  const where = explanation.definition ? ` · ${link(explanation.definition)}` : '';
  parts.push(`**SPDK Lens** · ${SUBJECT_TITLES[explanation.subject]} **${escapeMarkdown(explanation.name)}**${where}`);
  if (explanation.signature) parts.push(codeFence(explanation.signature, 'c'));
  if (explanation.doc) {
    const doc = renderDoc(explanation.doc);
    if (doc) parts.push(doc);
  }
  explanation.sections.forEach((section, i) => {
    if (i >= FULL_SECTIONS) {
      parts.push(`**${escapeMarkdown(section.title)}:** ${escapeMarkdown(firstSentence(section.text))}`);
      return;
    }
    let text = `**${escapeMarkdown(section.title)}:** ${escapeMarkdown(section.text)}`;
    if (section.links.length > 0) {
      const links = section.links.map(link).join(' · ');
      text += `  \n${links}${section.more ? ` (+${section.more} more)` : ''}`;
    }
    parts.push(text);
  });
  if (explanation.bookLinks && explanation.bookLinks.length > 0) {
    const links = explanation.bookLinks
      .slice(0, 4)
      .map((b) => `[${escapeMarkdown(b.section ? `${b.label} — ${b.section}` : b.label)}](${commandUri(OPEN_CHAPTER_COMMAND, [b.chapterPath, b.block])})`)
      .join(' · ');
    parts.push(`${links}${explanation.bookLinks.length > 4 ? ` (+${explanation.bookLinks.length - 4} more)` : ''}`);
  }
  if (explanation.topics.length > 0) {
    const topics = explanation.topics
      .slice(0, 3)
      .map((t) => `[${escapeMarkdown(t.title)}](${commandUri(OPEN_BOOK_TOPIC_COMMAND, [t.topic])})`)
      .join(' · ');
    parts.push(`Read more: ${topics}`);
  }
  return parts.join('\n\n');
}
