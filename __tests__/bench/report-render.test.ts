/**
 * The HTML report renders: headless Chromium (Debian's package, installed by .ci/run)
 * opens the page from disk with no network, runs Chart.js, and every chart canvas ends up
 * with drawn pixels.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { benchmark, renderHtmlReport, shutdown } from '../../src';
import { blockingWait } from '../fixtures/bench-functions';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  await shutdown();
});

it('draws every chart of the report (latency, throughput, loop delay, routings)', async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install chromium)`);
  const result = await benchmark(blockingWait, { args: [3], executors: ['loop', 'thread'], calls: 9, warmup: 1 });
  const html = renderHtmlReport([result], {
    title: 'render test',
    routings: [
      { routing: 'loop', makespanMs: 300, loopDelayP99: 40, failures: 0 },
      { routing: 'auto', makespanMs: 120, loopDelayP99: 3, failures: 0, note: 'readRecord→thread' },
    ],
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-report-'));
  const file = path.join(dir, 'report.html');
  fs.writeFileSync(file, html);

  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

  // A string, so that this file needs no DOM types: ids and drawn-pixel counts per canvas.
  const inked = (await page.evaluate(`
    Array.from(document.querySelectorAll('canvas')).map((canvas) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let drawn = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) drawn++;
      return [canvas.id, drawn];
    })
  `)) as Array<[string, number]>;
  expect(errors).toEqual([]);
  expect(requests).toEqual([pathToFileURL(file).href]); // self-contained: nothing else fetched
  expect(inked.map(([id]) => id)).toEqual(['routings', 'latency-0', 'throughput-0', 'delay-0']);
  for (const [id, drawn] of inked) expect([id, drawn > 500]).toEqual([id, true]);
  const shot = await page.screenshot({ fullPage: true });
  expect(shot.length).toBeGreaterThan(20_000);
  fs.rmSync(dir, { recursive: true, force: true });
});
