// Reads a tour file's text into a Tour, or into located problems a user can fix; bad input never throws.
import { ANCHOR_KINDS, MENTAL_MODELS, type AnchorKind, type MentalModel, type Tour, type TourAnchor, type TourProblem, type TourStep } from './tourTypes';

export interface ParsedTour {
  /** Present when there are no errors (warnings allowed). */
  tour?: Tour;
  problems: TourProblem[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON.parse with a syntax error turned into a problem at a line and column. */
export function parseJsonText(text: string): { value?: Json; problem?: TourProblem } {
  try {
    return { value: JSON.parse(stripBom(text)) as Json };
  } catch (error) {
    const message = (error as Error).message;
    const at = /at position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : text.length;
    const { line, column } = lineAndColumn(text, offset);
    const reason = message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '').replace(/^Unexpected end of JSON input$/, 'unexpected end of input');
    return { problem: { severity: 'error', path: '', message: `malformed JSON at line ${line}, column ${column}: ${reason}`, line, column } };
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: Json | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Collects problems while reading one JSON value into typed fields. */
class TourReader {
  readonly problems: TourProblem[] = [];

  error(path: string, message: string): void {
    this.problems.push({ severity: 'error', path, message: path ? `${path}: ${message}` : message });
  }

  warn(path: string, message: string): void {
    this.problems.push({ severity: 'warning', path, message: `${path}: ${message}` });
  }

  string(object: { [key: string]: Json }, key: string, path: string, required: boolean): string | undefined {
    const value = object[key];
    if (value === undefined) {
      if (required) this.error(`${path}${key}`, `missing (a string is required)`);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.error(`${path}${key}`, `must be a string, not ${describe(value)}`);
      return undefined;
    }
    if (required && value.trim() === '') {
      this.error(`${path}${key}`, 'must not be empty');
      return undefined;
    }
    return value;
  }

  unknownKeys(object: { [key: string]: Json }, known: readonly string[], path: string): void {
    for (const key of Object.keys(object)) if (!known.includes(key)) this.warn(`${path}${key}`, `unknown property (expected one of ${known.join(', ')})`);
  }
}

const TOUR_KEYS = ['$schema', 'title', 'chapter', 'description', 'steps'] as const;
const STEP_KEYS = ['title', 'text', 'anchor', 'model', 'question'] as const;
const ANCHOR_KEYS = ['file', 'symbol', 'kind', 'pattern', 'line'] as const;

/** Parses and validates an SPDK Lens tour (`*.tour.json`). */
export function parseTour(text: string): ParsedTour {
  const { value, problem } = parseJsonText(text);
  if (problem) return { problems: [problem] };
  return validateTour(value);
}

/** Validates an already parsed JSON value as a tour. */
export function validateTour(value: unknown): ParsedTour {
  const reader = new TourReader();
  const root = value as Json;
  if (!isObject(root)) {
    reader.error('', `a tour must be a JSON object with "title" and "steps", not ${describe(root)}`);
    return { problems: reader.problems };
  }
  reader.unknownKeys(root, TOUR_KEYS, '');
  const title = reader.string(root, 'title', '', true);
  const chapter = reader.string(root, 'chapter', '', false);
  const description = reader.string(root, 'description', '', false);
  const steps: TourStep[] = [];
  const rawSteps = root.steps;
  if (rawSteps === undefined) reader.error('steps', 'missing (an array of steps is required)');
  else if (!Array.isArray(rawSteps)) reader.error('steps', `must be an array, not ${describe(rawSteps)}`);
  else if (rawSteps.length === 0) reader.error('steps', 'a tour needs at least one step');
  else rawSteps.forEach((raw, i) => {
    const step = readStep(reader, raw, `steps[${i}].`);
    if (step) steps.push(step);
  });
  const hasErrors = reader.problems.some((p) => p.severity === 'error');
  if (hasErrors || title === undefined) return { problems: reader.problems };
  const tour: Tour = { title, steps };
  if (chapter !== undefined) tour.chapter = chapter;
  if (description !== undefined) tour.description = description;
  return { tour, problems: reader.problems };
}

function readStep(reader: TourReader, raw: Json, path: string): TourStep | undefined {
  const where = path.slice(0, -1);
  if (!isObject(raw)) {
    reader.error(where, `a step must be an object with "title", "text" and "anchor", not ${describe(raw)}`);
    return undefined;
  }
  reader.unknownKeys(raw, STEP_KEYS, path);
  const title = reader.string(raw, 'title', path, true);
  const text = reader.string(raw, 'text', path, true);
  const question = reader.string(raw, 'question', path, false);
  let model: MentalModel | undefined;
  if (raw.model !== undefined) {
    if (typeof raw.model === 'string' && (MENTAL_MODELS as readonly string[]).includes(raw.model)) model = raw.model as MentalModel;
    else reader.error(`${path}model`, `must be one of ${MENTAL_MODELS.join(', ')}, not ${JSON.stringify(raw.model)}`);
  }
  let anchor: TourAnchor | undefined;
  if (raw.anchor === undefined) reader.error(`${path}anchor`, 'missing (an object with at least "file" is required)');
  else anchor = readAnchor(reader, raw.anchor, `${path}anchor.`);
  if (title === undefined || text === undefined || !anchor) return undefined;
  const step: TourStep = { title, text, anchor };
  if (model) step.model = model;
  if (question !== undefined) step.question = question;
  return step;
}

/** Checks an anchor's fields and returns it normalised, or undefined after recording its errors. */
function readAnchor(reader: TourReader, raw: Json, path: string): TourAnchor | undefined {
  const where = path.slice(0, -1);
  if (!isObject(raw)) {
    reader.error(where, `must be an object with at least "file", not ${describe(raw)}`);
    return undefined;
  }
  reader.unknownKeys(raw, ANCHOR_KEYS, path);
  const before = reader.problems.length;
  const file = reader.string(raw, 'file', path, true);
  if (file !== undefined) {
    const fileProblem = checkRelativePath(file);
    if (fileProblem) reader.error(`${path}file`, fileProblem);
  }
  const symbol = reader.string(raw, 'symbol', path, false);
  if (symbol !== undefined && symbol.trim() === '') reader.error(`${path}symbol`, 'must not be empty (leave it out for a file anchor)');
  let kind: AnchorKind | undefined;
  if (raw.kind !== undefined) {
    if (typeof raw.kind === 'string' && (ANCHOR_KINDS as readonly string[]).includes(raw.kind)) kind = raw.kind as AnchorKind;
    else reader.error(`${path}kind`, `must be one of ${ANCHOR_KINDS.join(', ')}, not ${JSON.stringify(raw.kind)}`);
  }
  if (kind && kind !== 'file' && symbol === undefined) reader.error(`${path}symbol`, `missing (a ${kind} anchor names its symbol)`);
  if (kind === 'field' && symbol !== undefined && !symbol.includes('.')) reader.error(`${path}symbol`, `a field anchor is written "struct name.field", not ${JSON.stringify(symbol)}`);
  const pattern = reader.string(raw, 'pattern', path, false);
  if (pattern !== undefined) {
    const problem = patternProblem(pattern);
    if (problem) reader.error(`${path}pattern`, problem);
  }
  let line: number | undefined;
  if (raw.line !== undefined) {
    if (typeof raw.line === 'number' && Number.isInteger(raw.line) && raw.line >= 1) line = raw.line;
    else reader.error(`${path}line`, `must be a whole number from 1, not ${JSON.stringify(raw.line)}`);
  }
  if (reader.problems.slice(before).some((p) => p.severity === 'error') || file === undefined) return undefined;
  const anchor: TourAnchor = { file: normalizeRelativePath(file) };
  if (symbol !== undefined) anchor.symbol = symbol.trim();
  if (kind) anchor.kind = kind;
  if (pattern !== undefined) anchor.pattern = pattern;
  if (line !== undefined) anchor.line = line;
  return anchor;
}

/** Why a regular expression is unusable, or undefined when it compiles. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern === '') return 'must not be empty';
  try {
    new RegExp(pattern);
    return undefined;
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
}

/** Tour paths stay inside the SPDK root: relative, `/`-separated, no `..`. */
export function checkRelativePath(file: string): string | undefined {
  const path = file.replace(/\\/g, '/');
  if (path.trim() === '') return 'must not be empty';
  if (path.startsWith('/') || /^[A-Za-z]:\//.test(path)) return `must be relative to the SPDK root, not the absolute path ${JSON.stringify(file)}`;
  if (path.split('/').includes('..')) return `must stay inside the SPDK root (no ".."): ${JSON.stringify(file)}`;
  return undefined;
}

export function normalizeRelativePath(file: string): string {
  return file.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}
