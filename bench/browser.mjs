// npm run bench:browser: the package on tfjs's cpu, webgl and webgpu backends
// in headless Chromium, against tfjs's cropAndResize + avgPool on the same
// backend and onnxruntime-web's wasm RoiAlign / MaxRoiPool (one thread), on
// the workloads of the Node benchmark. Every output is checked against the
// cpu kernels before it is timed.
//
//   node bench/browser.mjs [--backends cpu,webgl,webgpu] [--workloads W1,W4] [--repeats 10]
//   node bench/browser.mjs --detector [--backends webgl] [--workloads P3,P2] [--channels 16,64] [--no-scatter] [--forward]
//   node bench/browser.mjs --detector --forward --backends webgl --workloads W1,W2
//   node bench/browser.mjs --detector --by-turns --backends webgl
//
// --no-scatter keeps webgl's dx on the culled gathers (ROI_WEBGL_SCATTER off).
// --forward times only roiAlign's 'avg' forward and the composite (issue 13's forward target),
// one run of each in turn, so that their ratio holds up on a loaded machine; with it, --workloads
// may also name W1, W2 or W4 (a fixed samplingRatio, as the composite needs), at their own C.
//
// --by-turns times every detector op (forward, winners, dx, dboxes) and the composite one run of
// each in turn, as --forward does for its two: without it each op is timed in a block of its own,
// and on a loaded machine the ratios between blocks move by tens of percent.
//
// --detector runs only the detector-scale rows (DETECTOR_WORKLOADS, issue 13):
// roiAlign's forward, dx and dboxes in 'avg' and 'max' and the cropAndResize +
// avgPool composite, on webgl and webgpu by default, with their ratios.
//   node bench/browser.mjs --only fpn   the FPN pooler table alone (issue 15; also run when no
//                                       --workloads are named)
//
// Here webgl and webgpu run on SwiftShader, a software GPU on the CPU: W1-W3
// take many minutes per backend there (the backward passes most), so narrow
// with --workloads / --backends or lower --repeats.
import {readFileSync, writeFileSync, mkdtempSync} from 'node:fs';
import {createServer} from 'node:http';
import {tmpdir} from 'node:os';
import {extname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import * as esbuild from 'esbuild';

import {launchChromium} from '../scripts/browser.mjs';
import {BENCH_WORKLOADS, DETECTOR_CHANNELS, DETECTOR_WORKLOADS} from './workloads.mjs';
import {fpnTable} from './multi_scale_bench.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const detector = args.includes('--detector');
const forwardOnly = args.includes('--forward');
const byTurns = args.includes('--by-turns');
// --forward also takes W1-W4 (at their own C).
const workloadTable = detector ? (forwardOnly ? {...DETECTOR_WORKLOADS, ...BENCH_WORKLOADS} : DETECTOR_WORKLOADS) : BENCH_WORKLOADS;
const backends = option('backends', detector ? 'webgl,webgpu' : 'cpu,wasm,webgl,webgpu').split(',');
const workloadNames = option('workloads', Object.keys(detector ? DETECTOR_WORKLOADS : BENCH_WORKLOADS).join(',')).split(',');
const channelList = option('channels', DETECTOR_CHANNELS.join(',')).split(',').map(Number);
const repeats = Number(option('repeats', '10'));
const onlyFpn = option('only', '') === 'fpn';
for (const name of workloadNames) if (!workloadTable[name]) throw new Error(`--workloads: no workload ${name}`);
// The composite samples a fixed grid.
for (const name of workloadNames) if (detector && !(workloadTable[name].samplingRatio > 0)) throw new Error(`--forward: ${name} has an adaptive samplingRatio`);

const ortDist = fileURLToPath(new URL('../node_modules/onnxruntime-web/dist/', import.meta.url));
// The wasm backend's binaries (issue 16), served under /tfjs-wasm/.
const tfjsWasmDist = fileURLToPath(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tfjs-roi-bench-'));
await esbuild.build({
  entryPoints: ['bench/browser_page.ts'], bundle: true, format: 'iife', outfile: join(dir, 'page.js'), logLevel: 'warning'
});
writeFileSync(join(dir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><script src="/ort/ort.wasm.min.js"></script><script src="/page.js"></script>');
const TYPES = {'.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html'};
const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://localhost').pathname;
  // /ort/ serves onnxruntime-web's script and the .mjs / .wasm files it loads.
  const file = path.startsWith('/ort/') ? join(ortDist, path.slice(5).replace(/[/\\]|\.\./g, '')) :
      path.startsWith('/tfjs-wasm/') ? join(tfjsWasmDist, path.slice(11).replace(/[/\\]|\.\./g, '')) :
      join(dir, path === '/page.js' ? 'page.js' : 'index.html');
  try {
    const body = readFileSync(file);
    // Cross-origin isolation: performance.now() at 5 us rather than 100 us.
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
// localhost, not 127.0.0.1: navigator.gpu needs a secure context.
const url = `http://localhost:${server.address().port}/`;

const ms = t => t.toFixed(t < 1 ? 3 : 2);
const ratio = (a, b) => (a / b).toFixed(2);

function printTable(title, rows, outputElements, ortRow) {
  const lines = [`\n### ${title}`,
    '| what | median ms | min ms | max ms | output Melem/s | time / ORT wasm | tfjs-roi / composite, same backend |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const row of rows) {
    const {medianMs, minMs, maxMs} = row.t;
    const composite = row.composite ? ratio(medianMs, row.composite.t.medianMs) : '';
    lines.push(`| ${row.name} | ${ms(medianMs)} | ${ms(minMs)} | ${ms(maxMs)} | ${
        (outputElements / medianMs / 1e3).toFixed(1)} | ${ortRow && row !== ortRow ? ratio(medianMs, ortRow.t.medianMs) : ''} | ${composite} |`);
  }
  console.log(lines.join('\n'));
}

/**
 * The detector rows: per backend, a table of medians and the issue's ratios
 * (dx and dboxes over the forward, the forward over the composite), then
 * how much dx grows from the first workload (P3) to each other one (P2).
 * Returns whether anything failed.
 */
async function runDetectorRows(page) {
  let anyFailed = false;
  const detectorOps =
      ["forward 'avg'", "forward 'max'", "winners 'max'", "dx 'avg'", "dx 'max'", "dboxes 'avg'", "dboxes 'max'"];
  const ops = forwardOnly ? ["forward 'avg'", 'composite'] : [...detectorOps, 'composite'];
  // The ops runDetector times by turns with the composite; null: each in a block of its own.
  const byTurnsOps = forwardOnly ? ["forward 'avg'"] : byTurns ? detectorOps : null;
  for (const name of workloadNames) {
    const w = workloadTable[name];
    console.log(`- ${name}: features [${w.features.slice(0, 3)},C], ${w.numBoxes} boxes, spatialScale 1/${1 / w.spatialScale}, ` +
        `${w.outputSize}x${w.outputSize}, samplingRatio ${w.samplingRatio}${w.aligned ? ', aligned' : ''}`);
  }
  // The detector workloads at each of --channels, the others (once) at their own C.
  const runs = [...new Map(channelList.flatMap(channels => workloadNames.map(name => {
    const c = DETECTOR_WORKLOADS[name] ? channels : workloadTable[name].features[3];
    return [`${name} C${c}`, [name, c]];
  }))).values()];
  for (const backend of backends) {
    const results = {};
    const checks = [];
    for (const [name, channels] of runs) {
      try {
        const r = await page.evaluate((b, n, c, k, o) => window.runDetector(b, n, c, k, o), backend, name, channels, repeats,
            byTurnsOps);
        results[`${name} C${channels}`] = r.times;
        checks.push(...r.checks);
      } catch (e) {
        anyFailed = true;
        checks.push(`${backend} ${name} C${channels} failed: ${e.message.split('\n')[0]}`);
      }
    }
    const ratios = forwardOnly ? [] : ["dx/fwd 'avg'", "dx/fwd 'max'", "dboxes/fwd 'avg'", "dboxes/fwd 'max'"];
    const lines = [`\n### ${backend}: roiAlign at detector scale, median ms`,
      `| workload | ${[...ops, ...ratios].join(' | ')} | fwd 'avg'/composite |`,
      `| --- |${' ---: |'.repeat(ops.length + ratios.length + 1)}`];
    for (const [key, t] of Object.entries(results)) {
      const m = op => t[op].medianMs;
      const gradientRatios = forwardOnly ? [] : [ratio(m("dx 'avg'"), m("forward 'avg'")), ratio(m("dx 'max'"), m("forward 'max'")),
        ratio(m("dboxes 'avg'"), m("forward 'avg'")), ratio(m("dboxes 'max'"), m("forward 'max'"))];
      lines.push(`| ${key} | ${[...ops.map(op => ms(m(op))), ...gradientRatios].join(' | ')} | ${
          ratio(m("forward 'avg'"), m('composite'))} |`);
    }
    const [first, ...others] = workloadNames;
    for (const channels of forwardOnly ? [] : channelList) {
      const base = results[`${first} C${channels}`];
      for (const other of others) {
        const t = results[`${other} C${channels}`];
        if (!base || !t) continue;
        lines.push(`\ndx grows ${ratio(t["dx 'avg'"].medianMs, base["dx 'avg'"].medianMs)}x ('avg') and ${
            ratio(t["dx 'max'"].medianMs, base["dx 'max'"].medianMs)}x ('max') from ${first} to ${other} at C = ${channels}.`);
      }
    }
    console.log(lines.join('\n'));
    console.log('\nChecked before timing:\n' + checks.map(line => `- ${line}`).join('\n'));
  }
  return anyFailed;
}

const browser = await launchChromium({protocolTimeoutMs: 120 * 60 * 1000});
let failed = false;
try {
  const page = await browser.newPage();
  page.on('pageerror', e => console.error('page error:', e.message));
  await page.goto(url);
  await page.waitForFunction('window.benchReady === true', {timeout: 120000});
  await page.evaluate(paths => window.configureOrt(paths), `${url}ort/`);
  if (backends.includes('wasm')) await page.evaluate(paths => window.configureTfjsWasm(paths), `${url}tfjs-wasm/`);
  if (args.includes('--no-scatter')) await page.evaluate(() => window.setWebGLScatter(false));
  const ops = await page.evaluate(() => window.benchOps);
  if (!(await page.evaluate(() => window.isolated()))) throw new Error('the page is not cross-origin isolated: timers would be coarse');
  console.log(`# tfjs-roi browser benchmark\n\n${await browser.version()} (headless; webgl and webgpu on SwiftShader, ` +
      `a software GPU), onnxruntime-web ${await page.evaluate(() => window.ortVersion())} (wasm, SIMD, 1 thread)\n` +
      `Command: npm run bench:browser${args.length ? ' -- ' + args.join(' ') : ''}\n` +
      `Each time: median, min and max of ${repeats} runs after at least 2 warm-ups and 1000 ms of them; a tfjs run ends when one element of ` +
      `its output has been read back. Ratios below 1 mean the row is faster.`);
  if (onlyFpn) {
    // the FPN table below, alone
  } else if (detector) {
    failed = await runDetectorRows(page);
  } else for (const name of workloadNames) {
    const w = BENCH_WORKLOADS[name];
    console.log(`\n## ${name}: features [${w.features}], ${w.numBoxes} boxes, spatialScale 1/${1 / w.spatialScale}, ` +
        `${w.outputSize}x${w.outputSize}, samplingRatio ${w.samplingRatio}${w.aligned ? ', aligned' : ''}`);
    const tables = Object.fromEntries(ops.map(op => [op, []]));
    const backward = [];
    const checks = [];
    let outputElements = 0;
    try {
      const peer = await page.evaluate((n, r) => window.runOrt(n, r), name, repeats);
      checks.push(...peer.checks);
      for (const op of ops) if (peer.rows[op]) tables[op].push({...peer.rows[op], ort: true});
    } catch (e) {
      failed = true;
      checks.push(`onnxruntime-web failed: ${e.message.split('\n')[0]}`);
    }
    for (const backend of backends) {
      try {
        const r = await page.evaluate((b, n, k) => window.runBackend(b, n, k), backend, name, repeats);
        outputElements = r.outputElements;
        checks.push(...r.checks);
        for (const op of ops) {
          const [ours, composite] = r.tables[op];
          tables[op].push({...ours, composite});
          if (composite) tables[op].push(composite);
        }
        backward.push({backend, forward: r.tables[ops[0]][0].t, ...r.backward});
      } catch (e) {
        failed = true;
        checks.push(`${backend} failed: ${e.message.split('\n')[0]}`);
      }
    }
    for (const op of ops) {
      printTable(op, tables[op], outputElements, tables[op].find(row => row.ort));
    }
    console.log(`\n### roiAlign backward, 'avg' (no peer has it; ratios against the forward on the same backend)
| backend | forward ms | w.r.t. x ms | / forward | w.r.t. boxes ms | / forward |
| --- | ---: | ---: | ---: | ---: | ---: |
${backward.map(b => `| ${b.backend} | ${ms(b.forward.medianMs)} | ${ms(b.dx.medianMs)} | ${ratio(b.dx.medianMs, b.forward.medianMs)} | ${
      ms(b.dboxes.medianMs)} | ${ratio(b.dboxes.medianMs, b.forward.medianMs)} |`).join('\n')}`);
    console.log('\nChecked before timing:\n' + checks.map(line => `- ${line}`).join('\n'));
  }
  if (onlyFpn || (!detector && !args.includes('--workloads'))) {
    console.log('\n## FPN pooler');
    for (const backend of backends) {
      try {
        const result = await page.evaluate((b, k) => window.runFpn(b, k), backend, repeats);
        console.log(fpnTable(result));
        if (result.checks.length) console.log('\nChecked before timing:\n' + result.checks.map(line => `- ${line}`).join('\n'));
      } catch (e) {
        failed = true;
        console.log(`\n${backend} FPN pooler failed: ${e.message.split('\n')[0]}`);
      }
    }
  }
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
