// Loads web-tree-sitter and the C grammar from the grammars/ folder next to the running bundle (or source tree).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Language, Parser, Query } from 'web-tree-sitter';

export interface CGrammar {
  language: Language;
  newParser(): Parser;
  /** Compiles (once) and returns the query in grammars/queries/<name>.scm. */
  query(name: string): Query;
}

/** Walks up from `from` to the first folder holding grammars/tree-sitter-c.wasm. */
export function findGrammarsDir(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'grammars');
    if (existsSync(join(candidate, 'tree-sitter-c.wasm'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`SPDK Lens: grammars/tree-sitter-c.wasm not found above ${from}; run "npm run build" to copy the grammar.`);
    }
    dir = parent;
  }
}

let loading: Promise<CGrammar> | undefined;

export function loadCGrammar(grammarsDir: string = findGrammarsDir()): Promise<CGrammar> {
  loading ??= (async () => {
    await Parser.init({ locateFile: (file: string) => join(grammarsDir, file) });
    const language = await Language.load(join(grammarsDir, 'tree-sitter-c.wasm'));
    const queries = new Map<string, Query>();
    return {
      language,
      newParser() {
        const parser = new Parser();
        parser.setLanguage(language);
        return parser;
      },
      query(name: string) {
        let query = queries.get(name);
        if (!query) {
          const source = readFileSync(join(grammarsDir, 'queries', `${name}.scm`), 'utf8');
          query = new Query(language, source);
          queries.set(name, query);
        }
        return query;
      },
    };
  })();
  return loading;
}
