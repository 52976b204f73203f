/**
 * The script-tag case of the wasm backend: tf.min.js, then
 * tf-backend-wasm.min.js and dist/tfjs-roi.min.js in either order, then
 * tf.wasm.setWasmPaths and tf.setBackend('wasm'). tf.roiAlign and its
 * gradient must run on wasm and give the worked example's numbers (the
 * README's 8 x 8 map of 0..63).
 */
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {createServer} from 'node:http';
import {join} from 'node:path';
import {after, before, test} from 'node:test';

import {launchChromium, openPage} from '../../scripts/browser.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const modules = join(ROOT, 'node_modules', '@tensorflow');
const FILES = {
  '/tf.min.js': join(modules, 'tfjs', 'dist', 'tf.min.js'),
  '/tf-backend-wasm.min.js': join(modules, 'tfjs-backend-wasm', 'dist', 'tf-backend-wasm.min.js'),
  '/tfjs-roi.min.js': join(ROOT, 'dist', 'tfjs-roi.min.js'),
};
const WASM_DIR = join(modules, 'tfjs-backend-wasm', 'dist');

const page = (scripts) => `<!doctype html><meta charset="utf-8">
${scripts.map(src => `<script src="${src}"></script>`).join('\n')}
<script>
  window.result = (async () => {
    tf.wasm.setWasmPaths('/wasm/');
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
    const x = tf.range(0, 64).reshape([1, 8, 8, 1]);
    const boxes = tf.tensor2d([[0, 3, 7, 8]]);
    const run = (a) => tf.roiAlign(a, boxes, [0], 2, {samplingRatio: 2});
    const y = await run(x).data();
    const dx = await tf.grad(run)(x).data();
    return {backend: tf.getBackend(), y: Array.from(y), dxSum: dx.reduce((s, v) => s + v, 0)};
  })().catch(e => ({error: String(e)}));
</script>`;

const PAGES = {
  '/wasm-first.html': page(['/tf.min.js', '/tf-backend-wasm.min.js', '/tfjs-roi.min.js']),
  '/roi-first.html': page(['/tf.min.js', '/tfjs-roi.min.js', '/tf-backend-wasm.min.js']),
};

let server, browser, base;

before(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs'], {cwd: ROOT, stdio: 'pipe'});
  server = createServer((req, res) => {
    const path = new URL(req.url, 'http://localhost').pathname;
    if (PAGES[path]) return res.writeHead(200, {'content-type': 'text/html'}).end(PAGES[path]);
    if (path === '/favicon.ico') return res.writeHead(204).end();
    const file = FILES[path] ?? (path.startsWith('/wasm/') && path.endsWith('.wasm') ?
        join(WASM_DIR, path.slice(6).replace(/[/\\]|\.\./g, '')) : null);
    try {
      const body = readFileSync(file);
      res.writeHead(200, {'content-type': file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript'}).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  base = `http://localhost:${server.address().port}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

for (const name of Object.keys(PAGES)) {
  test(`script tags ${name.slice(1, -5)}: tf.roiAlign and its gradient run on wasm`, async () => {
    const {page: tab, errors} = await openPage(browser, base + name);
    const result = await tab.evaluate(() => window.result);
    assert.deepEqual(errors, []);
    assert.equal(result.error, undefined);
    assert.equal(result.backend, 'wasm');
    assert.deepEqual(result.y, [35.75, 39.25, 54.25, 57.75]);
    // dy is all ones: every bin spreads one unit over its samples' corners.
    assert.ok(Math.abs(result.dxSum - 4) < 1e-5, `dx sums to ${result.dxSum}`);
    await tab.close();
  });
}
