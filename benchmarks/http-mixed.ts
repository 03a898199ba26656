/**
 * Issue 17's "done when" benchmark: a small HTTP server (node:http) with a mixed workload,
 * loaded by autocannon on loopback, in three versions side by side:
 *
 * - `plain`: the handlers call the functions directly, on the event loop;
 * - `auto`: the same functions wrapped with `unsync(fn)` and no option (`'auto'` decides);
 * - `piscina`: hand-written, the CPU endpoints sent to a `Piscina` pool with a thread per
 *   core kept alive (like unsync's thread pool), async I/O on the loop.
 *
 * Endpoints (./lib/http-workload.ts): `/hash` (bcryptjs), `/markdown` (marked), `/yaml`
 * (js-yaml), `/gzip` (zlib's gzipSync on 256 KiB), `/io` (a file read and a 5 ms wait), and
 * `/health` (answers at once). The main load cycles through the five work endpoints on
 * `--connections` connections; at the same time a second autocannon instance asks `/health`
 * at a fixed rate, and its p99 latency says how long the event loop keeps a request waiting.
 *
 * Each version runs in its own server process (all three started at the start). Each is
 * warmed up first (`--warmup` s of load: starts the pools, lets `'auto'` measure), then the
 * timed rounds alternate the versions' order; figures are medians over rounds. The load
 * average is printed with every run: the machine is shared.
 *
 * Run: npx tsx benchmarks/http-mixed.ts [--markdown] [--rounds 5] [--duration 8] [--warmup 8]
 *      [--connections 8] [--health-rate 50] [--variants plain,auto,piscina,thread,process] [--trace]
 * (`thread`, `process`: the same functions pinned with `executor: 'thread'` / `'process'`;
 * `--trace`: after each round, what the unsync servers' pools and decorated functions did.)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { machine, median } from './lib/measure';

const ALL_VARIANTS = ['plain', 'auto', 'piscina', 'thread', 'process'] as const;
type Variant = (typeof ALL_VARIANTS)[number];
let VARIANTS: readonly Variant[] = ['plain', 'auto', 'piscina'];
const WORK = ['/hash', '/markdown', '/yaml', '/gzip', '/io'] as const;

/** A handler's answer: the computed figure, as text. */
type Handler = () => Promise<unknown> | unknown;

// ---- the server side ------------------------------------------------------------------------

/** How long every pool keeps an idle worker in this benchmark (ms): longer than a round's wait. */
const KEEP_ALIVE_MS = 60_000;

async function handlersFor(variant: Variant): Promise<Record<string, Handler>> {
  const W = await import('./lib/http-workload');
  const input = W.inputs();
  if (variant === 'plain') {
    return {
      '/hash': () => W.hashPassword(input.password),
      '/markdown': () => W.renderMarkdown(input.markdown).length,
      '/yaml': () => W.parseYaml(input.yaml),
      '/gzip': () => W.gzipBody(input.body),
      '/io': () => W.readAndWait(input.file),
    };
  }
  if (variant !== 'piscina') {
    // Kept alive as long as the piscina peer's threads (below): the rounds alternate, so each
    // server idles while the others run (16 s and more), past the pools' default idleTimeout
    // (10 s); restarting workers (a thread, its TypeScript loader, the workload's modules)
    // at every round start would be a cost the piscina server is spared.
    const { configure } = await import('../src');
    configure({ thread: { idleTimeout: KEEP_ALIVE_MS }, process: { idleTimeout: KEEP_ALIVE_MS } });
  }
  if (variant === 'thread' || variant === 'process') {
    const { onThread, onProcess } = await import('./lib/http-fixed');
    const P = variant === 'thread' ? onThread : onProcess;
    return {
      '/hash': () => P.hashPassword(input.password),
      '/markdown': async () => (await P.renderMarkdown(input.markdown)).length,
      '/yaml': () => P.parseYaml(input.yaml),
      '/gzip': () => P.gzipBody(input.body),
      '/io': () => W.readAndWait(input.file),
    };
  }
  if (variant === 'auto') {
    // HTTP_MIXED_EVIDENCE: thresholds for 'auto' as JSON (configureEvidence), to see what a
    // part of the routing costs, e.g. '{"probeCalls":0}': no thread/process comparison.
    if (process.env.HTTP_MIXED_EVIDENCE !== undefined) {
      const { configureEvidence } = await import('../src');
      configureEvidence(JSON.parse(process.env.HTTP_MIXED_EVIDENCE) as Parameters<typeof configureEvidence>[0]);
    }
    const A = await import('./lib/http-auto');
    return {
      '/hash': () => A.hashPassword(input.password),
      '/markdown': async () => (await A.renderMarkdown(input.markdown)).length,
      '/yaml': () => A.parseYaml(input.yaml),
      '/gzip': () => A.gzipBody(input.body),
      '/io': () => A.readAndWait(input.file),
    };
  }
  const { Piscina } = await import('piscina');
  // Sized like unsync's thread pool (a thread per core) and kept alive: piscina's defaults
  // (idleTimeout 0, minThreads 1) stop idle threads at once, and restarting them under a
  // mixed load made it several times slower here, which would not be a fair peer.
  const cores = os.availableParallelism();
  const piscina = new Piscina({ filename: require.resolve('./lib/http-piscina-worker.cjs'), minThreads: cores, maxThreads: cores, idleTimeout: KEEP_ALIVE_MS });
  return {
    '/hash': () => piscina.run(input.password, { name: 'hashPassword' }),
    '/markdown': async () => ((await piscina.run(input.markdown, { name: 'renderMarkdown' })) as string).length,
    '/yaml': () => piscina.run(input.yaml, { name: 'parseYaml' }),
    '/gzip': () => piscina.run(input.body, { name: 'gzipBody' }),
    '/io': () => W.readAndWait(input.file),
  };
}

async function serve(variant: Variant): Promise<void> {
  const handlers = await handlersFor(variant);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/health') {
      res.end('ok');
      return;
    }
    const handler = handlers[req.url ?? ''];
    if (handler === undefined) {
      res.statusCode = 404;
      res.end();
      return;
    }
    Promise.resolve()
      .then(handler)
      .then(
        (value) => res.end(String(value)),
        (error: unknown) => {
          res.statusCode = 500;
          res.end(String(error));
        },
      );
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
  });
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'trace') {
      // What the server did since the last trace (--trace): per pool, calls completed, mean
      // wait and run; per decorated function, calls per executor and where the next goes.
      const { statistics } = await import('../src');
      const s = statistics();
      const pools = Object.entries(s.executors)
        .flatMap(([kind, e]) => (kind === 'loop' || e === undefined ? [] : [[kind, e] as const]))
        .map(([kind, e]) => `${kind}: ${e.workers} workers, ${e.completed} done, queued ${e.queued}, wait ${e.waitTime.mean.toFixed(1)} ms, run ${e.runTime.mean.toFixed(2)} ms`);
      const fns = s.decorated.map((d) => `${d.name}->${d.executor}/${d.kind} ${JSON.stringify(d.calls)} flips ${d.flips}`);
      const mem = process.memoryUsage();
      process.send?.({ type: 'traced', line: `${pools.join('; ')} | ${fns.join('; ')} | rss ${(mem.rss / 2 ** 20).toFixed(0)} MB, heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MB` });
      return;
    }
    if (message.type === 'report' && variant === 'auto') {
      const { inspect } = await import('../src');
      const A = await import('./lib/http-auto');
      const routes = Object.fromEntries(
        Object.entries(A).map(([name, fn]) => {
          const i = inspect(fn);
          return [name, { executor: i.executor, kind: i.kind, rule: i.rule, reason: i.reason }];
        }),
      );
      const { statistics } = await import('../src');
      if (process.env.HTTP_MIXED_STATS === '1') console.error(JSON.stringify(statistics().executors, null, 1));
      process.send?.({ type: 'routes', routes });
    }
  });
}

// ---- the load side --------------------------------------------------------------------------

interface RunFigures {
  readonly variant: Variant;
  readonly requestsPerSecond: number;
  readonly healthP99: number;
  /**
   * CPU time of the server's main thread per request answered (µs): what the event loop
   * spends on a request (parsing, routing, sending the call, taking the answer), which the
   * load on the machine changes far less than wall-clock figures. Linux only (NaN elsewhere).
   */
  readonly mainCpuUs: number;
  /** CPU time of the whole server process (its worker threads too) per request (µs). */
  readonly processCpuUs: number;
  readonly errors: number;
  readonly load: number;
}

function cannon(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** CPU time (ms) of process `pid`'s main thread and of the whole process, from /proc (clock ticks). */
function cpuOf(pid: number): { main: number; all: number } {
  const ticks = (file: string): number => {
    try {
      // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const fields = fs.readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return Number.NaN;
    }
  };
  const msPerTick = 1000 / CLOCK_TICKS;
  return { main: ticks(`/proc/${pid}/task/${pid}/stat`) * msPerTick, all: ticks(`/proc/${pid}/stat`) * msPerTick };
}

/** USER_HZ: Linux reports CPU times in /proc in 1/100 s on every common platform. */
const CLOCK_TICKS = 100;

async function loadOnce(variant: Variant, server: { child: ChildProcess; port: number }, seconds: number, connections: number, healthRate: number): Promise<RunFigures> {
  const url = `http://127.0.0.1:${server.port}`;
  const before = cpuOf(server.child.pid!);
  const [main, health] = await Promise.all([
    cannon({ url, connections, duration: seconds, requests: WORK.map((path) => ({ method: 'GET', path })) }),
    cannon({ url: `${url}/health`, connections: 1, overallRate: healthRate, duration: seconds }),
  ]);
  const after = cpuOf(server.child.pid!);
  const requests = main.requests.total + health.requests.total;
  return {
    variant,
    requestsPerSecond: main.requests.average,
    healthP99: health.latency.p99,
    mainCpuUs: ((after.main - before.main) / requests) * 1000,
    processCpuUs: ((after.all - before.all) / requests) * 1000,
    errors: main.errors + main.non2xx + health.errors + health.non2xx,
    load: os.loadavg()[0]!,
  };
}

function startServer(variant: Variant): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(__filename, ['--serve', variant], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve({ child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`the ${variant} server exited with ${code}`)));
  });
}

function traceOf(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    const on = (m: { type?: string; line?: string }): void => {
      if (m.type !== 'traced') return;
      child.off('message', on);
      resolve(m.line ?? '');
    };
    child.on('message', on);
    child.send({ type: 'trace' });
  });
}

function autoRoutes(child: ChildProcess): Promise<Record<string, { executor: string; kind: string; rule: string; reason: string }>> {
  return new Promise((resolve) => {
    child.once('message', (m: { routes: Record<string, { executor: string; kind: string; rule: string; reason: string }> }) => resolve(m.routes));
    child.send({ type: 'report' });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      markdown: { type: 'boolean', default: false },
      rounds: { type: 'string', default: '5' },
      duration: { type: 'string', default: '8' },
      warmup: { type: 'string', default: '8' },
      connections: { type: 'string', default: '8' },
      'health-rate': { type: 'string', default: '50' },
      serve: { type: 'string' },
      trace: { type: 'boolean', default: false },
      variants: { type: 'string', default: 'plain,auto,piscina' },
    },
  });
  VARIANTS = values.variants.split(',').map((v) => {
    if (!(ALL_VARIANTS as readonly string[]).includes(v)) throw new TypeError(`Expected \`--variants\` to list some of ${ALL_VARIANTS.join(', ')}, got ${JSON.stringify(v)}`);
    return v as Variant;
  });
  if (values.serve !== undefined) return serve(values.serve as Variant);
  const rounds = Number(values.rounds);
  const seconds = Number(values.duration);
  const connections = Number(values.connections);
  const healthRate = Number(values['health-rate']);
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const servers = new Map<Variant, { child: ChildProcess; port: number }>();
  for (const v of VARIANTS) servers.set(v, await startServer(v));
  const loadBefore = os.loadavg()[0]!;
  for (const v of VARIANTS) {
    const w = await loadOnce(v, servers.get(v)!, Number(values.warmup), connections, healthRate);
    log(`warm-up ${v}: ${w.requestsPerSecond.toFixed(1)} req/s, health p99 ${w.healthP99} ms, load ${w.load.toFixed(1)}`);
    if (values.trace && v !== 'plain' && v !== 'piscina') log(`  ${v} server: ${await traceOf(servers.get(v)!.child)}`);
  }
  const runs: RunFigures[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const v of r % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
      const f = await loadOnce(v, servers.get(v)!, seconds, connections, healthRate);
      runs.push(f);
      log(`round ${r + 1} ${v}: ${f.requestsPerSecond.toFixed(1)} req/s, health p99 ${f.healthP99} ms, main thread ${f.mainCpuUs.toFixed(0)} µs/req, process ${f.processCpuUs.toFixed(0)} µs/req, errors ${f.errors}, load ${f.load.toFixed(1)}`);
      if (values.trace && v !== 'plain' && v !== 'piscina') log(`  ${v} server: ${await traceOf(servers.get(v)!.child)}`);
    }
  }
  const routes = servers.has('auto') ? await autoRoutes(servers.get('auto')!.child) : {};
  for (const { child } of servers.values()) child.kill();
  const loadAfter = os.loadavg()[0]!;
  const figures = VARIANTS.map((v) => {
    const mine = runs.filter((r) => r.variant === v);
    return {
      variant: v,
      rps: median(mine.map((r) => r.requestsPerSecond)),
      p99: median(mine.map((r) => r.healthP99)),
      mainCpuUs: median(mine.map((r) => r.mainCpuUs)),
      processCpuUs: median(mine.map((r) => r.processCpuUs)),
      errors: mine.reduce((n, r) => n + r.errors, 0),
      load: median(mine.map((r) => r.load)),
    };
  });
  const piscina = figures.find((f) => f.variant === 'piscina') ?? figures[0]!;
  const table = [
    '| server | requests/s | vs piscina | `/health` p99 ms | main thread CPU µs/request | process CPU µs/request | errors | load average (1 min) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...figures.map(
      (f) =>
        `| ${f.variant} | ${f.rps.toFixed(1)} | ${(f.rps / piscina.rps).toFixed(2)}x | ${f.p99} | ${f.mainCpuUs.toFixed(0)} | ${f.processCpuUs.toFixed(0)} | ${f.errors} | ${f.load.toFixed(1)} |`,
    ),
  ].join('\n');
  const routeLines = Object.entries(routes).map(([name, r]) => `| \`${name}\` | ${r.executor} | ${r.kind} | ${r.rule} | ${r.reason} |`);
  const command = `npx tsx benchmarks/http-mixed.ts --markdown --variants ${VARIANTS.join(',')} --rounds ${rounds} --duration ${seconds} --warmup ${values.warmup} --connections ${connections} --health-rate ${healthRate}`;
  if (!values.markdown) {
    console.log(table);
    console.log(routeLines.join('\n'));
    return;
  }
  console.log(`## HTTP server: mixed workload under autocannon

Command: \`${command}\`.
Machine: ${machine()}. Load average (1 min) ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end.

A node:http server whose endpoints hash a password (bcryptjs, cost ${6}), render markdown
(marked), parse YAML (js-yaml), gzip 256 KiB (zlib, sync) and do async I/O (a file read and
a 5 ms wait), plus \`/health\`. autocannon cycles through the five work endpoints on
${connections} connections for ${seconds} s while a second autocannon asks \`/health\` ${healthRate} times a
second; medians of ${rounds} rounds, the versions' order alternating, after ${values.warmup} s of warm-up
load each. \`plain\`: the functions called in the handlers; \`auto\`: the same functions
wrapped with \`unsync(fn)\`, no option; \`piscina\`: hand-written, the four CPU endpoints on
a \`Piscina\` pool with a thread per core kept alive (\`minThreads = maxThreads = cores\`,
\`idleTimeout: 60_000\`; its defaults stop idle threads at once, several times slower here
under this load), async I/O on the loop. The CPU columns (from /proc, per request
answered, \`/health\` included) are what the load on the machine changes least: the server's
main thread (its event loop: what a request costs it besides the work sent away), and the
whole server process with its worker threads (the \`process\` server's children are not in it).

${table}

Where \`'auto'\` ran each function at the end (\`inspect()\` in the auto server):

| function | executor | kind | rule | reason |
| --- | --- | --- | --- | --- |
${routeLines.join('\n')}
`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
