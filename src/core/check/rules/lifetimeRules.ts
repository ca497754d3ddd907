// ctx-leak, io-channel-leak, bdev-io-lifetime and enomem-not-queued: path notes (lifetimes.ts) judged with the index.
import type { IndexModel } from '../../model/indexModel';
import { functionKey } from '../../labels/callbackEvidence';
import { contextsOf } from '../../labels/execContext';
import { registerRule, type RuleContext } from '../checker';
import type { CheckEvidence, Finding, RuleId } from '../checkTypes';
import type { LifetimeNote, PassedTo, Resource } from '../lifetimes';
import { keepsDecodedStrings, releasesHeldChannel, takesOwnership } from '../ownershipFlow';
import { notedFunctions } from './treeNotes';

interface FunctionNotes {
  file: string;
  fn: string;
  notes: LifetimeNote[];
}

function notesOf(context: RuleContext): FunctionNotes[] {
  return notedFunctions(context)
    .filter((f) => f.notes.lifetimes.length > 0)
    .map((f) => ({ file: f.file, fn: f.fn, notes: f.notes.lifetimes }));
}

const WHAT: Record<Resource, string> = { alloc: 'context', channel: 'io_channel', bdev_io: 'child bdev_io' };

function ruleOf(resource: Resource): RuleId {
  return resource === 'alloc' ? 'ctx-leak' : resource === 'channel' ? 'io-channel-leak' : 'bdev-io-lifetime';
}

function isCompletionCallback(model: IndexModel, key: string): boolean {
  return contextsOf(model, key).some((c) => 'type' in c && c.type === 'spdk_bdev_io_completion_cb');
}

function passNote(p: PassedTo, borrowed: boolean): string {
  return borrowed ? `passed to ${p.callee}, which only reads it` : `handed to ${p.callee}`;
}

function leaks(context: RuleContext, file: string, fn: string, list: LifetimeNote[], resource: Resource): Finding[] {
  const { model } = context;
  const held = list.filter((n): n is Extract<LifetimeNote, { kind: 'exit_held' }> => n.kind === 'exit_held' && n.resource === resource);
  if (held.length === 0) return [];
  if (resource === 'bdev_io' && !isCompletionCallback(model, functionKey(file, fn))) return [];
  // A poller's argument lives as long as the poller: returning without freeing it is how a poller says "call me again".
  // Only for the poller itself: a callback that a poller calls through a stored field (a completion) owns a one-shot argument.
  const repeats = contextsOf(model, functionKey(file, fn)).some((c) => (c.kind === 'poller' || c.kind === 'interrupt') && !('flow' in c && c.flow?.some((step) => step.note.startsWith('called through '))));
  const byVariable = new Map<string, typeof held>();
  for (const n of held) {
    // A path that handed the object to anyone who keeps it does not leak it.
    const owns = (p: PassedTo) =>
      p.holder && resource === 'channel'
        ? releasesHeldChannel(model, p.callee, p.arg, file)
        : n.origin === 'decoded' && n.releasedAt === undefined && n.decodedStrings
          ? keepsDecodedStrings(model, p.callee, p.arg, file, n.decodedStrings)
          : takesOwnership(model, p.callee, p.arg, file, resource);
    if (n.passed.some(owns)) continue;
    if (n.origin === 'cb_arg' && repeats) continue;
    const list = byVariable.get(n.variable) ?? [];
    list.push(n);
    byVariable.set(n.variable, list);
  }
  const findings: Finding[] = [];
  for (const [variable, paths] of byVariable) {
    const first = paths[0];
    // Only a failed call that would have taken the object explains the leak (a failed decode only read it).
    const failed = paths.flatMap((p) => p.failed).find((p) => takesOwnership(model, p.callee, p.arg, file, resource));
    const exits = [...new Set(paths.map((p) => p.line))].sort((a, b) => a - b);
    const evidence: CheckEvidence[] = [];
    if (resource === 'bdev_io') evidence.push({ file, line: first.acquired, note: `${fn} is a bdev IO completion callback: it owns ${variable} and must free it with spdk_bdev_free_io` });
    else evidence.push({ file, line: first.acquired, note: `${variable} = ${first.acquiredBy}(...)` });
    if (failed) evidence.push({ file, line: failed.line, note: `${failed.callee} failed on this path, so the callback that would have released ${variable} never runs` });
    for (const p of first.passed.slice(0, 3)) evidence.push({ file, line: p.line, note: passNote(p, true) });
    for (const line of exits.slice(0, 3)) evidence.push({ file, line, note: `returns still holding ${variable}` });
    const how = resource === 'alloc' ? 'neither freed nor handed on' : resource === 'channel' ? 'neither put (spdk_put_io_channel) nor stored' : 'not freed with spdk_bdev_free_io';
    const why = failed
      ? ` after ${failed.callee} fails (line ${failed.line})`
      : /->|\./.test(variable)
        ? ', a failing return after which no one releases what the object holds'
        : '';
    let message = `${WHAT[resource]} ${variable}${resource === 'bdev_io' ? '' : ` from ${first.acquiredBy} (line ${first.acquired})`} is ${how} on the path that returns at line ${exits[0]}${why}`;
    const fields = first.decodedStrings?.map((f) => `${variable}.${f}`).join(', ');
    const decodedHere = { file, line: first.acquired, note: `${first.acquiredBy} fills ${variable}; its decoder table copies ${fields} with spdk_json_decode_string, which allocates` };
    if (first.missedStrings && first.decodedStrings) {
      evidence.splice(0, evidence.length, decodedHere, { file, line: first.missedStrings.at, note: `${variable}.${first.missedStrings.freed} is freed here, ${fields} never` });
      message = `${fields}, copied by ${first.acquiredBy} (line ${first.acquired}), ${first.decodedStrings.length > 1 ? 'are' : 'is'} never freed, while ${variable}.${first.missedStrings.freed} is (line ${first.missedStrings.at}): each call leaks ${first.decodedStrings.length > 1 ? 'them' : 'it'}`;
    } else if (first.origin === 'decoded' && first.releasedAt === undefined && first.decodedStrings) {
      evidence[0] = decodedHere;
      message = `what ${first.acquiredBy} allocated into ${variable} (${fields}, line ${first.acquired}) is never freed; the path that returns at line ${exits[0]} loses it`;
    } else if (first.holderFreedAt !== undefined) {
      const holder = variable.split(/->|\./)[0];
      evidence.splice(1, evidence.length - 1, { file, line: first.holderFreedAt, note: `${holder} is freed here with ${variable} still in it` });
      message = `${WHAT[resource]} ${variable} from ${first.acquiredBy} (line ${first.acquired}) is lost when ${holder} is freed at line ${first.holderFreedAt} without freeing it first (the path returns at line ${exits[0]})`;
    } else if (first.kind === 'exit_held' && first.origin && first.releasedAt !== undefined) {
      const known = first.alias ? `${first.alias} (${variable})` : variable;
      evidence[0] = { file, line: first.acquired, note: first.origin === 'cb_arg' ? `${known} is the callback's argument, which this function owns` : `${first.acquiredBy} fills ${variable} and allocates its strings` };
      evidence.splice(1, 0, { file, line: first.releasedAt, note: `${variable} is released here on another path` });
      message =
        first.origin === 'cb_arg'
          ? `callback argument ${known} is released on another path (line ${first.releasedAt}) but neither freed nor handed on on the path that returns at line ${exits[0]}`
          : `what ${first.acquiredBy} allocated into ${variable} (line ${first.acquired}) is freed on another path (line ${first.releasedAt}) but not on the path that returns at line ${exits[0]}`;
    }
    findings.push({
      rule: ruleOf(resource),
      severity: resource === 'bdev_io' ? 'error' : 'warning',
      file,
      line: exits[0],
      function: fn,
      message,
      evidence,
    });
  }
  return findings;
}

function twice(file: string, fn: string, list: LifetimeNote[], resource: Resource): Finding[] {
  const findings: Finding[] = [];
  for (const n of list) {
    if (n.kind === 'freed_unsubmitted' && resource === 'bdev_io') {
      findings.push(
        twoPlaces(file, fn, n.line, `${n.variable} is taken from the channel's pool by ${n.acquiredBy} and given back with spdk_bdev_free_io before it was submitted; spdk_bdev_free_io is for completed IOs (check what is supported before taking the IO)`, [
          [n.acquired, `${n.variable} = ${n.acquiredBy}(...)`],
          [n.line, `spdk_bdev_free_io(${n.variable}) with the IO never submitted`],
        ]),
      );
      continue;
    }
    if ((n.kind === 'double_release' || n.kind === 'use_after_release') && n.resource === resource) {
      const verb = resource === 'channel' ? 'put' : 'freed';
      findings.push({
        rule: ruleOf(resource),
        severity: 'error',
        file,
        line: n.line,
        function: fn,
        message: n.kind === 'double_release' ? `${WHAT[resource]} ${n.variable} is ${verb} twice on one path (${n.releasedBy} at lines ${n.first} and ${n.line})` : `${WHAT[resource]} ${n.variable} is used after ${n.releasedBy} released it (line ${n.first})`,
        evidence: [
          { file, line: n.first, note: `${n.releasedBy}(${n.variable})` },
          { file, line: n.line, note: n.kind === 'double_release' ? 'released again on the same path' : `${n.variable} used here` },
        ],
      });
    }
    if (n.kind === 'use_after_complete' && resource === 'bdev_io') {
      findings.push(
        twoPlaces(file, fn, n.line, `${n.variable} is read after its bdev_io was completed (line ${n.first}); once completed, the IO and its driver context may already be reused`, [
          [n.first, `${n.completedBy}(...) hands the IO back`],
          [n.line, `${n.variable} read here`],
        ]),
      );
    }
    if (n.kind === 'double_complete' && resource === 'bdev_io') {
      findings.push(
        twoPlaces(file, fn, n.line, `bdev_io ${n.variable} is completed twice on one path (lines ${n.first} and ${n.line})`, [
          [n.first, `${n.completedBy}(${n.variable}, ...)`],
          [n.line, 'completed again with no return in between'],
        ]),
      );
    }
  }
  return findings;
}

/** A bdev-io-lifetime finding made of two places on one path: where the IO went, and where it was touched again. */
function twoPlaces(file: string, fn: string, line: number, message: string, places: [number, string][]): Finding {
  return { rule: 'bdev-io-lifetime', severity: 'error', file, line, function: fn, message, evidence: places.map(([at, note]) => ({ file, line: at, note })) };
}

function lifetimeRule(resource: Resource) {
  return (context: RuleContext): Finding[] => {
    const findings: Finding[] = [];
    for (const { file, fn, notes } of notesOf(context)) {
      findings.push(...leaks(context, file, fn, notes, resource), ...twice(file, fn, notes, resource));
    }
    return findings;
  };
}

function enomemRule(context: RuleContext): Finding[] {
  const findings: Finding[] = [];
  for (const { file, fn, notes } of notesOf(context)) {
    const seen = new Set<number>();
    for (const n of notes) {
      if (n.kind !== 'submit_failure_fails_io' || seen.has(n.submitLine)) continue;
      seen.add(n.submitLine);
      findings.push({
        rule: 'enomem-not-queued',
        severity: 'warning',
        file,
        line: n.line,
        function: fn,
        message: n.ignored
          ? `the result of ${n.submit} is ignored: when it fails (-ENOMEM when the channel has no spdk_bdev_io left) the IO it carries is neither retried with spdk_bdev_queue_io_wait nor completed`
          : n.enomemSeen
          ? `when ${n.submit} fails with -ENOMEM, the path tells it apart but fails the IO anyway instead of waiting with spdk_bdev_queue_io_wait and retrying`
          : n.failedBy === 'spdk_app_stop'
          ? `when ${n.submit} fails, the application stops without checking for -ENOMEM, which only means "wait with spdk_bdev_queue_io_wait and retry"`
          : `when ${n.submit} fails, the IO is failed without checking for -ENOMEM (which means "retry after spdk_bdev_queue_io_wait")`,
        evidence: n.ignored
          ? [{ file, line: n.submitLine, note: `${n.submit}(...) returns -ENOMEM when the channel has no spdk_bdev_io left; the result is dropped here` }]
          : [
              { file, line: n.submitLine, note: `${n.submit}(...) can return -ENOMEM when the channel has no spdk_bdev_io left` },
              { file, line: n.line, note: n.failedBy === 'spdk_app_stop' ? 'spdk_app_stop gives up on that path' : `${n.failedBy} fails the IO on that path` },
            ],
      });
    }
  }
  return findings;
}

registerRule('ctx-leak', lifetimeRule('alloc'));
registerRule('io-channel-leak', lifetimeRule('channel'));
registerRule('bdev-io-lifetime', lifetimeRule('bdev_io'));
registerRule('enomem-not-queued', enomemRule);
