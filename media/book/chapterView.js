// Chapter webview: landmark clicks and links go to the extension as messages; the extension asks to reveal a paragraph.
// Plain script (no framework): the page is static HTML the extension rendered with every book string escaped.
(function () {
  const vscode = acquireVsCodeApi();
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('a.landmark, a.md-link') : null;
    if (!target) return;
    event.preventDefault();
    if (target.classList.contains('landmark')) {
      vscode.postMessage({ type: 'openLandmark', file: target.getAttribute('data-file'), line: Number(target.getAttribute('data-line')) || 1 });
    } else {
      vscode.postMessage({ type: 'openLink', href: target.getAttribute('data-href') });
    }
  });
  function reveal(block) {
    const element = document.getElementById('b' + block);
    if (!element) return;
    element.scrollIntoView({ block: 'center' });
    element.classList.add('revealed');
    setTimeout(() => element.classList.remove('revealed'), 2000);
  }
  window.addEventListener('message', (event) => {
    const message = event.data;
    if (message && message.type === 'reveal') reveal(message.block);
  });
  // The chapter path lets the panel come back after a reload (the extension's serializer reads this state).
  vscode.setState(Object.assign({}, vscode.getState(), { chapterPath: document.body.getAttribute('data-chapter') }));
  const state = vscode.getState();
  if (state && typeof state.scrollY === 'number') window.scrollTo(0, state.scrollY);
  let pending = 0;
  window.addEventListener('scroll', () => {
    clearTimeout(pending);
    pending = setTimeout(() => vscode.setState(Object.assign({}, vscode.getState(), { scrollY: window.scrollY })), 200);
  });
})();
