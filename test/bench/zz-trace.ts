import { writeFileSync } from 'node:fs';
import { launchWithExtension } from '../support/browser';
import { startSiteServer } from '../support/site-server';
const server = await startSiteServer();
const ext = await launchWithExtension({ sitePort: server.port, distDir: process.env.DIST });
const cdp = await ext.context.browser()!.newBrowserCDPSession();
const path = process.argv[2]!;
const done = process.argv[3]!;
const watch = `(() => { const o = new MutationObserver(() => { if (window.__r !== undefined || !(${done})) return; window.__r = performance.now(); performance.mark('bench-done'); o.disconnect(); }); o.observe(document, { childList: true, subtree: true }); })();`;
// warm-up
for (let i = 0; i < 2; i++) { const p = await ext.context.newPage(); await p.addInitScript({ content: watch }); await p.goto(ext.extensionUrl(path)); await p.waitForFunction(() => (window as any).__r !== undefined); console.log('warm', await p.evaluate(() => (window as any).__r)); await p.close(); }
const events: any[] = [];
cdp.on('Tracing.dataCollected' as any, (e: any) => events.push(...e.value));
const finished = new Promise((r) => cdp.once('Tracing.tracingComplete' as any, r));
await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'v8', 'blink', 'blink.user_timing', 'loading', 'navigation', 'toplevel', 'content', 'ipc', 'mojom', 'browser', 'ServiceWorker', 'IndexedDB', 'extensions', 'renderer_host', 'blink.resource', 'netlog', 'disabled-by-default-devtools.timeline.frame'] }, transferMode: 'ReportEvents' } as any);
const page = await ext.context.newPage();
await page.addInitScript({ content: watch });
const t0 = Date.now();
await page.goto(ext.extensionUrl(path), { waitUntil: 'commit' });
await page.waitForFunction(() => (window as any).__r !== undefined);
console.log('traced mark', await page.evaluate(() => (window as any).__r), 'wall', Date.now() - t0);
await page.waitForTimeout(300);
await cdp.send('Tracing.end');
await finished;
writeFileSync(process.argv[4]!, JSON.stringify(events));
await ext.close(); await server.close();
