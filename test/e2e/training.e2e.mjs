/**
 * The shapes training example end to end. site/training.html trains the
 * detector in headless Chromium on webgpu and on webgl (SwiftShader here),
 * and the Node runner trains it on cpu: in each, the loss must fall by at
 * least half and held-out RoI accuracy reach 90%, with gradients reaching
 * the backbone through the RoI layer; the pages must log no console errors.
 * Screenshots go to test-artifacts/.
 *   E2E_TRAINING_RUNS=webgl:align,webgpu:pool,node:align picks the runs.
 */
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {after, before, test} from 'node:test';

import {launchChromium, openPage} from '../../scripts/browser.mjs';
import {ROOT, startSiteServer} from '../../scripts/site_server.mjs';

const RUNS = (process.env.E2E_TRAINING_RUNS ?? 'webgpu:align,webgl:align,webgl:pool,node:align').split(',').map(run => {
  const [backend, pool] = run.split(':');
  return {backend, pool};
});
// A run takes one to two minutes here; this only bounds a hang.
const RUN_TIMEOUT_MS = 8 * 60 * 1000;
const ARTIFACTS = join(ROOT, 'test-artifacts');
const layerName = pool => pool === 'align' ? 'RoIAlign' : 'RoIPool';

function assertTrained(result) {
  assert.ok(result.finalLoss <= 0.5 * result.initialLoss,
      `loss fell from ${result.initialLoss} to ${result.finalLoss}: less than half`);
  assert.ok(result.accuracy >= 0.9, `held-out RoI accuracy ${result.accuracy} < 0.9`);
  assert.ok(result.firstConvGradNorm > 0, 'no gradient reached the first backbone convolution');
  assert.ok(result.firstConvWeightChange > 0, 'the first backbone convolution did not change');
}

let server, browser;
before(async () => {
  if (!RUNS.some(run => run.backend !== 'node')) return;
  server = await startSiteServer();
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, {recursive: true});
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

for (const {backend, pool} of RUNS) {
  if (backend === 'node') {
    test(`npm run example:train trains through ${layerName(pool)} on cpu in Node`, {timeout: RUN_TIMEOUT_MS}, () => {
      const run = spawnSync(process.execPath, [join(ROOT, 'examples', 'shapes', 'run_node.mjs'), '--pool', pool, '--json'],
          {cwd: ROOT, encoding: 'utf8'});
      assert.equal(run.status, 0, `exit ${run.status}\n${run.stdout}\n${run.stderr}`);
      const line = run.stdout.split('\n').find(l => l.startsWith('{'));
      const result = JSON.parse(line);
      console.log(`  node/${pool}: ${result.steps} steps in ${result.seconds.toFixed(1)} s, loss ` +
          `${result.initialLoss.toFixed(3)} -> ${result.finalLoss.toFixed(3)}, accuracy ${(100 * result.accuracy).toFixed(1)}%`);
      assert.equal(result.backend, 'cpu');
      assert.equal(result.pool, pool);
      assertTrained(result);
    });
    continue;
  }
  test(`training.html trains through ${layerName(pool)} on ${backend}`, {timeout: RUN_TIMEOUT_MS}, async () => {
    const {page, errors} = await openPage(browser, `${server.url}training.html?backend=${backend}&pool=${pool}`);
    try {
      const result = await page.evaluate(() => window.trainingResult);
      await page.screenshot({path: join(ARTIFACTS, `training-${backend}-${pool}.png`), fullPage: true});
      console.log(`  ${backend}/${pool}: ${result.steps} steps in ${result.seconds.toFixed(1)} s, loss ` +
          `${result.initialLoss.toFixed(3)} -> ${result.finalLoss.toFixed(3)}, accuracy ${(100 * result.accuracy).toFixed(1)}%, ` +
          `first-conv gradient norm ${result.firstConvGradNorm.toExponential(2)}, weight change ${result.firstConvWeightChange.toExponential(2)}`);
      assert.equal(result.backend, backend);
      assert.equal(result.pool, pool);
      assertTrained(result);
      assert.ok(result.ok, result.failures.join('; '));
      assert.equal(await page.evaluate(() => document.body.dataset.status), 'done');
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });
}
