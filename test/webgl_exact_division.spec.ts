/**
 * roiExactQuotient (shaders/glsl/roi_common.ts), the one division behind the
 * GLSL geometry's bin sizes and sample positions, run by itself through a
 * tiny program on hard operand pairs: quotients that are exact integers,
 * quotients a hair above or below the halfway point between two floats,
 * divisors up to 2^24 - 1, magnitudes from the smallest normal float to
 * FLT_MAX, negative operands, zeros, infinities and NaN. Each result must
 * have the bits of the float32 quotient, Math.fround(a / d) (a float64
 * quotient of float32 operands, rounded once more to float32, is the
 * correctly rounded float32 quotient: 53 >= 2 * 24 + 2 bits). That rule is
 * itself checked against integer long division here, in every test run.
 *
 * SwiftShader's own division is exact, so only a wrong helper fails here;
 * on a real GPU this also shows the helper does not lean on the built-in.
 * Subnormal operands and quotients are left out: the helper hands them to
 * the built-in division, and GPUs may flush them to zero.
 */
import * as tf from '@tensorflow/tfjs';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {EXACT_ARITHMETIC_GLSL, flatReader, OUTPUT_INDEX_GLSL} from '../shaders/glsl/roi_common';
import {RoIProgram} from '../kernels/webgl/roi_program';
import {seededRandom, testBackends, useBackend} from './harness';

const ONE = BigInt(1);
const bits32 = new Uint32Array(1);
const float32 = new Float32Array(bits32.buffer);

function floatFromBits(bits: number): number {
  bits32[0] = bits;
  return float32[0];
}

function bitsOf(v: number): number {
  float32[0] = v;
  return bits32[0];
}

/** A finite, normal, nonzero float32 as significand * 2^exponent, significand in [2^23, 2^24). */
function decompose(a: number): {negative: boolean, significand: bigint, exponent: number} {
  const bits = bitsOf(a);
  const biased = (bits >>> 23) & 0xff;
  if (biased === 0 || biased === 255) throw new Error(`${a} is not a normal float32`);
  return {negative: bits >>> 31 === 1, significand: BigInt((bits & 0x7fffff) | 0x800000), exponent: biased - 150};
}

/**
 * a / d rounded to the nearest float32, ties to even, by integer long
 * division; with how far the exact quotient lies from the nearest halfway
 * point, in units of the last place (0.5: as far as can be).
 */
function longDivision(a: number, d: number): {quotient: number, fromHalfway: number} {
  const {negative, significand, exponent} = decompose(a);
  const divisor = BigInt(d);
  // The least shift that gives the quotient 25 bits: 24 to keep and one to round on.
  let shift = 0;
  while ((significand << BigInt(shift)) / divisor < (BigInt(1) << BigInt(24))) shift++;
  const q = (significand << BigInt(shift)) / divisor;
  const rem = (significand << BigInt(shift)) - q * divisor;
  let kept = q >> ONE;
  const roundBit = (q & ONE) === ONE;
  if (roundBit && (rem !== BigInt(0) || (kept & ONE) === ONE)) kept += ONE;
  const quotient = (negative ? -1 : 1) * Number(kept) * 2 ** (exponent - shift + 1);
  // The exact quotient is (q + rem / d) / 2 units of the last place above
  // kept's floor; the halfway point is at q odd, rem 0.
  const fraction = ((q & ONE) === ONE ? 0.5 : 0) + Number(rem) / d / 2;
  return {quotient, fromHalfway: Math.abs(fraction - 0.5)};
}

/** [numerator, divisor] pairs; every numerator is a float32, every divisor an integer in [1, 2^24). */
function hardPairs(): Array<[number, number]> {
  const pairs: Array<[number, number]> = [
    // exact integers and exact binary fractions
    [21, 7], [1000000, 1000], [16777215, 3], [16777215, 16777215], [12582912, 3], [7 * 11 * 13 * 17, 11],
    [3 * 2 ** 100, 3], [14, 7], [7, 14], [1, 2], [3, 6], [224, 7], [1, 1], [-35, 5],
    // ordinary fractions, small and large divisors
    [1, 3], [2, 3], [1, 7], [10, 3], [7, 10], [1, 16777215], [16777216, 16777215], [16777215, 16777214],
    [Math.fround(Math.PI), 7], [Math.fround(0.1), 3], [Math.fround(-2.5), 7], [Math.fround(6.9999995), 7],
    [Math.fround(7.0000005), 7], [Math.fround(13.999999), 2], [Math.fround(99.99999), 100],
    // magnitudes: near FLT_MAX, and quotients near the smallest normal
    [floatFromBits(0x7f7fffff), 3], [floatFromBits(0x7f7fffff), 16777215], [floatFromBits(0x7f7fffff), 2],
    [2 ** -125, 2], [1.5 * 2 ** -125, 3], [5 * 2 ** -126, 5], [floatFromBits(0x01800001), 3],
    [floatFromBits(0x00ffffff), 1], [2 ** -100, 1023], [-(2 ** 120), 97], [2 ** 127, 16777215],
  ];
  // Quotients closest to a halfway point: of many random significands per
  // divisor, the two nearest from above and the two nearest from below.
  const random = seededRandom(14);
  for (const d of [3, 5, 7, 9, 11, 13, 25, 49, 97, 255, 641, 1023, 4095, 65535, 1048575, 16777213]) {
    const candidates: Array<{a: number, fromHalfway: number, above: boolean}> = [];
    for (let i = 0; i < (d > 1000 ? 20000 : 1500); i++) {
      const a = Math.fround((1 + random()) * 2 ** Math.floor(random() * 40 - 20));
      const {quotient, fromHalfway} = longDivision(a, d);
      candidates.push({a, fromHalfway, above: Math.abs(quotient) > Math.abs(a / d)});
    }
    candidates.sort((x, y) => x.fromHalfway - y.fromHalfway);
    for (const above of [true, false]) {
      for (const c of candidates.filter(c => c.above === above).slice(0, 2)) pairs.push([c.a, d], [-c.a, d]);
    }
  }
  return pairs;
}

/** Cases the helper hands to the built-in division, which is then IEEE's as well. */
const SPECIAL_PAIRS: Array<[number, number]> =
    [[0, 3], [-0, 3], [0, 16777215], [Infinity, 3], [-Infinity, 7], [NaN, 3], [5, 16777216], [6, 1]];

function sameFloat(actual: number, expected: number): boolean {
  return Number.isNaN(expected) ? Number.isNaN(actual) : bitsOf(actual) === bitsOf(expected);
}

class ExactQuotientProgram extends RoIProgram {
  constructor(count: number) {
    super(['numerators', 'divisors'], `${flatReader('numerators')}${flatReader('divisors')}${OUTPUT_INDEX_GLSL}
${EXACT_ARITHMETIC_GLSL}
void main() {
  int index = roiOutputIndex();
  if (index >= ${count}) {
    setOutput(0.0);
    return;
  }
  setOutput(roiExactQuotient(readNumerators(index), int(readDivisors(index))));
}
`, [], 'result', count);
  }
}

describe('the float32 quotient Math.fround(a / d)', () => {
  it('is the correctly rounded one (integer long division) for every hard pair, a dozen within 1e-3 ulp of a halfway point', () => {
    const pairs = hardPairs();
    let nearHalfway = 0;
    const wrong: string[] = [];
    for (const [a, d] of pairs) {
      if (a === 0) continue;
      const {quotient, fromHalfway} = longDivision(a, d);
      if (fromHalfway < 1e-3) nearHalfway++;
      const expected = Math.fround(a / d);
      if (!sameFloat(quotient, expected)) wrong.push(`${a} / ${d}: long division gives ${quotient}, Math.fround ${expected}`);
      if (bitsOf(Math.abs(expected)) < 0x800000) wrong.push(`${a} / ${d} = ${expected} is subnormal`);
    }
    expect(wrong).toEqual([]);
    expect(nearHalfway).toBeGreaterThanOrEqual(12);
  });
});

// Only where webgl is tested: an empty describe with a beforeAll fails under jest.
if (testBackends().includes('webgl')) describe('GLSL roiExactQuotient [webgl]', () => {
  beforeAll(async () => {
    await useBackend('webgl');
  });

  it('gives the bits of the float32 quotient for every hard pair and special value', async () => {
    const pairs = [...hardPairs(), ...SPECIAL_PAIRS];
    const webgl = tf.backend() as unknown as MathBackendWebGL;
    const numerators = tf.tensor1d(pairs.map(p => p[0]), 'float32');
    const divisors = tf.tensor1d(pairs.map(p => p[1]), 'float32');
    try {
      // As textures: tfjs would pass small CPU tensors as uniform arrays.
      webgl.uploadToGPU(numerators.dataId);
      webgl.uploadToGPU(divisors.dataId);
      const out = webgl.runWebGLProgram(new ExactQuotientProgram(pairs.length), [numerators, divisors], 'float32');
      const result = webgl.readSync(out.dataId) as Float32Array;
      webgl.disposeIntermediateTensorInfo(out);
      const wrong = pairs.flatMap(([a, d], i) => {
        const expected = Math.fround(a / d);
        return sameFloat(result[i], expected) ? [] : [`${a} / ${d}: ${result[i]}, expected ${expected}`];
      });
      expect(wrong).toEqual([]);
    } finally {
      numerators.dispose();
      divisors.dispose();
    }
  });
});
