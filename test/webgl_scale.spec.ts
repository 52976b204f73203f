/**
 * The webgl kernels at sizes where their layout matters: C not a multiple of
 * four, K over a hundred (several words of the cull mask) and over a
 * thousand (a gather split into several draws), boxes on the culling tiles'
 * edges and past the map's border, N > 1, packed inputs (a conv output),
 * bit-identical backward runs, the texture size limit and extreme boxes.
 * dx is checked element by element against a float64 adjoint of the
 * reference (test/reference.ts), or, for the position-sensitive and rotated
 * ops, by the dot-product test <dx, v> = <dy, f(v)> with the float64
 * reference forward f, which is linear in x; dboxes at a few boxes against
 * differences of f (boxGradientByDifferences).
 */
import * as tf from '@tensorflow/tfjs';

import {
  PsRoIAlign, PsRoIAlignBoxGrad, PsRoIAlignGrad, PsRoIPool, PsRoIPoolGrad, RoIAlign, RoIAlignBoxGrad, RoIAlignGrad,
  RoIAlignRotatedBoxGrad, RoIAlignRotatedGrad, RoIAlignWinners, RoIPool, RoIPoolGrad,
} from '../src/index';
import {WEBGL_SCATTER_FLAG} from '../kernels/webgl/scatter_gl';
import {MultiScaleRoIAlign} from '../src/kernel_names';
import {checkClose, describeEachBackend, expectThrows, randomValues, seededRandom, values} from './harness';
import {boxGradientByDifferences, refRoiAlign, refRoiAlignBoxGrad, refRoiAlignGrad, refRoiPool, refRoiPoolGrad} from './reference';
import {refPsRoiAlign, refPsRoiPool} from './reference_ps';
import {refRoiAlignRotated} from './reference_rotated';

type Shape4 = [number, number, number, number];

interface Case {
  shape: Shape4;
  numBoxes: number;
  out: [number, number];
  spatialScale: number;
}

/**
 * Boxes whose corners sit on and around the 8-pixel culling tiles' edges
 * (in feature pixels) and past the map's border, of sizes from under a
 * pixel to the whole map, spread over the images.
 */
function makeBoxes(c: Case, random: () => number): {boxes: Float32Array, boxIndices: Int32Array} {
  const [N, H, W] = c.shape;
  const boxes = new Float32Array(4 * c.numBoxes);
  const boxIndices = new Int32Array(c.numBoxes);
  const edge = (size: number) => {
    const kind = random();
    if (kind < 0.4) return 8 * Math.floor(random() * (size / 8 + 1)) + [-1, -0.5, 0, 0.25, 1][Math.floor(random() * 5)];
    if (kind < 0.55) return [-3, -1, size - 1, size, size + 2][Math.floor(random() * 5)];
    return -2 + random() * (size + 4);
  };
  for (let k = 0; k < c.numBoxes; k++) {
    let x1 = edge(W), y1 = edge(H), x2 = edge(W), y2 = edge(H);
    if (x2 < x1) [x1, x2] = [x2, x1];
    if (y2 < y1) [y1, y2] = [y2, y1];
    if (random() < 0.2) x2 = x1 + random() * 0.8;
    boxes.set([x1, y1, x2, y2].map(v => v / c.spatialScale), 4 * k);
    boxIndices[k] = Math.floor(random() * N);
  }
  return {boxes, boxIndices};
}

/**
 * A gradient case's inputs as every dx and dboxes case here draws them (the
 * boxes, then x, then dy, from one seeded stream), as flat values (`inp` for
 * the references) and as tensors (`t`, for the kernels).
 */
function gradientInputs(c: Case, random: () => number) {
  const [N, H, W, C] = c.shape;
  const {boxes, boxIndices} = makeBoxes(c, random);
  const x = randomValues(random, N * H * W * C);
  const dy = randomValues(random, c.numBoxes * c.out[0] * c.out[1] * C);
  const inp = {x, shape: c.shape, boxes, boxIndices};
  const t = {
    x: tf.tensor4d(x, c.shape), boxes: tf.tensor2d(boxes, [c.numBoxes, 4]),
    boxIndices: tf.tensor1d(boxIndices, 'int32'), dy: tf.tensor4d(dy, [c.numBoxes, ...c.out, C]),
  };
  return {boxes, boxIndices, x, dy, inp, t};
}

/**
 * The dot-product test for a gradient of a forward linear in x: <dx, v>
 * equals <dy, f(v)> for any v, within float32 rounding of the terms.
 */
function expectAdjoint(dx: ArrayLike<number>, v: ArrayLike<number>, dy: ArrayLike<number>, fv: ArrayLike<number>, label: string) {
  let left = 0, right = 0, scale = 0;
  for (let i = 0; i < dx.length; i++) {
    left += dx[i] * v[i];
    scale += Math.abs(dx[i] * v[i]);
  }
  for (let i = 0; i < dy.length; i++) right += dy[i] * fv[i];
  checkClose([left], [right], `${label}: <dx, v> against <dy, f(v)>`, {atol: 1e-6 * scale + 1e-5, rtol: 0});
}

/**
 * The boxes with a corner on a culling tile's edge or past the map's border
 * (in feature pixels), then the others: the order in which box gradients
 * are checked against differences.
 */
function edgeBoxesFirst(boxes: ArrayLike<number>, shape: number[], spatialScale: number): number[] {
  const [, H, W] = shape;
  const onEdge = (k: number) => [0, 1, 2, 3].some(i => {
    const v = boxes[4 * k + i] * spatialScale, size = i % 2 === 0 ? W : H;
    return v % 8 === 0 || v < 0 || v > size;
  });
  const all = Array.from({length: boxes.length / 4}, (_, k) => k);
  return [...all.filter(onEdge), ...all.filter(k => !onEdge(k))];
}

/**
 * Checks dboxes (`width` numbers a box) at the first `count` of `candidates`
 * where gradOf gives the reference's gradient (null where the reference is
 * not differentiable), and that there were `count` of them. Box gradients
 * sum dy times slopes over every sample and channel in float32: 1e-3 + 1e-3.
 */
function checkSomeBoxGradients(
    dboxes: ArrayLike<number>, width: number, candidates: number[], count: number,
    gradOf: (k: number) => Float64Array | null, label: string): void {
  const actual = Array.from(dboxes);
  let checked = 0;
  for (const k of candidates) {
    if (checked === count) break;
    const expected = gradOf(k);
    if (expected === null) continue;
    checkClose(actual.slice(width * k, width * (k + 1)), expected, `${label}, box ${k}`, {atol: 1e-3, rtol: 1e-3});
    checked++;
  }
  expect(checked).toBe(count);
}

/** The webgl backend's count of bytes in GPU textures. */
function gpuBytes(): number {
  return (tf.memory() as {numBytesInGPU?: number}).numBytesInGPU ?? 0;
}

async function bits(t: tf.Tensor): Promise<Uint32Array> {
  return new Uint32Array((await values(t)).slice().buffer);
}

/**
 * body(), counting the drawArrays calls on webgl (only the dx scatter makes
 * them), with the scatter allowed or not (WEBGL_SCATTER_FLAG).
 */
async function withScatter(scatter: boolean, body: () => Promise<void>): Promise<number> {
  const saved = tf.env().getBool(WEBGL_SCATTER_FLAG);
  tf.env().set(WEBGL_SCATTER_FLAG, scatter);
  const gl = tf.getBackend() === 'webgl' ?
      (tf.backend() as unknown as {gpgpu: {gl: WebGL2RenderingContext}}).gpgpu.gl : null;
  const draw = gl?.drawArrays;
  let draws = 0;
  if (gl && draw) {
    gl.drawArrays = (...args: Parameters<WebGL2RenderingContext['drawArrays']>) => {
      draws++;
      draw.apply(gl, args);
    };
  }
  try {
    await body();
  } finally {
    if (gl && draw) gl.drawArrays = draw;
    tf.env().set(WEBGL_SCATTER_FLAG, saved);
  }
  return draws;
}

function runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: object): tf.Tensor {
  return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
}

/** name's output, run twice: the second run must repeat the first bit for bit. */
async function twice(name: string, inputs: Record<string, tf.Tensor>, attrs: object): Promise<Float32Array> {
  const first = runKernel(name, inputs, attrs), second = runKernel(name, inputs, attrs);
  expect(Array.from(await bits(second))).toEqual(Array.from(await bits(first)));
  const result = await values(first) as Float32Array;
  tf.dispose([first, second]);
  return result;
}

/** The MultiScaleRoIAlign kernel with RoIAlign's attrs on one level (inputs: boxes, boxIndices, x). */
function runMultiScale(inputs: tf.Tensor[], attrs: {spatialScale: number, [name: string]: unknown}): tf.Tensor {
  const {spatialScale, ...rest} = attrs;
  return tf.engine().runKernel(
      MultiScaleRoIAlign, inputs as unknown as tf.NamedTensorMap,
      {...rest, spatialScales: [spatialScale], levelThresholds: []} as unknown as tf.NamedAttrMap) as tf.Tensor;
}

const BIG: Case = {shape: [2, 37, 45, 43], numBoxes: 130, out: [5, 4], spatialScale: 0.5};

describeEachBackend('webgl at scale', backend => {
  it('roiAlign and roiPool dx over many boxes on tile edges and borders: the float64 adjoint, bit-identical twice', async () => {
    const random = seededRandom(31);
    const {dy, inp, t} = gradientInputs(BIG, random);
    const [outH, outW] = BIG.out;
    // With a fixed grid webgl scatters (unless told not to); with the adaptive grid it gathers.
    for (const scatter of [true, false]) {
      for (const [samplingRatio, aligned, mode] of [[0, false, 'avg'], [2, true, 'avg'], [0, false, 'max'], [2, true, 'max']] as const) {
        const o = {outH, outW, spatialScale: BIG.spatialScale, samplingRatio, aligned, mode};
        const attrs = {pooledHeight: outH, pooledWidth: outW, spatialScale: BIG.spatialScale, samplingRatio, aligned, mode};
        const label = `RoIAlignGrad ${mode}, samplingRatio ${samplingRatio}${aligned ? ', aligned' : ''}, scatter ${scatter}`;
        const draws = await withScatter(scatter, async () => {
          const first = runKernel(RoIAlignGrad, t, attrs), second = runKernel(RoIAlignGrad, t, attrs);
          checkClose(await values(first), refRoiAlignGrad(inp, dy, o), label);
          expect(Array.from(await bits(second))).toEqual(Array.from(await bits(first)));
          tf.dispose([first, second]);
        });
        if (backend === 'webgl') expect(draws > 0).toBe(scatter && samplingRatio > 0);
      }
    }
    const pooled = {pooledHeight: outH, pooledWidth: outW, spatialScale: BIG.spatialScale};
    const dxPool = runKernel(RoIPoolGrad, t, pooled);
    checkClose(await values(dxPool), refRoiPoolGrad(inp, dy, {outH, outW, spatialScale: BIG.spatialScale}), 'RoIPoolGrad');
    dxPool.dispose();
    tf.dispose(Object.values(t));
  });

  it('box gradients over many boxes on tile edges and borders: bit-identical twice, a few boxes against differences of the float64 forward', async () => {
    // BIG's inputs, as the dx case above draws them.
    const random = seededRandom(31);
    const [N, H, W] = BIG.shape;
    const [outH, outW] = BIG.out;
    const {boxes, boxIndices, dy, inp, t} = gradientInputs(BIG, random);
    const candidates = edgeBoxesFirst(boxes, BIG.shape, BIG.spatialScale);
    // 1e-3 pixels (degrees for the angle): well above float32's rounding of sample positions on this map.
    const eps = 1e-3;
    for (const [samplingRatio, aligned, mode] of [[0, false, 'avg'], [2, true, 'avg'], [0, false, 'max'], [2, true, 'max']] as const) {
      const o = {outH, outW, spatialScale: BIG.spatialScale, samplingRatio, aligned, mode};
      const attrs = {pooledHeight: outH, pooledWidth: outW, spatialScale: BIG.spatialScale, samplingRatio, aligned, mode};
      // 'max' as a training step runs it: with the step's winners.
      const winners = mode === 'max' ? runKernel(RoIAlignWinners, t, attrs) : null;
      const dboxes = await twice(RoIAlignBoxGrad, winners ? {...t, winners} : t, attrs);
      winners?.dispose();
      checkSomeBoxGradients(dboxes, 4, candidates, 4, k => refRoiAlignBoxGrad(inp, k, dy, o, eps),
                            `RoIAlignBoxGrad ${mode}, samplingRatio ${samplingRatio}${aligned ? ', aligned' : ''}`);
    }
    // The same boxes turned, over the same map.
    const rotated = new Float32Array(5 * BIG.numBoxes);
    for (let k = 0; k < BIG.numBoxes; k++) {
      const [x1, y1, x2, y2] = boxes.slice(4 * k, 4 * k + 4);
      rotated.set([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1, -90 + random() * 180], 5 * k);
    }
    const rotatedOptions = {outH, outW, spatialScale: BIG.spatialScale, samplingRatio: 0, angleUnit: 'degrees' as const, clockwise: false};
    const rotatedInp = {...inp, boxes: rotated};
    const rotatedT = {...t, boxes: tf.tensor2d(rotated, [BIG.numBoxes, 5])};
    const dRotated = await twice(RoIAlignRotatedBoxGrad, rotatedT, {pooledHeight: outH, pooledWidth: outW, ...rotatedOptions});
    checkSomeBoxGradients(dRotated, 5, candidates, 4,
                          k => boxGradientByDifferences(rotatedInp, k, dy, eps, one => refRoiAlignRotated(one, rotatedOptions)),
                          RoIAlignRotatedBoxGrad);
    // psRoiAlign needs C = Cout x outH x outW: 45 channels (5 x 3 x 3) on the same boxes.
    const psShape: Shape4 = [N, H, W, 45];
    const psX = randomValues(random, N * H * W * 45), psDy = randomValues(random, BIG.numBoxes * 9 * 5);
    const psInp = {x: psX, shape: psShape, boxes, boxIndices};
    const psT = {...t, x: tf.tensor4d(psX, psShape), dy: tf.tensor4d(psDy, [BIG.numBoxes, 3, 3, 5])};
    for (const samplingRatio of [0, 2]) {
      const psOptions = {outH: 3, outW: 3, spatialScale: BIG.spatialScale, samplingRatio};
      const dPs = await twice(PsRoIAlignBoxGrad, psT, {pooledHeight: 3, pooledWidth: 3, spatialScale: BIG.spatialScale, samplingRatio});
      checkSomeBoxGradients(dPs, 4, candidates, 4,
                            k => boxGradientByDifferences(psInp, k, psDy, eps, one => refPsRoiAlign(one, psOptions)),
                            `${PsRoIAlignBoxGrad}, samplingRatio ${samplingRatio}`);
    }
    tf.dispose([rotatedT.boxes, psT.x, psT.dy, ...Object.values(t)]);
  });

  it('roiAlign forward with C = 43 and an odd output width over many boxes and two images: the float64 reference, also as later ops read it', async () => {
    // On webgl y is written four to a texel in tfjs's packed layout: odd C and
    // an odd width leave half-empty texels, which later ops must not see.
    const random = seededRandom(36);
    const c: Case = {shape: [2, 23, 31, 43], numBoxes: 120, out: [3, 5], spatialScale: 0.5};
    const [N, H, W, C] = c.shape;
    const {boxes, boxIndices} = makeBoxes(c, random);
    boxIndices[7] = N;
    boxes[4 * 9] = NaN;
    const x = randomValues(random, N * H * W * C);
    const t = {x: tf.tensor4d(x, c.shape), boxes: tf.tensor2d(boxes, [c.numBoxes, 4]), boxIndices: tf.tensor1d(boxIndices, 'int32')};
    const inp = {x, shape: c.shape, boxes, boxIndices};
    for (const [samplingRatio, aligned, mode] of [[0, false, 'avg'], [1, true, 'max'], [2, true, 'max'], [3, false, 'avg'], [5, false, 'max']] as const) {
      const o = {outH: 3, outW: 5, spatialScale: c.spatialScale, samplingRatio, aligned, mode};
      const attrs = {pooledHeight: 3, pooledWidth: 5, spatialScale: c.spatialScale, samplingRatio, aligned, mode};
      const label = `RoIAlign ${mode}, samplingRatio ${samplingRatio}${aligned ? ', aligned' : ''}`;
      const expected = refRoiAlign(inp, o);
      // A fresh x each time: webgl uploads it packed and reads it in place (with a fixed ratio, the
      // reduction unrolled up to ratio 4 and looped past it), where an x already uploaded unpacked
      // would be read unpacked.
      const xFresh = tf.tensor4d(x, c.shape);
      const y = runKernel(RoIAlign, {...t, x: xFresh}, attrs);
      xFresh.dispose();
      checkClose(await values(y), expected, label);
      // Ops that read y in place (packed) or unpacked.
      const perBin = tf.sum(y, 3), flat = tf.reshape(y, [c.numBoxes * 15, C]), shifted = tf.add(y, 1);
      const binSums = new Float64Array(c.numBoxes * 15);
      for (let i = 0; i < binSums.length; i++) for (let ch = 0; ch < C; ch++) binSums[i] += expected[i * C + ch];
      checkClose(await values(perBin), binSums, `${label}, summed over channels`, {atol: 1e-4, rtol: 1e-4});
      checkClose(await values(flat), expected, `${label}, reshaped`);
      checkClose(await values(shifted), expected.map(v => v + 1), `${label}, plus 1`, {atol: 1e-5, rtol: 1e-5});
      tf.dispose([y, perBin, flat, shifted]);
      if (backend === 'webgl') {
        // Without packing, x is read unpacked and y is returned unpacked.
        const pack = tf.env().getBool('WEBGL_PACK'), lazily = tf.env().getBool('WEBGL_LAZILY_UNPACK');
        tf.env().set('WEBGL_PACK', false);
        tf.env().set('WEBGL_LAZILY_UNPACK', false);
        try {
          const xUnpacked = tf.add(t.x, 0);
          const yUnpacked = runKernel(RoIAlign, {...t, x: xUnpacked}, attrs);
          checkClose(await values(yUnpacked), expected, `${label}, unpacked`);
          tf.dispose([xUnpacked, yUnpacked]);
        } finally {
          tf.env().set('WEBGL_PACK', pack);
          tf.env().set('WEBGL_LAZILY_UNPACK', lazily);
        }
      }
    }
    tf.dispose(Object.values(t));
  });

  it('psRoiAlign, psRoiPool and rotated dx over many boxes: the dot-product test against the float64 forward', async () => {
    const random = seededRandom(32);
    const shape: Shape4 = [2, 29, 35, 3 * 12];
    const c: Case = {shape, numBoxes: 110, out: [3, 4], spatialScale: 0.5};
    const [N, H, W, C] = shape;
    const {boxes, boxIndices} = makeBoxes(c, random);
    const v = randomValues(random, N * H * W * C);
    const t = {x: tf.tensor4d(v, shape), boxes: tf.tensor2d(boxes, [c.numBoxes, 4]), boxIndices: tf.tensor1d(boxIndices, 'int32')};
    const inp = {x: v, shape, boxes, boxIndices};
    const psOptions = {outH: 3, outW: 4, spatialScale: c.spatialScale, samplingRatio: 0};
    const psDy = randomValues(random, c.numBoxes * 12 * 3);
    const psAttrs = {pooledHeight: 3, pooledWidth: 4, spatialScale: c.spatialScale, samplingRatio: 0};
    for (const [name, ref] of [[PsRoIAlignGrad, refPsRoiAlign], [PsRoIPoolGrad, refPsRoiPool]] as const) {
      const dyT = tf.tensor4d(psDy, [c.numBoxes, 3, 4, 3]);
      const dx = runKernel(name, {...t, dy: dyT}, psAttrs);
      expectAdjoint(await values(dx), v, psDy, ref(inp, psOptions), name);
      tf.dispose([dx, dyT]);
    }
    // Rotated boxes (cx, cy, w, h, angle in degrees) over the same map.
    const rotated = new Float32Array(5 * c.numBoxes);
    for (let k = 0; k < c.numBoxes; k++) {
      const [x1, y1, x2, y2] = boxes.slice(4 * k, 4 * k + 4);
      rotated.set([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1, -90 + random() * 180], 5 * k);
    }
    const rotatedDy = randomValues(random, c.numBoxes * 3 * 4 * C);
    const rotatedOptions = {outH: 3, outW: 4, spatialScale: c.spatialScale, samplingRatio: 0, angleUnit: 'degrees' as const, clockwise: false};
    const rt = {...t, boxes: tf.tensor2d(rotated, [c.numBoxes, 5]), dy: tf.tensor4d(rotatedDy, [c.numBoxes, 3, 4, C])};
    const rotatedAttrs = {pooledHeight: 3, pooledWidth: 4, spatialScale: c.spatialScale, samplingRatio: 0, angleUnit: 'degrees', clockwise: false};
    const dx = runKernel(RoIAlignRotatedGrad, rt, rotatedAttrs);
    const fv = refRoiAlignRotated({x: v, shape, boxes: rotated, boxIndices}, rotatedOptions);
    expectAdjoint(await values(dx), v, rotatedDy, fv, RoIAlignRotatedGrad);
    tf.dispose([dx, rt.boxes, rt.dy, ...Object.values(t)]);
  });

  it('over a thousand boxes (a gather split into draws): the float64 adjoint, bit-identical twice', async () => {
    const random = seededRandom(33);
    const c: Case = {shape: [2, 17, 19, 5], numBoxes: 1100, out: [2, 2], spatialScale: 1};
    const {boxes, boxIndices, x, dy, t} = gradientInputs(c, random);
    const attrs = {pooledHeight: 2, pooledWidth: 2, spatialScale: 1, samplingRatio: 0, aligned: false, mode: 'avg'};
    const first = runKernel(RoIAlignGrad, t, attrs), second = runKernel(RoIAlignGrad, t, attrs);
    const o = {outH: 2, outW: 2, spatialScale: 1, samplingRatio: 0, aligned: false, mode: 'avg' as const};
    checkClose(await values(first), refRoiAlignGrad({x, shape: c.shape, boxes, boxIndices}, dy, o), 'RoIAlignGrad, 1100 boxes');
    expect(Array.from(await bits(second))).toEqual(Array.from(await bits(first)));
    tf.dispose([first, second, ...Object.values(t)]);
  });

  it('the gathers with odd W, C = 45 and over a thousand boxes in two images (split draws, half-empty texels): the float64 references, bit-identical twice', async () => {
    // On webgl dx is gathered four to a texel (two columns, two channels): an odd W and an
    // odd C leave texels with empty lanes, and each draw adds to the previous one's texels.
    const random = seededRandom(38);
    const c: Case = {shape: [2, 13, 15, 45], numBoxes: 1100, out: [3, 3], spatialScale: 1};
    const [outH, outW] = c.out;
    const {boxes, boxIndices, x, dy, inp, t} = gradientInputs(c, random);
    await withScatter(false, async () => {
      for (const [samplingRatio, aligned, mode] of [[0, false, 'avg'], [2, true, 'max']] as const) {
        const o = {outH, outW, spatialScale: 1, samplingRatio, aligned, mode};
        const attrs = {pooledHeight: outH, pooledWidth: outW, spatialScale: 1, samplingRatio, aligned, mode};
        checkClose(await twice(RoIAlignGrad, t, attrs), refRoiAlignGrad(inp, dy, o), `RoIAlignGrad ${mode}, samplingRatio ${samplingRatio}, 1100 boxes`);
      }
    });
    const pooled = {pooledHeight: outH, pooledWidth: outW, spatialScale: 1};
    checkClose(await twice(RoIPoolGrad, t, pooled), refRoiPoolGrad(inp, dy, {outH, outW, spatialScale: 1}), 'RoIPoolGrad, 1100 boxes');
    const psDy = randomValues(random, c.numBoxes * outH * outW * 5);
    const psT = {...t, dy: tf.tensor4d(psDy, [c.numBoxes, outH, outW, 5])};
    const psOptions = {outH, outW, spatialScale: 1, samplingRatio: 0};
    for (const [name, ref] of [[PsRoIAlignGrad, refPsRoiAlign], [PsRoIPoolGrad, refPsRoiPool]] as const) {
      expectAdjoint(await twice(name, psT, {...pooled, samplingRatio: 0}), x, psDy, ref(inp, psOptions), `${name}, 1100 boxes`);
    }
    // Centers moved off the half-pixel grid: a center on the border of -1 (or H, W) puts the
    // middle sample of an odd grid exactly there, where float32 and float64 rotations fall
    // on different sides of it, and the dot-product test would see the jump.
    const rotated = new Float32Array(5 * c.numBoxes);
    for (let k = 0; k < c.numBoxes; k++) {
      const [x1, y1, x2, y2] = boxes.slice(4 * k, 4 * k + 4);
      rotated.set([(x1 + x2) / 2 + 0.1, (y1 + y2) / 2 + 0.1, x2 - x1, y2 - y1, -90 + random() * 180], 5 * k);
    }
    const rotatedOptions = {...psOptions, angleUnit: 'degrees' as const, clockwise: false};
    const rotatedT = {...t, boxes: tf.tensor2d(rotated, [c.numBoxes, 5])};
    const fv = refRoiAlignRotated({x, shape: c.shape, boxes: rotated, boxIndices}, rotatedOptions);
    expectAdjoint(await twice(RoIAlignRotatedGrad, rotatedT, {...pooled, ...rotatedOptions}), x, dy, fv, `${RoIAlignRotatedGrad}, 1100 boxes`);
    tf.dispose([psT.dy, rotatedT.boxes, ...Object.values(t)]);
  });

  it('psRoiAlign and psRoiPool forwards with an odd output width and odd Cout over many boxes and two images: the float64 reference, also as later ops read it', async () => {
    // On webgl y is written four to a texel (two bins x two output channels),
    // each output channel reading its own input channel: odd Cout and an odd
    // width leave half-empty texels, which later ops must not see.
    const random = seededRandom(38);
    const c: Case = {shape: [2, 23, 31, 45], numBoxes: 110, out: [3, 5], spatialScale: 0.5};
    const [N, H, W, C] = c.shape;
    const cout = C / 15;
    const {boxes, boxIndices} = makeBoxes(c, random);
    boxIndices[5] = N;
    boxIndices[6] = -1;
    boxes[4 * 8 + 2] = NaN;
    const x = randomValues(random, N * H * W * C);
    const t = {x: tf.tensor4d(x, c.shape), boxes: tf.tensor2d(boxes, [c.numBoxes, 4]), boxIndices: tf.tensor1d(boxIndices, 'int32')};
    const inp = {x, shape: c.shape, boxes, boxIndices};
    const runs = [
      [PsRoIAlign, 0, refPsRoiAlign], [PsRoIAlign, 2, refPsRoiAlign], [PsRoIPool, undefined, refPsRoiPool],
    ] as const;
    for (const [name, samplingRatio, ref] of runs) {
      const label = `${name}${samplingRatio === undefined ? '' : `, samplingRatio ${samplingRatio}`}`;
      const expected = ref(inp, {outH: 3, outW: 5, spatialScale: c.spatialScale, samplingRatio});
      for (const k of [5, 6, 8]) expect(expected.slice(15 * cout * k, 15 * cout * (k + 1)).every(v => v === 0)).toBe(true);
      const y = runKernel(name, t, {pooledHeight: 3, pooledWidth: 5, spatialScale: c.spatialScale, samplingRatio});
      expect(y.shape).toEqual([c.numBoxes, 3, 5, cout]);
      checkClose(await values(y), expected, label);
      const perBin = tf.sum(y, 3), shifted = tf.add(y, 1);
      const binSums = new Float64Array(c.numBoxes * 15);
      for (let i = 0; i < binSums.length; i++) for (let ch = 0; ch < cout; ch++) binSums[i] += expected[i * cout + ch];
      checkClose(await values(perBin), binSums, `${label}, summed over channels`, {atol: 1e-4, rtol: 1e-4});
      checkClose(await values(shifted), expected.map(v => v + 1), `${label}, plus 1`, {atol: 1e-5, rtol: 1e-5});
      tf.dispose([y, perBin, shifted]);
    }
    tf.dispose(Object.values(t));
  });

  it('a scatter whose channels are cut into slabs under a low texture size limit: the float64 adjoint, bit-identical twice', async () => {
    const random = seededRandom(36);
    // A wide map: at most 2 x 2 texels per pixel fit a row of 150 pixels under the limit below.
    const WIDE: Case = {shape: [2, 6, 150, 43], numBoxes: 130, out: [5, 4], spatialScale: 0.5};
    const {boxes, boxIndices, x, dy, t} = gradientInputs(WIDE, random);
    const [outH, outW] = WIDE.out;
    // The limit is webgl's flag (reading it elsewhere would look for a WebGL context).
    const limit = backend === 'webgl' ? tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE') : null;
    // 340 texels: tiles of 2 x 2 of the 43 channels' 11 texels (3 slabs of 4, the last one's tiles
    // not full), and every tensor still fits.
    if (limit !== null) tf.env().set('WEBGL_MAX_TEXTURE_SIZE', 340);
    try {
      for (const mode of ['avg', 'max'] as const) {
        const o = {outH, outW, spatialScale: WIDE.spatialScale, samplingRatio: 3, aligned: false, mode};
        const attrs = {pooledHeight: outH, pooledWidth: outW, spatialScale: WIDE.spatialScale, samplingRatio: 3, aligned: false, mode};
        const draws = await withScatter(true, async () => {
          const first = runKernel(RoIAlignGrad, t, attrs), second = runKernel(RoIAlignGrad, t, attrs);
          checkClose(await values(first), refRoiAlignGrad({x, shape: WIDE.shape, boxes, boxIndices}, dy, o), `RoIAlignGrad ${mode} in slabs`);
          expect(Array.from(await bits(second))).toEqual(Array.from(await bits(first)));
          tf.dispose([first, second]);
        });
        if (backend === 'webgl') expect(draws).toBeGreaterThan(0);
      }
      // 120 boxes of 7 x 7 bins of 16 samples: 94080 points, so each scatter is split into two draws.
      const one: Case = {shape: [1, 37, 45, 11], numBoxes: 120, out: [7, 7], spatialScale: 0.5};
      const small = makeBoxes(one, random);
      const xOne = randomValues(random, 37 * 45 * 11), dyOne = randomValues(random, 120 * 49 * 11);
      const u = {
        x: tf.tensor4d(xOne, one.shape), boxes: tf.tensor2d(small.boxes, [120, 4]),
        boxIndices: tf.tensor1d(small.boxIndices, 'int32'), dy: tf.tensor4d(dyOne, [120, 7, 7, 11]),
      };
      for (const mode of ['avg', 'max'] as const) {
        const o = {outH: 7, outW: 7, spatialScale: 0.5, samplingRatio: 4, aligned: false, mode};
        const attrs = {pooledHeight: 7, pooledWidth: 7, spatialScale: 0.5, samplingRatio: 4, aligned: false, mode};
        const draws = await withScatter(true, async () => {
          const first = runKernel(RoIAlignGrad, u, attrs), second = runKernel(RoIAlignGrad, u, attrs);
          checkClose(await values(first), refRoiAlignGrad({x: xOne, shape: one.shape, boxes: small.boxes, boxIndices: small.boxIndices}, dyOne, o),
                     `RoIAlignGrad ${mode} in two draws`);
          expect(Array.from(await bits(second))).toEqual(Array.from(await bits(first)));
          tf.dispose([first, second]);
        });
        if (backend === 'webgl') expect(draws).toBe(4);
      }
      tf.dispose(Object.values(u));
    } finally {
      if (limit !== null) tf.env().set('WEBGL_MAX_TEXTURE_SIZE', limit);
      tf.dispose(Object.values(t));
    }
  });

  it('packed inputs (a conv output as x and as dy) give the reference values', async () => {
    const random = seededRandom(34);
    const c: Case = {shape: [2, 21, 26, 42], numBoxes: 100, out: [3, 3], spatialScale: 0.5};
    const [N, H, W, C] = c.shape;
    const {boxes, boxIndices} = makeBoxes(c, random);
    const image = tf.tensor4d(randomValues(random, N * H * W * 3), [N, H, W, 3]);
    const filter = tf.tensor4d(randomValues(random, 3 * 3 * 3 * C), [3, 3, 3, C]);
    const x = tf.conv2d(image, filter, 1, 'same');
    const dyImage = tf.tensor4d(randomValues(random, c.numBoxes * 9 * 2), [c.numBoxes, 3, 3, 2]);
    const dy = tf.conv2d(dyImage, tf.tensor4d(randomValues(random, 2 * C), [1, 1, 2, C]), 1, 'same');
    const xValues = await values(x), dyValues = await values(dy);
    const inp = {x: xValues, shape: c.shape, boxes, boxIndices};
    const t = {x, boxes: tf.tensor2d(boxes, [c.numBoxes, 4]), boxIndices: tf.tensor1d(boxIndices, 'int32'), dy};
    for (const mode of ['avg', 'max'] as const) {
      const o = {outH: 3, outW: 3, spatialScale: c.spatialScale, samplingRatio: 2, aligned: false, mode};
      const attrs = {pooledHeight: 3, pooledWidth: 3, spatialScale: c.spatialScale, samplingRatio: 2, aligned: false, mode};
      const y = runKernel(RoIAlign, {x, boxes: t.boxes, boxIndices: t.boxIndices}, attrs);
      checkClose(await values(y), refRoiAlign(inp, o), `RoIAlign ${mode}, packed x`, {atol: 1e-3, rtol: 1e-4});
      y.dispose();
      for (const scatter of [true, false]) {
        await withScatter(scatter, async () => {
          const dx = runKernel(RoIAlignGrad, t, attrs);
          checkClose(await values(dx), refRoiAlignGrad(inp, dyValues, o), `RoIAlignGrad ${mode}, packed x and dy, scatter ${scatter}`, {atol: 1e-3, rtol: 1e-4});
          dx.dispose();
        });
      }
    }
    // On webgl the box gradient's winner pass and shares both read x, and dy is read once:
    // each packed input is unpacked once.
    const webgl = backend === 'webgl' ? tf.backend() as unknown as {unpackTensor: (...args: unknown[]) => unknown} : null;
    const unpack = webgl?.unpackTensor;
    let unpacks = 0;
    if (webgl && unpack) {
      webgl.unpackTensor = (...args: unknown[]) => {
        unpacks++;
        return unpack.apply(webgl, args);
      };
    }
    const attrs = {pooledHeight: 3, pooledWidth: 3, spatialScale: c.spatialScale, samplingRatio: 2, aligned: false, mode: 'max'};
    let dboxes: tf.Tensor;
    try {
      dboxes = runKernel(RoIAlignBoxGrad, t, attrs);
    } finally {
      if (webgl && unpack) webgl.unpackTensor = unpack;
    }
    if (webgl) expect(unpacks).toBe(2);
    const o = {outH: 3, outW: 3, spatialScale: c.spatialScale, samplingRatio: 2, aligned: false, mode: 'max' as const};
    checkSomeBoxGradients(await values(dboxes), 4, edgeBoxesFirst(boxes, c.shape, c.spatialScale), 4,
                          k => refRoiAlignBoxGrad(inp, k, dyValues, o, 1e-3), 'RoIAlignBoxGrad max, packed x and dy');
    dboxes.dispose();
    const pool = runKernel(RoIPool, {x, boxes: t.boxes, boxIndices: t.boxIndices}, {pooledHeight: 3, pooledWidth: 3, spatialScale: c.spatialScale});
    checkClose(await values(pool), refRoiPool(inp, {outH: 3, outW: 3, spatialScale: c.spatialScale}), 'RoIPool, packed x', {atol: 0, rtol: 0});
    tf.dispose([pool, image, filter, dyImage, ...Object.values(t)]);
  });

  it('empty maps give zeros, and boxes past the adaptive grid\'s cap read nothing, quickly', async () => {
    const attrs = {pooledHeight: 7, pooledWidth: 7, spatialScale: 1, samplingRatio: 0, aligned: false, mode: 'avg'};
    for (const shape of [[1, 0, 5, 3], [2, 4, 0, 3]] as Shape4[]) {
      const t = {x: tf.zeros(shape), boxes: tf.tensor2d([[0, 0, 4, 4], [-1, 2, 9, 9]]), boxIndices: tf.tensor1d([0, 0], 'int32'), dy: tf.ones([2, 7, 7, 3])};
      for (const mode of ['avg', 'max']) {
        const y = runKernel(RoIAlign, {x: t.x, boxes: t.boxes, boxIndices: t.boxIndices}, {...attrs, mode});
        checkClose(await values(y), new Float32Array(2 * 49 * 3), `RoIAlign ${mode} on [${shape}]`, {atol: 0, rtol: 0});
        y.dispose();
      }
      tf.dispose(Object.values(t));
    }
    // A box of 1e30 pixels would need 1.4e29 samples per bin axis; a normal box beside it still pools.
    const x = tf.tensor4d(randomValues(seededRandom(35), 1 * 6 * 7 * 2), [1, 6, 7, 2]);
    const boxes = tf.tensor2d([[0, 0, 1e30, 1e30], [1, 1, 5, 4]]);
    const boxIndices = tf.tensor1d([0, 0], 'int32');
    const dy = tf.ones([2, 7, 7, 2]);
    const started = performance.now();
    const y = runKernel(RoIAlign, {x, boxes, boxIndices}, attrs);
    const dx = runKernel(RoIAlignGrad, {x, boxes, boxIndices, dy}, attrs);
    const dboxes = runKernel(RoIAlignBoxGrad, {x, boxes, boxIndices, dy}, attrs);
    const yValues = await values(y);
    const inp = {x: await values(x), shape: [1, 6, 7, 2], boxes: new Float32Array([1, 1, 5, 4]), boxIndices: [0]};
    const o = {outH: 7, outW: 7, spatialScale: 1, samplingRatio: 0, aligned: false, mode: 'avg' as const};
    checkClose(yValues.slice(0, 98), new Float32Array(98), 'the 1e30 box\'s y', {atol: 0, rtol: 0});
    checkClose(yValues.slice(98), refRoiAlign(inp, o), 'the normal box\'s y');
    checkClose(await values(dx), refRoiAlignGrad(inp, new Float32Array(98).fill(1), o), 'dx: the normal box\'s only');
    checkClose((await values(dboxes)).slice(0, 4), [0, 0, 0, 0], 'the 1e30 box\'s dboxes', {atol: 0, rtol: 0});
    expect(performance.now() - started).toBeLessThan(20000);
    tf.dispose([x, boxes, boxIndices, dy, y, dx, dboxes]);
  });

  if (backend !== 'webgl') return;

  // (Other backends get these in the hostile-input suites; here the GLSL's own sum order.)
  it('an Inf in a corner of weight 0 gives NaN (0 x Inf), as torchvision sums w1 v1 + w2 v2 + w3 v3 + w4 v4', async () => {
    // The sample sits exactly on pixel (0, 0): its other corners have weight 0.
    const values4 = new Float32Array([2, Infinity, 3, 5]);
    const x = tf.tensor4d(values4, [1, 2, 2, 1]);
    const boxes = tf.tensor2d([[-0.5, -0.5, 0.5, 0.5]]);
    const boxIndices = tf.tensor1d([0], 'int32');
    const o = {outH: 1, outW: 1, spatialScale: 1, samplingRatio: 1, aligned: false, mode: 'avg' as const};
    const y = runKernel(RoIAlign, {x, boxes, boxIndices}, {pooledHeight: 1, pooledWidth: 1, spatialScale: 1, samplingRatio: 1, aligned: false, mode: 'avg'});
    const expected = refRoiAlign({x: values4, shape: [1, 2, 2, 1], boxes: await values(boxes), boxIndices: [0]}, o);
    expect(Number.isNaN(expected[0])).toBe(true);
    checkClose(await values(y), expected, 'RoIAlign with an Inf at a zero-weight corner');
    tf.dispose([x, boxes, boxIndices, y]);
  });

  it('empty maps give zeros from every forward kernel', async () => {
    const boxes = tf.tensor2d([[0, 0, 4, 4], [-1, 2, 9, 9]]);
    const boxIndices = tf.tensor1d([0, 0], 'int32');
    const rotatedBoxes = tf.tensor2d([[2, 2, 4, 4, 30], [1, 1, 9, 9, -10]]);
    const pooled = {pooledHeight: 2, pooledWidth: 2, spatialScale: 1};
    for (const shape of [[1, 0, 5, 8], [1, 4, 0, 8]] as Shape4[]) {
      const x = tf.zeros(shape);
      const runs: Array<[string, tf.Tensor]> = [
        [RoIPool, runKernel(RoIPool, {x, boxes, boxIndices}, pooled)],
        ['PsRoIAlign', runKernel('PsRoIAlign', {x, boxes, boxIndices}, {...pooled, samplingRatio: 0})],
        ['PsRoIPool', runKernel('PsRoIPool', {x, boxes, boxIndices}, pooled)],
        ['RoIAlignRotated', runKernel('RoIAlignRotated', {x, boxes: rotatedBoxes, boxIndices},
                                      {...pooled, samplingRatio: 0, angleUnit: 'degrees', clockwise: false})],
      ];
      for (const [name, y] of runs) {
        checkClose(await values(y), new Float32Array(y.size), `${name} on [${shape}]`, {atol: 0, rtol: 0});
        y.dispose();
      }
      x.dispose();
    }
    tf.dispose([boxes, boxIndices, rotatedBoxes]);
  });

  it('an output past the texture size limit is refused before anything is allocated, naming the sizes', () => {
    const limit = tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
    const inputs = {
      x: tf.ones([1, 10, 10, 40]),
      boxes: tf.tensor2d(Array.from({length: 30}, () => [0, 0, 8, 8])),
      boxIndices: tf.zeros([30], 'int32'),
      dy: tf.ones([30, 7, 7, 40]),
    };
    const attrs = {pooledHeight: 7, pooledWidth: 7, spatialScale: 1, samplingRatio: 2, aligned: false, mode: 'avg'};
    // 64 x 64 = 4096 texels: x (4000 elements) fits, y and dy (58800) do not.
    tf.env().set('WEBGL_MAX_TEXTURE_SIZE', 64);
    try {
      for (const name of [RoIAlign, RoIAlignGrad, RoIAlignBoxGrad]) {
        const bytes = gpuBytes();
        const tensors = tf.memory().numTensors;
        expectThrows(
            () => runKernel(name, name === RoIAlign ? {x: inputs.x, boxes: inputs.boxes, boxIndices: inputs.boxIndices} : inputs, attrs),
            new RegExp(`^${name} on the webgl backend: (y|dy) \\[30,7,7,40\\] has 58800 elements, more than one texture holds here \\(64x64 = 4096`));
        expect(gpuBytes()).toBe(bytes);
        expect(tf.memory().numTensors).toBe(tensors);
      }
      const bytes = gpuBytes();
      const tensors = tf.memory().numTensors;
      expectThrows(
          () => runMultiScale([inputs.boxes, inputs.boxIndices, inputs.x], attrs),
          /^MultiScaleRoIAlign on the webgl backend: y \[30,7,7,40\] has 58800 elements, more than one texture holds here \(64x64 = 4096/);
      expect(gpuBytes()).toBe(bytes);
      expect(tf.memory().numTensors).toBe(tensors);
    } finally {
      tf.env().set('WEBGL_MAX_TEXTURE_SIZE', limit);
    }
    tf.dispose(Object.values(inputs));
  });

  it('a y four to a texel fits where one to a texel would not', async () => {
    const limit = tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
    const random = seededRandom(37);
    const shape: Shape4 = [1, 10, 10, 9];
    const x = randomValues(random, 900);
    const boxes = Float32Array.from({length: 4 * 30}, (_, i) => (i % 4 < 2 ? 0 : 4) + random() * 5);
    // The same boxes as (cx, cy, w, h), turned by -90 to 90 degrees.
    const rotated = Float32Array.from({length: 5 * 30}, (_, i) => {
      const [x1, y1, x2, y2] = boxes.slice(4 * Math.floor(i / 5), 4 * Math.floor(i / 5) + 4);
      return [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1, 180 * random() - 90][i % 5];
    });
    const inp = {x, shape, boxes, boxIndices: new Int32Array(30)};
    const t = {x: tf.tensor4d(x, shape), boxes: tf.tensor2d(boxes, [30, 4]), boxIndices: tf.zeros([30], 'int32')};
    const rotatedBoxes = tf.tensor2d(rotated, [30, 5]);
    const attrs = {pooledHeight: 7, pooledWidth: 7, spatialScale: 1, samplingRatio: 2, aligned: false, mode: 'avg'};
    const rotatedOptions = {outH: 7, outW: 7, spatialScale: 1, samplingRatio: 2, angleUnit: 'degrees' as const, clockwise: false};
    // y [30,7,7,9]: 13230 elements, 30 x 7 x 4 x 5 = 4200 texels packed, under 72 x 72 = 5184.
    tf.env().set('WEBGL_MAX_TEXTURE_SIZE', 72);
    try {
      const y = runKernel(RoIAlign, t, attrs);
      const expected = refRoiAlign(inp, {outH: 7, outW: 7, spatialScale: 1, samplingRatio: 2, aligned: false, mode: 'avg'});
      checkClose(await values(y), expected, 'RoIAlign, y past 72 x 72 elements');
      // The FPN pooler's y alike (one level).
      const pooled = runMultiScale([t.boxes, t.boxIndices, t.x], attrs);
      checkClose(await values(pooled), expected, 'multiScaleRoiAlign, y past 72 x 72 elements');
      const yRotated = runKernel(
          'RoIAlignRotated', {...t, boxes: rotatedBoxes},
          {pooledHeight: 7, pooledWidth: 7, spatialScale: 1, samplingRatio: 2, angleUnit: 'degrees', clockwise: false});
      checkClose(await values(yRotated), refRoiAlignRotated({...inp, boxes: rotated}, rotatedOptions),
                 'RoIAlignRotated, y past 72 x 72 elements');
      tf.dispose([y, pooled, yRotated]);
      // psRoI*'s y [500,2,2,3]: 6000 elements, 500 x 2 x 1 x 2 = 2000 texels packed; x [1,20,20,12] 4800.
      const psShape: Shape4 = [1, 20, 20, 12];
      const psX = randomValues(random, 4800);
      const psBoxes = Float32Array.from({length: 4 * 500}, (_, i) => (i % 4 < 2 ? 0 : 9) + random() * 10);
      const psInp = {x: psX, shape: psShape, boxes: psBoxes, boxIndices: new Int32Array(500)};
      const u = {x: tf.tensor4d(psX, psShape), boxes: tf.tensor2d(psBoxes, [500, 4]), boxIndices: tf.zeros([500], 'int32')};
      for (const [name, ref] of [[PsRoIAlign, refPsRoiAlign], [PsRoIPool, refPsRoiPool]] as const) {
        const psY = runKernel(name, u, {pooledHeight: 2, pooledWidth: 2, spatialScale: 1, samplingRatio: 2});
        checkClose(await values(psY), ref(psInp, {outH: 2, outW: 2, spatialScale: 1, samplingRatio: 2}), `${name}, y past 72 x 72 elements`);
        psY.dispose();
      }
      tf.dispose(Object.values(u));
    } finally {
      tf.env().set('WEBGL_MAX_TEXTURE_SIZE', limit);
    }
    tf.dispose([rotatedBoxes, ...Object.values(t)]);
  });
});
