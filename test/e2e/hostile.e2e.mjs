/**
 * Hostile input in headless Chromium on cpu, webgl and webgpu: the cases of
 * test/hostile_cases.ts (huge samplingRatio refused naming samplingRatio and
 * 1024; 'max' at the cap; adaptive-grid boxes of 1e30 or Infinity, rotated
 * w = h = 1e4 and 1e30, giving 0 and no gradient) each under a time limit,
 * in a page of their own per backend, so that a case that hangs the page or
 * the GPU fails naming itself instead of stalling the run.
 *   E2E_HOSTILE_BACKENDS=webgl picks the backends.
 */
import assert from 'node:assert/strict';
import {createServer} from 'node:http';
import {join} from 'node:path';
import {after, before, test} from 'node:test';

import * as esbuild from 'esbuild';

import {launchChromium, openPage} from '../../scripts/browser.mjs';
import {ROOT} from '../../scripts/site_server.mjs';

const BACKENDS = (process.env.E2E_HOSTILE_BACKENDS ?? 'cpu,webgl,webgpu').split(',');
/** Each case's limit (a software GPU on a busy machine); a hang is unbounded. */
const CASE_LIMIT_MS = 60000;

let server, browser, url, bundle;
before(async () => {
  const built = await esbuild.build({
    entryPoints: [join(ROOT, 'test', 'e2e', 'hostile_page.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    write: false,
    logLevel: 'warning',
  });
  bundle = built.outputFiles[0].text;
  // localhost, as navigator.gpu needs a secure context.
  server = createServer((request, response) => {
    if (request.url === '/hostile.js') {
      response.writeHead(200, {'content-type': 'text/javascript'});
      response.end(bundle);
    } else {
      response.writeHead(200, {'content-type': 'text/html'});
      response.end('<!doctype html><meta charset="utf-8"><title>hostile</title><script src="/hostile.js"></script>');
    }
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  url = `http://localhost:${server.address().port}/`;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await new Promise(resolve => server ? server.close(resolve) : resolve());
});

/** p, or a rejection naming `what` after ms. */
function within(p, ms, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (a hang)`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

for (const backend of BACKENDS) {
  test(`nothing hangs, nothing crashes, every refusal names samplingRatio [${backend}]`, {timeout: 15 * 60 * 1000}, async () => {
    const {page, errors} = await openPage(browser, url);
    let hung = false;
    try {
      await within(page.evaluate(b => window.hostile.start(b), backend), CASE_LIMIT_MS, `starting ${backend}`);
      const names = await page.evaluate(() => window.hostile.names);
      const failures = [];
      for (const name of names) {
        let result;
        try {
          result = await within(page.evaluate(n => window.hostile.run(n), name), CASE_LIMIT_MS, name);
        } catch (e) {
          hung = true;
          failures.push(e.message);
          break;
        }
        console.log(`  ${backend}: ${name}: ${Math.round(result.ms)} ms${result.error ? ` FAILED: ${result.error}` : ''}`);
        if (result.error !== null) failures.push(`${name}: ${result.error}`);
      }
      assert.deepEqual(failures, []);
      assert.ok(names.length >= 15, `${names.length} cases`);
      assert.deepEqual(errors, []);
    } finally {
      // A hung page may not close; the browser goes at the end either way.
      if (!hung) await page.close();
    }
  });
}
