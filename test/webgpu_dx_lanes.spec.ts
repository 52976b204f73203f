/**
 * The dx gathers of roiPool, psRoiAlign, psRoiPool and roiAlignRotated in
 * channel lanes (adjacent invocations on adjacent groups of 4 channels, the
 * real-GPU layout), forced on webgpu, where SwiftShader's 'auto' takes the
 * block gather: C = 45 (12 groups in 16 lanes, the last of one channel,
 * read as floats) and C = 48 (dx, and dy and the winners where they lie in
 * x's channel order, as vec4s), K = 100 boxes over N = 2 images, across the
 * gather's 8 x 8 tiles and the map's border. dx is checked element by
 * element against forward differences of the float64 references, and must
 * repeat bit for bit. The block gathers ('auto' on SwiftShader, and so in
 * CI) are checked the same way: RoIPool's at blocks of 16, 32 and 64
 * channels, the others' at the same C as their lanes. psRoiAlign's and
 * roiAlignRotated's box gradients at those sizes are checked for 5 boxes
 * against central differences of the references, and must repeat bit for
 * bit. (RoIAlign's lanes and blocks are
 * checked in webgpu_programs.spec.ts; multiScaleRoiAlign's dx runs
 * RoIAlign's.)
 */
import * as tf from '@tensorflow/tfjs';

import {psRoiAlign, psRoiPool, roiAlignRotated, roiPool} from '../src/index';
import {gatherChannelBlock, gatherLanesInvocations, gatherLayout, gatherLayoutInvocations} from '../shaders/wgsl/gather';
import {WEBGPU_DX_LANES_FLAG} from '../kernels/webgpu/gather_webgpu';
import {checkClose, randomValues, seededRandom, testBackends, useBackend, values} from './harness';
import {numericGradient, refRoiPool} from './reference';
import {refPsRoiAlign, refPsRoiPool} from './reference_ps';
import {refRoiAlignRotated} from './reference_rotated';

const SHAPE = (C: number) => [2, 21, 27, C];
const K = 100;
const SCALE = 0.5;

/**
 * An op under test: its box fields, the float64 reference of one box (image
 * n) on x, the pixel rectangle [top, bottom, left, right] that box can read
 * (with a margin), the input channel that output element e of a box reads,
 * the op as a function of x, and its dx gather's pipeline key.
 */
interface Op {
  name: string;
  fields: number;
  out: [number, number];
  reference: (box: number[], n: number, x: Float64Array, shape: number[]) => Float64Array;
  reads: (box: number[]) => [number, number, number, number];
  channelOf: (e: number, C: number) => number;
  run: (x: tf.Tensor4D, boxes: tf.Tensor2D, indices: tf.Tensor1D) => tf.Tensor;
  key: string;
  /** C not a multiple of 4, then one that is (for the position-sensitive ops, of outH * outW too). */
  channels: [number, number];
}

/** The corners' pixels, scaled, with 2 pixels of margin for rounding, bin ends and bilinear corners. */
function cornerReads(box: number[]): [number, number, number, number] {
  const [x1, y1, x2, y2] = box.map(v => v * SCALE);
  return [Math.floor(y1) - 2, Math.ceil(y2) + 2, Math.floor(x1) - 2, Math.ceil(x2) + 2];
}

/** Each output channel of a position-sensitive box reads input channel (c * outH + ph) * outW + pw. */
function psChannelOf(out: [number, number]) {
  return (e: number, C: number) => {
    const bins = out[0] * out[1];
    const cout = C / bins;
    return (e % cout) * bins + Math.floor(e / cout);
  };
}

/**
 * A position-sensitive op of 3 x 3 bins (psRoiAlign with samplingRatio 2):
 * the two differ only in their reference and op.
 */
function psOp(name: 'psRoiAlign'|'psRoiPool'): Op {
  const align = name === 'psRoiAlign';
  const options = {outH: 3, outW: 3, spatialScale: SCALE, ...(align ? {samplingRatio: 2} : {})};
  return {
    name,
    fields: 4,
    out: [3, 3],
    reference: (box, n, x, shape) =>
        (align ? refPsRoiAlign : refPsRoiPool)({x, shape, boxes: box, boxIndices: [n]}, options),
    reads: cornerReads,
    channelOf: psChannelOf([3, 3]),
    run: (x, boxes, indices) => align ? psRoiAlign(x, boxes, indices, [3, 3], {spatialScale: SCALE, samplingRatio: 2}) :
                                        psRoiPool(x, boxes, indices, [3, 3], {spatialScale: SCALE}),
    key: `${name}Grad`,
    channels: [45, 72],
  };
}

const OPS: Op[] = [
  {
    name: 'roiPool',
    fields: 4,
    out: [3, 2],
    reference: (box, n, x, shape) => refRoiPool({x, shape, boxes: box, boxIndices: [n]}, {outH: 3, outW: 2, spatialScale: SCALE}),
    reads: cornerReads,
    channelOf: (e, C) => e % C,
    run: (x, boxes, indices) => roiPool(x, boxes, indices, [3, 2], {spatialScale: SCALE}),
    key: 'roiPoolGrad',
    channels: [45, 48],
  },
  psOp('psRoiAlign'),
  psOp('psRoiPool'),
  {
    name: 'roiAlignRotated',
    fields: 5,
    out: [2, 2],
    reference: (box, n, x, shape) => refRoiAlignRotated(
        {x, shape, boxes: box, boxIndices: [n]},
        {outH: 2, outW: 2, spatialScale: SCALE, samplingRatio: 2, angleUnit: 'degrees', clockwise: false}),
    reads: box => {
      // The box's circumscribed circle.
      const [cx, cy, w, h] = box.map(v => v * SCALE);
      const r = Math.hypot(w, h) / 2;
      return [Math.floor(cy - r) - 2, Math.ceil(cy + r) + 2, Math.floor(cx - r) - 2, Math.ceil(cx + r) + 2];
    },
    channelOf: (e, C) => e % C,
    run: (x, boxes, indices) => roiAlignRotated(x, boxes, indices, [2, 2], {spatialScale: SCALE, samplingRatio: 2}),
    key: 'roiAlignRotatedGrad',
    channels: [45, 48],
  },
];

/**
 * K boxes for a [*, 21, 27, *] map at SCALE, 1 to 5 pixels a side, their
 * corners (or centres) near the gather's tile edges (multiples of 8 pixels)
 * and past the map's border; rotated ones at any angle.
 */
function tileEdgeBoxes(random: () => number, fields: number): Float32Array {
  const boxes = new Float32Array(fields * K);
  for (let k = 0; k < K; k++) {
    const x1 = 8 * Math.floor(random() * 4) - 3 + random() * 6;
    const y1 = 8 * Math.floor(random() * 3) - 3 + random() * 6;
    const w = 1 + random() * 4, h = 1 + random() * 4;
    const box = fields === 4 ? [x1, y1, x1 + w, y1 + h] : [x1, y1, w, h].concat(360 * random() - 180);
    boxes.set(box.map((v, i) => (i < 4 ? v / SCALE : v)), fields * k);
  }
  return boxes;
}

/**
 * dx of sum(dy * op(x)) by forward differences of the float64 reference,
 * box by box over the pixels it can read: each output element reads one
 * input channel (op.channelOf), so moving all of a pixel's channels at once
 * separates them. 1e-7 keeps roiPool's winners where they are; the other
 * ops are linear in x.
 */
function referenceDx(op: Op, shape: number[], x: Float32Array, boxes: Float32Array, boxIndices: number[],
                     dy: Float32Array): Float64Array {
  const [, H, W, C] = shape;
  const perBox = op.out[0] * op.out[1] * (op.key.startsWith('ps') ? C / (op.out[0] * op.out[1]) : C);
  const moved = Float64Array.from(x);
  const dx = new Float64Array(x.length);
  const eps = 1e-7;
  for (let k = 0; k < K; k++) {
    const n = boxIndices[k];
    const box = Array.from(boxes.subarray(op.fields * k, op.fields * (k + 1)));
    const base = op.reference(box, n, moved, shape);
    const [top, bottom, left, right] = op.reads(box);
    for (let h = Math.max(top, 0); h <= Math.min(bottom, H - 1); h++) {
      for (let w = Math.max(left, 0); w <= Math.min(right, W - 1); w++) {
        const at = ((n * H + h) * W + w) * C;
        for (let c = 0; c < C; c++) moved[at + c] = x[at + c] + eps;
        const up = op.reference(box, n, moved, shape);
        for (let c = 0; c < C; c++) moved[at + c] = x[at + c];
        for (let e = 0; e < perBox; e++) {
          if (up[e] !== base[e]) dx[at + op.channelOf(e, C)] += dy[k * perBox + e] * (up[e] - base[e]) / eps;
        }
      }
    }
  }
  return dx;
}

/** The keys of the backend's compiled webgpu pipelines. */
function pipelineKeys(): string[] {
  const cache = (tf.backend() as unknown as {pipelineCache: Record<string, unknown>}).pipelineCache;
  return Object.keys(cache);
}

describe('the dx gathers\' channel layouts', () => {
  it('lanes cover every channel of every pixel, as vec4s only where C % 4 == 0', () => {
    expect(gatherLayout(45, true)).toBe('lanes');
    expect(gatherLayout(48, true)).toBe('lanes4');
    expect(gatherLayout(48, false)).toBe('block');
    // 45 channels: 12 groups of 4 in 16 lanes, one block; 21 x 27 pixels in 3 x 4 tiles of 64.
    expect(gatherLayoutInvocations(SHAPE(45), 'lanes')).toBe(2 * 12 * 64 * 16);
    expect(gatherLanesInvocations(SHAPE(48))).toBe(2 * 12 * 64 * 16);
    expect(gatherLayoutInvocations(SHAPE(45), 'block')).toBe(2 * 2 * 12 * 64);
  });
});

// Only where webgpu is tested (the lanes are webgpu's; karma runs one suite over several
// backends): an empty describe with a beforeAll fails under jest.
if (testBackends().includes('webgpu')) {
  /**
   * op's dx at C channels with the gather in `layout` (WEBGPU_DX_LANES_FLAG) against the float64
   * reference, twice bit for bit; then the pipeline whose key starts with `key` (and not key + '4')
   * must have run.
   */
  async function checkDxGather(op: Op, o: number, C: number, layout: 'lanes'|'block', key: string) {
    const random = seededRandom(70 + 2 * o + (C % 4 === 0 ? 1 : 0));
    const shape = SHAPE(C);
    const x = randomValues(random, shape.reduce((a, b) => a * b));
    const boxes = tileEdgeBoxes(random, op.fields);
    const boxIndices = Array.from({length: K}, (_, k) => k % 2);
    const perBox = op.out[0] * op.out[1] * (op.key.startsWith('ps') ? C / (op.out[0] * op.out[1]) : C);
    const dy = randomValues(random, K * perBox);
    const xt = tf.tensor4d(x, shape as [number, number, number, number]);
    const bt = tf.tensor2d(boxes, [K, op.fields]);
    const it = tf.tensor1d(boxIndices, 'int32');
    const dyt = tf.tensor(dy, [K, op.out[0], op.out[1], perBox / (op.out[0] * op.out[1])]);
    const grad = tf.grad((a: tf.Tensor) => op.run(a as tf.Tensor4D, bt, it));
    tf.env().set(WEBGPU_DX_LANES_FLAG, layout);
    let first: tf.Tensor, second: tf.Tensor;
    try {
      first = grad(xt, dyt);
      second = grad(xt, dyt);
    } finally {
      tf.env().set(WEBGPU_DX_LANES_FLAG, 'auto');
    }
    const [dx, dxAgain] = await Promise.all([values(first), values(second)]);
    tf.dispose([xt, bt, it, dyt, first, second]);
    checkClose(dx, referenceDx(op, shape, x, boxes, boxIndices, dy), `${op.name} ${layout} C=${C} dx`);
    expect(Array.from(dxAgain).every((v, i) => Object.is(v, dx[i]))).toBe(true);
    expect(pipelineKeys().some(k => k.startsWith(key) && !k.startsWith(`${key}4`))).toBe(true);
  }

  describe('dx gathers in channel lanes [webgpu]', () => {
    beforeAll(async () => {
      await useBackend('webgpu');
    });
    OPS.forEach((op, o) => {
      for (const C of op.channels) {
        it(`${op.name} dx in channel lanes at C = ${C}, K = ${K}, N = 2 matches the float64 reference and repeats bit ` +
               'for bit',
           async () => {
             // The lanes program ran: vec4 bindings where C % 4 == 0.
             await checkDxGather(op, o, C, 'lanes', `${op.key}_${gatherLayout(C, true)}`);
           });
      }
    });
  });

  // RoIPool's block gather takes 16, 32 or 64 channels a block, as C needs (gatherChannelBlock).
  describe('roiPool dx gather in channel blocks [webgpu]', () => {
    beforeAll(async () => {
      await useBackend('webgpu');
    });
    for (const C of [13, 20, 45]) {
      it(`in blocks of ${gatherChannelBlock(C)} at C = ${C}, K = ${K}, N = 2 matches the float64 reference and ` +
             'repeats bit for bit',
         async () => {
           await checkDxGather(OPS[0], 0, C, 'block', `roiPoolGrad_block_c${gatherChannelBlock(C)}`);
         });
    }
  });

  // The layout SwiftShader's 'auto' (and so CI) takes: blocks of GATHER_CHANNELS channels, the
  // last holding 13 (C = 45), 8 (C = 72) or 16 (C = 48); dy and dx read and written one channel at a time.
  describe('psRoiAlign, psRoiPool and roiAlignRotated dx gathers in channel blocks [webgpu]', () => {
    beforeAll(async () => {
      await useBackend('webgpu');
    });
    OPS.forEach((op, o) => {
      if (op.name === 'roiPool') return;
      for (const C of op.channels) {
        it(`${op.name} dx in channel blocks at C = ${C}, K = ${K}, N = 2 matches the float64 reference and repeats ` +
               'bit for bit',
           async () => {
             await checkDxGather(op, o, C, 'block', `${op.key}_block`);
           });
      }
    });
  });

  /**
   * op's dboxes at C channels (x, boxes and dy drawn as checkDxGather's, from another seed): those
   * of `checked` against central differences of the float64 reference of each box alone, then all
   * of them (and dx) twice bit for bit.
   */
  async function checkBoxGradients(op: Op, o: number, C: number, checked: number[]) {
    const random = seededRandom(90 + 2 * o + (C % 4 === 0 ? 1 : 0));
    const shape = SHAPE(C);
    const x = randomValues(random, shape.reduce((a, b) => a * b));
    const boxes = tileEdgeBoxes(random, op.fields);
    const boxIndices = Array.from({length: K}, (_, k) => k % 2);
    const perBox = op.out[0] * op.out[1] * C / (op.key.startsWith('ps') ? op.out[0] * op.out[1] : 1);
    const dy = randomValues(random, K * perBox);
    const xt = tf.tensor4d(x, shape as [number, number, number, number]);
    const bt = tf.tensor2d(boxes, [K, op.fields]);
    const it = tf.tensor1d(boxIndices, 'int32');
    const dyt = tf.tensor(dy, [K, op.out[0], op.out[1], perBox / (op.out[0] * op.out[1])]);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => op.run(a as tf.Tensor4D, b as tf.Tensor2D, it));
    const first = grads([xt, bt], dyt);
    const second = grads([xt, bt], dyt);
    const [dx, dboxes, dxAgain, dboxesAgain] = await Promise.all([...first, ...second].map(g => values(g)));
    tf.dispose([xt, bt, it, dyt, ...first, ...second]);
    const f = op.fields;
    const x64 = Float64Array.from(x);
    const expected = checked.flatMap(k => Array.from(numericGradient(
        boxes.subarray(f * k, f * (k + 1)), dy.subarray(k * perBox, (k + 1) * perBox), 1e-5,
        moved => op.reference(Array.from(moved), boxIndices[k], x64, shape))));
    const actual = checked.flatMap(k => Array.from(dboxes.subarray(f * k, f * (k + 1))));
    // Each box's gradient sums dy times slopes over every sample and channel in float32.
    checkClose(actual, expected, `${op.name} C=${C} dboxes of boxes ${checked}`, {atol: 1e-3, rtol: 1e-3});
    expect(Array.from(dboxesAgain).every((v, i) => Object.is(v, dboxes[i]))).toBe(true);
    expect(Array.from(dxAgain).every((v, i) => Object.is(v, dx[i]))).toBe(true);
  }

  // The box gradients at C >= 40 (45: channel blocks of 32 and 13; 72: 8 output channels of 9 bins).
  describe('psRoiAlign and roiAlignRotated box gradients at scale [webgpu]', () => {
    beforeAll(async () => {
      await useBackend('webgpu');
    });
    // Boxes of both images, the first and the last.
    const checked = [0, 1, 37, 98, 99];
    OPS.forEach((op, o) => {
      if (op.name !== 'psRoiAlign' && op.name !== 'roiAlignRotated') return;
      for (const C of op.channels) {
        it(`${op.name} dboxes at C = ${C}, K = ${K}, N = 2 match the float64 reference and repeat bit for bit`,
           async () => {
             await checkBoxGradients(op, o, C, checked);
           });
      }
    });
  });
}
