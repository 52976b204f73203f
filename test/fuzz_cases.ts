/**
 * The seeded random cases of test/fuzz.spec.ts, drawn exactly as
 * scripts/golden/fuzz.py draws them (the same mulberry32 seeds and the same
 * draws in the same order), so that the fixture needs to hold only outputs.
 * Change one and the other together, then regenerate the fixture; the
 * inputs' digest in the fixture catches a generator that drifts.
 */
import {seededRandom} from './harness';

export const FUZZ_OPS = ['avg', 'aligned', 'max', 'pool', 'psalign', 'pspool'] as const;
export type FuzzOp = typeof FUZZ_OPS[number];

export interface FuzzCase {
  op: FuzzOp;
  n: number;
  height: number;
  width: number;
  outH: number;
  outW: number;
  channels: number;
  spatialScale: number;
  samplingRatio: number;
  aligned: boolean;
  nchw: boolean;
  /** Boxes as [K,5] (batch index first) rather than [K,4] with indices. */
  five: boolean;
  /** [K,4] (x1, y1, x2, y2), as drawn (float64; the op rounds to float32). */
  boxes: number[][];
  boxIndices: number[];
  /** [N,C,H,W] flat. */
  x: Float32Array;
}

class Draws {
  private readonly random: () => number;
  constructor(seed: number) {
    this.random = seededRandom(seed);
  }
  next(): number {
    return this.random();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }
  pick<T>(options: readonly T[]): T {
    return options[this.int(0, options.length - 1)];
  }
}

function caseSeed(opIndex: number, i: number): number {
  return Math.imul(0x9E3779B9 | 0, opIndex * 100000 + i + 1) >>> 0;
}

function coordPair(r: Draws, extent: number): [number, number] {
  const a = r.int(Math.floor(-extent * 4), Math.ceil(extent * 12)) / 8;
  const b = r.int(Math.floor(-extent * 4), Math.ceil(extent * 12)) / 8;
  return [a, b];
}

function farAxis(r: Draws): [number, number] {
  const sign = r.pick([-1, 1]);
  const start = sign * (10000 + r.int(0, 40000) / 4);
  return [start, start + r.int(0, 64) / 8];
}

/**
 * One axis of a box of `kind`: 4 reversed, 5 edge-exact (a sample or bin edge
 * on -1, 0, size - 1 or size), 6 far, 7 huge, 8 unreadable (an adaptive grid
 * past the cap; far otherwise), else ordinary.
 */
function drawAxis(
    r: Draws, kind: number, size: number, scale: number, shift: number, adaptive: boolean): [number, number] {
  const extent = size / scale;
  if (kind === 4) {
    const [a, b] = coordPair(r, extent);
    return [Math.max(a, b), Math.min(a, b)];
  }
  if (kind === 5) {
    const t = r.pick([-1, 0, size - 1, size]);
    const h = r.pick([0, 0.5, 1, 2, 4]);
    return [(t - h + shift) / scale, (t + h + shift) / scale];
  }
  if (kind === 6) return farAxis(r);
  if (kind === 7) return [-r.int(16, 400) / 4, extent + r.int(16, 400) / 4];
  if (kind === 8 && adaptive) {
    const [a] = coordPair(r, extent);
    return [a, r.pick([1e30, 3e38, 1e6])];
  }
  if (kind === 8) return farAxis(r);
  const [a, b] = coordPair(r, extent);
  return [Math.min(a, b), Math.max(a, b)];
}

export function fuzzCase(op: FuzzOp, i: number): FuzzCase {
  const r = new Draws(caseSeed(FUZZ_OPS.indexOf(op), i));
  const n = r.int(1, 2);
  const height = r.int(1, 12);
  const width = r.int(1, 12);
  const outH = r.int(1, 3);
  const outW = r.int(1, 3);
  const wide = r.next() < 0.08;
  const ps = op === 'psalign' || op === 'pspool';
  let channels: number;
  if (ps) {
    const cout = wide ? r.int(1, Math.max(1, Math.floor(70 / (outH * outW)))) : r.int(1, 2);
    channels = cout * outH * outW;
  } else {
    channels = wide ? r.int(9, 70) : r.int(1, 4);
  }
  const numBoxes = wide ? 1 : r.int(1, 4);
  const spatialScale = r.pick([1, 0.5, 0.25, 2]);
  const samplingRatio = r.pick([0, 0, 0, 1, 2, 3, 4]);
  const alignedDraw = r.next() < 0.5;
  const aligned = op === 'aligned' || op === 'psalign' || (op === 'max' && alignedDraw);
  const nchw = r.next() < 0.5;
  const five = r.next() < 0.5;
  const alignFamily = op === 'avg' || op === 'aligned' || op === 'max' || op === 'psalign';
  const adaptive = alignFamily && samplingRatio === 0;
  const shift = aligned ? 0.5 : 0;
  const boxes: number[][] = [], boxIndices: number[] = [];
  for (let k = 0; k < numBoxes; k++) {
    const kind = r.int(0, 9);
    const [x1, x2] = drawAxis(r, kind, width, spatialScale, shift, adaptive);
    const [y1, y2] = drawAxis(r, kind, height, spatialScale, shift, adaptive);
    boxes.push([x1, y1, x2, y2]);
    boxIndices.push(r.int(0, n - 1));
  }
  const x = new Float32Array(n * channels * height * width);
  for (let j = 0; j < x.length; j++) x[j] = r.int(-(1 << 20), 1 << 20) / (1 << 20);
  return {
    op, n, height, width, outH, outW, channels, spatialScale, samplingRatio, aligned, nchw, five,
    boxes, boxIndices, x,
  };
}

/** A sum of the inputs in a fixed order, as fuzz.py digest(). */
export function inputDigest(c: FuzzCase): number {
  let total = 0;
  for (const box of c.boxes) {
    for (const v of box) {
      const v32 = Math.fround(v);
      if (Number.isFinite(v32)) total += v32;
    }
  }
  for (let i = 0; i < c.x.length; i++) total += c.x[i] * ((i % 7) + 1);
  return total;
}

/** Little-endian float32 from base64 (the fixture's outputs). */
export function decodeFloat32(base64: string): Float32Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}
