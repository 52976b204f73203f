/**
 * The demo site in headless Chromium: every page loads without console
 * errors on every backend, and what it displays equals the float64
 * reference (test/reference.ts, bundled here) for the box the test dragged
 * and the image the page drew. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';

import * as esbuild from 'esbuild';

import {launchChromium, openPage} from '../../scripts/browser.mjs';
import {ROOT, startSiteServer} from '../../scripts/site_server.mjs';

const ARTIFACTS = join(ROOT, 'test-artifacts');
const BACKENDS = ['cpu', 'webgl', 'webgpu'];
const SIZE = 8;
const READY_TIMEOUT_MS = 90_000;

async function loadReference() {
  const built = await esbuild.build({
    entryPoints: [join(ROOT, 'test', 'reference.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'warning',
  });
  return import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);
}

const reference = await loadReference();

let server;
let browser;

before(async () => {
  mkdirSync(ARTIFACTS, {recursive: true});
  server = await startSiteServer();
  browser = await launchChromium({protocolTimeoutMs: 120_000});
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function assertClose(actual, expected, what) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const tolerance = 1e-4 + 1e-4 * Math.abs(expected[i]);
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance,
        `${what}[${i}] = ${actual[i]}, expected ${expected[i]}`);
  }
}

/** Waits until the page has finished computing the settings `expected` names (body data attributes). */
async function waitForSettled(page, expected = {}) {
  await page.waitForFunction(expected => {
    const data = document.body.dataset;
    if (data.state === 'error') return true;
    return data.state === 'ready' && Object.entries(expected).every(([k, v]) => data[k] === v);
  }, {timeout: READY_TIMEOUT_MS}, expected);
  const error = await page.evaluate(() => document.body.dataset.state === 'error' ?
      document.getElementById('error')?.textContent : null);
  assert.equal(error, null, 'the page reported an error');
}

/** Cells of a table that carry data-value, row-major. */
async function tableValues(page, id) {
  return page.$$eval(`#${id} td[data-value]`, cells => cells.map(td => ({
    value: Number(td.dataset.value),
    text: td.textContent,
  })));
}

/** The page shows each number rounded for reading; the text must be that number. */
function assertTextMatches(cells, what) {
  for (const [k, {value, text}] of cells.entries()) {
    const shown = text === '·' ? 0 : Number(text);
    assert.ok(Math.abs(shown - value) <= 0.0051, `${what}[${k}] shows ${text} for ${value}`);
  }
}

// ---- explainer ----

async function explainerInput(page) {
  const values = await page.$$eval('#feature-map input', inputs => inputs.map(i => Number(i.value)));
  const data = await page.evaluate(() => ({...document.body.dataset}));
  return {
    values,
    box: data.box.split(',').map(Number),
    outSize: Number(data.outSize),
    samplingRatio: Number(data.samplingRatio),
    aligned: data.aligned === 'true',
    mode: data.mode,
    selected: data.selected.split(',').map(Number),
  };
}

/**
 * The page's outputs and drawings, and with `gradients` its gradient view,
 * against the float64 reference for the settings it shows.
 */
async function checkExplainerNumbers(page, expectedBox, {gradients = false} = {}) {
  const s = await explainerInput(page);
  assert.deepEqual(s.box, expectedBox, 'the box on display');
  const input = (x) => ({x, shape: [1, SIZE, SIZE, 1], boxes: s.box, boxIndices: [0]});
  const alignOptions = {
    outH: s.outSize, outW: s.outSize, spatialScale: 1, samplingRatio: s.samplingRatio, aligned: s.aligned, mode: s.mode,
  };
  const poolOptions = {outH: s.outSize, outW: s.outSize, spatialScale: 1};

  const align = await tableValues(page, 'align-output');
  const pool = await tableValues(page, 'pool-output');
  assertTextMatches(align, 'align-output');
  assertTextMatches(pool, 'pool-output');
  assertClose(align.map(c => c.value), reference.refRoiAlign(input(s.values), alignOptions), 'RoIAlign output');
  assertClose(pool.map(c => c.value), reference.refRoiPool(input(s.values), poolOptions), 'RoIPool output');
  await checkExplainerPictures(page, s);
  if (!gradients) return;

  // Avg-mode RoIAlign is linear in x, and RoIPool is where the map's values
  // are distinct, so central differences of the reference are exact.
  const dy = new Float64Array(s.outSize * s.outSize);
  dy[s.selected[0] * s.outSize + s.selected[1]] = 1;
  const alignDx = reference.numericGradient(
      s.values, dy, 0.25, moved => reference.refRoiAlign(input(moved), alignOptions));
  const poolDx = reference.numericGradient(
      s.values, dy, 0.25, moved => reference.refRoiPool(input(moved), poolOptions));
  const alignGrad = await tableValues(page, 'align-grad');
  const poolGrad = await tableValues(page, 'pool-grad');
  assertTextMatches(poolGrad, 'pool-grad');
  assertClose(alignGrad.map(c => c.value), alignDx, 'RoIAlign d(cell)/dx');
  assertClose(poolGrad.map(c => c.value), poolDx, 'RoIPool d(cell)/dx');
}

/** RoIAlign's bin edges and samples along one axis, by torchvision's formulas in float64. */
function expectedAlignAxis(start, end, outSize, samplingRatio, aligned) {
  const offset = aligned ? 0.5 : 0;
  const low = start - offset;
  const size = aligned ? end - start : Math.max(end - start, 1);
  const bin = size / outSize;
  const grid = samplingRatio > 0 ? samplingRatio : Math.ceil(bin);
  const edges = Array.from({length: outSize + 1}, (_, b) => low + b * bin);
  const samples = [];
  for (let b = 0; b < outSize; b++) {
    for (let k = 0; k < grid; k++) samples.push(low + b * bin + (k + 0.5) * bin / grid);
  }
  return {edges, samples, inside: samples.map(p => (p >= -1 && p <= SIZE ? 1 : 0))};
}

/** RoIPool's [start, end) cells per bin along one axis: corners rounded half away from zero, edges floor / ceil. */
function expectedPoolAxis(start, end, outSize) {
  const round = v => Math.sign(v) * Math.round(Math.abs(v));
  const [first, last] = [round(start), round(end)];
  const bin = Math.max(last - first + 1, 1) / outSize;
  const clip = v => Math.min(Math.max(v, 0), SIZE);
  return Array.from({length: outSize}, (_, b) => [clip(Math.floor(b * bin) + first), clip(Math.ceil((b + 1) * bin) + first)]);
}

/** What the two canvases draw (their data-geometry) against the formulas above. */
async function checkExplainerPictures(page, s) {
  const [align, pool] = await Promise.all(['align-canvas', 'pool-canvas'].map(
      id => page.$eval(`#${id}`, canvas => JSON.parse(canvas.dataset.geometry))));
  const [x1, y1, x2, y2] = s.box;
  for (const [axis, start, end] of [['X', x1, x2], ['Y', y1, y2]]) {
    const want = expectedAlignAxis(start, end, s.outSize, s.samplingRatio, s.aligned);
    assertClose(align[`binEdges${axis}`], want.edges, `RoIAlign bin edges along ${axis}`);
    assertClose(align[`samples${axis}`], want.samples, `RoIAlign samples along ${axis}`);
    assert.deepEqual(align[`inside${axis}`], want.inside, `RoIAlign samples inside the map along ${axis}`);
  }
  const binsX = expectedPoolAxis(x1, x2, s.outSize), binsY = expectedPoolAxis(y1, y2, s.outSize);
  assert.deepEqual(pool.binsX, binsX, 'RoIPool bins along X');
  assert.deepEqual(pool.binsY, binsY, 'RoIPool bins along Y');
  const maxCells = [];
  for (const [h0, h1] of binsY) {
    for (const [w0, w1] of binsX) {
      let best = -Infinity, cell = -1;
      for (let h = h0; h < h1; h++) {
        for (let w = w0; w < w1; w++) {
          if (s.values[h * SIZE + w] > best) [best, cell] = [s.values[h * SIZE + w], h * SIZE + w];
        }
      }
      maxCells.push(cell);
    }
  }
  assert.deepEqual(pool.maxCells, maxCells, 'RoIPool max cells');
}

/** Client coordinates of feature-map point (u, v) on a canvas, from its data-cell / data-pad. */
async function canvasPoint(page, id) {
  const {left, top, cell, pad} = await page.$eval(`#${id}`, canvas => {
    canvas.scrollIntoView({block: 'center'});
    const rect = canvas.getBoundingClientRect();
    return {left: rect.left, top: rect.top, cell: Number(canvas.dataset.cell), pad: Number(canvas.dataset.pad)};
  });
  return (u, v) => ({x: left + pad + u * cell, y: top + pad + v * cell});
}

/**
 * Types a map into the feature-map editor: a permutation of 0..63, so that
 * RoIPool's maxima are unique, and not linear, so that RoIAlign's output
 * depends on where every sample sits (on the default 0..63 ramp, any
 * symmetric set of samples in a bin averages to the same value).
 */
async function typeScrambledMap(page) {
  await page.$$eval('#feature-map input', inputs => inputs.forEach((input, i) => {
    input.value = String((i * 37) % 64);
    input.dispatchEvent(new Event('change'));
  }));
  await waitForSettled(page);
}

async function drag(page, from, to) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, {steps: 4});
  await page.mouse.up();
}

describe('explainer', () => {
  for (const backend of BACKENDS) {
    test(`on ${backend}: outputs, drawings and gradients equal the reference before and after dragging the box`, async () => {
      const {page, errors} = await openPage(browser, `${server.url}explainer.html?backend=${backend}`);
      try {
        await waitForSettled(page);
        assert.equal(await page.evaluate(() => document.body.dataset.backend), backend);
        await checkExplainerNumbers(page, [1.25, 1.5, 5.75, 6.25]);
        await typeScrambledMap(page);
        await checkExplainerNumbers(page, [1.25, 1.5, 5.75, 6.25]);

        // Move: grab the middle of the box on the RoIPool view, 1.25 cells right, 0.5 up.
        const onPool = await canvasPoint(page, 'pool-canvas');
        await drag(page, onPool(3.5, 3.875), onPool(4.75, 3.375));
        await waitForSettled(page, {box: '2.5,1,7,5.75'});
        await checkExplainerNumbers(page, [2.5, 1, 7, 5.75]);

        // Resize: pull the top-left corner on the RoIAlign view; the opposite corner stays.
        const onAlign = await canvasPoint(page, 'align-canvas');
        await drag(page, onAlign(2.5, 1), onAlign(0.625, 2.375));
        await waitForSettled(page, {box: '0.625,2.375,7,5.75'});
        await checkExplainerNumbers(page, [0.625, 2.375, 7, 5.75], {gradients: true});

        await page.screenshot({path: join(ARTIFACTS, `explainer-${backend}.png`), fullPage: true});
        assert.deepEqual(errors, []);
      } finally {
        await page.close();
      }
    });
  }

  test('on cpu: the output size, aligned, samplingRatio and the chosen output cell change the numbers as the op does', async () => {
    const {page, errors} = await openPage(browser, `${server.url}explainer.html?backend=cpu`);
    try {
      await waitForSettled(page);
      await typeScrambledMap(page);
      await page.select('#output-size', '3');
      await page.click('#aligned');
      await page.$eval('#sampling-ratio', input => {
        input.value = '0';
        input.dispatchEvent(new Event('change'));
      });
      await waitForSettled(page, {outSize: '3', aligned: 'true', samplingRatio: '0'});
      await page.click('#align-output td[data-i="2"][data-j="1"]');
      await waitForSettled(page, {selected: '2,1'});
      // Drawing a new box: drag from outside the current one.
      const onAlign = await canvasPoint(page, 'align-canvas');
      await drag(page, onAlign(6.5, 7.25), onAlign(0.375, 0.125));
      await waitForSettled(page, {box: '0.375,0.125,6.5,7.25'});
      await checkExplainerNumbers(page, [0.375, 0.125, 6.5, 7.25], {gradients: true});
      await page.select('#mode', 'max');
      await waitForSettled(page, {mode: 'max'});
      const s = await explainerInput(page);
      const align = await tableValues(page, 'align-output');
      assertClose(align.map(c => c.value), reference.refRoiAlign(
          {x: s.values, shape: [1, SIZE, SIZE, 1], boxes: s.box, boxIndices: [0]},
          {outH: 3, outW: 3, spatialScale: 1, samplingRatio: 0, aligned: true, mode: 'max'}), 'RoIAlign max output');
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });
});

// ---- crops ----

/** The feature map of the crops page: the mean of each stride x stride block of the scene, [1,H,W,3]. */
function averagePool(rgba, side, stride) {
  const out = side / stride;
  const x = new Float64Array(out * out * 3);
  for (let h = 0; h < side; h++) {
    for (let w = 0; w < side; w++) {
      for (let c = 0; c < 3; c++) {
        x[(Math.floor(h / stride) * out + Math.floor(w / stride)) * 3 + c] += rgba[(h * side + w) * 4 + c] / (stride * stride);
      }
    }
  }
  return {x, shape: [1, out, out, 3]};
}

describe('crops', () => {
  for (const backend of BACKENDS) {
    test(`on ${backend}: each box's 14x14 RoIAlign and RoIPool crops equal the reference`, async () => {
      const {page, errors} = await openPage(browser, `${server.url}crops.html?backend=${backend}`);
      try {
        await waitForSettled(page);
        assert.equal(await page.evaluate(() => document.body.dataset.backend), backend);
        const {scene, side, stride, aligned} = await page.evaluate(() => {
          const canvas = document.getElementById('scene');
          const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          return {
            scene: Array.from(pixels), side: canvas.width,
            stride: Number(document.body.dataset.stride), aligned: document.body.dataset.aligned === 'true',
          };
        });
        const crops = await page.$$eval('#crops canvas[data-op]', canvases => canvases.map(canvas => ({
          op: canvas.dataset.op,
          box: canvas.dataset.box.split(',').map(Number),
          pixels: Array.from(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data),
        })));
        assert.ok(crops.length >= 6, `${crops.length} crops`);
        const features = averagePool(scene, side, stride);
        for (const [k, crop] of crops.entries()) {
          const input = {...features, boxes: crop.box, boxIndices: [0]};
          const expected = crop.op === 'align' ?
              reference.refRoiAlign(input, {outH: 14, outW: 14, spatialScale: 1 / stride, samplingRatio: 2, aligned, mode: 'avg'}) :
              reference.refRoiPool(input, {outH: 14, outW: 14, spatialScale: 1 / stride});
          assert.equal(crop.pixels.length, 14 * 14 * 4, `crop ${k} size`);
          for (let p = 0; p < 14 * 14; p++) {
            for (let c = 0; c < 3; c++) {
              const want = Math.min(Math.max(expected[3 * p + c], 0), 255);
              // Pixels are rounded; float32 against float64 may land on the other side of a half.
              assert.ok(Math.abs(crop.pixels[4 * p + c] - want) <= 0.5 + 1e-3,
                  `${crop.op} crop of box ${crop.box}: pixel ${p} channel ${c} is ${crop.pixels[4 * p + c]}, expected ${want}`);
            }
          }
        }
        await page.screenshot({path: join(ARTIFACTS, `crops-${backend}.png`), fullPage: true});
        assert.deepEqual(errors, []);
      } finally {
        await page.close();
      }
    });
  }
});

test('index links every page', async () => {
  const {page, errors} = await openPage(browser, server.url);
  try {
    const links = await page.$$eval('#pages a', anchors => anchors.map(a => a.getAttribute('href')));
    assert.deepEqual(links, ['explainer.html', 'crops.html', 'training.html']);
    await page.screenshot({path: join(ARTIFACTS, 'index.png')});
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
