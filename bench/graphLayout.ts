// Bdev graph panel benchmark (`npm run bench:graph`): ELK layout of a synthetic 500-node SPDK-shaped graph in the
// webview page (headless Chromium, the built bundle, the host's CSP): the first one in a page (ELK started at page
// load and warmed on a tiny graph), warm, and refreshed unchanged; first paint and first graph of the panel page.
// Prints figures against the targets (layout ≤ 1 s, first paint ≤ 1.5 s); asserts nothing.
import type { GraphView, GraphViewEdge, GraphViewNode } from '../src/core/graph/graphViewProtocol';
import { cpus, loadavg } from 'node:os';
import { launchChromium } from '../test/support/chromium';
import { openGraphPage, serveGraphPage } from '../test/webview/graphPage';

declare const document: { body: { dataset: Record<string, string | undefined> }; querySelector(s: string): { getAttribute(n: string): string | null } | null };
declare const performance: { getEntriesByType(type: string): { name: string; startTime: number }[]; getEntriesByName(name: string): { startTime: number }[] };

/** 100 NVMe bdevs → 50 raid1 (2 members each) → 50 lvstores → 200 lvols → 100 passthru: 500 nodes, 450 edges. */
export function syntheticGraph(): GraphView {
  const nodes: GraphViewNode[] = [];
  const edges: GraphViewEdge[] = [];
  const add = (name: string, kind: string, module: string) => nodes.push({ id: `${kind}:${name}`, name, label: name, kind, module, aliases: [], subtitle: module, details: {}, links: [] });
  const link = (from: string, to: string, kind: string) => edges.push({ from, to, kind, evidence: 'synthetic' });
  for (let i = 0; i < 100; i++) add(`Nvme${i}n1`, 'bdev', 'nvme');
  for (let r = 0; r < 50; r++) {
    add(`Raid${r}`, 'bdev', 'raid');
    link(`bdev:Nvme${2 * r}n1`, `bdev:Raid${r}`, 'raid_member');
    link(`bdev:Nvme${2 * r + 1}n1`, `bdev:Raid${r}`, 'raid_member');
    add(`lvs${r}`, 'lvstore', 'lvol');
    link(`bdev:Raid${r}`, `lvstore:lvs${r}`, 'lvstore');
    for (let l = 0; l < 4; l++) {
      add(`lvs${r}/lvol${l}`, 'bdev', 'lvol');
      link(`lvstore:lvs${r}`, `bdev:lvs${r}/lvol${l}`, 'lvol');
      if (l < 2) {
        add(`PT_lvs${r}_${l}`, 'bdev', 'passthru');
        link(`bdev:lvs${r}/lvol${l}`, `bdev:PT_lvs${r}_${l}`, 'base_bdev');
      }
    }
  }
  return { source: 'tree', origin: 'synthetic', nodes, edges, skipped: [], problems: [] };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const server = await serveGraphPage();
  const browser = await launchChromium();
  const graph = syntheticGraph();
  const cold: number[] = [];
  const warm: number[] = [];
  const paint: number[] = [];
  const firstGraph: number[] = [];
  const kept: number[] = [];
  const ready: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const gp = await openGraphPage(browser, server.url);
      paint.push(await gp.page.evaluate(() => performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint')?.startTime ?? NaN));
      // The panel's first graph: the sample-sized module graph the host sends on 'ready'.
      await gp.showGraph({ type: 'graph', view: { ...graph, nodes: graph.nodes.slice(0, 3), edges: [] }, at: 'bench' });
      firstGraph.push(await gp.page.evaluate(() => Number(document.body.dataset.firstGraphMs)));
      await gp.showGraph({ type: 'graph', view: graph, at: 'bench' });
      cold.push(await gp.page.evaluate(() => Number(document.querySelector('svg.graph')?.getAttribute('data-layout-ms'))));
      // One more node, so the page cannot reuse the layout it has: ELK again, now warm.
      const extra = { ...graph.nodes[0], id: 'bdev:Null0', name: 'Null0', label: 'Null0' };
      await gp.showGraph({ type: 'graph', view: { ...graph, origin: 'again', nodes: [...graph.nodes, extra] }, at: 'bench' });
      warm.push(await gp.page.evaluate(() => Number(document.querySelector('svg.graph')?.getAttribute('data-layout-ms'))));
      // The same boxes and edges refreshed (the live timer): the layout is kept, only the drawing is redone.
      await gp.showGraph({ type: 'graph', view: { ...graph, origin: 'again', nodes: [...graph.nodes, extra] }, at: 'bench' });
      kept.push(await gp.page.evaluate(() => Number(document.querySelector('svg.graph')?.getAttribute('data-layout-ms'))));
      ready.push(await gp.page.evaluate(() => performance.getEntriesByName('elk-ready')[0]?.startTime ?? NaN));
      const problems = await gp.problems();
      if (problems.length > 0) console.log(`  page problems: ${problems.join('; ')}`);
      await gp.page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const fmt = (values: number[]) => `median ${median(values).toFixed(0)} ms (runs: ${values.map((v) => v.toFixed(0)).join(', ')})`;
  console.log(`bdev graph webview, ${graph.nodes.length} nodes / ${graph.edges.length} edges, ${runs} fresh pages in headless Chromium`);
  // Figures scale with how busy the machine is: say so next to them.
  console.log(`  machine: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`  layout, first 500-node in the page:    ${fmt(cold)}   target ≤ 1000 ms`);
  console.log(`  layout, again (ELK warm):              ${fmt(warm)}   target ≤ 1000 ms`);
  console.log(`  same graph refreshed (layout kept):    ${fmt(kept)}`);
  console.log(`  first contentful paint of the page:    ${fmt(paint)}   target ≤ 1500 ms`);
  console.log(`  navigation to ELK started and warm:    ${fmt(ready)}`);
  console.log(`  navigation to first graph drawn:       ${fmt(firstGraph)}   target ≤ 1500 ms`);
}

if (require.main === module)
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
