// Workloads shared by the demo and the benchmarks, so every number printed
// anywhere refers to the same boxes, and the checks both benchmarks make
// before they time a peer.

/** A seeded uniform generator in [0, 1) (Park-Miller). */
export function seededUniform(seed) {
  let s = seed % 2147483647;
  if (s <= 0) s += 2147483646;
  return () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
}

/**
 * `count` boxes (x1, y1, x2, y2) inside an imageH x imageW image, with sides
 * log-uniform between minSide and the image side, reproducible from `seed`.
 */
export function seededBoxes(count, {imageH = 800, imageW = 1088, minSide = 16, seed = 1} = {}) {
  const random = seededUniform(seed);
  const boxes = [];
  for (let k = 0; k < count; k++) {
    const w = Math.exp(Math.log(minSide) + random() * Math.log(imageW / minSide));
    const h = Math.exp(Math.log(minSide) + random() * Math.log(imageH / minSide));
    const x1 = random() * (imageW - w), y1 = random() * (imageH - h);
    boxes.push([x1, y1, x1 + w, y1 + h]);
  }
  return boxes;
}

/** The Fast R-CNN-sized workload of the demo and the browser benchmark. */
export const FAST_RCNN = {
  features: [1, 50, 68, 256],
  numBoxes: 1000,
  outputSize: 7,
  spatialScale: 1 / 16,
  samplingRatio: 2,
};

/** The workloads of the benchmarks (issue 6), in Node and in the browser. */
export const BENCH_WORKLOADS = {
  W1: {features: [1, 50, 68, 256], numBoxes: 1000, spatialScale: 1 / 16, outputSize: 7, samplingRatio: 2, aligned: true},
  W2: {features: [1, 100, 136, 256], numBoxes: 100, spatialScale: 1 / 8, outputSize: 14, samplingRatio: 2, aligned: false},
  W3: {features: [4, 50, 68, 256], numBoxes: 4 * 512, spatialScale: 1 / 16, outputSize: 7, samplingRatio: 0, aligned: false},
  W4: {features: [1, 32, 32, 16], numBoxes: 16, spatialScale: 1, outputSize: 2, samplingRatio: 2, aligned: false,
       image: {imageH: 32, imageW: 32, minSide: 2}},
};

/**
 * The cropAndResize boxes (normalized y1, x1, y2, x2) that put the
 * benchmarks' composite, an (outputSize * samplingRatio)-point crop then an
 * average pool, exactly on roiAlign's sample positions (the bin centres of an
 * s x s split), and `comparable`, the boxes whose samples all stay inside
 * the map: cropAndResize extrapolates zeros outside, where roiAlign clamps,
 * so only those can be compared.
 */
function compositeBoxes(w, boxList) {
  const [, h, wd] = w.features;
  const points = w.outputSize * w.samplingRatio;
  const offset = w.aligned ? 0.5 : 0;
  const normalized = [], comparable = [];
  boxList.forEach(([x1, y1, x2, y2], k) => {
    const axis = (start, end, size) => {
      const s = start * w.spatialScale - offset;
      let length = end * w.spatialScale - offset - s;
      if (!w.aligned) length = Math.max(length, 1);
      const step = length / points;
      const first = s + 0.5 * step, last = s + (points - 0.5) * step;
      return {lo: first / (size - 1), hi: last / (size - 1), inside: first >= 0 && last <= size - 1};
    };
    const y = axis(y1, y2, h), x = axis(x1, x2, wd);
    normalized.push([y.lo, x.lo, y.hi, x.hi]);
    if (y.inside && x.inside) comparable.push(k);
  });
  return {normalized, comparable};
}

/**
 * tfjs's own composite for workload w's roiAlign 'avg' (samplingRatio > 0):
 * cropAndResize to an (outputSize * s)^2 grid on the sample positions, then
 * an s x s average pool. `indices` are the output elements of the
 * `comparable` boxes, the ones it can be checked on. `tf` is the caller's
 * tfjs, so the composite runs on the caller's backend.
 */
export function roiAlignComposite(tf, w, boxList, x, boxIndices) {
  const {normalized, comparable} = compositeBoxes(w, boxList);
  const cropBoxes = tf.tensor2d(normalized, [w.numBoxes, 4]);
  const s = w.samplingRatio, size = w.outputSize * s;
  const perBox = w.outputSize * w.outputSize * w.features[3];
  return {
    run: () => tf.tidy(() => tf.avgPool(tf.image.cropAndResize(x, cropBoxes, boxIndices, [size, size], 'bilinear'), s, s, 'valid')),
    comparable,
    indices: comparable.flatMap(k => Array.from({length: perBox}, (_, i) => k * perBox + i)),
    dispose: () => cropBoxes.dispose(),
  };
}

/**
 * Checks |theirs - ours| <= tolerance * (1 + |ours|) at every index (or the
 * given ones), and returns the largest absolute difference. `ours` is what
 * the message calls the reference.
 */
export function assertSame(what, ours, theirs, tolerance, indices = null, oursName = 'tfjs-roi') {
  if (ours.length !== theirs.length) throw new Error(`${what}: length ${theirs.length}, expected ${ours.length}`);
  let worst = 0;
  const count = indices ? indices.length : ours.length;
  for (let j = 0; j < count; j++) {
    const i = indices ? indices[j] : j;
    const d = Math.abs(theirs[i] - ours[i]);
    if (!(d <= tolerance * (1 + Math.abs(ours[i])))) {
      throw new Error(`${what}: element ${i} is ${theirs[i]}, ${oursName} gives ${ours[i]}`);
    }
    worst = Math.max(worst, d);
  }
  return worst;
}

/**
 * The detector-scale GPU workloads (issues 13 and 14): the same 200 boxes of
 * an 800 x 1088 image pooled 7x7 with samplingRatio 2 from a stride-8 map
 * (P3) and a stride-4 map (P2). The samples are the same on both, so a pass
 * whose cost follows the samples costs about the same on both; one that
 * scans map x boxes costs 4x on P2. `channels` lists the C each is run at.
 */
export const DETECTOR_WORKLOADS = {
  P3: {features: [1, 100, 136, 16], numBoxes: 200, spatialScale: 1 / 8, outputSize: 7, samplingRatio: 2, aligned: false},
  P2: {features: [1, 200, 272, 16], numBoxes: 200, spatialScale: 1 / 4, outputSize: 7, samplingRatio: 2, aligned: false},
};
export const DETECTOR_CHANNELS = [16, 64];

/** Workload w with C channels instead of its own. */
export function withChannels(w, channels) {
  return {...w, features: [w.features[0], w.features[1], w.features[2], channels]};
}

/**
 * The FPN pooler workload (issue 15): levels P2..P5 of an 800 x 1088 image
 * (strides 4..32, torchvision's rounded-up sizes), 1000 boxes, 7x7,
 * samplingRatio 2, canonical scale 224 at level 4. `oneLevel` is the
 * comparison: roiAlign of the same boxes on P2 alone (the same sample count
 * and output size).
 */
export const FPN_WORKLOAD = {
  imageSize: [800, 1088],
  levels: [[1, 200, 272], [1, 100, 136], [1, 50, 68], [1, 25, 34]],
  numBoxes: 1000,
  outputSize: 7,
  samplingRatio: 2,
  channels: {cpu: 256, gpu: 16},
};
