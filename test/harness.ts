/**
 * The one test harness for every backend, under jest (Node) and
 * karma-jasmine (Chromium): plain describe/it, and checks that throw.
 */
import * as tf from '@tensorflow/tfjs';

import {CPU_WASM_FLAG} from '../kernels/cpu/wasm_simd';

declare global {
  // Set by the environment's setup file (test/setup/): the backends to test.
  // eslint-disable-next-line no-var
  var __ROI_TEST_BACKENDS__: string[]|undefined;
}

/** The backends this run tests, as the setup file listed them. */
export function testBackends(): string[] {
  const list = globalThis.__ROI_TEST_BACKENDS__;
  if (!list || list.length === 0) {
    throw new Error('no test backends: a setup file in test/setup/ must set __ROI_TEST_BACKENDS__');
  }
  return list;
}

/**
 * Switches to `name` and proves it took: tf.setBackend returns false rather
 * than throwing when a backend cannot start, and tfjs then stays on the old one.
 */
export async function useBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) {
    throw new Error(`backend '${name}' did not start (setBackend returned ${ok}; tf.getBackend() says '${tf.getBackend()}')`);
  }
  await tf.ready();
}

/** describe(title) once per test backend, switched to that backend. */
export function describeEachBackend(title: string, body: (backend: string) => void): void {
  for (const backend of testBackends()) {
    describe(`${title} [${backend}]`, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });
      body(backend);
    });
  }
}

export interface Tolerance {
  atol?: number;
  rtol?: number;
}

/** The values of a tensor, read asynchronously (webgpu has no sync reads). */
export async function values(t: tf.Tensor): Promise<Float32Array|Int32Array|Uint8Array> {
  return await t.data() as Float32Array | Int32Array | Uint8Array;
}

/**
 * Throws unless |actual - expected| <= atol + rtol * |expected| everywhere
 * (NaN matches only NaN). The default is the package's promise: 1e-4 + 1e-4.
 */
export function checkClose(
    actual: ArrayLike<number>, expected: ArrayLike<number>, label: string,
    {atol = 1e-4, rtol = 1e-4}: Tolerance = {}): void {
  if (actual.length !== expected.length) {
    throw new Error(`${label}: length ${actual.length}, expected ${expected.length}`);
  }
  let worst = -1, worstExcess = 0, bad = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0)) {
      bad++;
      if (worst < 0 || !(excess <= worstExcess)) {
        worst = i;
        worstExcess = excess;
      }
    }
  }
  if (bad > 0) {
    throw new Error(`${label}: ${bad} of ${expected.length} values differ; worst at [${worst}]: ${
        actual[worst]} vs expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`);
  }
  // Count a passing check as an expectation in both runners.
  expect(bad).toBe(0);
}

/** checkClose on a tensor's values and shape. */
export async function expectTensorClose(
    actual: tf.Tensor, expectedShape: number[], expected: ArrayLike<number>, label: string,
    tolerance?: Tolerance): Promise<void> {
  if (actual.shape.join(',') !== expectedShape.join(',')) {
    throw new Error(`${label}: shape [${actual.shape}], expected [${expectedShape}]`);
  }
  checkClose(await values(actual), expected, label, tolerance);
}

/** Throws unless fn throws an Error whose message matches `pattern`. */
export function expectThrows(fn: () => unknown, pattern: RegExp): void {
  let thrown: unknown = null;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (!(thrown instanceof Error)) {
    throw new Error(`expected an Error matching ${pattern}, got ${thrown === null ? 'no throw' : String(thrown)}`);
  }
  expect(thrown.message).toMatch(pattern);
}

/**
 * Throws unless fn, run in tf.tidy, throws an Error matching `pattern` and
 * leaves no tensor behind: bad input must fail cleanly.
 */
export function expectThrowsCleanly(fn: () => unknown, pattern: RegExp): void {
  const before = tf.memory().numTensors;
  expectThrows(() => tf.tidy(fn as () => tf.Tensor), pattern);
  expect(tf.memory().numTensors).toBe(before);
}

/** A seeded generator (mulberry32), so random cases are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values in [-1, 1) from `random`. */
export function randomValues(random: () => number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = random() * 2 - 1;
  return out;
}

/**
 * x [N,H,W,C] in [-1, 1), then numBoxes boxes (x1, y1, x2, y2) in image
 * coordinates (H / spatialScale by W / spatialScale) with their image
 * indices, drawn from `random` in that order, box by box. side(random,
 * imageSide) draws a box's width or height; its low corner lands in
 * [start, start + span - side / imageSide) of the image side, so boxes
 * straddle the border where start < 0.
 */
export function randomRoiInputs(
    random: () => number, c: {shape: number[], numBoxes: number, spatialScale: number},
    side: (random: () => number, imageSide: number) => number, placement: {start: number, span: number}) {
  const [N, H, W, C] = c.shape;
  const x = randomValues(random, N * H * W * C);
  const boxes = new Float32Array(4 * c.numBoxes);
  const boxIndices = new Int32Array(c.numBoxes);
  const imageH = H / c.spatialScale, imageW = W / c.spatialScale;
  for (let k = 0; k < c.numBoxes; k++) {
    const w = side(random, imageW), h = side(random, imageH);
    const x1 = placement.start * imageW + random() * (placement.span * imageW - w);
    const y1 = placement.start * imageH + random() * (placement.span * imageH - h);
    boxes.set([x1, y1, x1 + w, y1 + h], 4 * k);
    boxIndices[k] = Math.floor(random() * N);
  }
  return {x, boxes, boxIndices};
}

/**
 * The ways to run the kernels on `backend`: on cpu and wasm (which share the
 * implementations), with the WebAssembly SIMD loops (true) and in
 * JavaScript alone (false); elsewhere just once (null), as the flag means
 * nothing there.
 */
export function cpuWasmChoices(backend: string): Array<boolean|null> {
  return backend === 'cpu' || backend === 'wasm' ? [true, false] : [null];
}

/** A test title's suffix naming the cpu path, empty for null. */
export function cpuPathName(wasm: boolean|null): string {
  return wasm === null ? '' : wasm ? ' (SIMD loops)' : ' (JavaScript only)';
}

/** Runs body with the cpu kernels' WebAssembly allowed or not (null: as is), then restores the flag. */
export async function withCpuWasm(wasm: boolean|null, body: () => Promise<void>): Promise<void> {
  if (wasm === null) return body();
  const before = tf.env().getBool(CPU_WASM_FLAG);
  tf.env().set(CPU_WASM_FLAG, wasm);
  try {
    await body();
  } finally {
    tf.env().set(CPU_WASM_FLAG, before);
  }
}
