/**
 * The page of the browser benchmark (bench/browser.mjs bundles it): roiAlign
 * against what a user would write without this package, on one backend.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';

import {roiAlign} from '../src/index';
// @ts-ignore: a plain ES module shared with the demo
import {FAST_RCNN, seededBoxes} from './workloads.mjs';

interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
}

/**
 * Waits for `tensors` by reading one element of each: GPU queues run in
 * order, so this times the work without timing a large readback.
 */
async function settle(tensors: tf.Tensor[]): Promise<void> {
  for (const t of tensors) {
    const first = tf.slice(tf.reshape(t, [-1]), 0, 1);
    await first.data();
    first.dispose();
  }
}

async function time(run: () => tf.Tensor[], repeats: number): Promise<Timing> {
  tf.dispose(run());  // warm-up: compiles the programs
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const out = run();
    await settle(out);
    times.push(performance.now() - start);
    tf.dispose(out);
  }
  times.sort((a, b) => a - b);
  return {medianMs: times[Math.floor(times.length / 2)], minMs: times[0], maxMs: times[times.length - 1]};
}

async function runBench(backend: string, repeats: number) {
  const ok = await tf.setBackend(backend);
  if (!ok || tf.getBackend() !== backend) throw new Error(`backend ${backend} did not start`);
  tf.env().set('WEBGL_CPU_FORWARD', false);
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  const {features, numBoxes, outputSize, spatialScale, samplingRatio} = FAST_RCNN;
  const [, H, W, C] = features;
  const boxesList: number[][] = seededBoxes(numBoxes);
  const x = tf.randomNormal(features, 0, 1, 'float32', 7) as tf.Tensor4D;
  const boxes = tf.tensor2d(boxesList);
  const indices = tf.zeros([numBoxes], 'int32') as tf.Tensor1D;
  const dy = tf.randomNormal([numBoxes, outputSize, outputSize, C], 0, 1, 'float32', 8);
  const s = samplingRatio;

  // The composite samples at the same points as aligned roiAlign: the s x s
  // samples of a bin are the bin's cells of an (out*s) x (out*s) crop.
  // cropAndResize puts its first and last rows on the box's edges, so its box
  // runs from the first to the last sample centre.
  const samplePoints = boxesList.map(([x1, y1, x2, y2]) => {
    const stepY = (y2 - y1) * spatialScale / (outputSize * s), stepX = (x2 - x1) * spatialScale / (outputSize * s);
    const y0 = y1 * spatialScale - 0.5, x0 = x1 * spatialScale - 0.5;
    // First and last sample centres along each axis.
    return [y0 + 0.5 * stepY, x0 + 0.5 * stepX, y0 + (outputSize * s - 0.5) * stepY, x0 + (outputSize * s - 0.5) * stepX];
  });
  const normalized = tf.tensor2d(samplePoints.map(([ya, xa, yb, xb]) => [ya / (H - 1), xa / (W - 1), yb / (H - 1), xb / (W - 1)]));
  // Where a sample leaves [0, H-1] x [0, W-1] the two differ by design
  // (roiAlign clamps, cropAndResize extrapolates 0): compare the others.
  const interior = samplePoints.flatMap(([ya, xa, yb, xb], k) => (ya >= 0 && xa >= 0 && yb <= H - 1 && xb <= W - 1 ? [k] : []));
  const composite = () => tf.avgPool(
      tf.image.cropAndResize(x, normalized, indices, [outputSize * s, outputSize * s]), s, s, 'valid');
  const align = (a: tf.Tensor, b: tf.Tensor) =>
      roiAlign(a as tf.Tensor4D, b as tf.Tensor2D, indices, outputSize, {spatialScale, samplingRatio, aligned: true});

  const diff = tf.tidy(() => {
    const rows = tf.tensor1d(interior, 'int32');
    return tf.max(tf.abs(tf.sub(tf.gather(align(x, boxes), rows), tf.gather(composite(), rows))));
  });
  const maxDiff = (await diff.data())[0];
  diff.dispose();

  const forward = await time(() => [align(x, boxes)], repeats);
  const backward = await time(() => tf.grads(align)([x, boxes], dy), repeats);
  const compositeForward = await time(() => [tf.tidy(composite)], repeats);
  let kernelMs: number|null = null;
  const info = await tf.time(() => tf.dispose(align(x, boxes)));
  if (typeof info.kernelMs === 'number') kernelMs = info.kernelMs;
  tf.dispose([x, boxes, indices, dy, normalized]);
  return {backend, repeats, forward, backward, compositeForward, maxDiff, kernelMs, comparedBoxes: interior.length};
}

(window as unknown as {runBench: typeof runBench}).runBench = runBench;
(window as unknown as {benchReady: boolean}).benchReady = true;
