/**
 * Synthetic detection data, made in code from a seed: RGB images of squares,
 * discs and triangles on a noisy background with their ground-truth boxes,
 * and labelled proposals (jittered ground truth plus background boxes) with
 * box-delta targets, as a Fast R-CNN head is trained on.
 */

/** Class 0 is background; the shapes follow. */
export const CLASS_NAMES = ['background', 'square', 'disc', 'triangle'] as const;
export const NUM_CLASSES = CLASS_NAMES.length;

/** Boxes are [x1, y1, x2, y2] in image pixels. */
export type Box = [number, number, number, number];

export interface ShapeObject {
  label: number;
  box: Box;
}

export interface DataConfig {
  imageSize: number;
  /** Proposals per image; half of them are jittered ground-truth boxes. */
  roisPerImage: number;
  minShapeSize: number;
  maxShapeSize: number;
}

export const DEFAULT_DATA_CONFIG: DataConfig = {imageSize: 48, roisPerImage: 16, minShapeSize: 20, maxShapeSize: 30};

/**
 * Scales that make the four delta targets of comparable size, as in Fast
 * R-CNN's target normalization; predictions are divided back before decoding.
 */
export const DELTA_SCALES = [10, 10, 5, 5];

/** A proposal counts as a shape when its IoU with that shape's box is at least this; background stays below BG_MAX_IOU with every shape. */
const FG_MIN_IOU = 0.55;
const BG_MAX_IOU = 0.2;

/** mulberry32: a small seeded generator, so every run sees the same data on every backend. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const uniform = (random: () => number, lo: number, hi: number) => lo + (hi - lo) * random();

export function iou(a: Box, b: Box): number {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const area = (box: Box) => (box[2] - box[0]) * (box[3] - box[1]);
  return inter / (area(a) + area(b) - inter);
}

/** Whether the pixel centre (px, py) lies in a shape of the given label drawn in box. */
function inside(label: number, box: Box, px: number, py: number): boolean {
  const [x1, y1, x2, y2] = box;
  if (px < x1 || px > x2 || py < y1 || py > y2) return false;
  if (label === 1) return true;
  const size = x2 - x1;
  if (label === 2) {
    const dx = px - (x1 + x2) / 2, dy = py - (y1 + y2) / 2;
    return dx * dx + dy * dy <= size * size / 4;
  }
  // An upright isosceles triangle: apex at the top centre, base on the bottom edge.
  const halfWidthAtY = (py - y1) / size * size / 2;
  return Math.abs(px - (x1 + x2) / 2) <= halfWidthAtY;
}

/** A colour that differs from the background by at least 0.35 on average over the channels. */
function shapeColour(random: () => number, background: number[]): number[] {
  for (;;) {
    const colour = [random(), random(), random()];
    const contrast = colour.reduce((sum, c, i) => sum + Math.abs(c - background[i]), 0) / 3;
    if (contrast >= 0.35) return colour;
  }
}

/** One image [size, size, 3] in [0, 1] with one to three shapes that overlap little. */
export function makeImage(random: () => number, config: DataConfig): {pixels: Float32Array, objects: ShapeObject[]} {
  const {imageSize: size, minShapeSize, maxShapeSize} = config;
  const count = 1 + Math.floor(random() * 3);
  const objects: ShapeObject[] = [];
  for (let attempt = 0; objects.length < count && attempt < 50; attempt++) {
    const side = Math.round(uniform(random, minShapeSize, maxShapeSize));
    const x1 = Math.floor(random() * (size - side + 1)), y1 = Math.floor(random() * (size - side + 1));
    const box: Box = [x1, y1, x1 + side, y1 + side];
    if (objects.every(o => iou(o.box, box) < 0.1)) objects.push({label: 1 + Math.floor(random() * 3), box});
  }
  const background = [uniform(random, 0.2, 0.8), uniform(random, 0.2, 0.8), uniform(random, 0.2, 0.8)];
  const colours = objects.map(() => shapeColour(random, background));
  const pixels = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let colour = background;
      // Later shapes are drawn over earlier ones.
      for (let i = 0; i < objects.length; i++) {
        if (inside(objects[i].label, objects[i].box, x + 0.5, y + 0.5)) colour = colours[i];
      }
      for (let c = 0; c < 3; c++) {
        const noisy = colour[c] + (random() - 0.5) * 0.15;
        pixels[(y * size + x) * 3 + c] = Math.min(1, Math.max(0, noisy));
      }
    }
  }
  return {pixels, objects};
}

function jitteredBox(random: () => number, box: Box, size: number): Box {
  for (;;) {
    const w = box[2] - box[0], h = box[3] - box[1];
    const cx = (box[0] + box[2]) / 2 + uniform(random, -0.1, 0.1) * w;
    const cy = (box[1] + box[3]) / 2 + uniform(random, -0.1, 0.1) * h;
    const jw = w * uniform(random, 0.9, 1.25), jh = h * uniform(random, 0.8, 1.25);
    const jittered: Box = [
      Math.max(0, cx - jw / 2), Math.max(0, cy - jh / 2), Math.min(size, cx + jw / 2), Math.min(size, cy + jh / 2)
    ];
    if (iou(jittered, box) >= FG_MIN_IOU) return jittered;
  }
}

function backgroundBox(random: () => number, objects: ShapeObject[], config: DataConfig): Box {
  const {imageSize: size, minShapeSize, maxShapeSize} = config;
  for (let attempt = 0;; attempt++) {
    const w = uniform(random, minShapeSize, maxShapeSize * 1.3), h = uniform(random, minShapeSize, maxShapeSize * 1.3);
    const x1 = random() * (size - w), y1 = random() * (size - h);
    const box: Box = [x1, y1, x1 + w, y1 + h];
    // A crowded image may leave no room; a background box may then touch a shape a little more.
    const limit = attempt < 200 ? BG_MAX_IOU : 0.3;
    if (objects.every(o => iou(o.box, box) < limit)) return box;
  }
}

/** The regression target taking proposal p to box g, scaled by DELTA_SCALES. */
export function encodeDeltas(p: Box, g: Box): number[] {
  const pw = p[2] - p[0], ph = p[3] - p[1], gw = g[2] - g[0], gh = g[3] - g[1];
  return [
    ((g[0] + g[2]) / 2 - (p[0] + p[2]) / 2) / pw * DELTA_SCALES[0],
    ((g[1] + g[3]) / 2 - (p[1] + p[3]) / 2) / ph * DELTA_SCALES[1],
    Math.log(gw / pw) * DELTA_SCALES[2],
    Math.log(gh / ph) * DELTA_SCALES[3],
  ];
}

/** The box that scaled deltas d move proposal p to (the inverse of encodeDeltas). */
export function decodeDeltas(p: Box, d: ArrayLike<number>): Box {
  const pw = p[2] - p[0], ph = p[3] - p[1];
  const cx = (p[0] + p[2]) / 2 + d[0] / DELTA_SCALES[0] * pw;
  const cy = (p[1] + p[3]) / 2 + d[1] / DELTA_SCALES[1] * ph;
  const w = pw * Math.exp(d[2] / DELTA_SCALES[2]), h = ph * Math.exp(d[3] / DELTA_SCALES[3]);
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}

/** A batch as flat arrays, laid out for tensors of the shapes in the comments. */
export interface Batch {
  size: number;
  imageSize: number;
  roisPerImage: number;
  /** [size, imageSize, imageSize, 3] */
  images: Float32Array;
  /** [size, roisPerImage, 4] */
  proposals: Float32Array;
  /** [size, roisPerImage]: the class of each proposal, 0 for background. */
  labels: Int32Array;
  /** [size, roisPerImage, 4]: scaled deltas to the matched box, 0 for background. */
  deltas: Float32Array;
  /** The ground truth of each image. */
  objects: ShapeObject[][];
}

export function makeBatch(random: () => number, size: number, config: DataConfig): Batch {
  const {imageSize, roisPerImage} = config;
  const pixelsPerImage = imageSize * imageSize * 3;
  const batch: Batch = {
    size, imageSize, roisPerImage,
    images: new Float32Array(size * pixelsPerImage),
    proposals: new Float32Array(size * roisPerImage * 4),
    labels: new Int32Array(size * roisPerImage),
    deltas: new Float32Array(size * roisPerImage * 4),
    objects: [],
  };
  const foregroundPerImage = Math.floor(roisPerImage / 2);
  for (let b = 0; b < size; b++) {
    const {pixels, objects} = makeImage(random, config);
    batch.images.set(pixels, b * pixelsPerImage);
    batch.objects.push(objects);
    for (let r = 0; r < roisPerImage; r++) {
      const k = b * roisPerImage + r;
      let box: Box;
      if (r < foregroundPerImage) {
        const target = objects[r % objects.length];
        box = jitteredBox(random, target.box, imageSize);
        batch.labels[k] = target.label;
        batch.deltas.set(encodeDeltas(box, target.box), k * 4);
      } else {
        box = backgroundBox(random, objects, config);
      }
      batch.proposals.set(box, k * 4);
    }
  }
  return batch;
}
