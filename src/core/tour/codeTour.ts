// Reads CodeTour `.tour` files (from its documented format: title, steps of file/line/description) into our tours,
// upgrading each line anchor to the function or struct around it so the step no longer drifts.
import { firstMatchingLine, type ResolveContext } from './anchorResolver';
import { checkRelativePath, normalizeRelativePath, parseJsonText, patternProblem, validateTour, type ParsedTour } from './tourParser';
import type { Tour, TourAnchor, TourProblem, TourStep } from './tourTypes';

type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A CodeTour step's first line of description, as a title when it has none. */
function titleFrom(description: string, index: number): string {
  const first = description.split('\n').map((l) => l.replace(/^#+\s*/, '').trim()).find((l) => l !== '');
  if (!first) return `Step ${index + 1}`;
  return first.length > 60 ? `${first.slice(0, 57)}...` : first;
}

/**
 * Converts a parsed CodeTour file; Content-only and URI steps have no place in the source and are left out with a
 * warning; with a context, line and pattern anchors gain the symbol that encloses them.
 */
function importCodeTour(value: unknown, context?: ResolveContext): ParsedTour {
  const problems: TourProblem[] = [];
  const error = (path: string, message: string) => problems.push({ severity: 'error', path, message: path ? `${path}: ${message}` : message });
  const warn = (path: string, message: string) => problems.push({ severity: 'warning', path, message: `${path}: ${message}` });
  if (!isObject(value)) {
    error('', 'a CodeTour file must be a JSON object with "title" and "steps"');
    return { problems };
  }
  if (typeof value.title !== 'string' || value.title.trim() === '') error('title', 'missing (a string is required)');
  if (!Array.isArray(value.steps)) {
    error('steps', value.steps === undefined ? 'missing (an array of steps is required)' : 'must be an array');
    return { problems };
  }
  const steps: TourStep[] = [];
  value.steps.forEach((raw, i) => {
    const path = `steps[${i}]`;
    if (!isObject(raw)) return error(path, 'a step must be an object');
    const description = typeof raw.description === 'string' ? raw.description : '';
    if (raw.description !== undefined && typeof raw.description !== 'string') return error(`${path}.description`, 'must be a string');
    const where = typeof raw.file === 'string' ? raw.file : typeof raw.directory === 'string' ? raw.directory : undefined;
    if (where === undefined) return warn(path, raw.uri !== undefined ? 'a URI step has no place in the source; left out' : 'a step without "file" or "directory" has no place in the source; left out');
    const pathProblem = checkRelativePath(where);
    if (pathProblem) return error(`${path}.${typeof raw.file === 'string' ? 'file' : 'directory'}`, pathProblem);
    const anchor: TourAnchor = { file: normalizeRelativePath(where) };
    const selectionLine = isObject(raw.selection) && isObject(raw.selection.start) ? raw.selection.start.line : undefined;
    const line = raw.line ?? selectionLine;
    if (line !== undefined) {
      if (typeof line === 'number' && Number.isInteger(line) && line >= 1) anchor.line = line;
      else return error(`${path}.line`, `must be a whole number from 1, not ${JSON.stringify(line)}`);
    }
    if (raw.pattern !== undefined) {
      const problem = typeof raw.pattern === 'string' ? patternProblem(raw.pattern) : 'must be a string';
      if (problem) return error(`${path}.pattern`, problem);
      anchor.pattern = raw.pattern as string;
    }
    if (typeof raw.directory === 'string' && typeof raw.file !== 'string') anchor.kind = 'file';
    else if (context) upgradeToSymbol(anchor, context);
    const title = typeof raw.title === 'string' && raw.title.trim() !== '' ? raw.title : titleFrom(description, i);
    steps.push({ title, text: description, anchor });
  });
  if (steps.length === 0 && !problems.some((p) => p.severity === 'error')) error('steps', 'no step of this CodeTour points into the source');
  if (problems.some((p) => p.severity === 'error')) return { problems };
  const tour: Tour = { title: (value.title as string).trim(), steps };
  if (typeof value.description === 'string') tour.description = value.description;
  // The converted tour goes through our own validator, so both formats reach the player equally checked.
  const checked = validateTour(tour);
  return { tour: checked.tour, problems: [...problems, ...checked.problems] };
}

/** Adds the enclosing function or struct to a line or pattern anchor; the line and pattern stay as fallbacks. */
function upgradeToSymbol(anchor: TourAnchor, context: ResolveContext): void {
  let line = anchor.line;
  if (anchor.pattern !== undefined) {
    const text = context.workspace.readText(anchor.file);
    line = (text === undefined ? undefined : firstMatchingLine(text, anchor.pattern)) ?? line;
  }
  if (line === undefined) return;
  const enclosing = context.locator.enclosing(anchor.file, line);
  if (!enclosing) return;
  anchor.symbol = enclosing.symbol;
  anchor.kind = enclosing.kind === 'struct' ? 'struct' : 'function';
}

/** Tours our format or CodeTour's, told apart by their steps (`anchor` or `file`/`description`). */
export function readTourText(text: string, context?: ResolveContext): ParsedTour & { format?: 'spdk-lens' | 'codetour' } {
  const { value, problem } = parseJsonText(text);
  if (problem) return { problems: [problem] };
  if (isCodeTour(value)) return { ...importCodeTour(value, context), format: 'codetour' };
  return { ...validateTour(value), format: 'spdk-lens' };
}

function isCodeTour(value: unknown): boolean {
  if (!isObject(value) || !Array.isArray(value.steps) || value.steps.length === 0) return false;
  return value.steps.every((s) => isObject(s) && s.anchor === undefined && (s.file !== undefined || s.directory !== undefined || s.description !== undefined));
}
