// npm run demo: the worked example, then a Fast R-CNN-sized call through the
// ops, forward and backward, on cpu; about half a minute on two cores.
//   --webgpu  also runs it on WebGPU in Node (Dawn; on a machine without a GPU
//             that is SwiftShader, a software GPU: minutes)
//   --repeats N  timed runs per measurement (default 3)
// npm run bench has the full comparison against ONNX Runtime and tfjs's own ops.
import {existsSync, readdirSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const withWebGPU = args.includes('--webgpu');
const repeatsAt = args.indexOf('--repeats');
const repeats = repeatsAt >= 0 ? Math.max(1, Number(args[repeatsAt + 1]) || 3) : 3;

// npm install already built dist/ (its `prepare`); build again only when a source is newer.
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}
const built = join(root, 'dist', 'index.mjs');
const stale = !existsSync(built) ||
    Math.max(...['src', 'kernels', 'shaders'].map(d => newestSource(join(root, d)))) > statSync(built).mtimeMs;
if (stale) {
  console.log('Building dist/ (npm run build) ...');
  const {execFileSync} = await import('node:child_process');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {cwd: root, stdio: ['ignore', 'ignore', 'inherit']});
}

const tf = await import('@tensorflow/tfjs');
const {roiAlign, roiPool} = await import('../dist/index.mjs');
const {FAST_RCNN, seededBoxes} = await import('../bench/workloads.mjs');

tf.env().set('IS_TEST', true);  // quiets tfjs's advice to install tfjs-node

function grid(values, h, w) {
  const rows = [];
  for (let i = 0; i < h; i++) rows.push(Array.from(values.slice(i * w, (i + 1) * w), v => v.toFixed(2).padStart(8)).join(''));
  return rows.join('\n');
}

async function workedExample() {
  console.log('1. The worked example: an 8x8 feature map holding 0..63 row by row, one box');
  console.log('   (x1, y1, x2, y2) = (0, 3, 7, 8), pooled to 2x2.');
  const x = tf.range(0, 64).reshape([1, 8, 8, 1]);
  const box = [[0, 3, 7, 8]];
  const show = async (title, y) => {
    console.log(`\n   ${title}\n${grid(await y.data(), 2, 2)}`);
    y.dispose();
  };
  await show('roiPool: box rounded to whole pixels, the max of each bin', roiPool(x, box, [0], 2));
  await show('roiAlign, samplingRatio 2: the mean of 2x2 interpolated samples per bin', roiAlign(x, box, [0], 2, {samplingRatio: 2}));
  await show('roiAlign, samplingRatio 2, aligned: the box shifted by half a pixel', roiAlign(x, box, [0], 2, {samplingRatio: 2, aligned: true}));
  console.log('\n   These are torchvision\'s numbers; the test suite checks them on every backend.');
  x.dispose();
}

async function median(run) {
  await run();  // warm-up (compiles WebAssembly or shaders)
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function fastRcnnSized(backend) {
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
  const rows = [];
  let step = 0;
  for (const [name, op] of Object.entries(ops)) {
    process.stdout.write(`   [${++step}/${Object.keys(ops).length}] ${name} on ${backend} ...`);
    const forward = await median(async () => {
      const y = op(x, boxes);
      await y.data();
      y.dispose();
    });
    const backward = await median(async () => {
      const grads = tf.grads(op)([x, boxes], dy);
      await Promise.all(grads.map(g => g.data()));
      tf.dispose(grads);
    });
    const y = op(x, boxes);
    const total = y.sum();
    const sum = (await total.data())[0];
    tf.dispose([y, total]);
    process.stdout.write(' done\n');
    rows.push([name, forward.toFixed(1), backward.toFixed(1), sum.toFixed(1)]);
  }
  tf.dispose([x, boxes, indices, dy]);
  return rows;
}

function table(rows) {
  const head = ['op', 'forward ms', 'fwd+bwd ms', 'sum(y)'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  const line = cells => '   ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ');
  return [line(head), line(widths.map(w => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function startWebGPU() {
  const {startNodeWebGPU} = await import('./node_webgpu.mjs');
  return startNodeWebGPU();
}

const started = performance.now();
await tf.setBackend('cpu');
await workedExample();

const backends = ['cpu'];
if (withWebGPU) {
  const webgpu = await startWebGPU();
  if (webgpu.ok) backends.push('webgpu');
  else console.log(`\n(WebGPU did not start in this Node: ${webgpu.reason}; running cpu only)`);
}
const {features, numBoxes, outputSize} = FAST_RCNN;
console.log(`\n2. A Fast R-CNN-sized call: features [${features}] (NHWC), ${numBoxes} boxes, ${outputSize}x${outputSize} output.`);
for (const backend of backends) {
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) throw new Error(`backend ${backend} did not start`);
  const rows = await fastRcnnSized(backend);
  console.log(`\n   ${backend}:\n${table(rows)}`);
}
console.log(`
   forward ms   median time of one call, result read back (median of ${repeats} after a warm-up)
   fwd+bwd ms   tf.grads of the call w.r.t. the features and the boxes, both gradients read back
   sum(y)       the sum of the output: a checksum, the same on every backend to about 1e-4
${withWebGPU ? '' : '\n   npm run demo -- --webgpu adds WebGPU (slow on a software GPU); npm run bench compares with ONNX Runtime.'}
Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
process.exit(0);
