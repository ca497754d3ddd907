// `spdk-lens: ignore <rule>` comments, applied to the findings in the one place the CLI and the editor both call.
// A comment hides a finding of a rule it names (or `all`) when it is on the finding's line, on the line just above
// it, or attached to the finding's function (just above the definition, or in its header up to the `{` line).
import type { IndexModel } from '../model/indexModel';
import type { SuppressionComment } from '../facts/suppressionComments';
import { checkTree, isRuleId, type CheckEnv } from './checker';
import type { CheckOptions, Finding } from './checkTypes';
import './rules'; // the rules register themselves when loaded

/** A suppression comment the checks cannot use: it names no rule, or a rule that does not exist. */
export interface SuppressionWarning {
  file: string;
  line: number;
  message: string;
}

export interface CheckRun {
  /** What is left after suppressions, ordered by file and line. */
  findings: Finding[];
  /** How many findings a comment hid. */
  suppressed: number;
  warnings: SuppressionWarning[];
}

const ALL = 'all';

function names(comment: SuppressionComment, rule: string): boolean {
  return comment.rules.includes(rule) || comment.rules.includes(ALL);
}

/** Whether one of the file's comments hides `finding`. */
export function isSuppressed(finding: Finding, comments: readonly SuppressionComment[] | undefined): boolean {
  if (!comments) return false;
  for (const c of comments) {
    if (!names(c, finding.rule)) continue;
    if (c.line === finding.line || c.line === finding.line - 1 || c.function === finding.function) return true;
  }
  return false;
}

/** The file's comments that name no rule, or a rule the checks do not have. */
export function suppressionWarnings(file: string, comments: readonly SuppressionComment[] | undefined): SuppressionWarning[] {
  const warnings: SuppressionWarning[] = [];
  for (const c of comments ?? []) {
    if (c.rules.length === 0) warnings.push({ file, line: c.line, message: 'spdk-lens comment without "ignore <rule>": nothing is suppressed' });
    for (const rule of c.rules) {
      if (rule !== ALL && !isRuleId(rule)) warnings.push({ file, line: c.line, message: `spdk-lens: ignore names an unknown rule "${rule}"` });
    }
  }
  return warnings;
}

/** checkTree, minus what the tree's comments suppress, with the comments that could not be used. */
export function checkWithSuppressions(model: IndexModel, env: CheckEnv, options: CheckOptions = {}): CheckRun {
  const findings: Finding[] = [];
  let suppressed = 0;
  for (const finding of checkTree(model, env, options)) {
    if (isSuppressed(finding, model.files.get(finding.file)?.suppressions)) suppressed++;
    else findings.push(finding);
  }
  const warnings: SuppressionWarning[] = [];
  const files = options.files ?? [...model.files.keys()].sort();
  for (const file of files) warnings.push(...suppressionWarnings(file, model.files.get(file)?.suppressions));
  return { findings, suppressed, warnings };
}
