/**
 * How the kernels use the GPU, with values checked on every backend: new box
 * counts and feature sizes reuse compiled webgpu pipelines (shapes are
 * uniforms, not compiled in), outputs too large for one 1-D dispatch are laid
 * out over two dimensions, and inputs past the device's limits are refused
 * with a clear Error before anything runs.
 */
import * as tf from '@tensorflow/tfjs';

import {roiAlign, roiPool} from '../src/index';
import {checkClose, describeEachBackend, expectThrows, randomValues, seededRandom, values} from './harness';
import {refRoiAlign, refRoiPool} from './reference';

/** This package's compiled webgpu pipelines (their shaderKeys start with 'roi'). */
function roiPipelineCount(): number {
  const cache = (tf.backend() as unknown as {pipelineCache: Record<string, unknown>}).pipelineCache;
  return Object.keys(cache).filter(key => key.startsWith('roi')).length;
}

interface Size {
  shape: [number, number, number, number];
  numBoxes: number;
  out: [number, number];
  spatialScale: number;
}

/** Forward and both gradients of roiAlign (avg and max) and roiPool, checked. */
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
  for (const mode of ['avg', 'max'] as const) {
    const options = {spatialScale: size.spatialScale, samplingRatio: 0, aligned: false, mode};
    const run = (a: tf.Tensor, b: tf.Tensor) => roiAlign(a as tf.Tensor4D, b as tf.Tensor2D, it, size.out, options);
    const y = run(xt, bt);
    checkClose(await values(y), refRoiAlign(input, {outH, outW, ...options}), `roiAlign ${mode}`);
    const grads = tf.grads(run)([xt, bt]);
    await Promise.all(grads.map(g => g.data()));
    tf.dispose([y, ...grads]);
  }
  const run = (a: tf.Tensor) => roiPool(a as tf.Tensor4D, bt, it, size.out, {spatialScale: size.spatialScale});
  const y = run(xt);
  checkClose(await values(y), refRoiPool(input, {outH, outW, spatialScale: size.spatialScale}), 'roiPool');
  const dx = tf.grad(run)(xt);
  await dx.data();
  tf.dispose([xt, bt, it, y, dx]);
}

describeEachBackend('compiled programs and device limits', backend => {
  it('new box counts, images, feature and output sizes reuse the compiled programs', async () => {
    // Earlier specs in the same page (karma) may have compiled some already.
    const before = backend === 'webgpu' ? roiPipelineCount() : 0;
    await runAll({shape: [1, 5, 6, 2], numBoxes: 3, out: [2, 2], spatialScale: 1}, 1);
    const compiled = backend === 'webgpu' ? roiPipelineCount() : 0;
    if (backend === 'webgpu') {
      // roiAlign avg: forward, dx, box partials; max: forward value and winner, dx, box partials;
      // the box sum, the reach pass and the tile cull pass they share; roiPool: forward value and
      // winner, reach, dx.
      expect(compiled - before).toBeLessThanOrEqual(3 + 4 + 3 + 4);
    }
    await runAll({shape: [2, 9, 4, 3], numBoxes: 7, out: [3, 2], spatialScale: 0.5}, 2);
    await runAll({shape: [3, 4, 11, 1], numBoxes: 1, out: [1, 4], spatialScale: 2}, 3);
    if (backend === 'webgpu') expect(roiPipelineCount()).toBe(compiled);
    // C % 4 == 0: webgpu's 'avg' forward switches to its four-channel program, compiled once.
    await runAll({shape: [1, 6, 5, 4], numBoxes: 2, out: [2, 3], spatialScale: 1}, 5);
    const withFourChannels = backend === 'webgpu' ? roiPipelineCount() : 0;
    if (backend === 'webgpu') expect(withFourChannels - compiled).toBeLessThanOrEqual(1);
    await runAll({shape: [2, 3, 7, 8], numBoxes: 5, out: [1, 2], spatialScale: 0.5}, 6);
    if (backend === 'webgpu') expect(roiPipelineCount()).toBe(withFourChannels);
  });

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
    it('an output past the storage binding limit throws a clear Error before running', async () => {
      // 16 channels x 16384^2 bins of float32: 17 GB, past any WebGPU device's limits.
      const x = tf.zeros([1, 2, 2, 16]) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      expectThrows(
          () => roiAlign(x, [[0, 0, 1, 1]], [0], [16384, 16384]),
          /RoIAlign on webgpu: output \[1,16384,16384,16\] takes 17179869184 bytes, more than this device's max(StorageBufferBindingSize|BufferSize)/);
      expectThrows(() => roiPool(x, [[0, 0, 1, 1]], [0], [16384, 16384]), /RoIPool on webgpu: output/);
      // Nothing was left allocated, and the device still works.
      expect(tf.memory().numTensors).toBe(before);
      const ones = tf.ones([1, 2, 2, 16]) as tf.Tensor4D;
      const y = roiPool(ones, [[0, 0, 1, 1]], [0], 1);
      checkClose(await values(y), new Float32Array(16).fill(1), 'roiPool after the refusal');
      tf.dispose([x, ones, y]);
    });
  }
});
