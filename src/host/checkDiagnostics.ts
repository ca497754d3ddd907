// The thread-rule checks in the Problems panel: the whole tree once the index is ready (and on demand), then only the
// files a re-index touched, so an edit costs a check of one file.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { applyBaseline, BaselineError, readBaselineFile, type Baseline } from '../core/check/baseline';
import { fileCheckEnv, type FileCheckEnv } from '../core/check/checkEnv';
import { RULE_IDS, type Finding, type RuleId, type Severity } from '../core/check/checkTypes';
import { checkWithSuppressions, type SuppressionWarning } from '../core/check/suppression';
import { pushTo } from '../core/util/multiMap';
import type { LensConfig } from './config';
import type { WorkspaceIndex } from './workspaceIndex';

/** Wait after Ready before the first whole-tree check: the post-Ready work loads the facts first (see WorkspaceIndex). */
const FIRST_CHECK_DELAY_MS = 1000;

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** What the last update did: which files (empty: all) and how long the check took inside the extension. */
export interface CheckUpdate {
  files: string[];
  findings: number;
  ms: number;
}

export class CheckDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('spdk-lens');
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private baseline: { path: string; baseline: Baseline } | undefined;
  private lastBaselineError: string | undefined;
  private firstRun: NodeJS.Timeout | undefined;
  /** The grammar and file texts the rules read, made once per SPDK root. */
  private env: { root: string; env: Promise<FileCheckEnv> } | undefined;
  lastUpdate: CheckUpdate | undefined;

  constructor(
    private readonly workspace: WorkspaceIndex,
    private readonly config: LensConfig,
    private readonly log: vscode.LogOutputChannel,
    /** docs/rules.md in the extension: each diagnostic's code links to its rule's section. */
    private readonly rulesDoc: vscode.Uri,
  ) {
    this.disposables.push(
      workspace.onDidChange(({ files }) => {
        if (files.length === 0) this.scheduleWholeTree();
        else void this.update(files);
      }),
    );
  }

  private scheduleWholeTree(): void {
    clearTimeout(this.firstRun);
    if (!this.workspace.ready || !this.config.checks.enabled) {
      this.collection.clear();
      return;
    }
    this.firstRun = setTimeout(() => void this.update(), FIRST_CHECK_DELAY_MS);
  }

  private enabledRules(): RuleId[] {
    return RULE_IDS.filter((id) => this.config.checks.rules[id] !== false);
  }

  /** The baseline of spdkLens.checks.baseline, read again on each whole-tree check; undefined when unset or unusable. */
  private loadBaseline(reread: boolean): Baseline | undefined {
    const setting = this.config.checks.baseline;
    if (!setting) return undefined;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? this.workspace.root ?? '';
    const file = path.isAbsolute(setting) ? setting : path.join(folder, setting);
    if (!reread && this.baseline?.path === file) return this.baseline.baseline;
    try {
      this.baseline = { path: file, baseline: readBaselineFile(file) };
      this.lastBaselineError = undefined;
      return this.baseline.baseline;
    } catch (error) {
      if (!(error instanceof BaselineError)) throw error;
      this.baseline = undefined;
      if (this.lastBaselineError !== error.message) {
        this.lastBaselineError = error.message;
        this.log.warn(`spdkLens.checks.baseline: ${error.message}; showing every finding`);
        void vscode.window.showWarningMessage(`SPDK Lens: the checks baseline is not used: ${error.message}`);
      }
      return undefined;
    }
  }

  /** Open documents are read from their buffers (their unsaved text is what was indexed), other files from disk. */
  private checkEnv(root: string): Promise<FileCheckEnv> {
    if (this.env?.root !== root) {
      const textOf = (file: string) => vscode.workspace.textDocuments.find((d) => this.workspace.fileOf(d.uri) === file)?.getText();
      this.env = { root, env: fileCheckEnv(root, textOf, this.workspace.cacheDir) };
    }
    return this.env.env;
  }

  /** Checks `files` (all when absent) and replaces their diagnostics. Returns what it did, or undefined when it could not run. */
  async update(files?: readonly string[]): Promise<CheckUpdate | undefined> {
    if (!files) clearTimeout(this.firstRun); // an edit's check of one file leaves the pending whole-tree one to run
    const index = this.workspace.ready;
    if (!index || !this.config.checks.enabled) {
      if (!this.config.checks.enabled) this.collection.clear();
      return undefined;
    }
    let env: FileCheckEnv;
    try {
      env = await this.checkEnv(index.root);
    } catch (error) {
      this.log.error(`checks cannot run: ${(error as Error).message}`);
      return undefined;
    }
    if (this.workspace.ready !== index) return undefined; // re-indexed meanwhile: that run checks again
    const started = performance.now();
    const run = checkWithSuppressions(index.model, env, { rules: this.enabledRules(), files });
    // A whole-tree check read every file's paths: kept for the next session (an edit's check changes one file).
    if (!files) env.saveNotes();
    const baseline = this.loadBaseline(files === undefined);
    const findings = baseline ? applyBaseline(run.findings, baseline).findings : run.findings;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const f of findings) pushTo(byFile, f.file, this.diagnostic(f));
    for (const w of run.warnings) pushTo(byFile, w.file, suppressionDiagnostic(w));
    if (files === undefined) this.collection.clear();
    else for (const file of files) this.collection.delete(this.workspace.uriOf(file));
    for (const [file, diagnostics] of byFile) this.collection.set(this.workspace.uriOf(file), diagnostics);
    const update = { files: files ? [...files] : [], findings: findings.length, ms: Math.round((performance.now() - started) * 10) / 10 };
    this.lastUpdate = update;
    const what = files ? files.join(', ') : `${index.files.size} files`;
    (files ? this.log.debug : this.log.info).call(this.log, `checks of ${what}: ${findings.length} finding(s), ${run.suppressed} suppressed, in ${update.ms} ms`);
    return update;
  }

  private diagnostic(f: Finding): vscode.Diagnostic {
    const d = new vscode.Diagnostic(lineRange(f.line), `${f.message} (in ${f.function})`, SEVERITY[f.severity]);
    d.source = 'SPDK Lens';
    d.code = { value: f.rule, target: this.rulesDoc.with({ fragment: f.rule }) };
    d.relatedInformation = f.evidence.map((e) => new vscode.DiagnosticRelatedInformation(new vscode.Location(this.workspace.uriOf(e.file), lineRange(e.line)), e.note));
    return d;
  }

  dispose(): void {
    clearTimeout(this.firstRun);
    for (const d of this.disposables) d.dispose();
  }
}

function suppressionDiagnostic(w: SuppressionWarning): vscode.Diagnostic {
  const d = new vscode.Diagnostic(lineRange(w.line), w.message, vscode.DiagnosticSeverity.Information);
  d.source = 'SPDK Lens';
  return d;
}

/** The whole of a 1-based line (VS Code clamps the end to the line's length). */
function lineRange(line: number): vscode.Range {
  return new vscode.Range(Math.max(0, line - 1), 0, Math.max(0, line - 1), Number.MAX_SAFE_INTEGER);
}
