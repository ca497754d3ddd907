// Messages between the chapter webview (webview/book) and the extension: plain JSON, no vscode types.

/** The chapter as the host rendered it: every book string already escaped by chapterHtml. */
export interface ChapterMessage {
  type: 'chapter';
  chapterPath: string;
  title: string;
  status: string;
  html: string;
}

export type ChapterHostToView = ChapterMessage | { type: 'reveal'; block: number };

export type ChapterViewToHost =
  | { type: 'ready' }
  | { type: 'openLandmark'; file: string; line: number; kind: string }
  | { type: 'openLink'; href: string };

/** What VS Code keeps across hide/show and hands back to the serializer after a reload. */
export interface ChapterViewState {
  chapterPath?: string;
  scrollY?: number;
}
