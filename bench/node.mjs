// npm run bench: the cpu kernels against ONNX Runtime (onnxruntime-node,
// single-threaded and default-threaded) and against tfjs's own composite
// (cropAndResize then avgPool), on the workloads of issue 6. Every peer is
// first checked to compute the same values (ORT's 'max' RoiAlign follows
// another definition, so it is compared for time only).
//
//   npm run bench                  all workloads
//   npm run bench -- W1 W4         some of them
//   npm run bench -- --runs 20     more timed runs (default 10, after 2 warm-ups)
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';

import {roiAlign, roiPool} from '../dist/index.mjs';
import {seededBoxes} from './workloads.mjs';
import {maxRoiPoolModel, roiAlignModel} from './onnx_models.mjs';
import {loadOnnxRuntime, ORT_VERSION} from './onnxruntime.mjs';

const ort = loadOnnxRuntime();

tf.env().set('IS_TEST', true);  // quiets the tfjs-node advice
ort.env.logLevel = 'error';  // ORT warns on every 'max' session about its max definition

const WORKLOADS = {
  W1: {features: [1, 50, 68, 256], numBoxes: 1000, spatialScale: 1 / 16, outputSize: 7, samplingRatio: 2, aligned: true},
  W2: {features: [1, 100, 136, 256], numBoxes: 100, spatialScale: 1 / 8, outputSize: 14, samplingRatio: 2, aligned: false},
  W3: {features: [4, 50, 68, 256], numBoxes: 4 * 512, spatialScale: 1 / 16, outputSize: 7, samplingRatio: 0, aligned: false},
  W4: {features: [1, 32, 32, 16], numBoxes: 16, spatialScale: 1, outputSize: 2, samplingRatio: 2, aligned: false,
       image: {imageH: 32, imageW: 32, minSide: 2}},
};

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 10;
const WARMUPS = 2;
const WARMUP_MS = 1000;
const chosen = args.filter((a, i) => /^W\d$/.test(a) && args[i - 1] !== '--runs');

/**
 * Median, min and max of RUNS timed calls, after at least WARMUPS untimed
 * ones and WARMUP_MS of them, so that small workloads run optimized code.
 */
async function time(run) {
  const warmupStart = performance.now();
  for (let i = 0; i < WARMUPS || performance.now() - warmupStart < WARMUP_MS; i++) await run();
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return {median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1]};
}

/**
 * Checks |theirs - ours| <= tolerance * (1 + |ours|) at every index (or the
 * given ones), and returns the largest absolute difference.
 */
function assertSame(what, ours, theirs, tolerance, indices = null) {
  if (ours.length !== theirs.length) throw new Error(`${what}: length ${theirs.length}, expected ${ours.length}`);
  let worst = 0;
  const count = indices ? indices.length : ours.length;
  for (let j = 0; j < count; j++) {
    const i = indices ? indices[j] : j;
    const d = Math.abs(theirs[i] - ours[i]);
    if (!(d <= tolerance * (1 + Math.abs(ours[i])))) {
      throw new Error(`${what}: element ${i} is ${theirs[i]}, tfjs-roi gives ${ours[i]}`);
    }
    worst = Math.max(worst, d);
  }
  return worst;
}

/** [N,H,W,C] -> [N,C,H,W], outside any timing. */
function toNCHW(values, [n, h, w, c]) {
  const out = new Float32Array(values.length);
  for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
    out[((b * c + k) * h + y) * w + x] = values[((b * h + y) * w + x) * c + k];
  }
  return out;
}

/** [K,C,outH,outW] -> [K,outH,outW,C], for comparing ORT's output. */
function fromNCHW(values, [k, c, h, w]) {
  const out = new Float32Array(values.length);
  for (let b = 0; b < k; b++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    out[((b * h + y) * w + x) * c + ch] = values[((b * c + ch) * h + y) * w + x];
  }
  return out;
}

/**
 * The cropAndResize boxes that put a (outSize * s)-point crop exactly on the
 * roiAlign sample positions of each box (bin centres of an s x s split), and
 * which boxes keep all those samples inside [0, size - 1]: cropAndResize
 * extrapolates zeros outside, where roiAlign clamps, so only those compare.
 */
function compositeBoxes(w, boxes) {
  const [, h, wd] = w.features;
  const points = w.outputSize * w.samplingRatio;
  const offset = w.aligned ? 0.5 : 0;
  const normalized = [], comparable = [];
  boxes.forEach(([x1, y1, x2, y2], k) => {
    const axis = (start, end, size) => {
      const s = start * w.spatialScale - offset;
      let length = end * w.spatialScale - offset - s;
      if (!w.aligned) length = Math.max(length, 1);
      const step = length / points;
      const first = s + 0.5 * step, last = s + (points - 0.5) * step;
      return {lo: first / (size - 1), hi: last / (size - 1), inside: first >= 0 && last <= size - 1};
    };
    const y = axis(y1, y2, h), x = axis(x1, x2, wd);
    normalized.push([y.lo, x.lo, y.hi, x.hi]);
    if (y.inside && x.inside) comparable.push(k);
  });
  return {normalized, comparable};
}

function machine() {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'unknown cpu'}, ${cpus.length} logical cores, ${
      Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, ` +
      `tfjs ${tf.version.tfjs} (cpu backend), onnxruntime-node ${ORT_VERSION}`;
}

const ms = t => t.toFixed(t < 1 ? 3 : 2);

/**
 * What returning a fresh output costs by itself: every implementation here
 * hands back a new Float32Array, and on some VMs the first write to fresh
 * pages is a large part of a forward call.
 */
async function outputFloor(outputElements) {
  return time(async () => new Float32Array(outputElements).fill(1));
}

function formatTable(title, outputElements, rows, floor) {
  const lines = [`\n${title}`,
    '| what | median ms | min ms | max ms | output Melem/s | tfjs-roi time / this |',
    '| --- | ---: | ---: | ---: | ---: | ---: |'];
  const ours = rows[0].t.median;
  for (const row of rows) {
    const ratio = row === rows[0] ? '' : (ours / row.t.median).toFixed(2);
    lines.push(`| ${row.name} | ${ms(row.t.median)} | ${ms(row.t.min)} | ${ms(row.t.max)} | ${
        (outputElements / row.t.median / 1e3).toFixed(1)} | ${ratio} |`);
  }
  lines.push(`\n(Allocating and writing a fresh Float32Array of the output's size alone: ${ms(floor.median)} ms median.)`);
  console.log(lines.join('\n'));
}

async function ortSessions(model) {
  return {
    '1 thread': await ort.InferenceSession.create(model, {intraOpNumThreads: 1, interOpNumThreads: 1}),
    'default threads': await ort.InferenceSession.create(model),
  };
}

async function runWorkload(name, w) {
  const [n, h, wd, c] = w.features;
  const boxList = seededBoxes(w.numBoxes, {...(w.image ?? {}), seed: 1});
  const xValues = await tf.randomNormal(w.features, 0, 1, 'float32', 7).data();
  const x = tf.tensor4d(xValues, w.features);
  const boxes = tf.tensor2d(boxList, [w.numBoxes, 4]);
  // Boxes spread evenly over the images of the batch.
  const batchOf = k => Math.floor(k * n / w.numBoxes);
  const boxIndices = tf.tensor1d(boxList.map((_, k) => batchOf(k)), 'int32');
  const outShape = [w.numBoxes, w.outputSize, w.outputSize, c];
  const outputElements = outShape.reduce((a, b) => a * b);
  const dy = tf.randomNormal(outShape, 0, 1, 'float32', 8);
  const {spatialScale, samplingRatio, aligned, outputSize} = w;
  console.log(`\n## ${name}: features [${w.features}], ${w.numBoxes} boxes, spatialScale 1/${1 / spatialScale}, ` +
      `${outputSize}x${outputSize}, samplingRatio ${samplingRatio}${aligned ? ', aligned' : ''}`);

  const X = new ort.Tensor('float32', toNCHW(xValues, w.features), [n, c, h, wd]);
  const rois = new ort.Tensor('float32', Float32Array.from(boxList.flat()), [w.numBoxes, 4]);
  const batchIndices = new ort.Tensor('int64', BigInt64Array.from(boxList.map((_, k) => BigInt(batchOf(k)))), [w.numBoxes]);
  const rois5 = new ort.Tensor('float32', Float32Array.from(boxList.flatMap((b, k) => [batchOf(k), ...b])), [w.numBoxes, 5]);
  const ortShape = [w.numBoxes, c, outputSize, outputSize];

  const ours = (op) => async () => tf.dispose(op());
  const floor = await outputFloor(outputElements);
  const checks = [];

  for (const mode of ['avg', 'max']) {
    const forward = () => roiAlign(x, boxes, boxIndices, outputSize, {spatialScale, samplingRatio, aligned, mode});
    const expected = forward();
    const expectedValues = expected.dataSync();
    const rows = [{name: 'tfjs-roi cpu', t: await time(ours(forward))}];
    const sessions = await ortSessions(roiAlignModel({outputSize, spatialScale, samplingRatio, aligned, mode}));
    for (const [threads, session] of Object.entries(sessions)) {
      const run = () => session.run({X, rois, batch_indices: batchIndices});
      if (mode === 'avg') {
        const worst = assertSame(`ORT RoiAlign (${threads})`, expectedValues, fromNCHW((await run()).Y.data, ortShape), 1e-4);
        checks.push(`ORT RoiAlign avg (${threads}) matches (largest difference ${worst.toExponential(1)})`);
      }
      rows.push({name: `ORT RoiAlign, ${threads}${mode === 'max' ? ' (other max definition: time only)' : ''}`, t: await time(run)});
    }
    if (mode === 'avg' && samplingRatio > 0) {
      // tfjs's composite: sample a (outputSize * s)^2 grid, then average s x s.
      const {normalized, comparable} = compositeBoxes(w, boxList);
      const cropBoxes = tf.tensor2d(normalized, [w.numBoxes, 4]);
      const size = outputSize * samplingRatio;
      const composite = () => tf.tidy(() => tf.avgPool(
          tf.image.cropAndResize(x, cropBoxes, boxIndices, [size, size], 'bilinear'), samplingRatio, samplingRatio, 'valid'));
      const got = composite();
      const indices = comparable.flatMap(k => Array.from({length: outputElements / w.numBoxes}, (_, i) => k * outputElements / w.numBoxes + i));
      const worst = assertSame('cropAndResize + avgPool', expectedValues, got.dataSync(), 1e-3, indices);
      checks.push(`cropAndResize + avgPool matches on the ${comparable.length} of ${w.numBoxes} boxes whose samples stay inside ` +
          `the map (largest difference ${worst.toExponential(1)}); near the border it extrapolates 0 where roiAlign clamps`);
      got.dispose();
      rows.push({name: 'tfjs cropAndResize + avgPool, cpu', t: await time(ours(composite))});
      cropBoxes.dispose();
    }
    formatTable(`### roiAlign forward, '${mode}'`, outputElements, rows, floor);
    expected.dispose();
    if (mode === 'avg') {
      const attrs = {pooledHeight: outputSize, pooledWidth: outputSize, spatialScale, samplingRatio, aligned, mode};
      const inputs = {dy, x, boxes, boxIndices};
      const forwardTime = rows[0].t;
      const dx = await time(ours(() => tf.engine().runKernel('RoIAlignGrad', inputs, attrs)));
      const dboxes = await time(ours(() => tf.engine().runKernel('RoIAlignBoxGrad', inputs, attrs)));
      console.log(`\n### roiAlign backward, 'avg' (no peer has it; ratios against our own forward)
| what | median ms | min ms | max ms | / forward median |
| --- | ---: | ---: | ---: | ---: |
| forward (RoIAlign) | ${ms(forwardTime.median)} | ${ms(forwardTime.min)} | ${ms(forwardTime.max)} | 1.00 |
| w.r.t. x (RoIAlignGrad) | ${ms(dx.median)} | ${ms(dx.min)} | ${ms(dx.max)} | ${(dx.median / forwardTime.median).toFixed(2)} |
| w.r.t. boxes (RoIAlignBoxGrad) | ${ms(dboxes.median)} | ${ms(dboxes.min)} | ${ms(dboxes.max)} | ${(dboxes.median / forwardTime.median).toFixed(2)} |`);
    }
  }

  const pool = () => roiPool(x, boxes, boxIndices, outputSize, {spatialScale});
  const expected = pool();
  const expectedValues = expected.dataSync();
  const rows = [{name: 'tfjs-roi cpu', t: await time(ours(pool))}];
  for (const [threads, session] of Object.entries(await ortSessions(maxRoiPoolModel({outputSize, spatialScale})))) {
    const run = () => session.run({X, rois: rois5});
    const worst = assertSame(`ORT MaxRoiPool (${threads})`, expectedValues, fromNCHW((await run()).Y.data, ortShape), 1e-6);
    checks.push(`ORT MaxRoiPool (${threads}) matches (largest difference ${worst.toExponential(1)})`);
    rows.push({name: `ORT MaxRoiPool, ${threads}`, t: await time(run)});
  }
  formatTable('### roiPool forward', outputElements, rows, floor);
  expected.dispose();
  console.log('\nChecked before timing:\n' + checks.map(line => `- ${line}`).join('\n'));
  tf.dispose([x, boxes, boxIndices, dy]);
}

if (!(await tf.setBackend('cpu')) || tf.getBackend() !== 'cpu') throw new Error('the cpu backend did not start');
console.log(`# tfjs-roi Node benchmark\n\nMachine: ${machine()}\n` +
    `Command: npm run bench${args.length ? ' -- ' + args.join(' ') : ''}\n` +
    `Each time: median, min and max of ${RUNS} runs after at least ${WARMUPS} warm-ups and ${WARMUP_MS} ms of them. ` +
    `"tfjs-roi time / this" below 1 means tfjs-roi is faster. ORT gets NCHW input (transposed outside the timing).`);
for (const [name, w] of Object.entries(WORKLOADS)) {
  if (chosen.length === 0 || chosen.includes(name)) await runWorkload(name, w);
}
