// Follows, path by path through one function body, what happens to the objects it acquires (a context it allocates,
// a channel it gets, the child bdev_io a completion callback receives) and to the result of a bdev submit. It reports
// plain-data path notes; which callees take ownership is decided later, with the whole index (see lifetimeRules).
import type { PlainNode as Node } from '../parse/plainTree';

export type Resource = 'alloc' | 'channel' | 'bdev_io';

/** A call an object was passed to on one path: `callee#argument-index`, or `(field)` for calls through a pointer. */
export interface PassedTo {
  callee: string;
  arg: number;
  line: number;
  /** The object passed was the one holding the followed field (`free_ctx(ctx)` for `ctx->ch`), not the field itself. */
  holder?: boolean;
}

export type LifetimeNote =
  /** The function can return while it still holds the object, having only passed it to `passed`. */
  | { kind: 'exit_held'; variable: string; resource: Resource; acquired: number; acquiredBy: string; line: number; passed: PassedTo[]; failed: PassedTo[]; origin?: 'cb_arg' | 'decoded'; releasedAt?: number; holderFreedAt?: number; alias?: string; decodedStrings?: string[]; missedStrings?: { freed: string; at: number } }
  | { kind: 'double_release'; variable: string; resource: Resource; acquired: number; acquiredBy: string; line: number; first: number; releasedBy: string }
  | { kind: 'use_after_release'; variable: string; resource: Resource; acquired: number; acquiredBy: string; line: number; first: number; releasedBy: string }
  | { kind: 'double_complete'; variable: string; line: number; first: number; completedBy: string }
  /** Read through after its bdev_io was completed: the IO (and its driver context) may already be reused. */
  | { kind: 'use_after_complete'; variable: string; line: number; first: number; completedBy: string }
  /** A bdev submit failed and the path fails an IO without telling -ENOMEM apart. */
  | { kind: 'submit_failure_fails_io'; variable: string; submit: string; submitLine: number; line: number; failedBy: string; enomemSeen?: boolean; ignored?: boolean }
  /** A bdev_io taken from a channel's pool and given back with spdk_bdev_free_io, which is for completed IOs. */
  | { kind: 'freed_unsubmitted'; variable: string; acquired: number; acquiredBy: string; line: number }
  /** The function returns a bdev submit's result (`return spdk_bdev_readv_blocks(...)`): its callers get the -ENOMEM. */
  | { kind: 'returns_submit'; submit: string; line: number }
  /** The function hands a fresh object to its caller: an allocator wrapper (`ctx = foo_alloc()` acquires). */
  | { kind: 'returns_acquired'; variable: string; resource: Resource; acquiredBy: string; line: number; passed: PassedTo[] };

/** What the walker must know about SPDK's APIs (curated in lifetimeRules, passed in so this file stays generic). */
export interface LifetimeApis {
  acquire(callee: string): Resource | undefined;
  release(callee: string, resource: Resource): number | undefined;
  completes(callee: string): boolean;
  submits(callee: string): boolean;
}

interface VarState {
  resource: Resource;
  /** Kept in a field of the function's own object (`ch->base_ch = spdk_get_io_channel(...)`): only a failing return leaks it. */
  field: boolean;
  /**
   * Where it came from: acquired here, the callback argument the function frees on some path, or a struct that
   * spdk_json_decode_object filled (its strings are allocated). The last two leak only if the function frees them elsewhere.
   */
  origin?: 'cb_arg' | 'decoded';
  /** A branch read the object's own state (`if (--ctx->refs == 0)`): keeping it on the other side is deliberate. */
  guarded?: boolean;
  /** The path went the way of a failed status (`if (rc != 0)`, `if (!success)`): where a callback forgets its argument. */
  errorPath?: boolean;
  /** maybe: just acquired, not yet checked against NULL. */
  st: 'maybe' | 'held' | 'null' | 'released' | 'gone';
  acquired: number;
  acquiredBy: string;
  passed: PassedTo[];
  failed: PassedTo[];
  released: number;
  releasedBy: string;
  /** A branch the walker cannot read was taken since the release: a second release may be on a path that never runs. */
  uncertain: boolean;
  /** Names in the conditions around the release: a later branch on one of them may exclude the release's path. */
  releaseGuards?: string[];
  /** For a decoded struct: its fields the decoder table fills with spdk_json_decode_string (allocated copies). */
  decodedStrings?: string[];
  /** A field allocation whose holder was given back with a plain free() while it still held it, and where. */
  orphanedAt?: number;
  /** The result variable of the last call that took the object, so the call's failure branch gives it back. */
  pendingRc: string;
  pendingCall: PassedTo | undefined;
}

interface CompleteState {
  line: number;
  by: string;
}

/** State of a submit's result variable: unknown, known failed, known -ENOMEM, known failed but not -ENOMEM. */
/** `cb`: the completion callback handed to the submit (its next-to-last argument in every bdev submit API). */
type RcState = { submit: string; line: number; st: 'any' | 'failed' | 'enomem' | 'other' | 'queued'; cb?: string; fromCallback?: boolean };

interface State {
  vars: Map<string, VarState>;
  /** Locals that stand for a followed object: `group = spdk_io_channel_get_ctx(ch)` makes group stand for ch. */
  aliases: Map<string, string>;
  /** Plain names tested on this path and found true or false (`if (status)`), until assigned again. */
  known: Map<string, boolean>;
  completed: Map<string, CompleteState>;
  rcs: Map<string, RcState>;
}

const MAX_STATES = 16;
/** `return -1;`, `return -ENOMEM;`, `return NULL;`: the caller is told it failed and will not clean up after it. */
const FAILING_RETURN = /^\(?\s*(-\s*[A-Z0-9_]+|-\s*\d+|NULL)\s*\)?$/;
/** Status values that mean "this IO failed" in the bdev, NVMe and SCSI layers. */
const ERROR_STATUS = /STATUS_FAILED|_SC_\w*ERROR\b|CHECK_CONDITION|VIRTIO_BLK_S_IOERR|VIRTIO_SCSI_S_FAILURE/;
const DESTRUCTOR_NAME = /(^|_)(free|destroy|release|cleanup|put)(_|$)/;
/** A callback argument counts as owned only where it is freed outright (free_rpc_req(req)), not torn down. */
const FREE_NAME = /(^|_)free(_|$)/;
const DECODERS = /^spdk_json_decode_object(_relaxed)?$/;
const DONE_NAME = /(done|complete|completion|cpl|finish|end|fail)\w*$/i;
const NO_RETURN = /^(exit|_exit|abort|err|errx|__builtin_unreachable|SPDK_UNREACHABLE)\s*\(|^assert\s*\(\s*(false|0)\s*\)$/;
const MAX_NOTES = 64;
const BLOB_ERRNO = /^(bserrno|lvolerrno)$/;
/** Where the bdev layer takes a fresh spdk_bdev_io from a channel's pool. */
const BDEV_IO_POOL = /^(spdk_bdev_get_io|bdev_channel_get_io)$/;
/** Calls that refer to an object as an io_device until its owner unregisters it: the owner still frees it and what it holds. */
export const REFERS_TO_DEVICE = /^(spdk_io_device_register|spdk_get_io_channel)$/;
const ERROR_REPLY = /^spdk_jsonrpc_send_error_response(_fmt)?$/;
/** A name no C identifier can take, kept in `known` once the path has reported a failure. */
const FAILED_PATH = '#failed';
const QUEUES_FOR_LATER = /queue|wait|retry|resubmit|defer|later|pending|poller_register|_INSERT_(HEAD|TAIL|AFTER|BEFORE)$/i;

/** A call's arguments, comments left out. */
export function argumentsOf(call: Node): Node[] {
  return (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
}

/** The first argument of `node`, unwrapped, when `node` is a call of `callee`. */
function onlyArgumentOf(node: Node | null, callee: string): Node | null {
  return node?.type === 'call_expression' && calleeName(node) === callee ? strip(argumentsOf(node)[0] ?? null) : null;
}

/** `spdk_io_channel_get_ctx(spdk_get_io_channel(dev))`: the channel got, whose context is kept. */
function channelOfContext(node: Node | null): Node | null {
  const inner = onlyArgumentOf(node, 'spdk_io_channel_get_ctx');
  return inner?.type === 'call_expression' ? inner : node;
}

/** `spdk_io_channel_from_ctx(x)`: x, when x is a name or a field (the channel is known by its context). */
function contextOfChannel(node: Node | null): Node | null {
  const inner = onlyArgumentOf(node, 'spdk_io_channel_from_ctx');
  return inner && (inner.type === 'identifier' || inner.type === 'field_expression') ? inner : node;
}

/** `x` of `&x` (unwrapped), or null when `node` takes no address. */
function addressed(node: Node | null): Node | null {
  return node?.type === 'pointer_expression' && operatorOf(node) === '&' ? strip(node.childForFieldName('argument')) : null;
}

/** The object a field path starts from: `x` of `x->a.b`. */
function fieldBase(node: Node | null): Node | null {
  let base = node;
  while (base?.type === 'field_expression') base = strip(base.childForFieldName('argument'));
  return base;
}

/** The element variable of a list walk: `while (x, head, link)` is how TAILQ_FOREACH(x, head, link) reads here. */
function listWalkIterator(loop: Node): string | undefined {
  if (loop.type !== 'while_statement') return undefined;
  let cond = loop.childForFieldName('condition');
  while (cond && cond.type === 'parenthesized_expression') cond = cond.namedChild(0);
  if (cond?.type !== 'comma_expression') return undefined;
  const first = cond.childForFieldName('left') ?? cond.namedChild(0);
  return first?.type === 'identifier' ? first.text : undefined;
}

/** The local a callback argument was cast into (`struct foo *req = cb_arg;`): the name a reader knows it by. */
function aliasOf(s: State, name: string): { alias?: string } {
  for (const [from, to] of s.aliases) if (to === name) return { alias: from };
  return {};
}

/** The followed object a name stands for, itself or through an alias. */
function lookup(s: State, name: string): VarState | undefined {
  return s.vars.get(s.aliases.get(name) ?? name);
}

function copyState(s: State): State {
  const vars = new Map<string, VarState>();
  for (const [k, v] of s.vars) vars.set(k, { ...v, passed: v.passed.slice(), failed: v.failed.slice() });
  return { vars, aliases: new Map(s.aliases), known: new Map(s.known), completed: new Map(s.completed), rcs: new Map([...s.rcs].map(([k, v]) => [k, { ...v }])) };
}

function stateKey(s: State, withKnown = true): string {
  const parts: string[] = [];
  for (const [k, v] of s.vars) parts.push(`${k}:${v.st}:${v.passed.map((p) => p.callee).join(',')}:${v.failed.length}:${v.released}:${v.pendingRc}`);
  for (const [k, v] of s.completed) parts.push(`c${k}:${v.line}`);
  for (const [k, v] of s.rcs) parts.push(`r${k}:${v.st}:${v.line}`);
  if (withKnown) for (const [k, v] of s.known) parts.push(`k${k}:${v}`);
  return parts.join('|');
}

function dedupe(states: State[]): State[] {
  const seen = new Set<string>();
  const out: State[] = [];
  for (const s of states) {
    const key = stateKey(s);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s);
  }
  if (out.length <= MAX_STATES) return out;
  // Over the bound: one path per state of the followed objects first, so a release or a hand-off is never the path cut.
  const kinds = new Set<string>();
  const first: State[] = [];
  const rest: State[] = [];
  for (const s of out) {
    const key = stateKey(s, false);
    (kinds.has(key) ? rest : first).push(s);
    kinds.add(key);
  }
  return [...first, ...rest].slice(0, MAX_STATES);
}

function strip(node: Node | null): Node | null {
  let n = node;
  while (n && (n.type === 'parenthesized_expression' || n.type === 'cast_expression')) {
    n = n.type === 'cast_expression' ? n.childForFieldName('value') : n.namedChild(0);
  }
  return n;
}

function identOf(node: Node | null): string | undefined {
  const n = strip(node);
  return n && n.type === 'identifier' ? n.text : undefined;
}

export function declaredName(declarator: Node | null): string | undefined {
  let d = declarator;
  while (d && d.type !== 'identifier') {
    if (d.type === 'pointer_declarator' || d.type === 'parenthesized_declarator' || d.type === 'init_declarator') d = d.childForFieldName('declarator') ?? d.namedChild(0);
    else return undefined;
  }
  return d?.text;
}

function calleeName(call: Node): string {
  const fn = call.childForFieldName('function');
  if (!fn) return '';
  if (fn.type === 'identifier') return fn.text;
  const field = fn.type === 'field_expression' ? fn.childForFieldName('field') : null;
  return field ? `(${field.text})` : '';
}

/** Operator token of a binary or unary expression. */
function operatorOf(node: Node): string {
  return node.childForFieldName('operator')?.text ?? '';
}

interface LoopFrame {
  breaks: State[];
  continues: State[];
}

/** Walks one function body. */
class Walker {
  readonly notes: LifetimeNote[] = [];
  private readonly labels = new Map<string, State[]>();
  private readonly passedLabels = new Set<string>();
  private readonly frames: LoopFrame[] = [];
  private readonly noted = new Set<string>();
  /** Objects released (or handed to a destructor) on at least one path, and where. */
  readonly releasedSomewhere = new Map<string, number>();
  /** Objects released only once a count of users drops to zero (`if (--blob->open_ref == 0) blob_free(blob)`). */
  readonly releasedWhenLast = new Set<string>();
  /** Locals set to an embedded member (`bdev = &disk->bdev`): their fields are that member's (`disk->bdev.name`). */
  private readonly members = new Map<string, string>();
  /** Decoded structs: where they were decoded, which of their strings some path frees (and where), whether a call took them. */
  readonly decodedStructs = new Map<string, { line: number; by: string; strings: string[]; freed: Map<string, number>; handedOn: boolean }>();

  constructor(
    private readonly apis: LifetimeApis,
    private readonly lineOf: (node: Node) => number,
    /** Names declared in the body: only locals are followed (a global keeps what it is given). */
    private readonly locals: Set<string>,
    /** Parameter names: a call through one is a call of the caller's callback. */
    private readonly params: Set<string>,
    /** Locals declared as pointers (a decoded struct is a local struct, not a pointer to one). */
    private readonly pointers: Set<string> = new Set(),
    private readonly decoderStrings: ReadonlyMap<string, string[]> = new Map(),
  ) {}

  private note(n: LifetimeNote): void {
    const key = `${n.kind}:${'variable' in n ? n.variable : n.submit}:${n.line}`;
    if (this.noted.has(key) || this.notes.length >= MAX_NOTES) return;
    this.noted.add(key);
    this.notes.push(n);
  }

  /** Runs a statement from each state; returns the states that fall through. */
  exec(node: Node | null, ins: State[]): State[] {
    if (!node) return ins;
    switch (node.type) {
      case 'compound_statement':
      case 'translation_unit': {
        let states = ins;
        for (const child of node.namedChildren) {
          if (child && child.type !== 'comment') states = this.exec(child, states);
        }
        return states;
      }
      case 'labeled_statement': {
        const label = node.childForFieldName('label')?.text ?? '';
        this.passedLabels.add(label);
        const joined = dedupe([...ins, ...(this.labels.get(label) ?? [])]);
        this.labels.delete(label);
        // A comment between the label and its statement is a child too: skip it, or the statement is never run.
        const body = node.namedChildren.find((c) => c && c.type !== 'statement_identifier' && c.type !== 'comment') ?? null;
        return body ? this.exec(body, joined) : joined;
      }
      case 'declaration':
        return ins.map((s) => this.declaration(node, s));
      case 'expression_statement': {
        const expr = node.namedChild(0);
        const after = expr ? ins.map((s) => this.effects(expr, s)) : ins;
        // A submit whose result nobody reads: when it fails, the IO it carries is neither retried nor completed.
        const call = expr ? strip(expr) : null;
        if (call?.type === 'call_expression' && this.apis.submits(calleeName(call))) {
          const args = argumentsOf(call);
          const cbArg = args[args.length - 1];
          if (cbArg && !/^(NULL|0)$/.test(cbArg.text.trim())) {
            const line = this.lineOf(call);
            this.note({ kind: 'submit_failure_fails_io', variable: '', submit: calleeName(call), submitLine: line, line, failedBy: '(result ignored)', ignored: true });
          }
        }
        // exit(), abort(), assert(false): the process ends here, nothing leaks.
        return expr && NO_RETURN.test(expr.text) ? [] : after;
      }
      case 'return_statement': {
        const expr = node.namedChild(0);
        for (const s of ins) {
          const after = expr ? this.effects(expr, s) : s;
          const direct = expr ? strip(expr) : null;
          const returned = direct?.type === 'identifier' ? lookup(after, direct.text) : undefined;
          if (returned && (returned.st === 'maybe' || returned.st === 'held') && returned.acquiredBy !== '(parameter)') {
            this.note({ kind: 'returns_acquired', variable: direct!.text, resource: returned.resource, acquiredBy: returned.acquiredBy, line: this.lineOf(node), passed: returned.passed.slice() });
          }
          const acquiredHere = direct?.type === 'call_expression' ? this.apis.acquire(calleeName(direct)) : undefined;
          // A submit's result handed back while it may still be -ENOMEM: the caller must tell it apart.
          const submitted = direct?.type === 'call_expression' && this.apis.submits(calleeName(direct)) ? calleeName(direct) : direct?.type === 'identifier' ? after.rcs.get(direct.text) : undefined;
          if (typeof submitted === 'string') this.note({ kind: 'returns_submit', submit: submitted, line: this.lineOf(node) });
          else if (submitted && (submitted.st === 'any' || submitted.st === 'failed')) this.note({ kind: 'returns_submit', submit: submitted.submit, line: this.lineOf(node) });
          if (acquiredHere) this.note({ kind: 'returns_acquired', variable: '', resource: acquiredHere, acquiredBy: calleeName(direct!), line: this.lineOf(node), passed: [] });
          for (const name of expr ? namesHandedBack(expr) : []) {
            const held = lookup(after, name);
            if (held && held.st !== 'released') held.st = 'gone';
          }
          // `rc = spdk_lvol_create(..., cb, req); return rc;`: when rc is an error the callback never runs and req is ours.
          const rcName = direct?.type === 'identifier' && !this.pointers.has(direct.text) ? direct.text : undefined;
          if (rcName && [...after.vars.values()].some((v) => v.pendingRc === rcName && v.pendingCall && (v.st === 'maybe' || v.st === 'held'))) {
            this.exit(this.rcResult(copyState(after), rcName, true), this.lineOf(node), true);
            this.rcResult(after, rcName, false);
          }
          // `return rc;` on the path where `if (rc != 0)` held fails as surely as `return -EIO;`.
          const failedStatus = direct?.type === 'identifier' && STATUS_NAME.test(direct.text) && after.known.get(direct.text) === true;
          this.exit(after, this.lineOf(node), !!expr && (FAILING_RETURN.test(expr.text.trim()) || failedStatus));
        }
        return [];
      }
      case 'goto_statement': {
        const label = node.childForFieldName('label')?.text ?? '';
        // A jump back to a label already passed is a retry loop: not followed again (bounded).
        if (!this.passedLabels.has(label)) this.labels.set(label, dedupe([...(this.labels.get(label) ?? []), ...ins]));
        return [];
      }
      case 'break_statement':
        if (this.frames.length > 0) this.frames[this.frames.length - 1].breaks.push(...ins);
        return [];
      case 'continue_statement':
        if (this.frames.length > 0) this.frames[this.frames.length - 1].continues.push(...ins);
        return [];
      case 'if_statement': {
        const cond = node.childForFieldName('condition');
        const after = cond ? ins.map((s) => this.effects(cond, s)) : ins;
        const thenIns: State[] = [];
        const elseIns: State[] = [];
        for (const s of after) {
          const t = cond ? this.refine(cond, copyState(s), true) : copyState(s);
          const e = cond ? this.refine(cond, copyState(s), false) : copyState(s);
          if (t) thenIns.push(t);
          if (e) elseIns.push(e);
        }
        const branches = `${node.childForFieldName('consequence')?.text ?? ''}\n${node.childForFieldName('alternative')?.text ?? ''}`;
        if (cond) for (const st of [...thenIns, ...elseIns]) {
          markUncertain(st, cond);
          markGuarded(st, cond, branches);
        }
        const failing = cond ? failureWhen(cond) : undefined;
        if (failing !== undefined) for (const st of failing ? thenIns : elseIns) for (const v of st.vars.values()) if (v.origin === 'cb_arg') v.errorPath = true;
        const thenOut = this.exec(node.childForFieldName('consequence'), dedupe(thenIns));
        const alt = node.childForFieldName('alternative');
        const elseBody = alt ? (alt.type === 'else_clause' ? alt.namedChild(0) : alt) : null;
        const elseOut = elseBody ? this.exec(elseBody, dedupe(elseIns)) : dedupe(elseIns);
        return dedupe([...thenOut, ...elseOut]);
      }
      case 'while_statement':
      case 'for_statement':
      case 'do_statement': {
        let states = ins;
        const init = node.type === 'for_statement' ? node.childForFieldName('initializer') : null;
        if (init) states = init.type === 'declaration' ? states.map((s) => this.declaration(init, s)) : states.map((s) => this.effects(init, s));
        const cond = node.childForFieldName('condition');
        if (cond && node.type !== 'do_statement') states = states.map((s) => this.effects(cond, s));
        const frame: LoopFrame = { breaks: [], continues: [] };
        this.frames.push(frame);
        // The body once: enough to see what one pass acquires, releases or leaks; the loop may also run zero times.
        const bodyEntry = cond && node.type !== 'do_statement' ? states.map((s) => this.refine(cond, copyState(s), true)).filter((s): s is State => !!s) : states.map(copyState);
        const bodyOut = this.exec(node.childForFieldName('body'), dedupe(bodyEntry));
        this.frames.pop();
        // Taken as running at least once: loops over a list of base bdevs or channels are never empty in practice, and
        // the path that skips them would report every context handed out inside the loop.
        const skipped = bodyOut.length + frame.continues.length + frame.breaks.length > 0 ? [] : states;
        // A list walk (`TAILQ_FOREACH(x, ...)`, read as `while (x, head, link)`) that runs to its end leaves x NULL; one
        // left by break leaves x on the element found. `if (x == NULL)` after it then takes the right branch.
        const iterator = listWalkIterator(node);
        if (iterator) {
          const ended = [...skipped, ...bodyOut, ...frame.continues].flatMap((st) => this.remember(st, iterator, false) ?? []);
          const found = frame.breaks.flatMap((st) => this.remember(st, iterator, true) ?? []);
          return dedupe([...ended, ...found]);
        }
        return dedupe([...skipped, ...bodyOut, ...frame.continues, ...frame.breaks]);
      }
      case 'switch_statement': {
        const cond = node.childForFieldName('condition');
        const entry = cond ? ins.map((s) => this.effects(cond, s)) : ins;
        const frame: LoopFrame = { breaks: [], continues: [] };
        this.frames.push(frame);
        let fall: State[] = [];
        let hasDefault = false;
        const body = node.childForFieldName('body');
        for (const c of body?.namedChildren ?? []) {
          if (!c) continue;
          if (c.type !== 'case_statement') {
            fall = this.exec(c, fall);
            continue;
          }
          if (!c.childForFieldName('value')) hasDefault = true;
          let states = dedupe([...entry.map(copyState), ...fall]);
          for (const stmt of c.namedChildren) {
            if (!stmt || stmt === c.childForFieldName('value')) continue;
            states = this.exec(stmt, states);
          }
          fall = states;
        }
        this.frames.pop();
        // continue inside a switch belongs to an enclosing loop.
        if (this.frames.length > 0) this.frames[this.frames.length - 1].continues.push(...frame.continues);
        return dedupe([...fall, ...frame.breaks, ...(hasDefault ? [] : entry)]);
      }
      case 'preproc_if':
      case 'preproc_ifdef': {
        // The first branch only: the #else side is the same code for another build.
        let states = ins;
        for (const child of node.namedChildren) {
          if (!child || child.type === 'preproc_else' || child.type === 'preproc_elif' || child.type === 'preproc_elifdef') break;
          if (child.type.endsWith('statement') || child.type === 'declaration' || child.type.startsWith('preproc_if')) states = this.exec(child, states);
        }
        return states;
      }
      default: {
        // Anything else (an ERROR node around a macro, an attribute): its calls and assignments, in order.
        let states = ins;
        for (const child of node.namedChildren) {
          if (!child) continue;
          if (child.type.endsWith('statement') || child.type === 'declaration') states = this.exec(child, states);
          else states = states.map((s) => this.effects(child, s));
        }
        return states;
      }
    }
  }

  private declaration(node: Node, s: State): State {
    for (const d of node.namedChildren) {
      if (!d || d.type !== 'init_declarator') continue;
      const name = declaredName(d.childForFieldName('declarator'));
      const value = d.childForFieldName('value');
      if (!value) continue;
      s = this.effects(value, s);
      if (name) this.assign(name, value, s, this.lineOf(d));
    }
    return s;
  }

  /** `name = value`: a new acquisition, a submit result, or the loss of what `name` held. */
  private assign(name: string, value: Node, s: State, line: number): void {
    const v = strip(value);
    s.completed.delete(name);
    s.known.delete(name);
    s.rcs.delete(name); // a new value: no longer the submit's result (set again below when it is a submit)
    const old = s.vars.get(name);
    if (old && old.st !== 'released' && old.st !== 'null' && old.st !== 'gone') old.st = 'gone'; // overwritten: stop following
    if (old && (old.st === 'released' || old.st === 'null')) s.vars.delete(name);
    if (v?.type === 'call_expression') {
      const callee = calleeName(v);
      const resource = this.apis.acquire(callee);
      if (resource && (this.locals.has(name) || this.params.has(name))) {
        s.vars.set(name, { resource, field: false, st: 'maybe', acquired: line, acquiredBy: callee, passed: [], failed: [], released: 0, releasedBy: '', uncertain: false, pendingRc: '', pendingCall: undefined });
      }
      if (this.apis.submits(callee)) {
        const args = argumentsOf(v);
        const cb = args.length >= 2 ? identOf(args[args.length - 2]) : undefined;
        s.rcs.set(name, { submit: callee, line, st: 'any', ...(cb ? { cb } : {}) });
      }
      // The result of a call that took an object: its failure branch gives the object back.
      for (const vs of s.vars.values()) {
        if (vs.origin === 'decoded' && vs.acquired === line) vs.pendingRc = name;
        const last = vs.passed[vs.passed.length - 1];
        if (last && last.line === line && last.callee === callee) {
          vs.pendingRc = name;
          vs.pendingCall = last;
        }
      }
    }
    // `pg = spdk_io_channel_get_ctx(ch)`: pg stands for ch from here on (spdk_io_channel_from_ctx gets it back).
    s.aliases.delete(name);
    if (v?.type === 'call_expression' && calleeName(v) === 'spdk_io_channel_get_ctx') {
      const ch = identOf(v.childForFieldName('arguments')?.namedChild(0) ?? null);
      if (ch && lookup(s, ch) && this.locals.has(name)) s.aliases.set(name, s.aliases.get(ch) ?? ch);
      else if (ch) {
        const held = lookup(s, ch);
        if (held && (held.st === 'maybe' || held.st === 'held')) held.st = 'gone';
      }
    }
    // `x = ctx` or `x = &ctx->member` copies the object; `x = ctx->field` only reads it.
    const bareValue = strip(value);
    const source = bareValue?.type === 'field_expression' ? undefined : returnedName(value);
    if (source && source !== name) {
      const held = lookup(s, source);
      // `struct foo *ctx = cb_arg;`: ctx stands for cb_arg; any other copy is followed no further.
      if (held && held.origin === 'cb_arg' && identOf(value) === source && this.locals.has(name)) s.aliases.set(name, s.aliases.get(source) ?? source);
      // `qpair = &rqpair->qpair`: the embedded base object stands for its container (SPDK's transport objects).
      else if (held && !held.origin && !held.field && embeddedMember(bareValue) && this.locals.has(name)) {
        s.aliases.set(name, s.aliases.get(source) ?? source);
        this.members.set(name, fieldKey(addressed(bareValue))!);
      }
      else if (held && (held.st === 'maybe' || held.st === 'held')) held.st = 'gone';
    }
  }

  /** Side effects of an expression on one state, in evaluation order (calls inside arguments first). */
  private effects(expr: Node, s: State): State {
    switch (expr.type) {
      case 'call_expression': {
        const args = expr.childForFieldName('arguments');
        for (const a of args?.namedChildren ?? []) if (a) s = this.effects(a, s);
        this.call(expr, s);
        return s;
      }
      case 'assignment_expression': {
        const right = expr.childForFieldName('right');
        const left = expr.childForFieldName('left');
        if (right) s = this.effects(right, s);
        if (left && left.type !== 'identifier') s = this.uses(left, s, true);
        const name = left?.type === 'identifier' ? left.text : undefined;
        if (name) s.known.delete(name);
        // A field written: what was known of it (or of fields below it) is gone.
        const written = left ? plainFieldPath(left) : undefined;
        if (written) for (const k of [...s.known.keys()]) if (k === written || k.startsWith(`${written}->`) || k.startsWith(`${written}.`)) s.known.delete(k);
        // `io->error = -OCF_ERR_NO_MEM`, `status = SPDK_BDEV_IO_STATUS_NOMEM`: the layer above is told to retry.
        if (right && /NO_?MEM/.test(right.text)) for (const rc of s.rcs.values()) if (rc.st === 'enomem') rc.st = 'queued';
        if (right && s.rcs.size > 0 && ERROR_STATUS.test(right.text)) this.failsAfterSubmit(s, this.lineOf(expr), `${left?.text ?? ''} = ${right.text}`, true);
        if (name && right && operatorOf(expr) === '=') this.assign(name, right, s, this.lineOf(expr));
        else if (right && left?.type === 'field_expression' && this.ownField(left) && this.acquireField(left, right, s)) {
          // A fresh acquisition kept in the function's own object: followed under the field's name.
        } else if (right) {
          // Stored into a field, an array or through a pointer: handed to whoever owns that memory.
          const key = this.memberKey(fieldKey(right));
          const kept = key ? s.vars.get(key) : undefined;
          if (kept && kept.field && kept.st !== 'released' && kept.st !== 'null') kept.st = 'gone';
          // A pointer read from a channel's context and kept in a struct keeps the channel reachable.
          if (left && left.type === 'field_expression') {
            for (const name of fieldBases(right)) {
              const canonical = s.aliases.get(name);
              const held = canonical ? s.vars.get(canonical) : undefined;
              if (held && (held.st === 'maybe' || held.st === 'held')) held.st = 'gone';
            }
          }
          // `x->group = spdk_io_channel_get_ctx(ch)` keeps ch as surely as `x->ch = ch`.
          const bare = strip(right);
          // `x->f = cond ? a : b` keeps whichever of a and b was chosen.
          const chosen = bare?.type === 'conditional_expression' ? [bare.childForFieldName('consequence'), bare.childForFieldName('alternative')].flatMap((b) => (b ? [b] : [])) : bare ? [bare] : [];
          // A plain field read (`*stat = group->stat`) copies a value out: the object it came from stays where it was.
          const stored = chosen.flatMap((b) => (b.type === 'call_expression' ? (b.childForFieldName('arguments')?.namedChildren ?? []).map((a) => (a ? identOf(a) : undefined)) : b.type === 'field_expression' ? [] : [returnedName(b)]));
          for (const name of stored) {
            const held = name ? lookup(s, name) : undefined;
            if (held && held.st !== 'released' && held.st !== 'null') held.st = 'gone';
          }
        }
        return s;
      }
      case 'field_expression':
      case 'subscript_expression':
        return this.uses(expr, s);
      case 'update_expression': {
        const argument = expr.childForFieldName('argument');
        const target = identOf(argument);
        if (target) s.known.delete(target);
        return argument && argument.type === 'field_expression' ? this.uses(argument, s, true) : s;
      }
      case 'comma_expression':
      case 'binary_expression':
      case 'unary_expression':
      case 'pointer_expression':
      case 'parenthesized_expression':
      case 'cast_expression':
      case 'conditional_expression':
      case 'initializer_list':
      case 'initializer_pair':
      case 'compound_literal_expression':
      case 'argument_list': {
        for (const c of expr.namedChildren) if (c) s = this.effects(c, s);
        if (expr.type === 'initializer_list' || expr.type === 'initializer_pair') {
          for (const c of expr.namedChildren) {
            const name = c ? identOf(c.type === 'initializer_pair' ? c.childForFieldName('value') : c) : undefined;
            const held = name ? lookup(s, name) : undefined;
            if (held && held.st !== 'released') held.st = 'gone';
          }
        }
        return s;
      }
      default:
        return s;
    }
  }

  /** A read through `x->f` / `x[i]`: a use of x. */
  private uses(expr: Node, s: State, write = false): State {
    let base: Node | null = expr;
    while (base && (base.type === 'field_expression' || base.type === 'subscript_expression' || base.type === 'parenthesized_expression' || base.type === 'pointer_expression')) {
      if (base.type === 'field_expression' || base.type === 'subscript_expression') {
        const index = base.type === 'subscript_expression' ? base.childForFieldName('index') : null;
        if (index) s = this.effects(index, s);
      }
      base = base.type === 'field_expression' ? base.childForFieldName('argument') : base.type === 'subscript_expression' ? base.childForFieldName('argument') : base.namedChild(0);
    }
    const name = base?.type === 'identifier' ? base.text : undefined;
    const done = name ? s.completed.get(name) : undefined;
    // Writing x->f is the completer's own bookkeeping (bdev.c); x->a->b reads x->a, a use of the completed IO.
    const readsThrough = expr.type === 'field_expression' && expr.child(1)?.text === '->' && strip(expr.childForFieldName('argument'))?.type === 'field_expression';
    if (done && (!write || readsThrough) && expr.type === 'field_expression') this.note({ kind: 'use_after_complete', variable: name!, line: this.lineOf(expr), first: done.line, completedBy: done.by });
    // Through the name itself only: a channel's context read after the put is SPDK's own habit when others hold it.
    const held = name ? s.vars.get(name) : undefined;
    if (held && held.st === 'released' && held.origin !== 'decoded') {
      this.note({ kind: 'use_after_release', variable: name!, resource: held.resource, acquired: held.acquired, acquiredBy: held.acquiredBy, line: this.lineOf(expr), first: held.released, releasedBy: held.releasedBy });
    }
    return s;
  }

  /** `spdk_json_decode_object(params, decoders, n, &req)`: req's strings are allocated from here on. */
  private decoded(callee: string, args: Node[], s: State, line: number): void {
    if (DECODERS.test(callee)) {
      const out = args[3] ? strip(args[3]) : null;
      const name = identOf(addressed(out));
      if (name && this.locals.has(name) && !s.vars.has(name) && !this.pointers.has(name)) {
        const strings = this.decoderStrings.get(args[1] ? (identOf(args[1]) ?? '') : '');
        s.vars.set(name, { resource: 'alloc', field: false, origin: 'decoded', st: 'held', acquired: line, acquiredBy: callee, passed: [], failed: [], released: 0, releasedBy: '', uncertain: false, pendingRc: '', pendingCall: undefined, ...(strings?.length ? { decodedStrings: strings } : {}) });
        if (strings?.length && !this.decodedStructs.has(name)) this.decodedStructs.set(name, { line, by: callee, strings, freed: new Map(), handedOn: false });
      }
      return;
    }
    // Any other call that is given the decoded struct itself (`free_rpc_req(&req)`) may free its strings.
    for (const a of args) {
      const bare = strip(a);
      const whole = bare?.type === 'identifier' ? bare.text : identOf(addressed(bare));
      const d = whole ? this.decodedStructs.get(whole) : undefined;
      if (d) d.handedOn = true;
    }
    // free(req.name): the decoded struct's strings are being released.
    if (this.apis.release(callee, 'alloc') === 0 && args[0]) {
      const f = strip(args[0]);
      const base = fieldBase(f);
      const v = base?.type === 'identifier' && f?.type === 'field_expression' ? s.vars.get(base.text) : undefined;
      const d = base?.type === 'identifier' && f?.type === 'field_expression' ? this.decodedStructs.get(base.text) : undefined;
      const field = d ? f!.text.slice(base!.text.length).replace(/^\s*(\.|->)\s*/, '').replace(/\s+/g, '') : undefined;
      if (d && field && !d.freed.has(field)) d.freed.set(field, line);
      if (v && v.origin === 'decoded' && (v.st === 'held' || v.st === 'maybe')) {
        v.st = 'released';
        if (!this.releasedSomewhere.has(base!.text)) this.releasedSomewhere.set(base!.text, line);
      }
    }
  }

  /** A field path named through an embedded member's local, in its container's words: `bdev->name` → `disk->bdev.name`. */
  private memberKey(key: string | undefined): string | undefined {
    const m = key ? /^(\w+)(->|\.)(.*)$/.exec(key) : null;
    const member = m ? this.members.get(m[1]) : undefined;
    return member ? `${member}.${m![3]}` : key;
  }

  /** A followed field the expression names, in its container's words. */
  private trackedField(s: State, node: Node): string | undefined {
    const key = this.memberKey(fieldKey(node));
    return key && s.vars.get(key)?.field ? key : undefined;
  }

  /** `x->f` where x is a local or a parameter (not a global, which outlives the function anyway). */
  private ownField(left: Node): boolean {
    const base = fieldBase(left);
    return base?.type === 'identifier' && (this.locals.has(base.text) || this.params.has(base.text));
  }

  private acquireField(left: Node, right: Node, s: State): boolean {
    const v = channelOfContext(strip(right));
    const resource = v?.type === 'call_expression' ? this.apis.acquire(calleeName(v)) : undefined;
    const key = this.memberKey(fieldKey(left));
    if (!resource || !key) return false;
    // Other than channels, only in an object this function allocated: a failed constructor's caller often frees the
    // memory the fields of its own object hold, but never puts channels.
    if (resource !== 'channel') {
      const base = fieldBase(left);
      const holder = base?.type === 'identifier' ? s.vars.get(this.members.has(base.text) ? (s.aliases.get(base.text) ?? base.text) : base.text) : undefined;
      if (!holder || holder.field || holder.origin || holder.resource !== 'alloc' || holder.acquiredBy.startsWith('(')) return false;
    }
    s.vars.set(key, { resource, field: true, st: 'maybe', acquired: this.lineOf(left), acquiredBy: calleeName(v!), passed: [], failed: [], released: 0, releasedBy: '', uncertain: false, pendingRc: '', pendingCall: undefined });
    return true;
  }

  private call(expr: Node, s: State): void {
    const callee = calleeName(expr);
    const fn = expr.childForFieldName('function');
    if (fn && fn.type !== 'identifier') this.uses(fn, s);
    const line = this.lineOf(expr);
    const args = argumentsOf(expr);
    // Failing an IO right after a failed submit, without asking whether the submit ran out of bdev_io.
    if (s.rcs.size > 0 && this.reportsFailure(callee, args, s)) this.failsAfterSubmit(s, line, callee || 'a callback', args.some((a) => ERROR_STATUS.test(a.text)));
    args.forEach((arg, index) => {
      // spdk_put_io_channel(spdk_io_channel_from_ctx(x->group)): the channel whose context x->group is.
      const bare = contextOfChannel(strip(arg));
      // `spdk_bit_array_free(&x->mask)` releases the field itself, not its holder.
      const fieldArg = addressed(bare) ?? bare;
      const asField = fieldArg?.type === 'field_expression' ? this.memberKey(fieldKey(fieldArg)) : undefined;
      const tracked = asField ? s.vars.get(asField) : undefined;
      // `&x->f` names the field itself only for a release (`spdk_bit_array_free(&x->f)`); other callees may take x.
      const name = tracked?.field && (fieldArg === bare || this.apis.release(callee, tracked.resource) === index) ? asField : bare?.type === 'identifier' ? bare.text : bare?.type === 'pointer_expression' && operatorOf(bare) === '&' ? returnedName(bare) : undefined;
      if (!bare || !name) {
        if (bare && (bare.type === 'field_expression' || bare.type === 'subscript_expression' || bare.type === 'pointer_expression')) this.uses(bare, s);
        return;
      }
      // The object that holds followed fields goes to a destructor or an owner: its fields go with it. A plain free()
      // of the holder gives back its memory only: an allocation still in one of its fields is lost there.
      for (const [key, v] of s.vars) {
        if (!v.field || (v.st !== 'maybe' && v.st !== 'held') || !(key.startsWith(`${name}->`) || key.startsWith(`${name}.`))) continue;
        // `init(&x->cdata)` lends one member: the other fields stay x's.
        if (asField !== undefined && fieldArg !== bare && !key.startsWith(asField)) continue;
        // Registering x as an io_device, or unregistering it with no callback, leaves what x holds to x's owner.
        if (REFERS_TO_DEVICE.test(callee) || (callee === 'spdk_io_device_unregister' && /^(NULL|0)$/.test(args[1]?.text.trim() ?? ''))) continue;
        if (v.resource === 'channel') v.passed.push({ callee, arg: index, line, holder: true });
        else if (this.apis.release(callee, 'alloc') === 0) v.orphanedAt ??= line;
        // The field's own address (`spdk_sock_group_close(&x->group)`): the callee has it.
        else if (asField === key) v.st = 'gone';
        // Handed on with its holder; the call's failure branch (`if (rc)`) gives it back, like the holder itself.
        else v.passed.push({ callee, arg: index, line, holder: true });
      }
      const held = lookup(s, name);
      if (!held) return;
      // `&req.sock_opts` lends one member of a decoded request; its strings stay the request's.
      if (held.origin === 'decoded' && bare.type === 'pointer_expression' && strip(bare.childForFieldName('argument'))?.type === 'field_expression') return;
      const releaseArg = this.apis.release(callee, held.resource);
      // `spdk_bit_array_free(&x->mask)` releases a field nobody followed: x itself stays.
      if (releaseArg === index && fieldArg !== bare && asField !== undefined && name !== asField) return;
      if (releaseArg === index) {
        if (held.st === 'released' && !held.uncertain) {
          this.note({ kind: 'double_release', variable: name, resource: held.resource, acquired: held.acquired, acquiredBy: held.acquiredBy, line, first: held.released, releasedBy: held.releasedBy });
        } else if (held.st !== 'null' && held.st !== 'gone') {
          if (held.resource === 'bdev_io' && BDEV_IO_POOL.test(held.acquiredBy) && callee === 'spdk_bdev_free_io') {
            this.note({ kind: 'freed_unsubmitted', variable: name, acquired: held.acquired, acquiredBy: held.acquiredBy, line });
          }
          if (held.guarded) this.releasedWhenLast.add(s.aliases.get(name) ?? name);
          if (!this.releasedSomewhere.has(s.aliases.get(name) ?? name)) this.releasedSomewhere.set(s.aliases.get(name) ?? name, line);
          held.st = 'released';
          held.uncertain = false;
          held.releaseGuards = guardNames(expr);
          held.released = line;
          held.releasedBy = callee;
        }
        return;
      }
      if (held.st === 'released') {
        if (!s.aliases.has(name) && held.origin !== 'decoded') this.note({ kind: 'use_after_release', variable: name, resource: held.resource, acquired: held.acquired, acquiredBy: held.acquiredBy, line, first: held.released, releasedBy: held.releasedBy });
        return;
      }
      if (held.st === 'maybe' || held.st === 'held') {
        held.passed.push({ callee, arg: index, line });
        const canonical = s.aliases.get(name) ?? name;
        const destructor = held.origin === 'cb_arg' ? FREE_NAME : DESTRUCTOR_NAME;
        if (destructor.test(callee) && held.guarded) this.releasedWhenLast.add(canonical);
        if (destructor.test(callee) && !this.releasedSomewhere.has(canonical)) this.releasedSomewhere.set(canonical, line);
      }
    });
    // An error reply or a callback told -Exxx: the path is a failing one even where it ends in a bare `return;`.
    if (ERROR_REPLY.test(callee) || (this.callsBack(callee) && args.some((a) => /^-\s*E[A-Z0-9]+$/.test(a.text.trim())))) s.known.set(FAILED_PATH, true);
    this.decoded(callee, args, s, line);
    // On a -ENOMEM path, a call that waits for a bdev_io or keeps the IO for later is the retry SPDK asks for.
    if (QUEUES_FOR_LATER.test(callee)) for (const rc of s.rcs.values()) if (rc.st === 'enomem') rc.st = 'queued';
    // Marked after the arguments are read: `complete(io_from_ctx(task), task->status)` reads task before the IO goes.
    if (this.apis.completes(callee)) {
      // spdk_bdev_io_complete(spdk_bdev_io_from_ctx(task), ...) completes the IO that task is the driver context of.
      const first = args[0] ? strip(args[0]) : null;
      const fromCtx = first?.type === 'call_expression' && calleeName(first) === 'spdk_bdev_io_from_ctx' ? identOf(first.childForFieldName('arguments')?.namedChild(0) ?? null) : undefined;
      const target = fromCtx ?? (args[0] ? identOf(args[0]) : undefined);
      if (target) {
        const before = s.completed.get(target);
        if (before) this.note({ kind: 'double_complete', variable: target, line, first: before.line, completedBy: before.by });
        else s.completed.set(target, { line, by: callee });
      }
    }
  }

  /** A call through a pointer: a function parameter, a field, or an expression (the caller's callback). */
  private callsBack(callee: string): boolean {
    return callee === '' || callee.startsWith('(') || this.params.has(callee);
  }

  /** An error status passed on, the submit's error handed to a callback, or a done-function told it failed. */
  private reportsFailure(callee: string, args: Node[], s: State): boolean {
    if (args.some((a) => ERROR_STATUS.test(a.text))) return true;
    // An application that stops with an error where it could have waited for a bdev_io.
    if (callee === 'spdk_app_stop' && args[0] && !/^\(?\s*0\s*\)?$/.test(args[0].text.trim())) return true;
    const passesRc = args.some((a) => {
      const name = identOf(a);
      return (name !== undefined && s.rcs.has(name)) || /^-\s*E[A-Z]+$/.test(a.text);
    });
    if (this.callsBack(callee) && passesRc) return true;
    // The submit's own completion callback called by hand, told it failed: the IO ends there.
    if ([...s.rcs.values()].some((rc) => rc.cb === callee) && (passesRc || args.some((a) => a.text === 'false'))) return true;
    return DONE_NAME.test(callee) && (passesRc || args.some((a) => a.text === 'false'));
  }

  private failsAfterSubmit(s: State, line: number, failedBy: string, byStatus = false): void {
    for (const [name, rc] of s.rcs) {
      // A blob callback's errno handed on to the next callback is how blob code reports; only an IO failed outright counts.
      if (rc.fromCallback && !byStatus) continue;
      if (rc.st === 'failed') this.note({ kind: 'submit_failure_fails_io', variable: name, submit: rc.submit, submitLine: rc.line, line, failedBy });
      // -ENOMEM told apart, and the IO failed anyway on that path: nothing was queued to retry it.
      if (rc.st === 'enomem') this.note({ kind: 'submit_failure_fails_io', variable: name, submit: rc.submit, submitLine: rc.line, line, failedBy, enomemSeen: true });
    }
  }

  /** The state on the branch where `cond` is `truth`; undefined when that branch cannot be taken. */
  refine(cond: Node, s: State, truth: boolean): State | undefined {
    let c = strip(cond) ?? cond;
    // spdk_unlikely(x) and spdk_likely(x) are x.
    while (c.type === 'call_expression' && /^(spdk_unlikely|spdk_likely|unlikely|likely|__builtin_expect)$/.test(calleeName(c))) {
      const inner = strip(c.childForFieldName('arguments')?.namedChild(0) ?? null);
      if (!inner) break;
      c = inner;
    }
    if (c.type === 'unary_expression' && operatorOf(c) === '!') {
      const inner = c.childForFieldName('argument');
      return inner ? this.refine(inner, s, !truth) : s;
    }
    if (c.type === 'binary_expression') {
      const op = operatorOf(c);
      const left = c.childForFieldName('left');
      const right = c.childForFieldName('right');
      if (!left || !right) return s;
      if (op === '&&' || op === '||') {
        const both = (op === '&&') === truth;
        if (both) {
          const l = this.refine(left, s, truth);
          return l && this.refine(right, l, truth);
        }
        // Either side may hold: only what both sides agree on is kept; an object either side calls NULL is left alone.
        const l = this.refine(left, copyState(s), truth);
        const r = this.refine(right, copyState(s), truth);
        for (const [name, v] of s.vars) {
          if (l?.vars.get(name)?.st === 'null' || r?.vars.get(name)?.st === 'null') v.st = 'null';
        }
        return s;
      }
      if (op === '==' || op === '!=') {
        const eq = (op === '==') === truth;
        const lname = identOf(left) ?? this.trackedField(s, left);
        const rname = identOf(right) ?? this.trackedField(s, right);
        const isNull = (n: Node) => /^(NULL|0|\(void\s*\*\)\s*0)$/.test(n.text);
        if (lname && s.vars.has(lname) && isNull(right)) return this.nullness(s, lname, eq);
        if (rname && s.vars.has(rname) && isNull(left)) return this.nullness(s, rname, eq);
        if (lname && s.rcs.has(lname) && /^-\s*ENOMEM$/.test(right.text)) return this.rcEnomem(s, lname, eq);
        if (lname && right.text === '0') return this.remember(s, lname, !eq) && this.rcResult(s, lname, !eq);
        // A pointer that is not followed, tested against NULL: remembered like any tested name (`if (found == NULL)`).
        if (lname && identOf(left) && right.text === 'NULL') return this.remember(s, lname, !eq);
        const lfield = plainFieldPath(left);
        if (lfield && isNull(right)) return this.remember(s, lfield, !eq);
        if (lname && s.rcs.has(lname) && /^-\s*E[A-Z]+$/.test(right.text)) {
          const rc = s.rcs.get(lname)!;
          rc.st = eq ? 'other' : rc.st;
          return this.rcResult(s, lname, eq ? true : undefined);
        }
        return s;
      }
      if (op === '<' && right.text === '0') {
        const lname = identOf(left);
        // Below zero is non-zero; not below zero says nothing about zero.
        if (lname && truth) return this.remember(s, lname, true) && this.rcResult(s, lname, truth);
        if (lname) return this.rcResult(s, lname, truth);
      }
      return s;
    }
    const name = identOf(c) ?? this.trackedField(s, c);
    if (name) {
      if (s.vars.has(name)) return this.nullness(s, name, !truth);
      return this.remember(s, name, truth) && this.rcResult(s, name, truth);
    }
    // `if (attr->stats)` ... `if (!attr->stats)`: a plain field read tested twice takes the same branch both times.
    const field = plainFieldPath(c);
    if (field) return this.remember(s, field, truth);
    if (c.type === 'call_expression') {
      // `if (f(..., ctx, ...))`: f failed on the true side, so the object it was handed is still ours there.
      const callee = calleeName(c);
      const line = this.lineOf(c);
      if (truth) for (const v of s.vars.values()) this.giveBack(v, (p) => p.callee === callee && p.line === line);
      // A failed decode is reported and returned from; what it may have half-filled is not followed there.
      if (truth && DECODERS.test(callee)) for (const [name, v] of s.vars) if (v.origin === 'decoded' && v.acquired === line) s.vars.delete(name);
      const rcLike = this.apis.submits(callee);
      if (rcLike && truth) s.rcs.set(`(${callee}@${line})`, { submit: callee, line, st: 'failed' });
      return s;
    }
    return s;
  }

  /** A name tested again on the same path takes the branch it took before; the other branch cannot run. */
  private remember(s: State, name: string, truthy: boolean): State | undefined {
    const before = s.known.get(name);
    if (before !== undefined && before !== truthy) return undefined;
    s.known.set(name, truthy);
    return s;
  }

  private nullness(s: State, name: string, isNull: boolean): State | undefined {
    const v = s.vars.get(name);
    if (!v) return s;
    if (isNull) {
      // Already tested non-NULL on this path: the NULL side cannot run.
      if (v.st === 'held' && !v.origin) return undefined;
      if (v.st === 'maybe') v.st = 'null';
    } else if (v.st === 'maybe') v.st = 'held';
    return s;
  }

  /** `rc` (or `rc != 0`, `rc < 0`) is `failed` on this branch: what was handed to the call that returned rc is ours again. */
  private rcResult(s: State, name: string, truthy: boolean | undefined): State {
    if (truthy === undefined) return s;
    // An int result is non-zero on failure; a pointer result (`req = nvme_allocate_request(...)`) is NULL on failure.
    const failed = this.pointers.has(name) ? !truthy : truthy;
    for (const v of s.vars.values()) {
      if (v.pendingRc !== name) continue;
      if (failed && v.origin === 'decoded') v.st = 'null'; // the decode failed: not followed on its error path
      if (failed) this.giveBack(v, (p) => p === v.pendingCall);
      v.pendingRc = '';
      v.pendingCall = undefined;
    }
    const rc = s.rcs.get(name);
    if (rc) {
      if (failed && rc.st === 'any') rc.st = 'failed';
      if (!failed) s.rcs.delete(name);
    }
    return s;
  }

  private rcEnomem(s: State, name: string, isEnomem: boolean): State {
    const rc = s.rcs.get(name)!;
    rc.st = isEnomem ? 'enomem' : 'other';
    if (isEnomem) for (const v of s.vars.values()) if (v.pendingRc === name) this.giveBack(v, (p) => p === v.pendingCall);
    return s;
  }

  private giveBack(v: VarState, which: (p: PassedTo) => boolean): void {
    const index = v.passed.findIndex(which);
    if (index < 0) return;
    v.failed.push(v.passed[index]);
    v.passed.splice(index, 1);
  }

  /** A path leaves the function: what it still holds. */
  exit(s: State, line: number, failing = false): void {
    if (s.known.get(FAILED_PATH)) failing = true;
    for (const [name, v] of s.vars) {
      if (v.st !== 'maybe' && v.st !== 'held') continue;
      // A channel in a field leaks on a failing return; an allocation in a field only once its holder was freed around it.
      if (v.field && (v.resource === 'alloc' ? v.orphanedAt === undefined : !failing)) continue;
      if (v.origin && v.guarded) continue;
      if (v.origin === 'cb_arg' && !v.errorPath) continue; // a callback's success path may hand its argument on unseen
      this.note({ kind: 'exit_held', variable: name, resource: v.resource, acquired: v.acquired, acquiredBy: v.acquiredBy, line, passed: v.passed, failed: v.failed, ...(v.origin ? { origin: v.origin } : {}), ...(v.orphanedAt !== undefined ? { holderFreedAt: v.orphanedAt } : {}), ...aliasOf(s, name), ...(v.decodedStrings ? { decodedStrings: v.decodedStrings } : {}) });
    }
  }

  end(states: State[], line: number): void {
    for (const s of states) this.exit(s, line);
  }
}

export interface FunctionToWalk {
  body: Node;
  /** Parameters followed from entry: the child bdev_io a completion callback receives. */
  heldParams: { name: string; resource: Resource }[];
  lineOf: (node: Node) => number;
  endLine: number;
  params?: string[];
  /** `void *` parameters of a callback: followed from entry, reported only if the body frees them somewhere. */
  callbackArgs?: string[];
  /** The file's spdk_json_object_decoder tables: per table, the fields decoded into allocated strings. */
  decoderStrings?: ReadonlyMap<string, string[]>;
}

/** Path notes of one function body. */
export function walkFunction(fn: FunctionToWalk, apis: LifetimeApis): LifetimeNote[] {
  const { locals, pointers } = declaredNames(fn.body);
  const walker = new Walker(apis, fn.lineOf, locals, new Set(fn.params ?? []), pointers, fn.decoderStrings);
  const entry: State = { vars: new Map(), aliases: new Map(), known: new Map(), completed: new Map(), rcs: new Map() };
  for (const p of fn.heldParams) {
    entry.vars.set(p.name, { resource: p.resource, field: false, st: 'maybe', acquired: fn.lineOf(fn.body), acquiredBy: '(parameter)', passed: [], failed: [], released: 0, releasedBy: '', uncertain: false, pendingRc: '', pendingCall: undefined });
  }
  // A blob operation's completion gets its -ENOMEM as bserrno: the bdev_io it finishes must be retried, not failed.
  for (const name of fn.params ?? []) {
    if (BLOB_ERRNO.test(name)) entry.rcs.set(name, { submit: `the blob operation (${name})`, line: fn.lineOf(fn.body), st: 'any', fromCallback: true });
  }
  for (const name of fn.callbackArgs ?? []) {
    entry.vars.set(name, { resource: 'alloc', field: false, origin: 'cb_arg', st: 'maybe', acquired: fn.lineOf(fn.body), acquiredBy: '(callback argument)', passed: [], failed: [], released: 0, releasedBy: '', uncertain: false, pendingRc: '', pendingCall: undefined });
  }
  const out = walker.exec(fn.body, [entry]);
  walker.end(out, fn.endLine);
  // A decoded struct whose strings the function frees one by one, forgetting some: those leak on every path.
  for (const [name, d] of walker.decodedStructs) {
    const missed = d.strings.filter((f) => !d.freed.has(f));
    if (d.handedOn || d.freed.size === 0 || missed.length === 0) continue;
    const [firstFreed, at] = [...d.freed].sort((a, b) => a[1] - b[1])[0];
    walker.notes.push({ kind: 'exit_held', variable: name, resource: 'alloc', acquired: d.line, acquiredBy: d.by, line: at, passed: [], failed: [], origin: 'decoded', decodedStrings: missed, missedStrings: { freed: firstFreed, at } });
  }
  // A callback argument or decoded struct leaks only where the function shows it owns it: it frees it on another path.
  return walker.notes.flatMap((n) => {
    // A field freed on another path is freed under a condition the walker may not tie to the one that allocated it
    // (`if (!attr->stats) free(qp->stats)`): only a field the function never frees is reported lost.
    if (n.kind === 'exit_held' && n.holderFreedAt !== undefined) return walker.releasedSomewhere.has(n.variable) ? [] : [n];
    if (n.kind !== 'exit_held' || !n.origin) return [n];
    const at = walker.releasedSomewhere.get(n.variable);
    if (walker.releasedWhenLast.has(n.variable)) return [];
    // A decoded struct whose table allocates strings, never freed anywhere: its strings leak on every path.
    if (at === undefined) return n.decodedStrings ? [n] : [];
    return [{ ...n, releasedAt: at }];
  });
}

/** Names declared in the body, and those of them declared as pointers: one pass over its declarations. */
function declaredNames(body: Node): { locals: Set<string>; pointers: Set<string> } {
  const locals = new Set<string>();
  const pointers = new Set<string>();
  for (const d of body.descendantsOfType('declaration')) {
    for (const c of d?.namedChildren ?? []) {
      const decl = c?.type === 'init_declarator' ? c.childForFieldName('declarator') : c;
      const name = decl ? declaredName(decl) : undefined;
      if (!name) continue;
      locals.add(name);
      if (decl?.type === 'pointer_declarator') pointers.add(name);
    }
  }
  return { locals, pointers };
}

/** `return ctx;` or `return &ctx->group;`: the caller gets the object (the second through container_of). */
function returnedName(expr: Node): string | undefined {
  let n = strip(expr);
  while (n?.type === 'assignment_expression') n = strip(n.childForFieldName('left'));
  n = fieldBase(addressed(n) ?? n);
  return n?.type === 'identifier' ? n.text : undefined;
}

/** Objects a return statement gives the caller: named anywhere in it except as the base of a plain field read. */
function namesHandedBack(expr: Node): string[] {
  const direct = returnedName(expr);
  const names = direct ? [direct] : [];
  for (const id of expr.descendantsOfType('identifier')) {
    const parent = id?.parent;
    if (!id || !parent) continue;
    if (parent.type === 'field_expression' && parent.childForFieldName('argument')?.id === id.id && parent.parent?.type !== 'pointer_expression') continue;
    if (parent.type === 'call_expression' && parent.childForFieldName('function')?.id === id.id) continue;
    names.push(id.text);
  }
  return names;
}

/**
 * Released objects the condition does not name, released under a condition that shares a name with it: what follows
 * may only run on paths where they were not released. A branch on unrelated names cannot undo the release.
 */
function markUncertain(s: State, cond: Node): void {
  const text = cond.text;
  let names: Set<string> | undefined;
  for (const [name, v] of s.vars) {
    if (v.st !== 'released' || v.uncertain || new RegExp(`\\b${name}\\b`).test(text)) continue;
    names ??= new Set(cond.descendantsOfType('identifier').map((id) => id?.text ?? ''));
    if (v.releaseGuards === undefined || v.releaseGuards.some((g) => names!.has(g))) v.uncertain = true;
  }
}

/** The names read by the conditions of the branches and loops that enclose a statement. */
function guardNames(node: Node): string[] {
  const names = new Set<string>();
  for (let n = node.parent; n && n.type !== 'function_definition'; n = n.parent) {
    if (n.type !== 'if_statement' && n.type !== 'while_statement' && n.type !== 'for_statement' && n.type !== 'do_statement' && n.type !== 'switch_statement') continue;
    const cond = n.childForFieldName('condition');
    for (const id of cond?.descendantsOfType('identifier') ?? []) if (id) names.add(id.text);
  }
  return [...names];
}

/** Names read through `name->field` in an expression. */
function fieldBases(expr: Node): string[] {
  const names: string[] = [];
  for (const f of [expr, ...expr.descendantsOfType('field_expression')]) {
    if (f?.type !== 'field_expression') continue;
    const base = strip(f.childForFieldName('argument'));
    if (base?.type === 'identifier') names.push(base.text);
  }
  return names;
}

/** `a->b.c` as one name, blanks removed; undefined for anything else. */
function fieldKey(node: Node | null): string | undefined {
  const n = strip(node);
  return n?.type === 'field_expression' ? n.text.replace(/\s+/g, '') : undefined;
}

/** `&x->member` (or `&x->a.b`): the address of an object embedded in x. */
function embeddedMember(node: Node | null): boolean {
  const inner = addressed(node);
  return inner?.type === 'field_expression' && plainFieldPath(inner) !== undefined;
}

/** `a->b.c` with only names in it (no calls, no indexing), as text without spaces; undefined otherwise. */
function plainFieldPath(node: Node): string | undefined {
  const n = strip(node);
  if (n?.type !== 'field_expression') return undefined;
  return fieldBase(n)?.type === 'identifier' ? n.text.replace(/\s+/g, '') : undefined;
}

/** Callback arguments whose reference count or outstanding work the condition reads (`--ctx->refs`, `ctx->remaining`). */
function markGuarded(s: State, cond: Node, body: string): void {
  const text = cond.text;
  for (const [name, v] of s.vars) {
    if (v.origin !== 'cb_arg') continue;
    const names = [name, ...[...s.aliases].filter(([, to]) => to === name).map(([from]) => from)];
    const counts = names.some((n) => new RegExp(`(--|\\+\\+)\\s*${n}\\s*(->|\\.)|${n}\\s*(->|\\.)\\s*\\w*(ref|count|remaining|outstanding|pending|num_)\\w*`).test(text));
    // `if (status->timed_out) { free(status); return; }`: freed only in a state the object records; shared by design.
    const ownState = names.some((n) => new RegExp(`\\b${n}\\s*(->|\\.)`).test(text) && new RegExp(`\\b(free|spdk_free|\\w*_free)\\s*\\(\\s*${n}\\s*\\)`).test(body));
    // A count of outstanding work on any object (`0 == rport->assoc_count`): the last caller frees, the others keep.
    const lastOne = /(count|refs?|remaining|outstanding|pending)\w*\s*(==|!=|>|<)|(==|!=)\s*\w*(->|\.)\w*(count|refs?|remaining|outstanding|pending)/.test(text);
    if (counts || ownState || lastOne) v.guarded = true;
  }
}

const STATUS = '(rc|status|err|error|errno|bserrno|bdeverrno|lvolerrno|fserrno|ret)';
const STATUS_NAME = new RegExp(`^${STATUS}$`);

/** Whether the condition holds when an operation failed (true), when it succeeded (false), or neither is clear. */
function failureWhen(cond: Node): boolean | undefined {
  const text = cond.text.replace(/^\(|\)$/g, '').replace(/\s+/g, ' ').trim();
  if (/^!\s*success$/.test(text)) return true;
  if (/^success$/.test(text)) return false;
  if (new RegExp(`^${STATUS}( != 0| < 0)?$`).test(text)) return true;
  if (new RegExp(`^(${STATUS} == 0|!\\s*${STATUS})$`).test(text)) return false;
  return undefined;
}
