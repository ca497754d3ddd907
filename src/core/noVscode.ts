// src/core/tsconfig.json maps `vscode` here, so an import of it in src/core fails `npm run typecheck` on the line below:
// the core also runs in the CLI and in worker threads, where there is no VS Code. Excluded from every program otherwise.
export type VscodeImportedIntoSrcCore = MoveThisCodeToSrcHost;
