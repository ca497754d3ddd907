// The documents SPDK Lens answers for as C: VS Code opens `.c` as c and `.h` as cpp.
import type * as vscode from 'vscode';

export const C_LANGUAGES: ReadonlySet<string> = new Set(['c', 'cpp']);

export const C_DOCUMENTS: vscode.DocumentSelector = [...C_LANGUAGES].map((language) => ({ scheme: 'file', language }));
