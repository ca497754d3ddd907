// What a hover says while the index is being built, instead of VS Code's bare "Loading...".

/** "SPDK Lens is indexing (312/854)…", or without counts before the files are known. */
export function indexingMessage(progress: { done: number; total: number } | undefined): string {
  const counts = progress && progress.total > 0 ? ` (${progress.done}/${progress.total})` : '';
  return `SPDK Lens is indexing${counts}… Hover again once the status bar says Ready.`;
}
