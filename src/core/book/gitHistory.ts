// When the checkout is a git work tree, `git log -S` says in which commit a landmark the book still names last changed
// its count of occurrences: for a name that is gone, the commit that removed it. Bounded in time; silent without git.
import { execFile } from 'node:child_process';
import type { ResolvedMention, Suggestion } from './chapterTypes';

/** Per name; SPDK's history is long and a pickaxe search reads all of it. */
export const GIT_NAME_TIMEOUT_MS = 4000;
/** For the whole book: names past this are left without a history note. */
export const GIT_TOTAL_BUDGET_MS = 20000;
const MAX_NAMES = 30;

function git(root: string, args: string[], timeout: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['-C', root, ...args], { timeout, maxBuffer: 1 << 20, windowsHide: true }, (error, stdout) => resolve(error ? undefined : stdout));
  });
}

/** The commit that last changed how often `name` occurs (its removal when it is gone), or undefined. */
export async function lastChange(root: string, name: string, timeout = GIT_NAME_TIMEOUT_MS): Promise<Suggestion | undefined> {
  if (!/^[A-Za-z_][\w./-]*$/.test(name)) return undefined;
  const out = await git(root, ['log', '-S', name, '-n', '1', '--format=%h%x09%ad%x09%s', '--date=short', '--name-only', '--no-renames', '--', '.'], timeout);
  const [head, ...files] = (out ?? '').trim().split('\n').filter((l) => l.trim() !== '');
  if (!head) return undefined;
  const [hash, date, subject] = head.split('\t');
  const file = files.find((f) => f.endsWith('.h')) ?? files[0] ?? '';
  return { target: name, file, line: 1, why: `removed? last changed in ${hash} (${date}): ${subject}` };
}

/** Adds the git note, last, to the suggestions of each unresolved symbol mention; does nothing outside a git work tree. */
export async function addHistory(root: string, mentions: ResolvedMention[], budgetMs = GIT_TOTAL_BUDGET_MS): Promise<number> {
  const inside = await git(root, ['rev-parse', '--is-inside-work-tree'], 2000);
  if (inside?.trim() !== 'true') return 0;
  const names = [...new Set(mentions.filter((m) => !m.landmark && !m.external && m.kind === 'symbol').map((m) => m.target.replace(/^(struct|union|enum) /, '').replace(/^.*(?:\.|->|::)/, '')))].slice(0, MAX_NAMES);
  const deadline = Date.now() + budgetMs;
  const found = new Map<string, Suggestion>();
  for (const name of names) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    const change = await lastChange(root, name, Math.min(GIT_NAME_TIMEOUT_MS, left));
    if (change) found.set(name, change);
  }
  for (const m of mentions) {
    const change = found.get(m.target.replace(/^(struct|union|enum) /, '').replace(/^.*(?:\.|->|::)/, ''));
    if (!change || m.landmark) continue;
    m.suggestions = [...(m.suggestions ?? []), { ...change }];
  }
  return found.size;
}
