/**
 * The page of the browser benchmark (bench/browser.mjs bundles and drives
 * it): the package on one tfjs backend, tfjs's cropAndResize + avgPool on the
 * same backend, and onnxruntime-web's wasm RoiAlign / MaxRoiPool, on the
 * workloads of the Node benchmark. Every output is checked against the
 * package's cpu kernels before it is timed (ORT's 'max' RoiAlign follows
 * another definition: time only).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import {setThreadsCount, setWasmPaths} from '@tensorflow/tfjs-backend-wasm';

import {multiScaleRoiAlign, roiAlign, roiPool} from '../src/index';
// @ts-ignore: plain ES modules shared with the Node benchmark
import {maxRoiPoolModel, roiAlignModel} from './onnx_models.mjs';
// @ts-ignore
import {assertSame, BENCH_WORKLOADS, DETECTOR_WORKLOADS, roiAlignComposite, seededBoxes, withChannels} from './workloads.mjs';
// @ts-ignore
import {fpnBench, fpnChannels, fpnPoolerValues} from './multi_scale_bench.mjs';

/** onnxruntime-web's wasm build, loaded by its own script tag (ort.wasm.min.js). */
declare const ort: any;

interface Workload {
  features: [number, number, number, number];
  numBoxes: number;
  spatialScale: number;
  outputSize: number;
  samplingRatio: number;
  aligned: boolean;
  image?: {imageH: number, imageW: number, minSide: number};
}

export interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
}

export interface Row {
  name: string;
  t: Timing;
}

const workloads = BENCH_WORKLOADS as Record<string, Workload>;
const OPS = ["roiAlign forward, 'avg'", "roiAlign forward, 'max'", 'roiPool forward'];

/**
 * Waits for results by reading one element of each: GPU queues run in order,
 * so this times the work without timing a large readback. The element is
 * sliced in the tensor's own rank: flattening first would cost a pass over
 * the whole of a webgl output in tfjs's packed layout (a packed reshape)
 * and nothing for an unpacked one, so the timings would differ by layout.
 */
async function settle(tensors: tf.Tensor[]): Promise<void> {
  for (const t of tensors) {
    const first = t.rank === 0 ? t.clone() : tf.slice(t, new Array(t.rank).fill(0), new Array(t.rank).fill(1));
    await first.data();
    first.dispose();
  }
}

/** After at least two warm-up runs and 1 s of them (programs compile, the JIT settles). */
async function time(run: () => Promise<void>, repeats: number): Promise<Timing> {
  const warmupStart = performance.now();
  for (let i = 0; i < 2 || performance.now() - warmupStart < 1000; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return {medianMs: times[Math.floor(times.length / 2)], minMs: times[0], maxMs: times[times.length - 1]};
}

const runAndSettle = (op: () => tf.Tensor|tf.Tensor[]) => async () => {
  const out = [op()].flat();
  await settle(out);
  tf.dispose(out);
};

const timeTensors = (op: () => tf.Tensor|tf.Tensor[], repeats: number) => time(runAndSettle(op), repeats);

/**
 * time() for several ops at once, one run of each in turn, so that a change
 * in the machine's load reaches all of them alike (their ratios hold up on
 * a busy machine, where back-to-back blocks of runs do not).
 */
async function timeAlternating(ops: Record<string, () => tf.Tensor>, repeats: number): Promise<Record<string, Timing>> {
  const runs = Object.entries(ops).map(([name, op]) => [name, runAndSettle(op)] as const);
  const warmupStart = performance.now();
  for (let i = 0; i < 2 || performance.now() - warmupStart < 1000; i++) for (const [, run] of runs) await run();
  const times: Record<string, number[]> = Object.fromEntries(runs.map(([name]) => [name, []]));
  for (let i = 0; i < repeats; i++) {
    for (const [name, run] of runs) {
      const start = performance.now();
      await run();
      times[name].push(performance.now() - start);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, t]) => {
    t.sort((a, b) => a - b);
    return [name, {medianMs: t[Math.floor(t.length / 2)], minMs: t[0], maxMs: t[t.length - 1]}];
  }));
}

interface Inputs {
  boxList: number[][];
  batchIndices: number[];
  outShape: number[];
  xValues: Float32Array;
  dyValues: Float32Array;
  /** The cpu kernels' outputs, by op. */
  expected: Record<string, Float32Array>;
}

const inputCache = new Map<string, Inputs>();

/** The workload's inputs and the cpu kernels' outputs, computed once per page (by key). */
async function workloadInputs(name: string, w: Workload = workloads[name]): Promise<Inputs> {
  const cached = inputCache.get(name);
  if (cached) return cached;
  const [n] = w.features;
  await useBackend('cpu');
  const boxList: number[][] = seededBoxes(w.numBoxes, {...(w.image ?? {}), seed: 1});
  const batchIndices = boxList.map((_, k) => Math.floor(k * n / w.numBoxes));
  const outShape = [w.numBoxes, w.outputSize, w.outputSize, w.features[3]];
  const xValues = await tf.randomNormal(w.features, 0, 1, 'float32', 7).data() as Float32Array;
  const dyValues = await tf.randomNormal(outShape, 0, 1, 'float32', 8).data() as Float32Array;
  const inputs: Inputs = {boxList, batchIndices, outShape, xValues, dyValues, expected: {}};
  const t = tensors(w, inputs);
  for (const [op, run] of Object.entries(forwardOps(w, t))) {
    const y = run();
    inputs.expected[op] = await y.data() as Float32Array;
    y.dispose();
  }
  tf.dispose(Object.values(t));
  inputCache.set(name, inputs);
  return inputs;
}

async function useBackend(backend: string) {
  const ok = await tf.setBackend(backend);
  if (!ok || tf.getBackend() !== backend) throw new Error(`backend ${backend} did not start`);
  // Small inputs would otherwise run on the cpu backend's kernels.
  tf.env().set('WEBGL_CPU_FORWARD', false);
  tf.env().set('WEBGPU_CPU_FORWARD', false);
}

function tensors(w: Workload, inputs: Inputs) {
  return {
    x: tf.tensor4d(inputs.xValues, w.features),
    boxes: tf.tensor2d(inputs.boxList, [w.numBoxes, 4]),
    boxIndices: tf.tensor1d(inputs.batchIndices, 'int32'),
    dy: tf.tensor(inputs.dyValues, inputs.outShape),
  };
}

function forwardOps(w: Workload, {x, boxes, boxIndices}: ReturnType<typeof tensors>): Record<string, () => tf.Tensor> {
  const {spatialScale, samplingRatio, aligned, outputSize} = w;
  return {
    [OPS[0]]: () => roiAlign(x, boxes, boxIndices, outputSize, {spatialScale, samplingRatio, aligned, mode: 'avg'}),
    [OPS[1]]: () => roiAlign(x, boxes, boxIndices, outputSize, {spatialScale, samplingRatio, aligned, mode: 'max'}),
    [OPS[2]]: () => roiPool(x, boxes, boxIndices, outputSize, {spatialScale}),
  };
}

/** The package and the composite on one backend, for one workload. */
async function runBackend(backend: string, name: string, repeats: number) {
  const w = workloads[name];
  const inputs = await workloadInputs(name);
  await useBackend(backend);
  const t = tensors(w, inputs);
  const outputElements = inputs.outShape.reduce((a, b) => a * b);
  const tables: Record<string, Row[]> = {};
  const checks: string[] = [];
  for (const [op, run] of Object.entries(forwardOps(w, t))) {
    const y = run();
    const worst = assertSame(`${backend} ${op}`, inputs.expected[op], await y.data(), 1e-4, null, 'the cpu kernels');
    y.dispose();
    checks.push(`tfjs-roi ${backend}, ${op}: matches the cpu kernels (largest difference ${worst.toExponential(1)})`);
    tables[op] = [{name: `tfjs-roi ${backend}`, t: await timeTensors(run, repeats)}];
  }
  if (w.samplingRatio > 0) {
    const composite = roiAlignComposite(tf, w, inputs.boxList, t.x, t.boxIndices);
    const got = composite.run();
    const worst = assertSame(`cropAndResize + avgPool on ${backend}`, inputs.expected[OPS[0]], await got.data(), 1e-3, composite.indices, 'the cpu kernels');
    got.dispose();
    checks.push(`cropAndResize + avgPool on ${backend}: matches on the ${composite.comparable.length} of ${w.numBoxes} boxes whose ` +
        `samples stay inside the map (largest difference ${worst.toExponential(1)})`);
    tables[OPS[0]].push({name: `tfjs cropAndResize + avgPool, ${backend}`, t: await timeTensors(composite.run, repeats)});
    composite.dispose();
  }
  const attrs = {pooledHeight: w.outputSize, pooledWidth: w.outputSize, spatialScale: w.spatialScale,
                 samplingRatio: w.samplingRatio, aligned: w.aligned, mode: 'avg'};
  const gradInputs = {dy: t.dy, x: t.x, boxes: t.boxes, boxIndices: t.boxIndices};
  const backward = {
    dx: await timeTensors(() => tf.engine().runKernel('RoIAlignGrad', gradInputs, attrs) as tf.Tensor, repeats),
    dboxes: await timeTensors(() => tf.engine().runKernel('RoIAlignBoxGrad', gradInputs, attrs) as tf.Tensor, repeats),
  };
  tf.dispose(Object.values(t));
  return {tables, checks, backward, outputElements};
}

const detectorWorkloads = DETECTOR_WORKLOADS as Record<string, Workload>;

/**
 * The detector rows: forward, dx and dboxes in both modes, and the 'max'
 * winners, by name. As in a training step, 'max' finds its winners once and
 * both gradients read them, so they are timed apart.
 */
const DETECTOR_OPS =
    ["forward 'avg'", "forward 'max'", "winners 'max'", "dx 'avg'", "dx 'max'", "dboxes 'avg'", "dboxes 'max'"];

/** The ops, and the winners tensor the 'max' gradients read (the caller disposes it). */
function detectorOps(w: Workload, t: ReturnType<typeof tensors>):
    {ops: Record<string, () => tf.Tensor>, winners: tf.Tensor} {
  const ops: Record<string, () => tf.Tensor> = {};
  const boxInputs = {x: t.x, boxes: t.boxes, boxIndices: t.boxIndices};
  let winners: tf.Tensor|null = null;
  for (const mode of ['avg', 'max']) {
    const attrs = {pooledHeight: w.outputSize, pooledWidth: w.outputSize, spatialScale: w.spatialScale,
                   samplingRatio: w.samplingRatio, aligned: w.aligned, mode};
    ops[`forward '${mode}'`] = () => tf.engine().runKernel('RoIAlign', boxInputs, attrs) as tf.Tensor;
    let gradInputs: typeof t & {winners?: tf.Tensor} = t;
    if (mode === 'max') {
      ops[`winners '${mode}'`] = () => tf.engine().runKernel('RoIAlignWinners', boxInputs, attrs) as tf.Tensor;
      winners = ops[`winners '${mode}'`]();
      gradInputs = {...t, winners};
    }
    ops[`dx '${mode}'`] = () => tf.engine().runKernel('RoIAlignGrad', gradInputs, attrs) as tf.Tensor;
    ops[`dboxes '${mode}'`] = () => tf.engine().runKernel('RoIAlignBoxGrad', gradInputs, attrs) as tf.Tensor;
  }
  return {ops, winners: winners!};
}

/**
 * A detector workload (DETECTOR_WORKLOADS, issue 13) at C channels on one
 * backend: roiAlign's forward, dx and dboxes in both modes, and the
 * cropAndResize + avgPool composite, each checked against the cpu kernels
 * (the composite on the boxes it can be compared on) before it is timed.
 * `only` names the ops to run (DETECTOR_OPS), which are then timed in turn
 * with the composite (timeAlternating).
 */
async function runDetector(backend: string, name: string, channels: number, repeats: number, only: string[]|null = null) {
  const w = withChannels(detectorWorkloads[name] ?? workloads[name], channels) as Workload;
  const key = `detector ${name} C${channels}`;
  const inputs = await workloadInputs(key, w);
  const wanted = (op: string) => !only || only.includes(op);
  if (DETECTOR_OPS.some(op => wanted(op) && !inputs.expected[op])) {
    await useBackend('cpu');
    const t = tensors(w, inputs);
    const {ops, winners} = detectorOps(w, t);
    for (const [op, run] of Object.entries(ops)) {
      if (!wanted(op)) continue;
      const y = run();
      inputs.expected[op] = await y.data() as Float32Array;
      y.dispose();
    }
    tf.dispose([...Object.values(t), winners]);
  }
  await useBackend(backend);
  const t = tensors(w, inputs);
  const times: Record<string, Timing> = {};
  const checks: string[] = [];
  const {ops, winners} = detectorOps(w, t);
  for (const [op, run] of Object.entries(ops)) {
    if (!wanted(op)) continue;
    const y = run();
    // Gradients sum many terms in another order than the cpu kernels: compare them more loosely.
    const tolerance = op.startsWith('forward') ? 1e-4 : 1e-3;
    const worst = assertSame(`${backend} ${key} ${op}`, inputs.expected[op], await y.data(), tolerance, null, 'the cpu kernels');
    y.dispose();
    checks.push(`tfjs-roi ${backend}, ${key}, ${op}: matches the cpu kernels (largest difference ${worst.toExponential(1)})`);
    if (!only) times[op] = await timeTensors(run, repeats);
  }
  const composite = roiAlignComposite(tf, w, inputs.boxList, t.x, t.boxIndices);
  const got = composite.run();
  const worst = assertSame(`cropAndResize + avgPool on ${backend}`, inputs.expected[DETECTOR_OPS[0]], await got.data(), 1e-3,
                           composite.indices, 'the cpu kernels');
  got.dispose();
  checks.push(`cropAndResize + avgPool on ${backend}, ${key}: matches on the ${composite.comparable.length} of ${w.numBoxes} ` +
              `boxes whose samples stay inside the map (largest difference ${worst.toExponential(1)})`);
  if (only) {
    // The chosen ops and the composite in turn (timeAlternating).
    const chosen = Object.fromEntries(Object.entries(ops).filter(([op]) => wanted(op)));
    Object.assign(times, await timeAlternating({...chosen, composite: composite.run}, repeats));
  } else {
    times.composite = await timeTensors(composite.run, repeats);
  }
  composite.dispose();
  tf.dispose([...Object.values(t), winners]);
  return {times, checks};
}

/** onnxruntime-web's wasm RoiAlign (opset 16) and MaxRoiPool, on NCHW copies of the inputs. */
async function runOrt(name: string, repeats: number) {
  const w = workloads[name];
  const inputs = await workloadInputs(name);
  const [n, h, wd, c] = w.features;
  const xNCHW = new Float32Array(inputs.xValues.length);
  for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let x = 0; x < wd; x++) for (let k = 0; k < c; k++) {
    xNCHW[((b * c + k) * h + y) * wd + x] = inputs.xValues[((b * h + y) * wd + x) * c + k];
  }
  const fromNCHW = (values: Float32Array) => {
    const out = new Float32Array(values.length), o = w.outputSize;
    for (let b = 0; b < w.numBoxes; b++) for (let k = 0; k < c; k++) for (let y = 0; y < o; y++) for (let x = 0; x < o; x++) {
      out[((b * o + y) * o + x) * c + k] = values[((b * c + k) * o + y) * o + x];
    }
    return out;
  };
  const X = new ort.Tensor('float32', xNCHW, [n, c, h, wd]);
  const rois = new ort.Tensor('float32', Float32Array.from(inputs.boxList.flat()), [w.numBoxes, 4]);
  const batchIndices = new ort.Tensor('int64', BigInt64Array.from(inputs.batchIndices.map(BigInt)), [w.numBoxes]);
  const rois5 = new ort.Tensor('float32', Float32Array.from(inputs.boxList.flatMap((b, k) => [inputs.batchIndices[k], ...b])),
                               [w.numBoxes, 5]);
  const {outputSize, spatialScale, samplingRatio, aligned} = w;
  const rows: Record<string, Row> = {};
  const checks: string[] = [];
  const options = {executionProviders: ['wasm']};
  for (const mode of ['avg', 'max']) {
    const session = await ort.InferenceSession.create(roiAlignModel({outputSize, spatialScale, samplingRatio, aligned, mode}), options);
    const run = () => session.run({X, rois, batch_indices: batchIndices});
    const op = mode === 'avg' ? OPS[0] : OPS[1];
    if (mode === 'avg') {
      const worst = assertSame('ORT web RoiAlign', inputs.expected[op], fromNCHW((await run()).Y.data), 1e-4, null, 'the cpu kernels');
      checks.push(`onnxruntime-web wasm RoiAlign 'avg': matches the cpu kernels (largest difference ${worst.toExponential(1)})`);
    }
    rows[op] = {name: `ORT web wasm RoiAlign${mode === 'max' ? ' (other max definition: time only)' : ''}`,
                t: await time(async () => void await run(), repeats)};
    await session.release();
  }
  try {
    const session = await ort.InferenceSession.create(maxRoiPoolModel({outputSize, spatialScale}), options);
    const run = () => session.run({X, rois: rois5});
    const worst = assertSame('ORT web MaxRoiPool', inputs.expected[OPS[2]], fromNCHW((await run()).Y.data), 1e-6, null, 'the cpu kernels');
    checks.push(`onnxruntime-web wasm MaxRoiPool: matches the cpu kernels (largest difference ${worst.toExponential(1)})`);
    rows[OPS[2]] = {name: 'ORT web wasm MaxRoiPool', t: await time(async () => void await run(), repeats)};
    await session.release();
  } catch (e) {
    checks.push(`onnxruntime-web wasm MaxRoiPool: not timed (${(e as Error).message.split('\n')[0]})`);
  }
  return {rows, checks};
}

const page = window as unknown as Record<string, unknown>;
page.benchOps = OPS;
page.runBackend = runBackend;
page.runOrt = runOrt;
page.runDetector = runDetector;
page.detectorWorkloads = Object.keys(DETECTOR_WORKLOADS);
page.setWebGLScatter = (on: boolean) => tf.env().set('ROI_WEBGL_SCATTER', on);
page.ortVersion = () => ort.env.versions?.web ?? ort.env.versions?.common ?? 'unknown';
page.configureOrt = (wasmPaths: string) => {
  ort.env.wasm.wasmPaths = wasmPaths;
  // One thread, as the cpu kernels.
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
};
page.isolated = () => crossOriginIsolated;
// The wasm backend (issue 16): where its binaries are served, and one thread,
// as the cpu kernels and ORT (the RoI kernels are single-threaded anyway).
page.configureTfjsWasm = (wasmPaths: string) => {
  setWasmPaths(wasmPaths);
  setThreadsCount(1);
};
// The FPN pooler (issue 15): bench/multi_scale_bench.mjs on one backend, checked against the cpu kernels first.
page.runFpn = async (backend: string, repeats: number) => {
  const ops = {multiScaleRoiAlign, roiAlign};
  let expected = null;
  if (backend !== 'cpu') {
    await useBackend('cpu');
    expected = await fpnPoolerValues(tf, ops, fpnChannels(backend));
  }
  await useBackend(backend);
  const timeFpn = async (run: () => Promise<void>) => {
    const t = await time(run, repeats);
    return {median: t.medianMs, min: t.minMs, max: t.maxMs};
  };
  return fpnBench(tf, ops, {time: timeFpn, settle, expected});
};
page.benchReady = true;
