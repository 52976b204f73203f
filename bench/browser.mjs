// npm run bench:browser: roiAlign against cropAndResize + avgPool, on the
// webgl and webgpu backends of headless Chromium, in one run.
//   node bench/browser.mjs [--backends webgl,webgpu] [--repeats 10]
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:http';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import * as esbuild from 'esbuild';
import puppeteer from 'puppeteer-core';

import {CHROMIUM_FLAGS, ensureChromium} from '../scripts/chromium.mjs';
import {FAST_RCNN} from './workloads.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const backends = option('backends', 'webgl,webgpu').split(',');
const repeats = Number(option('repeats', '10'));

const dir = mkdtempSync(join(tmpdir(), 'tfjs-roi-bench-'));
await esbuild.build({
  entryPoints: ['bench/browser_page.ts'], bundle: true, format: 'iife', outfile: join(dir, 'page.js'), logLevel: 'warning'
});
writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><script src="page.js"></script>');
const server = createServer((req, res) => {
  const file = req.url === '/page.js' ? 'page.js' : 'index.html';
  res.writeHead(200, {'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html'});
  res.end(readFileSync(join(dir, file)));
});
await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
// localhost, not 127.0.0.1: navigator.gpu needs a secure context.
const url = `http://localhost:${server.address().port}/`;

const browser = await puppeteer.launch({
  executablePath: ensureChromium(),
  headless: true,
  args: CHROMIUM_FLAGS,
  userDataDir: mkdtempSync(join(tmpdir(), 'tfjs-roi-chromium-')),
  // A software GPU (SwiftShader) takes minutes for the backward pass at this size.
  protocolTimeout: 30 * 60 * 1000,
});
const ms = t => `${t.medianMs.toFixed(1)} ms (min ${t.minMs.toFixed(1)}, max ${t.maxMs.toFixed(1)})`;
let failed = false;
try {
  const page = await browser.newPage();
  page.on('pageerror', e => console.error('page error:', e.message));
  await page.goto(url);
  await page.waitForFunction('window.benchReady === true', {timeout: 120000});
  const {features, numBoxes, outputSize, samplingRatio} = FAST_RCNN;
  console.log(`roiAlign (avg, aligned) on [${features}] features, ${numBoxes} boxes, ${outputSize}x${outputSize}, ` +
      `samplingRatio ${samplingRatio}; median of ${repeats} runs after a warm-up, in ${await browser.version()}`);
  for (const backend of backends) {
    try {
      const r = await page.evaluate((b, n) => window.runBench(b, n), backend, repeats);
      console.log(`\n[${backend}]`);
      console.log(`  roiAlign forward             ${ms(r.forward)}${r.kernelMs === null ? '' : `, kernel time ${r.kernelMs.toFixed(1)} ms`}`);
      console.log(`  roiAlign forward + backward  ${ms(r.backward)}  (backward/forward ${((r.backward.medianMs - r.forward.medianMs) / r.forward.medianMs).toFixed(2)}x)`);
      console.log(`  cropAndResize + avgPool      ${ms(r.compositeForward)}  (roiAlign is ${(r.compositeForward.medianMs / r.forward.medianMs).toFixed(2)}x faster; the composite has no gradient in tfjs)`);
      console.log(`  max |roiAlign - composite| over the ${r.comparedBoxes} boxes whose samples stay inside the map: ${r.maxDiff.toExponential(2)}`);
    } catch (e) {
      failed = true;
      console.log(`\n[${backend}] failed: ${e.message.split('\n')[0]}`);
    }
  }
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
