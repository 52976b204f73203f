/**
 * How the kernels use the GPU, with values checked on every backend: new box
 * counts and feature sizes reuse compiled webgpu pipelines (shapes are
 * uniforms, not compiled in), outputs too large for one 1-D dispatch are laid
 * out over two dimensions, and inputs past the device's limits are refused
 * with a clear Error before anything runs. The gradients at detector-like
 * shapes (C >= 40 in two channel blocks of the webgpu gather, C = 131 past the
 * 64 lanes of a webgpu box-gradient workgroup, K >= 100, N > 1, boxes across
 * the gather's 8 x 8 tiles and the map's border) and through
 * dispatches of more than 65535 workgroups are checked against central
 * differences of the float64 reference, and must repeat bit for bit; so is
 * RoIAlign's dx gather in channel lanes (the real-GPU layout), forced on.
 */
import * as tf from '@tensorflow/tfjs';

import {roiAlign, roiAlignRotated, roiPool} from '../src/index';
import {MAX_SAMPLES_PER_BIN_AXIS} from '../src/limits';
import {tileLayout, withLineMasks} from '../shaders/wgsl/gather';
import {WEBGPU_DX_LANES_FLAG} from '../kernels/webgpu/gather_webgpu';
import {checkClose, describeEachBackend, expectThrows, randomValues, seededRandom, values} from './harness';
import {numericGradient, RefAlignOptions, RefInput, refRoiAlign, refRoiPool} from './reference';

/** The keys of this package's compiled webgpu pipelines (their shaderKeys start with 'roi'). */
function roiPipelineKeys(): string[] {
  const cache = (tf.backend() as unknown as {pipelineCache: Record<string, unknown>}).pipelineCache;
  return Object.keys(cache).filter(key => key.startsWith('roi'));
}

function roiPipelineCount(): number {
  return roiPipelineKeys().length;
}

interface Size {
  shape: [number, number, number, number];
  numBoxes: number;
  out: [number, number];
  spatialScale: number;
}

/**
 * Forward and gradients of roiAlign (avg and max: dx and dboxes) and roiPool
 * (dx), checked against the float64 reference (the gradients against its
 * central differences).
 */
async function runAll(size: Size, seed: number): Promise<void> {
  const random = seededRandom(seed);
  const [N, H, W, C] = size.shape;
  const x = randomValues(random, N * H * W * C);
  const boxes = new Float32Array(4 * size.numBoxes);
  for (let k = 0; k < size.numBoxes; k++) {
    const x1 = random() * W / size.spatialScale, y1 = random() * H / size.spatialScale;
    boxes.set([x1, y1, x1 + 1 + random() * W / size.spatialScale, y1 + 1 + random() * H / size.spatialScale], 4 * k);
  }
  const boxIndices = Int32Array.from({length: size.numBoxes}, (_, k) => k % N);
  const [outH, outW] = size.out;
  const input = {x, shape: size.shape, boxes, boxIndices};
  const xt = tf.tensor4d(x, size.shape);
  const bt = tf.tensor2d(boxes, [size.numBoxes, 4]);
  const it = tf.tensor1d(boxIndices, 'int32');
  // tf.grads' default dy: ones.
  const ones = new Float64Array(size.numBoxes * outH * outW * C).fill(1);
  for (const mode of ['avg', 'max'] as const) {
    const options = {spatialScale: size.spatialScale, samplingRatio: 0, aligned: false, mode};
    const reference = {outH, outW, ...options};
    const run = (a: tf.Tensor, b: tf.Tensor) => roiAlign(a as tf.Tensor4D, b as tf.Tensor2D, it, size.out, options);
    const y = run(xt, bt);
    checkClose(await values(y), refRoiAlign(input, reference), `roiAlign ${mode}`);
    const [dx, dboxes] = tf.grads(run)([xt, bt]);
    // x moves by 1e-6: 'max' mode's winners stay where they are (roiAlign is linear in x).
    checkClose(await values(dx), numericGradient(x, ones, 1e-6, moved => refRoiAlign({...input, x: moved}, reference)),
               `roiAlign ${mode} dx`);
    checkClose(await values(dboxes),
               numericGradient(boxes, ones, 1e-5, moved => refRoiAlign({...input, boxes: moved}, reference)),
               `roiAlign ${mode} dboxes`);
    tf.dispose([y, dx, dboxes]);
  }
  const pool = {outH, outW, spatialScale: size.spatialScale};
  const run = (a: tf.Tensor) => roiPool(a as tf.Tensor4D, bt, it, size.out, {spatialScale: size.spatialScale});
  const y = run(xt);
  checkClose(await values(y), refRoiPool(input, pool), 'roiPool');
  const dx = tf.grad(run)(xt);
  checkClose(await values(dx), numericGradient(x, ones, 1e-6, moved => refRoiPool({...input, x: moved}, pool)), 'roiPool dx');
  tf.dispose([xt, bt, it, y, dx]);
}


/**
 * dx and dboxes of roiAlign from finite differences of the float64
 * reference, box by box: a box's outputs depend only on its own corners and
 * on the pixels near it, so each difference evaluates that one box, and dx
 * moves one pixel's channels at once (channels do not mix).
 */
function referenceGradients(
    input: RefInput, options: RefAlignOptions, dy: ArrayLike<number>, withDx: boolean, boxesToCheck: number[]) {
  const [, H, W, C] = input.shape;
  const perBox = options.outH * options.outW * C;
  const dx = new Float64Array(input.x.length);
  const dboxes = new Float64Array(input.boxes.length);
  const x = Float64Array.from(input.x);
  for (const k of boxesToCheck) {
    const n = input.boxIndices[k];
    const corners = Array.from(input.boxes).slice(4 * k, 4 * k + 4);
    const boxDy = Array.from(dy).slice(k * perBox, (k + 1) * perBox);
    const one = (boxes: number[], values: ArrayLike<number>) =>
        refRoiAlign({x: values, shape: input.shape, boxes, boxIndices: [n]}, options);
    // Forward differences: within a sample's pixel cell (and with 'max' mode's
    // winners fixed) the outputs are linear in each corner and in x.
    const base = one(corners, x);
    // Box corners move by 1e-6: positions stay on their side of pixel edges.
    for (let i = 0; i < 4; i++) {
      const up = one(corners.map((v, j) => (j === i ? v + 1e-6 : v)), x);
      dboxes[4 * k + i] = boxDy.reduce((acc, d, e) => acc + d * (up[e] - base[e]), 0) / 1e-6;
    }
    if (!withDx) continue;
    // The pixels the box's samples can read, with a margin for the clamping.
    const shift = options.aligned ? 0.5 : 0;
    const scaled = corners.map(v => v * options.spatialScale - shift);
    const rows = [Math.max(Math.floor(Math.min(scaled[1], scaled[3])) - 2, 0),
                  Math.min(Math.ceil(Math.max(scaled[1], scaled[3] + 1)) + 2, H - 1)];
    const cols = [Math.max(Math.floor(Math.min(scaled[0], scaled[2])) - 2, 0),
                  Math.min(Math.ceil(Math.max(scaled[0], scaled[2] + 1)) + 2, W - 1)];
    // 1e-7 keeps 'max' mode's winners where they are.
    const eps = 1e-7;
    for (let h = rows[0]; h <= rows[1]; h++) {
      for (let w = cols[0]; w <= cols[1]; w++) {
        const at = ((n * H + h) * W + w) * C;
        const saved = x.slice(at, at + C);
        for (let c = 0; c < C; c++) x[at + c] = saved[c] + eps;
        const up = one(corners, x);
        x.set(saved, at);
        for (let e = 0; e < perBox; e++) dx[at + e % C] += boxDy[e] * (up[e] - base[e]) / eps;
      }
    }
  }
  return {dx, dboxes};
}

/**
 * roiAlign's dx and dboxes, checked against referenceGradients (dx only
 * withDx; dboxes of boxesToCheck), and bit-identical on a second run.
 */
async function checkAlignGradients(
    input: RefInput, options: RefAlignOptions, dy: Float32Array, label: string, withDx = true,
    boxesToCheck = Array.from(input.boxIndices, (_, k) => k)): Promise<void> {
  const [N, H, W, C] = input.shape;
  const K = input.boxIndices.length;
  const xt = tf.tensor4d(Float32Array.from(input.x), [N, H, W, C]);
  const bt = tf.tensor2d(Float32Array.from(input.boxes), [K, 4]);
  const it = tf.tensor1d(Int32Array.from(input.boxIndices), 'int32');
  const dyt = tf.tensor4d(dy, [K, options.outH, options.outW, C]);
  const {spatialScale, samplingRatio, aligned, mode} = options;
  const run = (a: tf.Tensor, b: tf.Tensor) => roiAlign(
      a as tf.Tensor4D, b as tf.Tensor2D, it, [options.outH, options.outW], {spatialScale, samplingRatio, aligned, mode});
  // Without dx, only the box gradient runs.
  const both = () => withDx ? tf.grads(run)([xt, bt], dyt) : [tf.zeros([1]), tf.grad(b => run(xt, b))(bt, dyt)];
  const first = both();
  const second = both();
  const [dx, dboxes] = await Promise.all(first.map(g => values(g)));
  const [dxAgain, dboxesAgain] = await Promise.all(second.map(g => values(g)));
  tf.dispose([xt, bt, it, dyt, ...first, ...second]);
  const expected = referenceGradients(input, options, dy, withDx, boxesToCheck);
  if (withDx) checkClose(dx, expected.dx, `${label} dx`);
  const checked = (d: ArrayLike<number>) => boxesToCheck.flatMap(k => Array.from(d).slice(4 * k, 4 * k + 4));
  // Box gradients sum dy times slopes over every sample and channel in float32.
  checkClose(checked(dboxes), checked(expected.dboxes), `${label} dboxes`, {atol: 1e-3, rtol: 1e-3});
  expect(Array.from(dxAgain).every((v, i) => Object.is(v, dx[i]))).toBe(true);
  expect(Array.from(dboxesAgain).every((v, i) => Object.is(v, dboxes[i]))).toBe(true);
}

/**
 * K boxes for a [*, 21, 27, *] map at spatialScale 0.5, 1 to 5 pixels wide,
 * mostly near the gather's tile edges (multiples of 8 pixels) and past the
 * map's border.
 */
function tileEdgeBoxes(random: () => number, K: number): Float32Array {
  const boxes = new Float32Array(4 * K);
  for (let k = 0; k < K; k++) {
    const x1 = 2 * (8 * Math.floor(random() * 4) - 3 + random() * 6);
    const y1 = 2 * (8 * Math.floor(random() * 3) - 3 + random() * 6);
    boxes.set([x1, y1, x1 + 2 * (1 + random() * 4), y1 + 2 * (1 + random() * 4)], 4 * k);
  }
  return boxes;
}

/**
 * K boxes for a 728 x 728 map, 1 to 5 pixels wide: overlapping within
 * `corner` pixels of the top left, across the gather's tile edges; every
 * 64th across the map's far border.
 */
function cornerBoxes(random: () => number, K: number, corner: number): Float32Array {
  const boxes = new Float32Array(4 * K);
  for (let k = 0; k < K; k++) {
    const far = k % 64 === 0;
    const x1 = far ? 724 + random() * 3 : random() * corner, y1 = far ? random() * 720 : random() * corner;
    boxes.set([x1, y1, x1 + 1 + random() * 4, y1 + 1 + random() * 4], 4 * k);
  }
  return boxes;
}

/**
 * RoIAlign's gradients over a [1, 728, 728, C] map and 1024 boxes
 * (cornerBoxes), against the float64 reference and bit for bit twice:
 * 91 x 91 tiles x 32 words x 16 line masks is past MAX_TILE_MASK_WORDS, so
 * the gather walks the plain tile mask and tests each box's reach.
 */
async function checkWithoutLineMasks(C: number, seed: number, corner: number, label: string): Promise<void> {
  const shape = [1, 728, 728, C];
  const K = 1024;
  expect(withLineMasks(1, K, tileLayout(shape, K), Infinity).lineMasks).toBe(false);
  const random = seededRandom(seed);
  const boxes = cornerBoxes(random, K, corner);
  const options: RefAlignOptions = {outH: 2, outW: 2, spatialScale: 1, samplingRatio: 2, aligned: true, mode: 'avg'};
  await checkAlignGradients(
      {x: randomValues(random, 728 * 728 * C), shape, boxes, boxIndices: new Array(K).fill(0)}, options,
      randomValues(random, K * 2 * 2 * C), label);
}

describeEachBackend('compiled programs and device limits', backend => {
  it('new box counts, images, feature and output sizes reuse the compiled programs', async () => {
    // Earlier specs in the same page (karma) may have compiled some already.
    const before = backend === 'webgpu' ? roiPipelineCount() : 0;
    await runAll({shape: [1, 5, 6, 2], numBoxes: 3, out: [2, 2], spatialScale: 1}, 1);
    const compiled = backend === 'webgpu' ? roiPipelineCount() : 0;
    if (backend === 'webgpu') {
      // roiAlign avg: forward, dx, box partials; max: forward value and winner, dx, box partials;
      // the box sum, the reach pass, RoIAlign's line pass and its tile cull pass they share; roiPool:
      // forward value and winner, reach, tile cull, dx.
      expect(compiled - before).toBeLessThanOrEqual(3 + 4 + 4 + 5);
    }
    await runAll({shape: [2, 9, 4, 3], numBoxes: 7, out: [3, 2], spatialScale: 0.5}, 2);
    await runAll({shape: [3, 4, 11, 1], numBoxes: 1, out: [1, 4], spatialScale: 2}, 3);
    if (backend === 'webgpu') expect(roiPipelineCount()).toBe(compiled);
    // C % 4 == 0: webgpu's RoIAlign forward programs (avg; max value and winner) switch to
    // four channels per invocation, and its dx gathers (avg, max) to vec4 reads, each compiled once.
    await runAll({shape: [1, 6, 5, 4], numBoxes: 2, out: [2, 3], spatialScale: 1}, 5);
    const withFourChannels = backend === 'webgpu' ? roiPipelineCount() : 0;
    if (backend === 'webgpu') expect(withFourChannels - compiled).toBeLessThanOrEqual(3 + 2);
    await runAll({shape: [2, 3, 7, 8], numBoxes: 5, out: [1, 2], spatialScale: 0.5}, 6);
    if (backend === 'webgpu') expect(roiPipelineCount()).toBe(withFourChannels);
  });


  for (const mode of ['avg', 'max'] as const) {
    it(`roiAlign '${mode}' gradients at C = 43, K = 120, N = 2 match the float64 reference and repeat bit for bit`,
       async () => {
         const random = seededRandom(mode === 'avg' ? 40 : 41);
         const shape = [2, 21, 27, 43];
         const x = randomValues(random, shape.reduce((a, b) => a * b));
         const K = 120;
         const boxes = tileEdgeBoxes(random, K);
         const boxIndices = Array.from({length: K}, (_, k) => k % 2);
         const options: RefAlignOptions = {outH: 2, outW: 2, spatialScale: 0.5, samplingRatio: 2, aligned: mode === 'max', mode};
         const dy = randomValues(random, K * 2 * 2 * 43);
         await checkAlignGradients({x, shape, boxes, boxIndices}, options, dy, `C=43 K=120 ${mode}`);
       });
  }

  for (const mode of ['avg', 'max'] as const) {
    it(`roiAlign '${mode}' dboxes at C = 131 (more channels than a workgroup has lanes), K = 100, N = 2 match the ` +
           'float64 reference and repeat bit for bit',
       async () => {
         const random = seededRandom(mode === 'avg' ? 43 : 44);
         const shape = [2, 13, 17, 131];
         const x = randomValues(random, shape.reduce((a, b) => a * b));
         const K = 100;
         const boxes = new Float32Array(4 * K);
         for (let k = 0; k < K; k++) {
           // Many across the map's border, 1 to 6 pixels wide.
           const x1 = -3 + random() * 19, y1 = -3 + random() * 15;
           boxes.set([x1, y1, x1 + 1 + random() * 5, y1 + 1 + random() * 5], 4 * k);
         }
         const boxIndices = Array.from({length: K}, (_, k) => k % 2);
         const options: RefAlignOptions = {outH: 3, outW: 2, spatialScale: 1, samplingRatio: 2, aligned: mode === 'avg', mode};
         const dy = randomValues(random, K * 3 * 2 * 131);
         await checkAlignGradients({x, shape, boxes, boxIndices}, options, dy, `C=131 K=100 ${mode}`, false);
       });
  }

  if (backend === 'webgpu') {
    it('gradients through more than 65535 workgroups (the dx gather and the box gradient) match the reference',
       async () => {
         const random = seededRandom(42);
         // dx: 2056 x 2056 pixels in 8 x 8 tiles of 64 invocations, 4,227,136 of them.
         const shape = [1, 2056, 2056, 1];
         const x = randomValues(random, 2056 * 2056);
         const boxes = [3.2, 4.1, 9.7, 8.3, 2045.5, 2049.25, 2055.5, 2056, 1020.3, 1030.6, 1027.9, 1036.2];
         const options: RefAlignOptions = {outH: 2, outW: 2, spatialScale: 1, samplingRatio: 2, aligned: false, mode: 'avg'};
         await checkAlignGradients({x, shape, boxes, boxIndices: [0, 0, 0]}, options, randomValues(random, 12), 'large dx');
         // dboxes: 17 boxes x 64 x 64 bins at C = 40, one workgroup per (box, bin) in the box
         // gradient's first pass: 69,632 of them; the reference checks boxes from the first, middle
         // and last workgroups.
         const K = 17;
         const C = 40;
         const many = new Float32Array(4 * K);
         for (let k = 0; k < K; k++) {
           const x1 = -2 + random() * 10, y1 = -2 + random() * 8;
           many.set([x1, y1, x1 + 1 + random() * 4, y1 + 1 + random() * 4], 4 * k);
         }
         const bins = {outH: 64, outW: 64, spatialScale: 1, samplingRatio: 1, aligned: true, mode: 'avg' as const};
         await checkAlignGradients(
             {x: randomValues(random, 9 * 11 * C), shape: [1, 9, 11, C], boxes: many, boxIndices: new Array(K).fill(0)},
             bins, randomValues(random, K * 64 * 64 * C), 'large dboxes', false, [0, 1, 8, 9, 15, 16]);
       }, 300000);
  }

  if (backend === 'webgpu') {
    it('roiAlign dx where the per-line tile masks would not fit (the gather tests each box\'s reach) matches the ' +
           'reference and repeats bit for bit',
       async () => {
         await checkWithoutLineMasks(1, 45, 160, 'no line masks');
       }, 300000);
  }

  if (backend === 'webgpu') {
    /**
     * RoIAlign's dx of C channels, K = 120 boxes on tile edges, N = 2, with the gather in `layout`
     * (WEBGPU_DX_LANES_FLAG), against the float64 reference twice; then the program whose shader
     * key is `key` (of the options' aligned) must have run.
     */
    async function checkDxLayout(layout: 'block'|'lanes', C: number, samplingRatio: number, seed: number,
                                 mode: 'avg'|'max', aligned: boolean, key: (alignment: string) => string) {
      const random = seededRandom(seed + (mode === 'avg' ? 0 : 1));
      const shape = [2, 21, 27, C];
      const x = randomValues(random, shape.reduce((a, b) => a * b));
      const K = 120;
      const boxes = tileEdgeBoxes(random, K);
      const boxIndices = Array.from({length: K}, (_, k) => k % 2);
      const options: RefAlignOptions = {outH: 2, outW: 2, spatialScale: 0.5, samplingRatio, aligned, mode};
      const dy = randomValues(random, K * 2 * 2 * C);
      tf.env().set(WEBGPU_DX_LANES_FLAG, layout);
      try {
        await checkAlignGradients({x, shape, boxes, boxIndices}, options, dy, `${layout} C=${C} ${mode}`);
      } finally {
        tf.env().set(WEBGPU_DX_LANES_FLAG, 'auto');
      }
      const ran = key(`roiAlignGrad_${mode}_${aligned ? 'aligned' : 'unaligned'}`);
      // 'lanes' must not match 'lanes4'.
      expect(roiPipelineKeys().some(k => k.startsWith(ran) && !k.startsWith(`${ran}4`))).toBe(true);
    }

    // RoIAlign's dx block gather reading dy and the winners as vec4s (C % 4 == 0): C = 72, two
    // blocks of 64 channels, the second holding 8; C = 20, one block of 32 holding 20.
    const blockCases = [{C: 72, block: 64, seed: 60}, {C: 20, block: 32, seed: 62}];
    for (const {C, block, seed} of blockCases) {
      for (const mode of ['avg', 'max'] as const) {
        it(`roiAlign '${mode}' dx in blocks of ${block} channels read as vec4s at C = ${C}, K = 120, N = 2 ` +
               'matches the float64 reference and repeats bit for bit',
           async () => {
             await checkDxLayout('block', C, 2, seed, mode, mode === 'avg', prefix => `${prefix}_c${block}_4`);
           });
      }
    }

    // RoIAlign's dx gather in lanes (adjacent invocations on adjacent groups of 4 channels), forced
    // on SwiftShader, where 'auto' takes the block gather: C = 45 (12 groups in 16 lanes, the last
    // of one channel, read as floats), C = 72 (read as vec4s, two blocks of 64 channels) and C = 6
    // (2 lanes, 32 pixels a workgroup) with samplingRatio 6 (tile lines of more than LINE_SAMPLES
    // samples take the geometry instead of the line table).
    const laneCases = [
      {C: 45, samplingRatio: 2, seed: 50},
      {C: 72, samplingRatio: 2, seed: 52},
      {C: 6, samplingRatio: 6, seed: 54},
    ];
    for (const {C, samplingRatio, seed} of laneCases) {
      for (const mode of ['avg', 'max'] as const) {
        it(`roiAlign '${mode}' dx in channel lanes at C = ${C}, K = 120, N = 2, samplingRatio ${samplingRatio} ` +
               'matches the float64 reference and repeats bit for bit',
           async () => {
             // The lanes program ran: vec4 reads where C % 4 == 0.
             await checkDxLayout('lanes', C, samplingRatio, seed, mode, mode === 'max',
                                 prefix => `${prefix}_${C % 4 === 0 ? 'lanes4' : 'lanes'}`);
           });
      }
    }

    it('roiAlign dx in channel lanes where the per-line tile masks would not fit matches the reference', async () => {
      tf.env().set(WEBGPU_DX_LANES_FLAG, 'lanes');
      try {
        await checkWithoutLineMasks(5, 56, 40, 'lanes, no line masks');
      } finally {
        tf.env().set(WEBGPU_DX_LANES_FLAG, 'auto');
      }
      expect(roiPipelineKeys().some(key => key.startsWith('roiAlignGrad_avg_aligned_lanes') &&
                                            !key.startsWith('roiAlignGrad_avg_aligned_lanes4'))).toBe(true);
    }, 300000);
  }

  it('an output of more than 65535 x 64 elements (a 2-D dispatch on webgpu) matches the reference', async () => {
    // 2050 x 2050 one-sample bins: 4,202,500 outputs, past 65535 workgroups of 64.
    const x = randomValues(seededRandom(4), 4 * 5);
    const input = {x, shape: [1, 4, 5, 1], boxes: [0.3, 0.2, 4.6, 3.9], boxIndices: [0]};
    const options = {outH: 2050, outW: 2050, spatialScale: 1, samplingRatio: 0, aligned: false, mode: 'avg' as const};
    const xt = tf.tensor4d(x, [1, 4, 5, 1]);
    const y = roiAlign(xt, [input.boxes], [0], [2050, 2050]);
    checkClose(await values(y), refRoiAlign(input, options), 'y');
    tf.dispose([xt, y]);
  });

  if (backend === 'webgpu') {
    it('boxes whose adaptive grid passes MAX_SAMPLES_PER_BIN_AXIS read nothing, pass no gradient, and return at once',
       async () => {
         const x = tf.tensor4d(randomValues(seededRandom(43), 6 * 7 * 2), [1, 6, 7, 2]);
         // One axis over the cap (7 bins of cap + 1 samples), both, and a box of 1e30; then a readable box.
         const over = 7 * (MAX_SAMPLES_PER_BIN_AXIS + 1);
         const boxes = tf.tensor2d([[0, 0, over, 3], [0, 0, over, over], [0, 0, 1e30, 1e30], [1, 1, 5, 4]]);
         const indices = tf.tensor1d([0, 0, 0, 0], 'int32');
         const run = (a: tf.Tensor, b: tf.Tensor) => roiAlign(a as tf.Tensor4D, b as tf.Tensor2D, indices, 7);
         const yt = run(x, boxes);
         const y = await values(yt);
         const [dx, dboxes] = tf.grads(run)([x, boxes]);
         const perBox = 7 * 7 * 2;
         expect(Array.from(y.slice(0, 3 * perBox)).every(v => v === 0)).toBe(true);
         expect(Array.from(y.slice(3 * perBox)).some(v => v !== 0)).toBe(true);
         expect(Array.from((await values(dboxes)).slice(0, 12)).every(v => v === 0)).toBe(true);
         // dx is the readable box's alone.
         const [dxAlone] = tf.grads((a: tf.Tensor) => roiAlign(a as tf.Tensor4D, [[1, 1, 5, 4]], [0], 7))([x]);
         checkClose(await values(dx), await values(dxAlone), 'dx');
         // Rotated boxes of 1e30 pixels, too.
         const rotated = roiAlignRotated(x, [[3, 3, 1e30, 1e30, 30]], [0], 7);
         expect(Array.from(await values(rotated)).every(v => v === 0)).toBe(true);
         tf.dispose([x, boxes, indices, yt, dx, dboxes, dxAlone, rotated]);
       });

    it('an output past the storage binding limit throws a clear Error before running', async () => {
      // 16 channels x 16384^2 bins of float32: 17 GB, past any WebGPU device's limits.
      const x = tf.zeros([1, 2, 2, 16]) as tf.Tensor4D;
      const boxes = tf.tensor2d([[0, 0, 1, 1]]), boxIndices = tf.tensor1d([0], 'int32');
      const before = tf.memory().numTensors;
      // The ops refuse it before any kernel runs, naming outputSize ...
      expectThrows(() => roiAlign(x, boxes, boxIndices, [16384, 16384]), /roiAlign: outputSize: .*maxStorageBufferBindingSize/);
      // ... and the kernels, called directly, refuse it too, before allocating.
      const bins = {pooledHeight: 16384, pooledWidth: 16384, spatialScale: 1};
      expectThrows(
          () => tf.engine().runKernel('RoIAlign', {x, boxes, boxIndices}, {...bins, samplingRatio: 0, aligned: false, mode: 'avg'}),
          /RoIAlign on webgpu: output \[1,16384,16384,16\] takes 17179869184 bytes, more than this device's max(StorageBufferBindingSize|BufferSize)/);
      expectThrows(() => tf.engine().runKernel('RoIPool', {x, boxes, boxIndices}, bins), /RoIPool on webgpu: output/);
      // Nothing was left allocated, and the device still works.
      expect(tf.memory().numTensors).toBe(before);
      const ones = tf.ones([1, 2, 2, 16]) as tf.Tensor4D;
      const y = roiPool(ones, [[0, 0, 1, 1]], [0], 1);
      checkClose(await values(y), new Float32Array(16).fill(1), 'roiPool after the refusal');
      tf.dispose([x, boxes, boxIndices, ones, y]);
    });
  }
});

// The imports of the specs below.
import {psRoiAlign} from '../src/index';
import {refPsRoiAlign} from './reference_ps';
import {refRoiAlignRotated} from './reference_rotated';

/**
 * The forward kernels at channel counts that take each webgpu program: four
 * channels per invocation read as one vec4 (C % 4 == 0), read one by one
 * with a last block of 1 to 3 channels (C >= 40 in several blocks, and
 * psRoiAlign's output channels, which lie outH * outW apart in x), and one
 * channel (C < 4). x holds NaN and infinite pixels, and some boxes are
 * unreadable (a NaN corner, a batch index out of range): their bins are 0.
 */
describeEachBackend('forward channel blocks', () => {
  /** x [N,H,W,C] with a few NaN, Infinity and -Infinity pixels; boxes across the map's border. */
  function inputs(seed: number, shape: number[], numBoxes: number, fields: 4|5) {
    const random = seededRandom(seed);
    const [N, H, W] = shape;
    const x = randomValues(random, shape.reduce((a, b) => a * b));
    for (const bad of [NaN, Infinity, -Infinity, NaN]) x[Math.floor(random() * x.length)] = bad;
    const boxes: number[] = [];
    for (let k = 0; k < numBoxes; k++) {
      const cx = -2 + random() * (W + 4), cy = -2 + random() * (H + 4);
      const w = 1 + random() * W * 0.6, h = 1 + random() * H * 0.6;
      boxes.push(...(fields === 4 ? [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2] : [cx, cy, w, h, random() * 360 - 180]));
    }
    boxes[fields] = NaN;
    const boxIndices = Array.from({length: numBoxes}, (_, k) => (k === 2 ? N : k % N));
    return {x, shape, boxes, boxIndices};
  }
  /** checkClose, where the reference's infinities must be met exactly (checkClose takes them as differences). */
  function checkWithInfinities(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
    const infinite = Array.from(expected, (e, i) => (Number.isFinite(e) || Number.isNaN(e) ? -1 : i)).filter(i => i >= 0);
    expect(infinite.every(i => actual[i] === expected[i])).toBe(true);
    const finite = (v: ArrayLike<number>) => Array.from(v, (e, i) => (infinite.includes(i) ? 0 : e));
    checkClose(finite(actual), finite(expected), label);
  }
  const tensors = (input: ReturnType<typeof inputs>, fields: number) => [
    tf.tensor4d(input.x, input.shape as [number, number, number, number]),
    tf.tensor2d(input.boxes, [input.boxIndices.length, fields]),
    tf.tensor1d(input.boxIndices, 'int32'),
  ] as [tf.Tensor4D, tf.Tensor2D, tf.Tensor1D];

  for (const C of [43, 44, 5, 3]) {
    for (const mode of ['avg', 'max'] as const) {
      it(`roiAlign '${mode}' at C = ${C} matches the float64 reference`, async () => {
        const input = inputs(50 + C, [2, 9, 11, C], 12, 4);
        const [x, boxes, indices] = tensors(input, 4);
        for (const aligned of [false, true]) {
          const options = {spatialScale: 1, samplingRatio: aligned ? 0 : 2, aligned, mode};
          const y = roiAlign(x, boxes, indices, [3, 2], options);
          checkWithInfinities(
              await values(y), refRoiAlign(input, {outH: 3, outW: 2, ...options}), `C=${C} ${mode} aligned ${aligned}`);
          y.dispose();
        }
        tf.dispose([x, boxes, indices]);
      });
    }
  }

  it(`roiAlign 'max' gradients at C = 44 (four channels a vec4) and C = 5 (a block of 4 and one of 1) match the reference`,
     async () => {
       for (const C of [44, 5]) {
         const random = seededRandom(60 + C);
         const shape = [2, 10, 12, C];
         const K = 12;
         const boxes = new Float32Array(4 * K);
         for (let k = 0; k < K; k++) {
           const x1 = -3 + random() * 14, y1 = -3 + random() * 12;
           boxes.set([x1, y1, x1 + 1 + random() * 6, y1 + 1 + random() * 6], 4 * k);
         }
         const options: RefAlignOptions = {outH: 2, outW: 3, spatialScale: 1, samplingRatio: 2, aligned: true, mode: 'max'};
         await checkAlignGradients(
             {x: randomValues(random, 2 * 10 * 12 * C), shape, boxes, boxIndices: Array.from({length: K}, (_, k) => k % 2)},
             options, randomValues(random, K * 2 * 3 * C), `C=${C} max`);
       }
     });

  for (const [outH, outW, cout] of [[2, 3, 7], [2, 2, 41], [3, 3, 8], [2, 2, 2]]) {
    it(`psRoiAlign with ${cout} output channels (C = ${outH * outW * cout}) matches the float64 reference`, async () => {
      const input = inputs(70 + cout, [2, 8, 10, outH * outW * cout], 10, 4);
      const [x, boxes, indices] = tensors(input, 4);
      for (const samplingRatio of [2, 0]) {
        const y = psRoiAlign(x, boxes, indices, [outH, outW], {spatialScale: 1, samplingRatio});
        checkWithInfinities(
            await values(y), refPsRoiAlign(input, {outH, outW, spatialScale: 1, samplingRatio}),
            `Cout=${cout} samplingRatio ${samplingRatio}`);
        y.dispose();
      }
      tf.dispose([x, boxes, indices]);
    });
  }

  for (const C of [43, 44, 5, 3]) {
    it(`roiAlignRotated at C = ${C} matches the float64 reference`, async () => {
      const input = inputs(80 + C, [2, 9, 11, C], 12, 5);
      const [x, boxes, indices] = tensors(input, 5);
      for (const samplingRatio of [2, 0]) {
        const y = roiAlignRotated(x, boxes, indices, [3, 2], {spatialScale: 1, samplingRatio});
        checkWithInfinities(
            await values(y),
            refRoiAlignRotated(
                input, {outH: 3, outW: 2, spatialScale: 1, samplingRatio, angleUnit: 'degrees', clockwise: false}),
            `C=${C} samplingRatio ${samplingRatio}`);
        y.dispose();
      }
      tf.dispose([x, boxes, indices]);
    });
  }
});
