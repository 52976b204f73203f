// npm run bench: the cpu kernels against ONNX Runtime (onnxruntime-node,
// single-threaded and default-threaded) and against tfjs's own composite
// (cropAndResize then avgPool), on the workloads of issue 6. Every peer is
// first checked to compute the same values (ORT's 'max' RoiAlign follows
// another definition, so it is compared for time only). With --backends
// webgpu, also the webgpu kernels on Dawn against the same composite on
// webgpu, checked against the cpu kernels first.
//
//   npm run bench                  all workloads, cpu backend
//   npm run bench -- W1 W4         some of them
//   npm run bench -- --runs 20     more timed runs (default 10, after 2 warm-ups)
//   npm run bench -- --backends cpu,webgpu
//                                  webgpu too. Dawn runs on SwiftShader here,
//                                  a software GPU: W1-W3 take minutes per
//                                  table, so try W4 or --runs 3 first.
//   npm run bench -- --backends wasm
//                                  the wasm kernels (@tensorflow/tfjs-backend-wasm)
//                                  beside the cpu kernels, op by op.
//   npm run bench -- --detector    only the detector rows (issue 14) on webgpu:
//                                  P3 and P2 at C = 16 and 64, forward 'avg'
//                                  and 'max', the 'max' winners, dx, dboxes
//                                  (for 'max' given the winners, as in a
//                                  training step) and the composite.
//   npm run bench -- --detector --dx-lanes
//                                  also RoIAlign's dx in channel lanes
//                                  (ROI_WEBGPU_DX_LANES 'lanes') against the
//                                  block gather ('block'), in the same run.
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';

import {roiAlign, roiPool} from '../dist/index.mjs';
import {
  assertSame, BENCH_WORKLOADS, DETECTOR_CHANNELS, DETECTOR_WORKLOADS, roiAlignComposite, seededBoxes, withChannels,
} from './workloads.mjs';
import {maxRoiPoolModel, roiAlignModel} from './onnx_models.mjs';
import {loadOnnxRuntime, ORT_VERSION} from './onnxruntime.mjs';
import {startNodeWebGPU} from '../examples/node_webgpu.mjs';
import {multiScaleRoiAlign} from '../dist/index.mjs';
import {fpnBench, fpnChannels, fpnPoolerValues, fpnTable} from './multi_scale_bench.mjs';

const ort = loadOnnxRuntime();

tf.env().set('IS_TEST', true);  // quiets the tfjs-node advice
ort.env.logLevel = 'error';  // ORT warns on every 'max' session about its max definition

const WORKLOADS = BENCH_WORKLOADS;

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 10;
const WARMUPS = 2;
const WARMUP_MS = 1000;
const backendsAt = args.indexOf('--backends');
const BACKENDS = backendsAt >= 0 ? args[backendsAt + 1].split(',') : ['cpu'];
const chosen = args.filter(a => /^W\d$/.test(a));
const DETECTOR_ONLY = args.includes('--detector');
const DX_LANES = args.includes('--dx-lanes');
for (const b of BACKENDS) if (b !== 'cpu' && b !== 'webgpu' && b !== 'wasm') throw new Error(`--backends: no backend ${b} in Node`);

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
  if (floor) lines.push(`\n(Allocating and writing a fresh Float32Array of the output's size alone: ${ms(floor.median)} ms median.)`);
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
  // The cpu kernels with their WebAssembly SIMD loops turned off (tf.env flag ROI_CPU_WASM).
  const javascriptOnly = (op) => () => {
    tf.env().set('ROI_CPU_WASM', false);
    try {
      return op();
    } finally {
      tf.env().set('ROI_CPU_WASM', true);
    }
  };
  const floor = await outputFloor(outputElements);
  const checks = [];

  for (const mode of ['avg', 'max']) {
    const forward = () => roiAlign(x, boxes, boxIndices, outputSize, {spatialScale, samplingRatio, aligned, mode});
    const expected = forward();
    const expectedValues = expected.dataSync();
    const rows = [{name: 'tfjs-roi cpu', t: await time(ours(forward))}];
    if (mode === 'avg') rows.push({name: 'tfjs-roi cpu, JavaScript only', t: await time(ours(javascriptOnly(forward)))});
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
      const composite = roiAlignComposite(tf, w, boxList, x, boxIndices);
      const got = composite.run();
      const worst = assertSame('cropAndResize + avgPool', expectedValues, got.dataSync(), 1e-3, composite.indices);
      checks.push(`cropAndResize + avgPool matches on the ${composite.comparable.length} of ${w.numBoxes} boxes whose samples stay inside ` +
          `the map (largest difference ${worst.toExponential(1)}); near the border it extrapolates 0 where roiAlign clamps`);
      got.dispose();
      rows.push({name: 'tfjs cropAndResize + avgPool, cpu', t: await time(ours(composite.run))});
      composite.dispose();
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
  rows.push({name: 'tfjs-roi cpu, JavaScript only', t: await time(ours(javascriptOnly(pool)))});
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

/**
 * Waits for a GPU result by reading one element of each tensor: the queue
 * runs in order, so this times the work without a large readback.
 */
async function settle(result) {
  for (const t of [result].flat()) {
    const first = tf.slice(tf.reshape(t, [-1]), 0, 1);
    await first.data();
    first.dispose();
  }
}

const onGPU = (op) => async () => {
  const result = op();
  await settle(result);
  tf.dispose(result);
};

/** The workload's inputs as plain arrays, the same on every backend. */
async function workloadValues(w) {
  const [n] = w.features;
  const boxList = seededBoxes(w.numBoxes, {...(w.image ?? {}), seed: 1});
  const batchIndices = boxList.map((_, k) => Math.floor(k * n / w.numBoxes));
  const outShape = [w.numBoxes, w.outputSize, w.outputSize, w.features[3]];
  const xValues = await tf.randomNormal(w.features, 0, 1, 'float32', 7).data();
  const dyValues = await tf.randomNormal(outShape, 0, 1, 'float32', 8).data();
  return {boxList, batchIndices, outShape, xValues, dyValues};
}

/** The forward ops of a workload, on whatever backend is current. */
function forwardOps(w, x, boxes, boxIndices) {
  const {spatialScale, samplingRatio, aligned, outputSize} = w;
  return {
    "roiAlign forward, 'avg'": () => roiAlign(x, boxes, boxIndices, outputSize, {spatialScale, samplingRatio, aligned, mode: 'avg'}),
    "roiAlign forward, 'max'": () => roiAlign(x, boxes, boxIndices, outputSize, {spatialScale, samplingRatio, aligned, mode: 'max'}),
    'roiPool forward': () => roiPool(x, boxes, boxIndices, outputSize, {spatialScale}),
  };
}

/**
 * The webgpu kernels on Dawn, against cropAndResize + avgPool on webgpu; each
 * output is first checked against the cpu kernels.
 */
async function runWebGPUWorkload(name, w) {
  const {boxList, batchIndices, outShape, xValues, dyValues} = await workloadValues(w);
  const outputElements = outShape.reduce((a, b) => a * b);
  const tensors = () => ({
    x: tf.tensor4d(xValues, w.features),
    boxes: tf.tensor2d(boxList, [w.numBoxes, 4]),
    boxIndices: tf.tensor1d(batchIndices, 'int32'),
    dy: tf.tensor(dyValues, outShape),
  });
  // The cpu kernels' values, for the checks.
  await tf.setBackend('cpu');
  const cpuInputs = tensors();
  const expected = {};
  for (const [what, op] of Object.entries(forwardOps(w, cpuInputs.x, cpuInputs.boxes, cpuInputs.boxIndices))) {
    const y = op();
    expected[what] = await y.data();
    y.dispose();
  }
  tf.dispose(Object.values(cpuInputs));
  if (!(await tf.setBackend('webgpu')) || tf.getBackend() !== 'webgpu') throw new Error('the webgpu backend did not start');
  const {x, boxes, boxIndices, dy} = tensors();
  const {spatialScale, samplingRatio, aligned, outputSize} = w;
  console.log(`\n## ${name} on webgpu (Dawn over SwiftShader, a software GPU): features [${w.features}], ${w.numBoxes} boxes, ` +
      `spatialScale 1/${1 / spatialScale}, ${outputSize}x${outputSize}, samplingRatio ${samplingRatio}${aligned ? ', aligned' : ''}`);
  const checks = [];
  for (const [what, op] of Object.entries(forwardOps(w, x, boxes, boxIndices))) {
    const y = op();
    const worst = assertSame(`webgpu ${what}`, expected[what], await y.data(), 1e-4);
    y.dispose();
    checks.push(`webgpu ${what} matches the cpu kernels (largest difference ${worst.toExponential(1)})`);
    const rows = [{name: 'tfjs-roi webgpu', t: await time(onGPU(op))}];
    if (what.endsWith("'avg'") && samplingRatio > 0) {
      const composite = roiAlignComposite(tf, w, boxList, x, boxIndices);
      const got = composite.run();
      const worstComposite = assertSame('cropAndResize + avgPool on webgpu', expected[what], await got.data(), 1e-3, composite.indices);
      got.dispose();
      checks.push(`cropAndResize + avgPool on webgpu matches on the ${composite.comparable.length} of ${w.numBoxes} boxes whose samples ` +
          `stay inside the map (largest difference ${worstComposite.toExponential(1)})`);
      rows.push({name: 'tfjs cropAndResize + avgPool, webgpu', t: await time(onGPU(composite.run))});
      composite.dispose();
    }
    formatTable(`### ${what} (webgpu)`, outputElements, rows, null);
    if (what.endsWith("'avg'")) {
      const attrs = {pooledHeight: outputSize, pooledWidth: outputSize, spatialScale, samplingRatio, aligned, mode: 'avg'};
      const inputs = {dy, x, boxes, boxIndices};
      const forwardTime = rows[0].t;
      const dx = await time(onGPU(() => tf.engine().runKernel('RoIAlignGrad', inputs, attrs)));
      const dboxes = await time(onGPU(() => tf.engine().runKernel('RoIAlignBoxGrad', inputs, attrs)));
      console.log(`\n### roiAlign backward, 'avg' (webgpu; ratios against its own forward)
| what | median ms | min ms | max ms | / forward median |
| --- | ---: | ---: | ---: | ---: |
| forward (RoIAlign) | ${ms(forwardTime.median)} | ${ms(forwardTime.min)} | ${ms(forwardTime.max)} | 1.00 |
| w.r.t. x (RoIAlignGrad) | ${ms(dx.median)} | ${ms(dx.min)} | ${ms(dx.max)} | ${(dx.median / forwardTime.median).toFixed(2)} |
| w.r.t. boxes (RoIAlignBoxGrad) | ${ms(dboxes.median)} | ${ms(dboxes.min)} | ${ms(dboxes.max)} | ${(dboxes.median / forwardTime.median).toFixed(2)} |`);
    }
  }
  console.log('\nChecked before timing:\n' + checks.map(line => `- ${line}`).join('\n'));
  tf.dispose([x, boxes, boxIndices, dy]);
}


// ---- wasm (issue 16): the wasm kernels beside the cpu kernels, op by op. ----

async function useNodeBackend(backend) {
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) throw new Error(`the ${backend} backend did not start`);
}

/**
 * Each op on the cpu backend, then on wasm (checked against the cpu values
 * first), with wasm's time over cpu's: the two share their implementations,
 * so the ratio is what the backends around them cost.
 */
async function runWasmWorkload(name, w) {
  await import('@tensorflow/tfjs-backend-wasm');
  const {boxList, batchIndices, outShape, xValues, dyValues} = await workloadValues(w);
  const outputElements = outShape.reduce((a, b) => a * b);
  const {spatialScale, samplingRatio, aligned, outputSize} = w;
  const gradAttrs = {pooledHeight: outputSize, pooledWidth: outputSize, spatialScale, samplingRatio, aligned, mode: 'avg'};
  const opsOn = ({x, boxes, boxIndices, dy}) => ({
    ...forwardOps(w, x, boxes, boxIndices),
    "roiAlign backward w.r.t. x, 'avg' (RoIAlignGrad)": () => tf.engine().runKernel('RoIAlignGrad', {dy, x, boxes, boxIndices}, gradAttrs),
    "roiAlign backward w.r.t. boxes, 'avg' (RoIAlignBoxGrad)": () => tf.engine().runKernel('RoIAlignBoxGrad', {dy, x, boxes, boxIndices}, gradAttrs),
  });
  // Inputs on each backend; each op is timed on cpu and right after on wasm,
  // so that a busy machine's swings fall on both alike.
  const inputsOn = {};
  for (const backend of ['cpu', 'wasm']) {
    await useNodeBackend(backend);
    inputsOn[backend] = {
      x: tf.tensor4d(xValues, w.features), boxes: tf.tensor2d(boxList, [w.numBoxes, 4]),
      boxIndices: tf.tensor1d(batchIndices, 'int32'), dy: tf.tensor(dyValues, outShape),
    };
  }
  const measured = {};
  for (const what of Object.keys(opsOn(inputsOn.cpu))) {
    measured[what] = {};
    for (const backend of ['cpu', 'wasm']) {
      await useNodeBackend(backend);
      const op = opsOn(inputsOn[backend])[what];
      const y = op();
      const values = y.dataSync();
      y.dispose();
      measured[what][backend] = {values, t: await time(async () => tf.dispose(op()))};
    }
  }
  for (const backend of ['cpu', 'wasm']) {
    await useNodeBackend(backend);
    tf.dispose(Object.values(inputsOn[backend]));
  }
  console.log(`\n## ${name} on wasm: features [${w.features}], ${w.numBoxes} boxes, spatialScale 1/${1 / spatialScale}, ` +
      `${outputSize}x${outputSize}, samplingRatio ${samplingRatio}${aligned ? ', aligned' : ''}`);
  const lines = ['| op | cpu median ms | wasm median ms | wasm min ms | wasm max ms | wasm / cpu |', '| --- | ---: | ---: | ---: | ---: | ---: |'];
  const checks = [];
  for (const [what, {cpu, wasm}] of Object.entries(measured)) {
    const worst = assertSame(`wasm ${what}`, cpu.values, wasm.values, 1e-5);
    checks.push(`wasm ${what} matches the cpu kernels (largest difference ${worst.toExponential(1)})`);
    lines.push(`| ${what} | ${ms(cpu.t.median)} | ${ms(wasm.t.median)} | ${ms(wasm.t.min)} | ${ms(wasm.t.max)} | ${
        (wasm.t.median / cpu.t.median).toFixed(2)} |`);
  }
  console.log(lines.join('\n') + `\n\n(${outputElements} output elements in the forwards.)\n\nChecked before timing:\n` +
      checks.map(line => `- ${line}`).join('\n'));
  await tf.setBackend('cpu');
}
// ---- end of the wasm block ----

async function gpuDescription() {
  const started = await startNodeWebGPU();
  if (!started.ok) throw new Error(`--backends webgpu: WebGPU did not start in Node (${started.reason})`);
  const adapter = await navigator.gpu.requestAdapter();
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unknown adapter';
}

/**
 * The detector rows (issue 14) on webgpu: per workload and C, the forward
 * in both modes, the composite, and both gradients in both modes, each
 * checked against the cpu kernels first; then the ratios the issue sets
 * targets for.
 */
async function runDetectorRows() {
  const lines = ['\n## Detector workloads on webgpu (Dawn over SwiftShader, a software GPU): 200 boxes, 7x7, samplingRatio 2',
    '| workload | C | forward avg ms | forward max ms | composite ms | winners max ms | dx avg ms | dx max ms | dboxes avg ms | dboxes max ms | ' +
        'dx/fwd avg | dx/fwd max | dboxes/fwd avg | dboxes/fwd max | fwd avg/composite |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];
  const checks = [];
  const dxMedians = {};
  for (const channels of DETECTOR_CHANNELS) {
    for (const [name, base] of Object.entries(DETECTOR_WORKLOADS)) {
      const w = withChannels(base, channels);
      const {boxList, batchIndices, outShape, xValues, dyValues} = await workloadValues(w);
      const {spatialScale, samplingRatio, aligned, outputSize} = w;
      const attrsOf = mode => ({pooledHeight: outputSize, pooledWidth: outputSize, spatialScale, samplingRatio, aligned, mode});
      const tensors = () => ({
        x: tf.tensor4d(xValues, w.features),
        boxes: tf.tensor2d(boxList, [w.numBoxes, 4]),
        boxIndices: tf.tensor1d(batchIndices, 'int32'),
        dy: tf.tensor(dyValues, outShape),
      });
      // As in a training step, 'max' finds its winners once (RoIAlignWinners)
      // and both gradients read them: they are timed apart.
      const winnerInputs = new Map();
      const gradInputs = (inputs, mode) => {
        if (mode === 'avg') return inputs;
        if (!winnerInputs.has(inputs)) {
          const {x, boxes, boxIndices} = inputs;
          winnerInputs.set(inputs, {...inputs, winners: tf.engine().runKernel('RoIAlignWinners', {x, boxes, boxIndices}, attrsOf('max'))});
        }
        return winnerInputs.get(inputs);
      };
      // The dx gather's layout (ROI_WEBGPU_DX_LANES) while op runs on webgpu; null: the default.
      const dxWith = (layout, op) => () => {
        if (layout === null || tf.getBackend() !== 'webgpu') return op();
        tf.env().set('ROI_WEBGPU_DX_LANES', layout);
        try {
          return op();
        } finally {
          tf.env().set('ROI_WEBGPU_DX_LANES', 'auto');
        }
      };
      const passes = inputs => Object.fromEntries(['avg', 'max'].flatMap(mode => [
        [`forward ${mode}`, () => roiAlign(inputs.x, inputs.boxes, inputs.boxIndices, outputSize,
                                           {spatialScale, samplingRatio, aligned, mode})],
        ...(mode === 'max' ? [['winners max', () => tf.engine().runKernel(
            'RoIAlignWinners', {x: inputs.x, boxes: inputs.boxes, boxIndices: inputs.boxIndices}, attrsOf(mode))]] : []),
        [`dx ${mode}`, dxWith(DX_LANES ? 'block' : null, () => tf.engine().runKernel('RoIAlignGrad', gradInputs(inputs, mode), attrsOf(mode)))],
        ...(DX_LANES ? [[`dx ${mode} lanes`, dxWith('lanes', () => tf.engine().runKernel('RoIAlignGrad', gradInputs(inputs, mode), attrsOf(mode)))]] : []),
        [`dboxes ${mode}`, () => tf.engine().runKernel('RoIAlignBoxGrad', gradInputs(inputs, mode), attrsOf(mode))],
      ]));
      await tf.setBackend('cpu');
      const cpuInputs = tensors();
      const expected = {};
      for (const [what, op] of Object.entries(passes(cpuInputs))) {
        const y = op();
        expected[what] = await y.data();
        y.dispose();
      }
      tf.dispose([...Object.values(cpuInputs), ...[...winnerInputs.values()].map(i => i.winners)]);
      winnerInputs.clear();
      if (!(await tf.setBackend('webgpu')) || tf.getBackend() !== 'webgpu') throw new Error('the webgpu backend did not start');
      const inputs = tensors();
      const t = {};
      for (const [what, op] of Object.entries(passes(inputs))) {
        const y = op();
        // Gradients sum many terms in another order than the cpu kernels.
        const worst = assertSame(`webgpu ${what}`, expected[what], await y.data(), what.startsWith('forward') ? 1e-4 : 1e-3);
        y.dispose();
        checks.push(`${name} C=${channels} webgpu ${what} matches the cpu kernels (largest difference ${worst.toExponential(1)})`);
        t[what] = (await time(onGPU(op))).median;
      }
      const composite = roiAlignComposite(tf, w, boxList, inputs.x, inputs.boxIndices);
      t.composite = (await time(onGPU(composite.run))).median;
      composite.dispose();
      tf.dispose([...Object.values(inputs), ...[...winnerInputs.values()].map(i => i.winners)]);
      winnerInputs.clear();
      dxMedians[`${name} ${channels}`] = t;
      const r = (a, b) => (a / b).toFixed(2);
      lines.push(`| ${name} | ${channels} | ${ms(t['forward avg'])} | ${ms(t['forward max'])} | ${ms(t.composite)} | ${ms(t['winners max'])} | ${
          ms(t['dx avg'])} | ${ms(t['dx max'])} | ${ms(t['dboxes avg'])} | ${ms(t['dboxes max'])} | ${
          r(t['dx avg'], t['forward avg'])} | ${r(t['dx max'], t['forward max'])} | ${r(t['dboxes avg'], t['forward avg'])} | ${
          r(t['dboxes max'], t['forward max'])} | ${r(t['forward avg'], t.composite)} |`);
    }
  }
  if (DX_LANES) {
    lines.push('\nRoIAlign dx in channel lanes against the block gather (same run):',
        '| workload | C | dx avg block ms | dx avg lanes ms | lanes/block avg | dx max block ms | dx max lanes ms | lanes/block max |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const channels of DETECTOR_CHANNELS) {
      for (const name of Object.keys(DETECTOR_WORKLOADS)) {
        const t = dxMedians[`${name} ${channels}`];
        lines.push(`| ${name} | ${channels} | ${ms(t['dx avg'])} | ${ms(t['dx avg lanes'])} | ${(t['dx avg lanes'] / t['dx avg']).toFixed(2)} | ${
            ms(t['dx max'])} | ${ms(t['dx max lanes'])} | ${(t['dx max lanes'] / t['dx max']).toFixed(2)} |`);
      }
    }
  }
  lines.push('\ndx growth from P3 to P2 (same boxes, 4x the map):');
  for (const channels of DETECTOR_CHANNELS) {
    const p3 = dxMedians[`P3 ${channels}`], p2 = dxMedians[`P2 ${channels}`];
    lines.push(`- C=${channels}: 'avg' ${(p2['dx avg'] / p3['dx avg']).toFixed(2)}x, 'max' ${
        (p2['dx max'] / p3['dx max']).toFixed(2)}x`);
  }
  console.log(lines.join('\n'));
  console.log('\nChecked before timing:\n' + checks.map(line => `- ${line}`).join('\n'));
}

const gpu = BACKENDS.includes('webgpu') || DETECTOR_ONLY ? await gpuDescription() : null;
if (!(await tf.setBackend('cpu')) || tf.getBackend() !== 'cpu') throw new Error('the cpu backend did not start');
console.log(`# tfjs-roi Node benchmark\n\nMachine: ${machine()}${gpu ? `; webgpu: Dawn on ${gpu}` : ''}\n` +
    `Command: npm run bench${args.length ? ' -- ' + args.join(' ') : ''}\n` +
    `Each time: median, min and max of ${RUNS} runs after at least ${WARMUPS} warm-ups and ${WARMUP_MS} ms of them. ` +
    `"tfjs-roi time / this" below 1 means tfjs-roi is faster. ORT gets NCHW input (transposed outside the timing).` +
    (gpu ? ' A webgpu run ends when one element of its output has been read back.' : ''));
// --only fpn: the FPN pooler table alone (issue 15); FPN among the workload names runs it too.
const onlyFpn = args.includes('--only') && args[args.indexOf('--only') + 1] === 'fpn';
if (DETECTOR_ONLY) await runDetectorRows();
for (const [name, w] of Object.entries(WORKLOADS)) {
  if (onlyFpn || DETECTOR_ONLY || (chosen.length > 0 && !chosen.includes(name))) continue;
  if (BACKENDS.includes('cpu')) await runWorkload(name, w);
  if (BACKENDS.includes('webgpu')) await runWebGPUWorkload(name, w);
  if (BACKENDS.includes('wasm')) await runWasmWorkload(name, w);
}

/** The FPN pooler on each backend asked for (bench/multi_scale_bench.mjs); a GPU is checked against the cpu kernels first. */
async function runFpn() {
  const ops = {multiScaleRoiAlign, roiAlign};
  for (const backend of BACKENDS) {
    let expected = null;
    if (backend !== 'cpu') {
      await tf.setBackend('cpu');
      expected = await fpnPoolerValues(tf, ops, fpnChannels(backend));
    }
    if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) throw new Error(`the ${backend} backend did not start`);
    const result = await fpnBench(tf, ops, {time, settle, expected});
    console.log(fpnTable(result));
    if (result.checks.length) console.log('\nChecked before timing:\n' + result.checks.map(line => `- ${line}`).join('\n'));
  }
}
if (onlyFpn || (!DETECTOR_ONLY && chosen.length === 0) || args.includes('FPN')) await runFpn();
