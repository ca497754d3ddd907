// Runs SPDK's thread and lifetime rules over a linked index and returns the findings, ordered by file and line.
import type { CGrammar } from '../parse/grammar';
import type { IndexModel } from '../model/indexModel';
import { RULE_IDS, type CheckOptions, type Finding, type RuleId, type RuleInfo } from './checkTypes';

/** What the rules need beyond the index: the C grammar and the text of a file, for the rules that follow paths. */
export interface CheckEnv {
  grammar: CGrammar;
  /** The file's current text (an open editor's buffer, or the file on disk); undefined when it cannot be read. */
  readText(file: string): string | undefined;
  /** Kept across runs by the caller: path notes per file, reused while the file's hash is unchanged. */
  cache?: Map<string, unknown>;
}

export interface RuleContext {
  model: IndexModel;
  env: CheckEnv;
  /** Whether the caller wants findings in this file. */
  inFile(file: string): boolean;
  /** The files asked for, when the caller checks only some (an edit); tree-wide tables are then refreshed for these only. */
  only?: readonly string[];
}

/** A rule reads the model (and, through env, the files it needs) and reports what it finds. */
export type RuleCheck = (context: RuleContext) => Finding[];

export const RULES: readonly RuleInfo[] = [
  {
    id: 'wrong-thread-close',
    title: 'Closed on a thread that did not open it',
    severity: 'error',
    explanation:
      'A bdev descriptor must be closed, an io_channel put and a poller unregistered on the thread that opened, got or registered it. Code that does it from another context (a destruct slot, an unregister callback) without first sending a message to the owning thread trips SPDK\'s debug asserts and corrupts per-thread state in release builds.',
    bookTopic: 'threads own their objects',
  },
  {
    id: 'blocking-in-reactor',
    title: 'Blocks a reactor',
    severity: 'error',
    explanation:
      'Reactors run pollers and messages cooperatively: a call that sleeps, waits on a lock or condition, does synchronous file I/O or spins until a completion arrives stops every other spdk_thread on that core, including the one that would deliver the completion.',
    bookTopic: 'never block the reactor',
  },
  {
    id: 'bdev-io-lifetime',
    title: 'bdev_io completed or freed wrongly',
    severity: 'error',
    explanation:
      'Each spdk_bdev_io is completed exactly once by the module that received it, and each child IO a module submitted is freed with spdk_bdev_free_io in its completion callback, on every path, and not touched afterwards.',
    bookTopic: 'completions and ownership of IO',
  },
  {
    id: 'enomem-not-queued',
    title: '-ENOMEM from a submit fails the IO',
    severity: 'warning',
    explanation:
      'A bdev submit returns -ENOMEM when the channel ran out of spdk_bdev_io; that is back-pressure, not an error. The caller should wait with spdk_bdev_queue_io_wait on the same bdev and channel and retry, instead of failing the IO.',
    bookTopic: 'back-pressure and -ENOMEM',
  },
  {
    id: 'ctx-leak',
    title: 'Context leaked or freed twice',
    severity: 'warning',
    explanation:
      'A context allocated for an asynchronous operation must be handed on (as cb_arg, stored, returned) or freed on every path, the early error returns included, and freed exactly once.',
    bookTopic: 'contexts as synthetic stack frames',
  },
  {
    id: 'io-channel-leak',
    title: 'io_channel not put',
    severity: 'warning',
    explanation:
      'Every spdk_get_io_channel needs a matching spdk_put_io_channel on the same thread, error paths included; a channel that is never put keeps the io_device (and its per-thread resources) alive forever.',
    bookTopic: 'io_channels hold per-thread state',
  },
];

const checks = new Map<RuleId, RuleCheck>();

/** Rules register themselves here (see ./rules). Returns what puts the rule's previous check back (for tests). */
export function registerRule(id: RuleId, check: RuleCheck): () => void {
  const previous = checks.get(id);
  checks.set(id, check);
  return () => {
    if (previous) checks.set(id, previous);
    else checks.delete(id);
  };
}

export function ruleInfo(id: RuleId): RuleInfo {
  const info = RULES.find((r) => r.id === id);
  if (!info) throw new Error(`unknown rule ${id}`);
  return info;
}

export function isRuleId(text: string): text is RuleId {
  return (RULE_IDS as readonly string[]).includes(text);
}

export function checkTree(model: IndexModel, env: CheckEnv, options: CheckOptions = {}): Finding[] {
  const wanted = options.files ? new Set(options.files) : undefined;
  const inFile = (file: string) => !wanted || wanted.has(file);
  const context: RuleContext = { model, env, inFile, ...(options.files ? { only: options.files } : {}) };
  const findings: Finding[] = [];
  for (const id of options.rules ?? RULE_IDS) {
    const check = checks.get(id);
    if (check) for (const f of check(context)) if (inFile(f.file)) findings.push(f);
  }
  return findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || (a.rule < b.rule ? -1 : 1)));
}
