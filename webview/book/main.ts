// The chapter webview: it asks for its chapter once loaded (a ready handshake, so no message is sent to a page that is
// not listening), shows the HTML the host rendered, sends landmark and link clicks back, and reveals a paragraph.
import type { ChapterHostToView, ChapterViewState, ChapterViewToHost } from '../../src/core/book/chapterViewProtocol';

interface VsCodeApi {
  postMessage(message: ChapterViewToHost): void;
  getState(): ChapterViewState | undefined;
  setState(state: ChapterViewState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const host = acquireVsCodeApi();
const root = document.getElementById('chapter')!;
/** A reveal that came before its chapter: done once the chapter is shown. */
let pendingReveal: number | undefined;
let shown = false;

function state(): ChapterViewState {
  return host.getState() ?? {};
}

function reveal(block: number): void {
  const element = document.getElementById(`b${block}`);
  if (!element) return;
  element.scrollIntoView({ block: 'center' });
  element.classList.add('revealed');
  setTimeout(() => element.classList.remove('revealed'), 2000);
}

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest('a.landmark, a.md-link') : null;
  if (!target) return;
  event.preventDefault();
  if (target.classList.contains('landmark')) {
    const file = target.getAttribute('data-file');
    if (file) host.postMessage({ type: 'openLandmark', file, line: Number(target.getAttribute('data-line')) || 1, kind: target.getAttribute('data-kind') ?? 'file' });
  } else {
    host.postMessage({ type: 'openLink', href: target.getAttribute('data-href') ?? '' });
  }
});

window.addEventListener('message', (event: MessageEvent<ChapterHostToView>) => {
  const message = event.data;
  if (message?.type === 'chapter') {
    const sameChapter = state().chapterPath === message.chapterPath;
    // The host escaped every string of the book; only chapterHtml's own markup is in here.
    root.innerHTML = `<p class="chapter-status"></p>${message.html}`;
    root.querySelector('.chapter-status')!.textContent = message.status;
    document.title = message.title;
    host.setState({ ...state(), chapterPath: message.chapterPath, scrollY: sameChapter ? state().scrollY : 0 });
    if (!shown && sameChapter && typeof state().scrollY === 'number') window.scrollTo(0, state().scrollY!);
    shown = true;
    if (pendingReveal !== undefined) reveal(pendingReveal);
    pendingReveal = undefined;
  } else if (message?.type === 'reveal') {
    if (shown) reveal(message.block);
    else pendingReveal = message.block;
  }
});

let scrollTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('scroll', () => {
  clearTimeout(scrollTimer);
  scrollTimer = setTimeout(() => host.setState({ ...state(), scrollY: window.scrollY }), 200);
});

host.postMessage({ type: 'ready' });
