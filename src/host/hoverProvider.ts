// Hovers on C code: functions (definition, call, callback reference), SPDK APIs, struct types, variables and fields of
// labelled types, and RPC method names in string literals.
import * as vscode from 'vscode';
import {
  explainCallable,
  explainCallbackTypedef,
  explainRpcMethod,
  explainStructType,
  explainVariable,
  typeOfAccess,
  type BookParagraphLink,
  type Explanation,
} from '../core/editor/explanation';
import { OPEN_BOOK_TOPIC_COMMAND, OPEN_CHAPTER_COMMAND, OPEN_LOCATION_COMMAND, renderHoverMarkdown } from '../core/editor/hoverMarkdown';
import { indexingMessage } from '../core/editor/indexingMessage';
import { explainBdevModule } from '../core/editor/moduleCardExplanation';
import { wordAtCursor } from '../core/editor/symbolAtCursor';
import type { SpdkIndex } from '../core/index/indexer';
import type { WorkspaceIndex } from './workspaceIndex';

/** How far back the hover looks for a variable's declaration when the cursor is outside any indexed function. */
const SCOPE_LINES_WITHOUT_FUNCTION = 200;
/** How long a hover waits for an index being built before it says how far indexing has got. */
const HOVER_WAIT_FOR_INDEX_MS = 1500;

export function toMarkdown(explanation: Explanation): vscode.MarkdownString {
  const markdown = new vscode.MarkdownString(renderHoverMarkdown(explanation));
  markdown.supportHtml = false;
  markdown.isTrusted = { enabledCommands: [OPEN_LOCATION_COMMAND, OPEN_BOOK_TOPIC_COMMAND, OPEN_CHAPTER_COMMAND] };
  return markdown;
}

/** Text of the function around the cursor up to the cursor line: where its parameters and locals are declared. */
function scopeText(index: SpdkIndex, document: vscode.TextDocument, file: string, line: number): string {
  const fn = index.functionAt(file, line + 1);
  const first = fn ? Math.max(0, fn.line - 1) : Math.max(0, line - SCOPE_LINES_WITHOUT_FUNCTION);
  return document.getText(new vscode.Range(first, 0, line + 1, 0));
}

export function explainAt(index: SpdkIndex, document: vscode.TextDocument, file: string, position: vscode.Position): { explanation: Explanation; range: vscode.Range } | undefined {
  const lineText = document.lineAt(position.line).text;
  const word = wordAtCursor(lineText, position.character);
  if (!word) return undefined;
  const range = new vscode.Range(position.line, word.start, position.line, word.end);
  let explanation: Explanation | undefined;
  switch (word.role) {
    case 'string':
      explanation = explainRpcMethod(index, word.word);
      break;
    case 'struct_tag':
      explanation = explainStructType(index, word.typeName!, file);
      break;
    case 'field': {
      const scope = scopeText(index, document, file, position.line);
      const type = typeOfAccess(index, [...word.basePath!, word.word], scope, file);
      explanation = type ? explainVariable(index, word.word, type, file) : undefined;
      // A field that holds a function (`fn_table->submit_request`): nothing typed to show, but a function of that name may exist.
      explanation ??= explainCallable(index, word.word, file);
      break;
    }
    case 'identifier': {
      explanation = explainCallable(index, word.word, file) ?? explainBdevModule(index, word.word, file);
      if (!explanation) {
        const scope = scopeText(index, document, file, position.line);
        const type = typeOfAccess(index, [word.word], scope, file);
        explanation = type ? explainVariable(index, word.word, type, file) : undefined;
      }
      explanation ??= explainCallbackTypedef(index, word.word) ?? explainStructType(index, word.word, file);
      break;
    }
  }
  return explanation ? { explanation, range } : undefined;
}

function indexingHover(document: vscode.TextDocument, position: vscode.Position, progress: { done: number; total: number } | undefined): vscode.Hover | undefined {
  const word = wordAtCursor(document.lineAt(position.line).text, position.character);
  if (!word) return undefined;
  // Our own words and counts only; appendText would turn every space into a non-breaking one, and the line would not wrap.
  return new vscode.Hover(new vscode.MarkdownString(indexingMessage(progress)), new vscode.Range(position.line, word.start, position.line, word.end));
}

/** Book paragraphs that mention a symbol (or the definition at a line): the hover's back links. */
export type BookLinksLookup = (file: string, line: number, symbol: string) => BookParagraphLink[];

export class LensHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly workspace: WorkspaceIndex,
    private readonly bookLinks: BookLinksLookup = () => [],
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const file = this.workspace.fileOf(document.uri);
    if (file === undefined) return undefined;
    // While the index is built, answer as soon as it is ready, or say how far it has got instead of a bare "Loading...".
    const index = this.workspace.ready ?? (await this.workspace.readyWithin(HOVER_WAIT_FOR_INDEX_MS, token));
    if (token.isCancellationRequested) return undefined;
    if (!index) return this.workspace.state === 'indexing' ? indexingHover(document, position, this.workspace.progress) : undefined;
    const found = explainAt(index, document, file, position);
    if (!found) return undefined;
    const links = this.bookLinks(file, position.line + 1, found.explanation.name);
    if (links.length > 0) found.explanation.bookLinks = links;
    return new vscode.Hover(toMarkdown(found.explanation), found.range);
  }
}
