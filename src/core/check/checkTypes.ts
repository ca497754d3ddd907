// What `spdk-lens check` and the Problems panel report: plain data, paths relative to the root, lines 1-based.

export const RULE_IDS = ['wrong-thread-close', 'blocking-in-reactor', 'bdev-io-lifetime', 'enomem-not-queued', 'ctx-leak', 'io-channel-leak'] as const;

export type RuleId = (typeof RULE_IDS)[number];

export type Severity = 'error' | 'warning' | 'info';

/** One step of the reasoning behind a finding: where the object was opened, where the context comes from, ... */
export interface CheckEvidence {
  file: string;
  line: number;
  note: string;
}

export interface Finding {
  rule: RuleId;
  severity: Severity;
  file: string;
  line: number;
  /** The function the finding is in. */
  function: string;
  message: string;
  evidence: CheckEvidence[];
}

export interface RuleInfo {
  id: RuleId;
  title: string;
  severity: Severity;
  /** One paragraph, in plain words: what the rule catches and why SPDK breaks when it is broken. */
  explanation: string;
  /** The book topic the rule comes from (a chapter-00 theme). */
  bookTopic: string;
}

export interface CheckOptions {
  /** Rules to run; all when absent. */
  rules?: readonly RuleId[];
  /** Only report findings in these files (relative paths); the whole tree is still read for context. */
  files?: readonly string[];
}
