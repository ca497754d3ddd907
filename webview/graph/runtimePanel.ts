// The Runtime tab: reactors → SPDK threads → pollers (runs, busy %) and io_channels, each poller linked to its
// registered function and labelled with the execution context the index found for it.
import { formatPercent, type RuntimePollerView, type RuntimeThreadView, type RuntimeView, type SourceLink } from '../../src/core/graph/graphViewProtocol';
import { clear, el } from './dom';
import { host } from './vscodeApi';

function percent(value: number | undefined): string {
  return value === undefined ? '–' : formatPercent(value);
}

/** A link showing `text` that opens `place` in the editor. */
function sourceLink(className: string, place: SourceLink, text: string): HTMLElement {
  const link = el('a', { href: '#', class: className, title: `${place.file}:${place.line}` }, text);
  link.addEventListener('click', (event) => {
    event.preventDefault();
    host.postMessage({ type: 'openSource', file: place.file, line: place.line });
  });
  return link;
}

function pollerRow(poller: RuntimePollerView): HTMLElement {
  const source = poller.source;
  const name = source ? sourceLink('poller-name', source, poller.name) : el('span', { class: 'poller-name' }, poller.name);
  const note = source ? poller.state : `${poller.state}; ${poller.unresolved ?? 'not a function in the indexed tree'}`;
  const row = el('li', { class: `poller poller-${poller.type}` }, name, el('span', { class: 'poller-summary' }, ` ${poller.summary}`), el('span', { class: 'poller-state' }, ` (${note})`));
  const registered = poller.registeredAs;
  if (registered && source) {
    // Named at registration (nvmf_TCP is nvmf_tgroup_poll): say which function runs it, and where it got the name.
    row.append(el('span', { class: 'poller-function' }, ` runs ${source.label}, named by `), sourceLink('poller-registration', registered, registered.label));
  }
  return row;
}

function threadSection(thread: RuntimeThreadView): HTMLElement {
  const heading = el('h3', {}, `thread ${thread.name} (id ${thread.id})`, el('span', { class: 'figure' }, ` busy ${percent(thread.busyPercent)}${thread.cpumask ? `, cpumask ${thread.cpumask}` : ''}`));
  const pollers = [...thread.pollers].sort((a, b) => b.runCount - a.runCount);
  const channels = el('ul', { class: 'channels' }, ...thread.ioChannels.map((c) => el('li', {}, `${c.name} (ref ${c.ref})`)));
  return el(
    'section',
    { class: 'thread', 'data-thread': thread.name },
    heading,
    el('h4', {}, `pollers (${pollers.length})`),
    pollers.length > 0 ? el('ul', { class: 'pollers' }, ...pollers.map(pollerRow)) : el('p', { class: 'hint' }, 'no pollers'),
    el('h4', {}, `io_channels (${thread.ioChannels.length})`),
    thread.ioChannels.length > 0 ? channels : el('p', { class: 'hint' }, 'no io_channels'),
  );
}

export function renderRuntime(panel: HTMLElement, view: RuntimeView | undefined, why: string): void {
  clear(panel);
  if (!view) {
    panel.append(el('p', { class: 'hint' }, why));
    return;
  }
  panel.append(el('p', { class: 'runtime-origin' }, `Target ${view.origin}${view.pid !== undefined ? `, pid ${view.pid}` : ''}${view.tickRate ? `, tick rate ${view.tickRate} Hz` : ''}`));
  const threadById = new Map(view.threads.map((t) => [t.id, t]));
  const shown = new Set<number>();
  for (const reactor of view.reactors) {
    const section = el('section', { class: 'reactor' }, el('h2', {}, `reactor ${reactor.lcore}`, el('span', { class: 'figure' }, ` busy ${percent(reactor.busyPercent)}${reactor.inInterrupt ? ', interrupt mode' : ''}`)));
    for (const id of reactor.threadIds) {
      const thread = threadById.get(id);
      if (!thread) continue;
      shown.add(id);
      section.append(threadSection(thread));
    }
    panel.append(section);
  }
  const others = view.threads.filter((t) => !shown.has(t.id));
  if (others.length > 0) panel.append(el('section', { class: 'reactor' }, el('h2', {}, 'threads on no listed reactor'), ...others.map(threadSection)));
  for (const s of view.skipped) panel.append(el('p', { class: 'hint' }, `skipped ${s.method}: ${s.reason}`));
  for (const p of view.problems) panel.append(el('p', { class: 'problem' }, p));
}
