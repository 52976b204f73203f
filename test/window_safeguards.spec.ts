/**
 * Boxes that stress the dx gathers' candidate windows (the GLSL
 * roiAlignCandidateRange and roiPoolCandidates, the WGSL roiAxisWindow and
 * roiPoolBinsHolding): a window inverts the line of sample positions (or
 * bin edges) to pick the few candidates that the exact test then decides,
 * and must never leave out one that the exact test would take, nor
 * overflow. Here boxes start millions of pixels away (up to 2^23 and
 * beyond) and reach a small map with one sample or one bin edge, at tiny
 * and huge spatial scales, and tiny boxes space their samples 2^-14 pixels
 * apart. Every coordinate, bin size and position is exact in float32, so
 * that the float64 reference (test/reference.ts) is the kernels' answer;
 * y and dx are checked against it on every backend.
 *
 * The webgl-only part: intermediates of the dx that no texture holds (the
 * scatter's sample table, the gather's cull mask) are caught before
 * anything is allocated, with a fallback or a clear Error.
 */
import * as tf from '@tensorflow/tfjs';

import {roiAlign, RoIAlignGrad, roiPool, RoIPoolGrad} from '../src/index';
import {WEBGL_SCATTER_FLAG} from '../kernels/webgl/scatter_gl';
import {
  checkClose, describeEachBackend, expectThrows, randomValues, seededRandom, testBackends, useBackend, values,
} from './harness';
import {numericGradient, refRoiAlign, refRoiPool} from './reference';

const SHAPE = [1, 6, 7, 2];  // N, H, W, C: a small map

/**
 * An axis (start, end) in image coordinates of a box with 4 bins of 2
 * samples, each bin binSize feature pixels, whose sample 3 (bin 1's second)
 * lies exactly at `target` on the map and every other sample at least
 * binSize / 2 away: the box starts 7/4 binSize before the target.
 */
function farAxis(target: number, binSize: number, aligned: boolean, scale: number): [number, number] {
  const shift = aligned ? 0.5 : 0;
  const start = target - 1.75 * binSize;
  return [(start + shift) / scale, (start + 4 * binSize + shift) / scale];
}

interface AlignCase {
  name: string;
  samplingRatio: number;
  aligned: boolean;
  spatialScale: number;
  /** (x1, y1, x2, y2) per box, image coordinates. */
  boxes: number[][];
}

/** Boxes with one sample on the map in x (and in y with `rows`), the rest millions of pixels out. */
function farBoxes(binSize: number, targets: number[], aligned: boolean, scale: number, rows = false): number[][] {
  return targets.map((target, i) => {
    const [x1, x2] = farAxis(target, binSize, aligned, scale);
    const [y1, y2] = rows ? farAxis(targets[targets.length - 1 - i] % SHAPE[1], binSize, aligned, scale) :
                            [0.5 / scale, 4.5 / scale];
    return [x1, y1, x2, y2];
  });
}

/** Targets on the map's edges (-1, 0, W - 1, W) and inside it. */
const HALF_TARGETS = [-1, 0, 2.5, 3, 6, 6.5, 7];
const WHOLE_TARGETS = [-1, 0, 3, 6, 7];

const ALIGN_CASES: AlignCase[] = [
  // 2^21 a bin: starts near -3.7e6, ends near 4.7e6 (ulp 0.5 there).
  ...[false, true].map(aligned => ({
    name: `2^21-pixel bins reaching the map, aligned ${aligned}`, samplingRatio: 2, aligned, spatialScale: 1,
    boxes: [...farBoxes(2 ** 21, HALF_TARGETS, aligned, 1), ...farBoxes(2 ** 21, [0.5, 2, 5.5], aligned, 1, true)],
  })),
  // 2^22 a bin: ends near 9.4e6, past 2^23 (ulp 1): integer targets.
  {
    name: '2^22-pixel bins ending past 2^23', samplingRatio: 2, aligned: false, spatialScale: 1,
    boxes: [...farBoxes(2 ** 22, WHOLE_TARGETS, false, 1), ...farBoxes(2 ** 22, [1, 4], false, 1, true)],
  },
  // The same boxes in image coordinates 1024 times larger and smaller.
  ...[2 ** -10, 2 ** 10].map(spatialScale => ({
    name: `2^21-pixel bins at spatialScale ${spatialScale}`, samplingRatio: 2, aligned: true, spatialScale,
    boxes: [...farBoxes(2 ** 21, HALF_TARGETS, true, spatialScale), ...farBoxes(2 ** 21, [2, 5], true, spatialScale, true)],
  })),
  // Samples 2^-14 pixels apart (bins of 2^-12, 4 samples each), across
  // pixel 3 and on the map's edges; the second axis is an ordinary one.
  {
    name: 'samples 2^-14 pixels apart', samplingRatio: 4, aligned: true, spatialScale: 1,
    boxes: [3 - 2 ** -11, 3, -1, 0, 6 - 2 ** -11, 7 - 2 ** -10].map(start => [start + 0.5, 1, start + 0.5 + 2 ** -10, 5]),
  },
  // The adaptive grid: a box from 3000 pixels out (bins of 751.125
  // pixels, 752 samples), tiny aligned boxes (one sample per bin), and boxes
  // near 2^23 that never reach the map.
  {
    name: 'adaptive grid, far and tiny boxes, aligned false', samplingRatio: 0, aligned: false, spatialScale: 1,
    boxes: [[-3000, 1, 4.5, 3], [1, -2996, 3, 8.5], [2 ** 23 - 4, 1, 2 ** 23, 3], [-(2 ** 23), 2, 3 - 2 ** 23, 4]],
  },
  {
    name: 'adaptive grid, far and tiny boxes, aligned true', samplingRatio: 0, aligned: true, spatialScale: 1,
    boxes: [[-3000, 1, 4.5, 3], [3 + 2 ** -12, 1, 3 + 2 ** -10, 4], [2.5, 2 ** 23 - 6, 3.5, 2 ** 23]],
  },
];

interface PoolCase {
  name: string;
  spatialScale: number;
  boxes: number[][];
}

/**
 * RoIPool boxes of 4 bins whose edge between bins 2 and 3 (or inside bin
 * 3) falls on the map: size 3 * 2^22 (bins of 3 * 2^20) and 2^23 (2^21),
 * corners near -9.4e6 and -6.3e6; and one past 2^24.
 */
const POOL_BOXES = [
  [-9437180, 0, 3145731, 5],
  [0, -6291453, 6, 2097154],
  [-6291453, -9437181, 2097154, 3145730],
  [-30000000, 1, 9999999, 4],
];

const POOL_CASES: PoolCase[] = [1, 2 ** -4, 2 ** 4].map(spatialScale => ({
  name: `bins of millions of pixels at spatialScale ${spatialScale}`, spatialScale,
  boxes: POOL_BOXES.map(box => box.map(v => v / spatialScale)),
}));

/** Distinct values (steps of 1 / 64, shuffled): no ties in a bin's max, none within the numeric gradient's step. */
function distinctValues(random: () => number, n: number): Float32Array {
  const out = Float32Array.from({length: n}, (_, i) => (i - n / 2) / 64);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * A case's inputs from one seeded stream, x (drawn by drawX) then dy, with
 * its boxes in image 0; every coordinate is exact in float32, so the float64
 * reference sees the kernels' boxes. `t` holds them as tensors.
 */
function caseInputs(
    boxList: number[][], out: [number, number], seed: number, drawX: (random: () => number, n: number) => Float32Array) {
  const random = seededRandom(seed);
  const K = boxList.length;
  const x = drawX(random, SHAPE.reduce((a, b) => a * b));
  const dy = randomValues(random, K * out[0] * out[1] * SHAPE[3]);
  const boxes = Float32Array.from(boxList.flat());
  expect(Array.from(boxes)).toEqual(boxList.flat());
  const boxIndices = new Int32Array(K);
  const t = {
    x: tf.tensor4d(x, SHAPE as [number, number, number, number]), boxes: tf.tensor2d(boxes, [K, 4]),
    boxIndices: tf.tensor1d(boxIndices, 'int32'), dy: tf.tensor4d(dy, [K, ...out, SHAPE[3]]),
  };
  return {x, dy, boxes, boxIndices, t};
}

/** y against the reference, which must be nonzero somewhere: the far boxes do reach the map. */
async function checkY(y: tf.Tensor, expected: Float64Array, name: string): Promise<void> {
  expect(expected.some(v => v !== 0)).toBe(true);
  checkClose(await values(y), expected, `${name}: y`);
}

describeEachBackend('candidate windows: far, huge and tiny boxes', backend => {
  const OUT: [number, number] = [4, 4];

  // webgl's dx with a fixed ratio is a scatter where it can blend: the
  // gather, whose windows these boxes are for, runs with the scatter off.
  const scatterChoices = backend === 'webgl' ? [true, false] : [true];
  for (const c of ALIGN_CASES) for (const scatter of scatterChoices) {
    const title = scatterChoices.length > 1 && c.samplingRatio > 0 ? ` (webgl scatter ${scatter ? 'on' : 'off'})` : '';
    if (!scatter && c.samplingRatio <= 0) continue;
    it(`roiAlign: ${c.name}${title}`, async () => {
      const {x, dy, boxes, boxIndices, t} = caseInputs(c.boxes, OUT, 1405, randomValues);
      const o = {outH: OUT[0], outW: OUT[1], spatialScale: c.spatialScale, samplingRatio: c.samplingRatio, aligned: c.aligned, mode: 'avg' as const};
      const ref = (moved: ArrayLike<number>) => refRoiAlign({x: moved, shape: SHAPE, boxes, boxIndices}, o);
      const run = (a: tf.Tensor) => roiAlign(
          a as tf.Tensor4D, t.boxes as tf.Tensor2D, t.boxIndices as tf.Tensor1D, OUT,
          {spatialScale: c.spatialScale, samplingRatio: c.samplingRatio, aligned: c.aligned, mode: 'avg'});
      const y = run(t.x);
      await checkY(y, ref(x), c.name);
      const saved = tf.env().getBool(WEBGL_SCATTER_FLAG);
      tf.env().set(WEBGL_SCATTER_FLAG, scatter);
      try {
        const dx = tf.grad(run)(t.x, t.dy);
        // y is linear in x: a step of 1 gives the exact derivative.
        checkClose(await values(dx), numericGradient(x, dy, 1, ref), `${c.name}: dx`);
        dx.dispose();
      } finally {
        tf.env().set(WEBGL_SCATTER_FLAG, saved);
        tf.dispose([y, ...Object.values(t)]);
      }
    });
  }

  for (const c of POOL_CASES) {
    it(`roiPool: ${c.name}`, async () => {
      const {x, dy, boxes, boxIndices, t} = caseInputs(c.boxes, OUT, 1406, distinctValues);
      const o = {outH: OUT[0], outW: OUT[1], spatialScale: c.spatialScale};
      const ref = (moved: ArrayLike<number>) => refRoiPool({x: moved, shape: SHAPE, boxes, boxIndices}, o);
      const run = (a: tf.Tensor) =>
          roiPool(a as tf.Tensor4D, t.boxes as tf.Tensor2D, t.boxIndices as tf.Tensor1D, OUT, {spatialScale: c.spatialScale});
      const y = run(t.x);
      await checkY(y, ref(x), c.name);
      const dx = tf.grad(run)(t.x, t.dy);
      checkClose(await values(dx), numericGradient(x, dy, 1e-3, ref), `${c.name}: dx`);
      tf.dispose([y, dx, ...Object.values(t)]);
    });
  }
});

function runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: object): tf.Tensor {
  return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
}

/** body() under WEBGL_MAX_TEXTURE_SIZE = side, restored afterwards. */
async function withTextureLimit<T>(side: number, body: () => Promise<T>): Promise<T> {
  const saved = tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
  tf.env().set('WEBGL_MAX_TEXTURE_SIZE', side);
  try {
    return await body();
  } finally {
    tf.env().set('WEBGL_MAX_TEXTURE_SIZE', saved);
  }
}

/** body()'s result and how many drawArrays calls it made (only the dx scatter makes them). */
async function countingDraws<T>(body: () => Promise<T>): Promise<[T, number]> {
  const gl = (tf.backend() as unknown as {gpgpu: {gl: WebGL2RenderingContext}}).gpgpu.gl;
  const draw = gl.drawArrays;
  let draws = 0;
  gl.drawArrays = (...args: Parameters<WebGL2RenderingContext['drawArrays']>) => {
    draws++;
    draw.apply(gl, args);
  };
  try {
    return [await body(), draws];
  } finally {
    gl.drawArrays = draw;
  }
}

if (testBackends().includes('webgl')) describe('dx intermediates past the texture size limit [webgl]', () => {
  beforeAll(async () => {
    await useBackend('webgl');
  });

  it('a scatter sample table that no texture holds falls back to the gather', async () => {
    // 20 boxes of 1 x 1 bins of 16 x 16 samples: the sample table has
    // 20 * 32 * 2 = 1280 entries (36 texels a side), every other tensor
    // at most 10 a side.
    const random = seededRandom(1407);
    const shape = [1, 4, 4, 1];
    const K = 20;
    const x = randomValues(random, 16);
    const dy = randomValues(random, K);
    const boxes = Float32Array.from({length: 4 * K}, () => random() * 5 - 0.5);
    const boxIndices = new Int32Array(K);
    const o = {outH: 1, outW: 1, spatialScale: 1, samplingRatio: 16, aligned: true, mode: 'avg' as const};
    const attrs = {pooledHeight: 1, pooledWidth: 1, spatialScale: 1, samplingRatio: 16, aligned: true, mode: 'avg'};
    const inputs = {
      x: tf.tensor4d(x, shape as [number, number, number, number]), boxes: tf.tensor2d(boxes, [K, 4]),
      boxIndices: tf.tensor1d(boxIndices, 'int32'), dy: tf.tensor4d(dy, [K, 1, 1, 1]),
    };
    const expected = numericGradient(x, dy, 1, moved => refRoiAlign({x: moved, shape, boxes, boxIndices}, o));
    const saved = tf.env().getBool(WEBGL_SCATTER_FLAG);
    tf.env().set(WEBGL_SCATTER_FLAG, true);
    try {
      for (const side of [4096, 30]) {
        const [dx, draws] = await withTextureLimit(side, () => countingDraws(async () => {
          const result = runKernel(RoIAlignGrad, inputs, attrs);
          await values(result);
          return result;
        }));
        checkClose(await values(dx), expected, `RoIAlignGrad, textures of ${side} a side`);
        // The scatter draws points where its table fits; the gather only quads.
        if (side === 30) expect(draws).toBe(0);
        else expect(draws).toBeGreaterThan(0);
        dx.dispose();
      }
    } finally {
      tf.env().set(WEBGL_SCATTER_FLAG, saved);
      tf.dispose(Object.values(inputs));
    }
  });

  it('a cull mask that no texture holds is refused with an Error naming the kernel and its size', async () => {
    // 2048 boxes on a 256 x 256 map: 32 x 32 tiles of 128 mask words, 131072
    // texels (363 a side), where x (65536: 256 a side), dy and the box table fit in 300.
    const shape = [1, 256, 256, 1];
    const K = 2048;
    const inputs = {
      x: tf.zeros(shape), boxes: tf.tensor2d(Array.from({length: K}, (_, k) => [k % 200, 3, k % 200 + 40, 60])),
      boxIndices: tf.zeros([K], 'int32'), dy: tf.ones([K, 1, 1, 1]),
    };
    try {
      await withTextureLimit(300, async () => {
        for (const name of [RoIAlignGrad, RoIPoolGrad]) {
          const attrs = {pooledHeight: 1, pooledWidth: 1, spatialScale: 1, samplingRatio: 0, aligned: false, mode: 'avg'};
          const tensors = tf.memory().numTensors;
          expectThrows(
              () => runKernel(name, inputs, attrs),
              new RegExp(`^${name} on the webgl backend: cull mask \\[1024,128\\] has 131072 elements, more than one texture holds here \\(300x300`));
          expect(tf.memory().numTensors).toBe(tensors);
        }
      });
    } finally {
      tf.dispose(Object.values(inputs));
    }
  });
});
