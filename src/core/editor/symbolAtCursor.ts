// What the word under the cursor is, read from the line's text alone: a plain identifier, a struct tag, a field
// reached through `.`/`->`, or a word inside a string literal. And the declared type of a local or parameter.

export interface WordAtCursor {
  word: string;
  /** 0-based columns of the word in the line. */
  start: number;
  end: number;
  role: 'identifier' | 'struct_tag' | 'field' | 'string';
  /** For `struct x` / `union x`: the full type name. */
  typeName?: string;
  /** For fields: the access path before the field, outermost first (`a->b.c` at `c` → ['a', 'b']). */
  basePath?: string[];
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

function isIdentChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_]/.test(ch);
}

/** Is `column` inside a "..." or '...' literal on this line (comments and escapes respected)? */
function insideStringLiteral(line: string, column: number): boolean {
  let quote: string | undefined;
  for (let i = 0; i < column && i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '/' && line[i + 1] === '/') return false;
  }
  return quote !== undefined;
}

/** The access path before a field (`a->b.` → ['a', 'b']), or undefined if it is not a simple chain. */
function accessPathBefore(line: string, start: number): string[] | undefined {
  const path: string[] = [];
  let i = start;
  for (;;) {
    let j = i - 1;
    while (j >= 0 && line[j] === ' ') j--;
    if (line[j] === '.') j--;
    else if (line[j] === '>' && line[j - 1] === '-') j -= 2;
    else break;
    while (j >= 0 && line[j] === ' ') j--;
    const end = j + 1;
    while (j >= 0 && isIdentChar(line[j])) j--;
    const name = line.slice(j + 1, end);
    // A call, an index or a cast before the dot: not a chain the declarations can follow.
    if (!/^[A-Za-z_]/.test(name)) return undefined;
    path.unshift(name);
    i = j + 1;
  }
  return path.length > 0 ? path : undefined;
}

export function wordAtCursor(line: string, column: number): WordAtCursor | undefined {
  let start = Math.min(column, line.length);
  while (start > 0 && isIdentChar(line[start - 1])) start--;
  IDENT.lastIndex = start;
  const match = IDENT.exec(line);
  if (!match || match.index !== start) return undefined;
  const word = match[0];
  const end = start + word.length;
  if (column > end) return undefined;
  if (insideStringLiteral(line, start)) return { word, start, end, role: 'string' };
  const before = line.slice(0, start);
  const tag = /\b(struct|union|enum)\s+$/.exec(before);
  if (tag) return { word, start, end, role: 'struct_tag', typeName: `${tag[1]} ${word}` };
  const basePath = accessPathBefore(line, start);
  if (basePath) return { word, start, end, role: 'field', basePath };
  return { word, start, end, role: 'identifier' };
}

/**
 * The declared type of `name` in `text` (a function's parameters and body up to the cursor): the last declaration
 * wins, as the innermost usually comes last. Undefined when there is no declaration or it is not a simple one.
 */
export function declaredTypeOf(text: string, name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return undefined;
  // `struct x *name`, `const struct x **name`, `spdk_thing_t name`, then `;`, `=`, `,`, `)` or `[`.
  const pattern = new RegExp(`(?:^|[;{(,]|\\n)\\s*((?:const\\s+|volatile\\s+)*(?:(?:struct|union|enum)\\s+)?[A-Za-z_][A-Za-z0-9_]*(?:\\s+const)?\\s*\\**)\\s*\\b${name}\\b\\s*(?=[;=,)\\[])`, 'g');
  let found: string | undefined;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const type = m[1].replace(/\s+/g, ' ').trim();
    const base = type.replace(/^(const|volatile) /g, '').replace(/[\s*]+$/, '');
    if (/^(return|goto|case|sizeof|else|do)$/.test(base)) continue;
    found = type;
  }
  return found;
}
