// The FPN pooler benchmark (issue 15), shared by the Node benchmark
// (bench/node.mjs) and the browser page (bench/browser_page.ts): the
// multiScaleRoiAlign forward and backward on FPN_WORKLOAD against roiAlign of
// the same boxes on its finest level alone (the same samples and output
// size), and on cpu against torchvision's MultiScaleRoIAlign, timed once and
// recorded below as the ONNX Runtime rows are.
import {FPN_WORKLOAD, seededBoxes, seededUniform} from './workloads.mjs';

/**
 * torchvision 0.14.1 (torch 1.13, Debian's python3-torchvision) on this
 * workload with C = 256, torch.set_num_threads(1), measured once with
 * bench/multi_scale_torchvision.py: MultiScaleRoIAlign forward under
 * no_grad, and its backward (autograd.grad of the output w.r.t. the four
 * levels, the forward outside the timing), medians of 10 runs after 2
 * warm-ups, on the 2-core VM of the session that measured them while five
 * other sessions shared it (min-max: forward 674-1192 ms, backward
 * 1395-6023 ms).
 */
export const TORCHVISION_FPN_MS = {forward: 933, backward: 3010, machine: 'shared 2-core VM, loaded'};

const KERNEL = 'MultiScaleRoIAlign';

/**
 * The pooler's kernel call as the op makes it (its inputs and attributes),
 * captured from one forward run, so that the backward kernels can be timed
 * alone with the exact attributes (the level thresholds included).
 */
function capturedKernelCall(tf, run) {
  const engine = tf.engine();
  const original = engine.runKernel;
  let captured = null;
  engine.runKernel = function(kernelName, inputs, attrs) {
    if (kernelName === KERNEL) captured = {inputs, attrs};
    return original.call(this, kernelName, inputs, attrs);
  };
  try {
    tf.dispose(run());
  } finally {
    engine.runKernel = original;
  }
  if (captured === null) throw new Error(`multiScaleRoiAlign did not run the ${KERNEL} kernel on ${tf.getBackend()}`);
  return captured;
}

/** The workload's values, the same on every backend. */
function workloadValues(channels) {
  const w = FPN_WORKLOAD;
  const random = seededUniform(11);
  const levelValues = w.levels.map(([n, h, wd]) => Float32Array.from({length: n * h * wd * channels}, () => 2 * random() - 1));
  const boxList = seededBoxes(w.numBoxes, {imageH: w.imageSize[0], imageW: w.imageSize[1], seed: 1});
  const dyValues = Float32Array.from({length: w.numBoxes * w.outputSize * w.outputSize * channels}, () => 2 * random() - 1);
  return {levelValues, boxList, dyValues};
}

/**
 * Times the pooler and roiAlign on P2 on the current backend of `tf`.
 * ops: {multiScaleRoiAlign, roiAlign} from the package; time(run) gives
 * {median, min, max} in ms of async runs; settle(tensors) waits for results.
 * expected: the cpu backend's pooler output, to check against (or null).
 * Returns rows {name, forward, backward} and the checks made.
 */
export async function fpnBench(tf, ops, {time, settle, expected = null}) {
  const w = FPN_WORKLOAD;
  const backend = tf.getBackend();
  const channels = fpnChannels(backend);
  const {levelValues, boxList, dyValues} = workloadValues(channels);
  const levels = w.levels.map((shape, l) => tf.tensor4d(levelValues[l], [...shape, channels]));
  const boxes = tf.tensor2d(boxList, [w.numBoxes, 4]);
  const boxIndices = tf.zeros([w.numBoxes], 'int32');
  const dy = tf.tensor4d(dyValues, [w.numBoxes, w.outputSize, w.outputSize, channels]);
  const options = {imageSize: w.imageSize, samplingRatio: w.samplingRatio};
  const pool = () => ops.multiScaleRoiAlign(levels, boxes, boxIndices, w.outputSize, options);
  const oneLevelAttrs = {
    pooledHeight: w.outputSize, pooledWidth: w.outputSize, spatialScale: w.levels[0][1] / w.imageSize[0],
    samplingRatio: w.samplingRatio, aligned: false, mode: 'avg'
  };
  const {spatialScale, samplingRatio} = oneLevelAttrs;
  const oneLevel = () => ops.roiAlign(levels[0], boxes, boxIndices, w.outputSize, {spatialScale, samplingRatio});
  const timed = run => time(async () => {
    const result = run();
    await settle([result].flat());
    tf.dispose(result);
  });
  const checks = [];
  try {
    const y = pool();
    const got = await y.data();
    y.dispose();
    if (expected !== null) {
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
      if (!(worst <= 1e-4)) throw new Error(`${backend} pooler differs from the cpu kernels by ${worst}`);
      checks.push(`${backend} multiScaleRoiAlign matches the cpu kernels (largest difference ${worst.toExponential(1)})`);
    }
    const call = capturedKernelCall(tf, pool);
    const gradInputs = [...call.inputs, dy];
    const poolBackward = () => [
      ...tf.engine().runKernel('MultiScaleRoIAlignGrad', gradInputs, call.attrs),
      tf.engine().runKernel('MultiScaleRoIAlignBoxGrad', gradInputs, call.attrs)
    ];
    const poolDx = () => tf.engine().runKernel('MultiScaleRoIAlignGrad', gradInputs, call.attrs);
    const oneInputs = {dy, x: levels[0], boxes, boxIndices};
    const oneBackward = () => [
      tf.engine().runKernel('RoIAlignGrad', oneInputs, oneLevelAttrs),
      tf.engine().runKernel('RoIAlignBoxGrad', oneInputs, oneLevelAttrs)
    ];
    const oneDx = () => tf.engine().runKernel('RoIAlignGrad', oneInputs, oneLevelAttrs);
    const rows = [
      {name: `multiScaleRoiAlign (${w.levels.length} levels)`, forward: await timed(pool), backward: await timed(poolBackward),
       dx: await timed(poolDx)},
      {name: 'roiAlign on P2 alone', forward: await timed(oneLevel), backward: await timed(oneBackward), dx: await timed(oneDx)},
    ];
    return {backend, channels, rows, checks};
  } finally {
    tf.dispose([...levels, boxes, boxIndices, dy]);
  }
}

/** C of the workload on a backend: FPN_WORKLOAD.channels.cpu on cpu, .gpu elsewhere. */
export function fpnChannels(backend) {
  return backend === 'cpu' ? FPN_WORKLOAD.channels.cpu : FPN_WORKLOAD.channels.gpu;
}

/** The pooler's output values on the current backend at C channels: what fpnBench checks a GPU against. */
export async function fpnPoolerValues(tf, ops, channels) {
  const w = FPN_WORKLOAD;
  const {levelValues, boxList} = workloadValues(channels);
  const y = tf.tidy(() => ops.multiScaleRoiAlign(
      w.levels.map((shape, l) => tf.tensor4d(levelValues[l], [...shape, channels])), tf.tensor2d(boxList, [w.numBoxes, 4]),
      tf.zeros([w.numBoxes], 'int32'), w.outputSize, {imageSize: w.imageSize, samplingRatio: w.samplingRatio}));
  const values = await y.data();
  y.dispose();
  return values;
}

/** The markdown table of one backend's fpnBench result. */
export function fpnTable(result) {
  const w = FPN_WORKLOAD;
  const ms = t => t.toFixed(t < 1 ? 3 : 1);
  const [pooler, one] = result.rows;
  const lines = [
    `\n### FPN pooler on ${result.backend}: levels P2..P5 of ${w.imageSize.join('x')}, ${w.numBoxes} boxes, ` +
        `${w.outputSize}x${w.outputSize}, samplingRatio ${w.samplingRatio}, C ${result.channels}`,
    '| what | forward median ms (min-max) | backward: dx and dboxes | backward: dx only |',
    '| --- | ---: | ---: | ---: |',
    ...result.rows.map(r => `| ${r.name} | ${ms(r.forward.median)} (${ms(r.forward.min)}-${ms(r.forward.max)}) | ${
        ms(r.backward.median)} (${ms(r.backward.min)}-${ms(r.backward.max)}) | ${ms(r.dx.median)} (${ms(r.dx.min)}-${
        ms(r.dx.max)}) |`),
    `| pooler / one level | ${(pooler.forward.median / one.forward.median).toFixed(2)}x | ${
        (pooler.backward.median / one.backward.median).toFixed(2)}x | ${(pooler.dx.median / one.dx.median).toFixed(2)}x |`,
  ];
  if (result.backend === 'cpu' && Number.isFinite(TORCHVISION_FPN_MS.forward)) {
    lines.push(
        `| torchvision MultiScaleRoIAlign, 1 thread (recorded: ${TORCHVISION_FPN_MS.machine}) | ${
            ms(TORCHVISION_FPN_MS.forward)} | (no box gradient) | ${ms(TORCHVISION_FPN_MS.backward)} |`,
        `| pooler / torchvision | ${(pooler.forward.median / TORCHVISION_FPN_MS.forward).toFixed(2)}x | | ${
            (pooler.dx.median / TORCHVISION_FPN_MS.backward).toFixed(2)}x |`);
  }
  lines.push('\nBackward: the gradient kernels alone, dy given: the pooler\'s MultiScaleRoIAlignGrad (dx of every ' +
      'level) and MultiScaleRoIAlignBoxGrad; for one level RoIAlignGrad and RoIAlignBoxGrad.');
  return lines.join('\n');
}
