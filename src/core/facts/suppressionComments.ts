// Reads `spdk-lens: ignore <rule>[, <rule>...]` comments from a file's text, for the checks to honour (what they
// mean is in check/suppression.ts). Only the places that hold the marker are looked at: most files have none.
import { skipQuoted } from '../parse/cText';

/** One `spdk-lens:` comment: the rules it names (none when it says something other than `ignore`). */
export interface SuppressionComment {
  /** 1-based line the comment ends on (a block comment above a line ends just above it). */
  line: number;
  /** As written: `all`, rule ids, or misspelt names (reported by the checks). */
  rules: string[];
  /** The function the comment is attached to: just above its first line, or in its header up to the `{` line. */
  function?: string;
}

/** A function definition's header, by lines: its first line (return type) and the line of its opening brace. */
export interface FunctionHeader {
  name: string;
  firstLine: number;
  braceLine: number;
}

export const SUPPRESSION_MARKER = 'spdk-lens:';

const DIRECTIVE = /^\s*ignore\b[ \t]*([A-Za-z0-9_-]+(?:[ \t]*,[ \t]*[A-Za-z0-9_-]+)*)?/;

/** How much of a comment after the marker is read: a list of rules is short, and a huge comment is not read again per marker. */
const DIRECTIVE_MAX_CHARS = 1000;

/** Where a comment or a literal may start. */
const COMMENT_OR_LITERAL = /\/\*|\/\/|["']/g;

/** Reads the directives of the comments that hold the marker; `headers` in file order. Linear in the text. */
export function readSuppressionComments(text: string, lineOf: (offset: number) => number, headers: readonly FunctionHeader[]): SuppressionComment[] {
  const markers: number[] = [];
  for (let at = text.indexOf(SUPPRESSION_MARKER); at >= 0; at = text.indexOf(SUPPRESSION_MARKER, at + SUPPRESSION_MARKER.length)) markers.push(at);
  const found: SuppressionComment[] = [];
  let next = 0; // the first marker not yet placed
  const nearest = headerWalker(headers);
  const tokens = new RegExp(COMMENT_OR_LITERAL);
  for (let m = tokens.exec(text); m && next < markers.length; m = tokens.exec(text)) {
    const start = m.index;
    let end: number;
    if (m[0] === '/*') {
      const close = text.indexOf('*/', start + 2);
      end = close < 0 ? text.length : close;
    } else if (m[0] === '//') {
      const eol = text.indexOf('\n', start);
      end = eol < 0 ? text.length : eol;
    } else {
      tokens.lastIndex = skipQuoted(text, start);
      continue;
    }
    tokens.lastIndex = m[0] === '/*' ? Math.min(text.length, end + 2) : end;
    while (next < markers.length && markers[next] < start) next++; // in code or a string: not a directive
    for (; next < markers.length && markers[next] < end; next++) found.push(directive(text, markers[next], start, end, lineOf, nearest));
  }
  return found;
}

function directive(text: string, at: number, start: number, end: number, lineOf: (offset: number) => number, nearest: (line: number) => FunctionHeader | undefined): SuppressionComment {
  const from = at + SUPPRESSION_MARKER.length;
  const m = DIRECTIVE.exec(text.slice(from, Math.min(end, from + DIRECTIVE_MAX_CHARS)));
  const rules = m?.[1] ? m[1].split(',').map((r) => r.trim()) : [];
  const first = lineOf(start);
  const line = lineOf(end); // the line of `*/`, or of the newline that ends a `//` comment
  const header = nearest(line + 1);
  const attached = header && (line === header.firstLine - 1 || (first >= header.firstLine && line <= header.braceLine));
  return attached ? { line, rules, function: header.name } : { line, rules };
}

/** The last header starting on or before a line, for lines asked in file order (comments are met in file order). */
function headerWalker(headers: readonly FunctionHeader[]): (line: number) => FunctionHeader | undefined {
  let h = -1;
  return (line) => {
    while (h + 1 < headers.length && headers[h + 1].firstLine <= line) h++;
    return h >= 0 ? headers[h] : undefined;
  };
}
