// Settings are read in one place into one plain object, which everything else is given; extension.ts refreshes it in
// place when a setting changes and tells whoever must act on the change.
import * as vscode from 'vscode';
import { DEFAULT_SPDK_RPC_SOCKET } from '../core/rpc/rpcAddress';

export interface LensConfig {
  enable: boolean;
  codeLens: boolean;
  /** Extra folders or globs (root-relative) to leave out, on top of SPDK's submodules. */
  exclude: string[];
  maxFileBytes: number;
  /** Explicit SPDK root (absolute or workspace-relative); empty: the folder holding include/spdk/thread.h. */
  root: string;
  /** Delay before an edited document is re-indexed from its unsaved text. */
  editDebounceMs: number;
  /** Where the bdev graph asks a running target (socket path or host:port); used only in a trusted workspace. */
  rpcAddress: string;
  /** Live graph refresh period while the panel is visible, at least 1 s; 0: only on demand. */
  graphRefreshSeconds: number;
  /** The book folder (absolute or relative to the first workspace folder); empty: none. */
  bookPath: string;
  /** The thread-rule checks: on or off, each rule on unless set to false, and a baseline file (workspace-relative). */
  checks: { enabled: boolean; rules: Record<string, boolean>; baseline: string };
}

export function readConfig(): LensConfig {
  const c = vscode.workspace.getConfiguration('spdkLens');
  const megabytes = c.get<number>('index.maxFileSizeMB', 4);
  const refreshSeconds = c.get<number>('graph.refreshSeconds', 0);
  return {
    enable: c.get<boolean>('enable', true),
    codeLens: c.get<boolean>('codeLens.enabled', true),
    exclude: c.get<string[]>('index.exclude', []).filter((e) => typeof e === 'string' && e.trim() !== ''),
    maxFileBytes: Math.max(1, Number.isFinite(megabytes) ? megabytes : 4) * 1024 * 1024,
    root: c.get<string>('root', '').trim(),
    editDebounceMs: Math.max(0, c.get<number>('index.editDebounceMs', 100)),
    rpcAddress: c.get<string>('rpc.address', DEFAULT_SPDK_RPC_SOCKET).trim() || DEFAULT_SPDK_RPC_SOCKET,
    graphRefreshSeconds: Number.isFinite(refreshSeconds) && refreshSeconds > 0 ? Math.max(1, refreshSeconds) : 0,
    bookPath: c.get<string>('book.path', '').trim(),
    checks: { enabled: c.get<boolean>('checks.enabled', true), rules: ruleSwitches(c.get<unknown>('checks.rules')), baseline: c.get<string>('checks.baseline', '').trim() },
  };
}

/** `{ "ctx-leak": false }`: only boolean values count (a hand-edited settings file may hold anything). */
function ruleSwitches(value: unknown): Record<string, boolean> {
  const switches: Record<string, boolean> = {};
  if (typeof value !== 'object' || value === null) return switches;
  for (const [rule, on] of Object.entries(value)) if (typeof on === 'boolean') switches[rule] = on;
  return switches;
}

/** Settings whose change needs a new index (the others apply at once). */
export function needsReindex(event: vscode.ConfigurationChangeEvent): boolean {
  return ['spdkLens.enable', 'spdkLens.index.exclude', 'spdkLens.index.maxFileSizeMB', 'spdkLens.root'].some((s) => event.affectsConfiguration(s));
}
