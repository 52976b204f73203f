// npm run demo: the worked example, then a Fast R-CNN-sized call through both
// ops, forward and backward, on every backend that starts in this Node.
import * as tf from '@tensorflow/tfjs';

import {roiAlign, roiPool} from '../dist/index.mjs';
import {FAST_RCNN, seededBoxes} from '../bench/workloads.mjs';
import {startNodeWebGPU} from './node_webgpu.mjs';

tf.env().set('IS_TEST', true);  // quiets the tfjs-node advice

function grid(values, h, w) {
  const rows = [];
  for (let i = 0; i < h; i++) rows.push(Array.from(values.slice(i * w, (i + 1) * w), v => v.toFixed(2).padStart(7)).join(''));
  return rows.join('\n');
}

async function workedExample() {
  console.log('Worked example: an 8x8 map of 0..63, RoI (x1,y1,x2,y2) = (0,3,7,8), 2x2 output');
  const x = tf.range(0, 64).reshape([1, 8, 8, 1]);
  const box = [[0, 3, 7, 8]];
  console.log('roiPool:\n' + grid(await roiPool(x, box, [0], 2).data(), 2, 2));
  console.log('roiAlign (samplingRatio 2):\n' + grid(await roiAlign(x, box, [0], 2, {samplingRatio: 2}).data(), 2, 2));
  console.log('roiAlign (samplingRatio 2, aligned):\n' +
      grid(await roiAlign(x, box, [0], 2, {samplingRatio: 2, aligned: true}).data(), 2, 2));
  x.dispose();
}

async function median(run, repeats = 5) {
  await run();  // warm-up (and, on a GPU, compile)
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function fasterRcnnSized(backend, repeats) {
  const {features, numBoxes, outputSize, spatialScale, samplingRatio} = FAST_RCNN;
  const x = tf.randomNormal(features, 0, 1, 'float32', 7);
  const boxes = tf.tensor2d(seededBoxes(numBoxes));
  const indices = tf.zeros([numBoxes], 'int32');
  const dy = tf.randomNormal([numBoxes, outputSize, outputSize, features[3]], 0, 1, 'float32', 8);
  const ops = {
    'roiAlign avg': (a, b) => roiAlign(a, b, indices, outputSize, {spatialScale, samplingRatio}),
    'roiAlign max': (a, b) => roiAlign(a, b, indices, outputSize, {spatialScale, samplingRatio, mode: 'max'}),
    'roiPool': (a, b) => roiPool(a, b, indices, outputSize, {spatialScale}),
  };
  console.log(`\n[${backend}] features [1,50,68,256], 1000 boxes, 7x7 (median of ${repeats} runs after a warm-up)`);
  for (const [name, op] of Object.entries(ops)) {
    const forward = await median(async () => {
      const y = op(x, boxes);
      await y.data();
      y.dispose();
    }, repeats);
    const backward = await median(async () => {
      const grads = tf.grads(op)([x, boxes], dy);
      await Promise.all(grads.map(g => g.data()));
      tf.dispose(grads);
    }, repeats);
    const y = op(x, boxes);
    const sum = (await y.sum().data())[0];
    y.dispose();
    console.log(`  ${name.padEnd(13)} forward ${forward.toFixed(1).padStart(8)} ms   forward+backward (x and boxes) ${
        backward.toFixed(1).padStart(8)} ms   sum(y) ${sum.toFixed(3)}`);
  }
  tf.dispose([x, boxes, indices, dy]);
}

await tf.setBackend('cpu');
await workedExample();
const backends = ['cpu'];
const webgpu = await startNodeWebGPU();
if (webgpu.ok) backends.push('webgpu');
else console.log(`\n(webgpu skipped in this Node: ${webgpu.reason})`);
for (const backend of backends) {
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) throw new Error(`backend ${backend} did not start`);
  // Node's WebGPU here is SwiftShader, a software GPU: seconds per call.
  await fasterRcnnSized(backend, backend === 'cpu' ? 5 : 1);
}
process.exit(0);
