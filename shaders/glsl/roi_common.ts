/**
 * GLSL ES 3.0 pieces every RoI program shares: reading inputs by flat index,
 * the output's flat index, reading a box, and the exact integer arithmetic
 * behind the geometry's discrete decisions.
 *
 * Every RoI program reads flat views of its inputs (see
 * kernels/webgl/run_roi_program.ts) and does its own indexing, with integer
 * texelFetch rather than tfjs's float texture coordinates. tfjs keys compiled
 * programs by the logical shapes' size-1 dimensions, broadcast and squeeze
 * patterns; flat views leave in the key only whether each texture has one
 * row or several, which the box table (below) and the output layouts
 * (kernels/webgl/roi_program.ts) keep the same for every K and size.
 *
 * Names: the programs' inputs are roiX [N,H,W,C], roiBoxes [K,4],
 * roiBoxIndices [K], roiBoxTable, roiDy, roiWinners and roiPartials. tfjs
 * declares `<input>Shape`, `<input>TexShape` and `offset<input>` for each,
 * so the custom uniforms below use other names.
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

export type CustomUniforms = NonNullable<GPGPUProgram['customUniforms']>;

/** The uniforms RoIPool's programs read; RoIAlign's add two more. */
export const ROI_POOL_UNIFORMS: CustomUniforms = [
  // x's [N, H, W, C].
  {name: 'roiXDims', type: 'ivec4'},
  // [outH, outW].
  {name: 'roiPooledSize', type: 'ivec2'},
  // K.
  {name: 'roiBoxCount', type: 'int'},
  {name: 'roiScale', type: 'float'},
];

export const ROI_ALIGN_UNIFORMS: CustomUniforms = [
  ...ROI_POOL_UNIFORMS,
  {name: 'roiSamplingRatio', type: 'int'},
  // 1 for aligned (half-pixel shift, no one-pixel minimum), else 0.
  {name: 'roiAligned', type: 'int'},
];

/**
 * `float read<Name>(int index)`: element `index` of the flat (unpacked)
 * tensor bound as `name`. tfjs sets offset<name> when the tensor is a slice
 * that shares its parent's texture.
 */
export function flatReader(name: string): string {
  const fn = `read${name.charAt(0).toUpperCase()}${name.slice(1)}`;
  return `
float ${fn}(int index) {
  int position = index + offset${name};
  int row = position / ${name}TexShape[1];
  return texelFetch(${name}, ivec2(position - row * ${name}TexShape[1], row), 0).r;
}
`;
}

/**
 * A cursor over the flat (unpacked) tensor bound as `name` that walks
 * elements index, index + step, ... (step >= 0): `RoIFlatCursor
 * <name>Cursor(int index, int step)`, `float read<Name>At(RoIFlatCursor)`
 * and `RoIFlatCursor <name>Advance(RoIFlatCursor)`. A texel position is
 * worked out with a division once, then moved by step with one carry per
 * element: a fragment that reads a pixel's channels one after another
 * (the box gradient) pays one division per pixel, not one per channel.
 * Needs FLAT_CURSOR_GLSL.
 */
export function flatCursor(name: string): string {
  const fn = name.charAt(0).toUpperCase() + name.slice(1);
  return `
RoIFlatCursor ${name}Cursor(int index, int step) {
  int width = ${name}TexShape[1];
  int position = index + offset${name};
  int row = position / width, stepRows = step / width;
  return RoIFlatCursor(ivec2(position - row * width, row), ivec2(step - stepRows * width, stepRows), width);
}

float read${fn}At(RoIFlatCursor cursor) {
  return texelFetch(${name}, cursor.texel, 0).r;
}

RoIFlatCursor ${name}Advance(RoIFlatCursor cursor) {
  cursor.texel += cursor.step;
  if (cursor.texel.x >= cursor.width) cursor.texel += ivec2(-cursor.width, 1);
  return cursor;
}
`;
}

/** The cursor's state (flatCursor): its texel, the step as (columns, rows), and the texture's width. */
export const FLAT_CURSOR_GLSL = `
struct RoIFlatCursor {
  ivec2 texel;
  ivec2 step;
  int width;
};
`;

/**
 * `vec2 read<Name>Step(int index, int step, bool both)`: elements `index`
 * and `index + step` (step >= 0) of the flat (unpacked) tensor bound as
 * `name`, the second 0 unless `both` (so that nothing is read past the last
 * element); and `vec2 read<Name>Pair(int index, bool both)`, step 1. Two
 * channels of one pixel (neighbours, or the position-sensitive ops' outH *
 * outW apart) mostly share a row of the texture, so the second position is
 * a step from the first, divided only where it leaves the row.
 */
export function flatPairReader(name: string): string {
  const fn = `read${name.charAt(0).toUpperCase()}${name.slice(1)}`;
  return `
vec2 ${fn}Step(int index, int step, bool both) {
  int position = index + offset${name};
  int width = ${name}TexShape[1];
  int row = position / width;
  int col = position - row * width;
  float first = texelFetch(${name}, ivec2(col, row), 0).r;
  if (!both) return vec2(first, 0.0);
  col += step;
  if (col >= width) {
    int rows = col / width;
    row += rows;
    col -= rows * width;
  }
  return vec2(first, texelFetch(${name}, ivec2(col, row), 0).r);
}

vec2 ${fn}Pair(int index, bool both) {
  return ${fn}Step(index, 1, both);
}
`;
}

/**
 * A packed output's texel index (see kernels/webgl/roi_program.ts,
 * PackedRoIProgram): its texels, row-major, are the blocks of tfjs's packed
 * layout in order. outTexShape counts elements, two per texel each way.
 */
export const PACKED_OUTPUT_INDEX_GLSL = `
int roiOutputTexel() {
  ivec2 texel = ivec2(gl_FragCoord.xy);
  return texel.y * ((outTexShape[1] + 1) / 2) + texel.x;
}
`;

/**
 * The block of an output of x's shape [N, H, W, C] (roiXDims) in tfjs's
 * packed layout that this fragment writes: map row imageRow = n * H + h,
 * columns w, w + 1 and channels c, c + 1 (w, c even); false for a padding
 * texel past the last block. Needs PACKED_OUTPUT_INDEX_GLSL.
 */
export const PACKED_X_BLOCK_GLSL = `
bool roiPackedXBlock(out int imageRow, out int w, out int c) {
  int index = roiOutputTexel();
  int channelPairs = (roiXDims.w + 1) / 2, columnPairs = (roiXDims.z + 1) / 2;
  if (index >= roiXDims.x * roiXDims.y * columnPairs * channelPairs) return false;
  c = 2 * (index % channelPairs);
  int rest = index / channelPairs;
  w = 2 * (rest % columnPairs);
  imageRow = rest / columnPairs;
  return true;
}
`;

/**
 * The output's flat index: its texels, row-major, are its elements. The
 * last texels of an intermediate or of a near-square texture are padding.
 */
export const OUTPUT_INDEX_GLSL = `
int roiOutputIndex() {
  ivec2 texel = ivec2(gl_FragCoord.xy);
  return texel.y * outTexShape[1] + texel.x;
}

// The coordinates of a row-major flat index in a 4-D shape.
ivec4 roiUnflatten(int index, ivec4 shape) {
  int d3 = index % shape.w;
  index /= shape.w;
  int d2 = index % shape.z;
  index /= shape.z;
  return ivec4(index / shape.y, index % shape.y, d2, d3);
}
`;

/**
 * The start of main(): the element this fragment computes, or 0 for the
 * texels past the `count` elements (the texture's padding: see
 * kernels/webgl/roi_program.ts), which must not read boxes past the last.
 */
export function outputStart(count: string): string {
  return `
  int index = roiOutputIndex();
  if (index >= ${count}) {
    setOutput(0.0);
    return;
  }
`;
}

/** The start of main() in a program with an output per bin: [K, outH, outW, C]. */
export const BIN_OUTPUT_START = `
  ${outputStart('roiBoxCount * roiPooledSize.x * roiPooledSize.y * roiXDims.w')}
  ivec4 at = roiUnflatten(index, ivec4(roiBoxCount, roiPooledSize, roiXDims.w));
  int k = at.x, ph = at.y, pw = at.z, c = at.w;
`;

/**
 * The block of y [K, outH, outW, C] (C = roiOutChannels()) in tfjs's packed
 * layout that this fragment writes: bins (ph, pw) and (ph, pw + 1) of box k
 * in output channels c, c + 1 (pw, c even); false for a padding texel past
 * the last block. Needs PACKED_OUTPUT_INDEX_GLSL and channelMapGlsl.
 */
export const PACKED_BIN_BLOCK_GLSL = `
bool roiPackedBinBlock(out int k, out int ph, out int pw, out int c) {
  int index = roiOutputTexel();
  int channelPairs = (roiOutChannels() + 1) / 2, binPairs = (roiPooledSize.y + 1) / 2;
  if (index >= roiBoxCount * roiPooledSize.x * binPairs * channelPairs) return false;
  c = 2 * (index % channelPairs);
  int rest = index / channelPairs;
  pw = 2 * (rest % binPairs);
  rest /= binPairs;
  k = rest / roiPooledSize.x;
  ph = rest - k * roiPooledSize.x;
  return true;
}
`;

/**
 * The opening of a packed forward's main(): k, ph, pw and c of its block
 * (PACKED_BIN_BLOCK_GLSL), a texel past the last block writing 0.
 */
export const PACKED_BLOCK_START_GLSL = `
  int k, ph, pw, c;
  if (!roiPackedBinBlock(k, ph, pw, c)) {
    setOutput(vec4(0.0));
    return;
  }
`;

/**
 * PACKED_BLOCK_START_GLSL, then box, of type boxType, read by readBox (a
 * GLSL expression of k with a batch field, < 0 for an unreadable box,
 * which writes 0).
 */
export function packedBlockBoxStart(boxType: string, readBox: string): string {
  return `${PACKED_BLOCK_START_GLSL}  ${boxType} box = ${readBox};
  if (box.batch < 0) {
    setOutput(vec4(0.0));
    return;
  }
`;
}

/**
 * The box table: BOX_TABLE_FIELDS floats per box, (image index or -1, x1, y1,
 * x2, y2); with `coordinates` other than 4, one more than that (rotated boxes:
 * image, cx, cy, w, h, angle). A box reads nothing (image -1) when a corner is not
 * finite or its image index is outside [0, N).
 *
 * The main programs read boxes from this table rather than from boxes and
 * boxIndices: those textures are a single texel or row when K = 1, which
 * tfjs's program key records, whereas the table, an intermediate, has more
 * than one row and column for every K.
 */
export const BOX_TABLE_FIELDS = 5;

/** Inputs: roiBoxes, roiBoxIndices; output [K, BOX_TABLE_FIELDS]. */
export function boxTableShader(coordinates = 4): string {
  const fields = coordinates + 1;
  const finite = Array.from({length: coordinates}, (_, i) => `roiIsFinite(readRoiBoxes(${coordinates} * k + ${i}))`);
  return `${flatReader('roiBoxes')}
${flatReader('roiBoxIndices')}
${OUTPUT_INDEX_GLSL}
// On the bit pattern: drivers may fold isnan/isinf away under fast-math rules.
bool roiIsFinite(float v) {
  return (floatBitsToUint(v) & 0x7f800000u) != 0x7f800000u;
}

void main() {
  ${outputStart(`${fields} * roiBoxCount`)}
  int k = index / ${fields}, field = index % ${fields};
  if (field > 0) {
    setOutput(readRoiBoxes(${coordinates} * k + field - 1));
    return;
  }
  bool finite = ${finite.join(' &&\n      ')};
  // int32 indices are stored as floats, exactly for |index| < 2^24.
  float image = readRoiBoxIndices(k);
  setOutput(finite && image >= 0.0 && image < float(roiXDims.x) ? image : -1.0);
}
`;
}

/** Reading box k from the box table (roiBoxTable). */
export const BOX_GLSL = `
struct RoIBox {
  int batch;  // -1: the box reads nothing
  float x1;
  float y1;
  float x2;
  float y2;
};

// field 0 is the image, 1 to 4 are x1, y1, x2, y2.
float roiReadBoxField(int k, int field) {
  return readRoiBoxTable(${BOX_TABLE_FIELDS} * k + field);
}

RoIBox roiReadBox(int k) {
  return RoIBox(int(roiReadBoxField(k, 0)), roiReadBoxField(k, 1), roiReadBoxField(k, 2),
                roiReadBoxField(k, 3), roiReadBoxField(k, 4));
}
`;

/**
 * Exact arithmetic for the geometry's discrete decisions. GLSL ES 3.0
 * rounds +, - and * correctly but allows 2.5 ulp of error in /, and a
 * compiler that knows a divisor may multiply by its rounded reciprocal
 * instead; the floor/ceil decisions that pick bins, grids and corners must
 * not move by one ulp. roiExactQuotient is the one division behind them, the
 * twin of the WGSL geometry's (shaders/wgsl/geometry.ts).
 */
export const EXACT_ARITHMETIC_GLSL = `
// float(v / float(d)) rounded to nearest even, as torchvision's float32
// division gives, for a divisor 1 <= d < 2^24: the 24-bit significand of v is
// divided by d in integer long division, eight bits a step, and rounded from
// the remainder. Zero, infinite, NaN and subnormal v (and subnormal
// quotients) keep the built-in division: none of them places a sample.
float roiExactQuotient(float v, int d) {
  uint bits = floatBitsToUint(v);
  int biased = int((bits >> 23) & 0xffu);
  if (d == 1) return v;
  if (biased == 0 || biased == 255 || d <= 0 || d >= 0x1000000) return v / float(d);
  // A power of two 2^e divides exactly while the quotient stays normal: the
  // exponent drops by e (the common samplingRatio 2 and 4 take this path).
  if ((d & (d - 1)) == 0) {
    int e = int((floatBitsToUint(float(d)) >> 23) & 0xffu) - 127;
    if (biased > e) return uintBitsToFloat(bits - (uint(e) << 23));
  }
  uint divisor = uint(d);
  uint significand = (bits & 0x7fffffu) | 0x800000u;
  uint q = significand / divisor;
  uint rem = significand - q * divisor;
  int shift = 0;
  // Until q holds 25 bits (24 to keep, one to round on); q < 2^24 and
  // rem < divisor < 2^24 before each step, so neither shift overflows.
  for (int round8 = 0; round8 < 8 && q < 0x1000000u; round8++) {
    uint next = rem << 8;
    uint digit = next / divisor;
    q = (q << 8) | digit;
    rem = next - digit * divisor;
    shift += 8;
  }
  // The bits of q past the 24 kept (1 to 8); ES 3.0 has no findMSB.
  int extra = 1;
  for (int i = 0; i < 7 && (q >> uint(extra)) >= 0x1000000u; i++) extra++;
  uint kept = q >> uint(extra);
  uint dropped = q & ((1u << uint(extra)) - 1u);
  uint halfway = 1u << uint(extra - 1);
  if (dropped > halfway || (dropped == halfway && (rem != 0u || (kept & 1u) == 1u))) kept += 1u;
  // v / d = (q + rem / d) * 2^(biased - 150 - shift), and kept = q / 2^extra.
  int exponent = biased + extra - shift;
  if (kept == 0x1000000u) {
    kept = 0x800000u;
    exponent += 1;
  }
  if (exponent <= 0) return v / float(d);
  return uintBitsToFloat((bits & 0x80000000u) | (uint(exponent) << 23) | (kept & 0x7fffffu));
}

// Whether v is finite, on its bit pattern: drivers may fold isinf away.
bool roiFinite(float v) {
  return (floatBitsToUint(v) & 0x7f800000u) != 0x7f800000u;
}

// C's round(): half away from zero, in float, as RoIPool's corners are
// rounded (v - trunc(v) is exact; floats past 2^23 are integers already).
float roiRoundHalfAwayFloat(float v) {
  float whole = trunc(v);
  return abs(v - whole) >= 0.5 ? whole + sign(v) : whole;
}

// C's round(): half away from zero, clamped to +-2^24 (beyond any feature
// map, and where float32 integers stop being exact). floor(v + 0.5) would
// round 0.49999997 up. For the coarse tests, which the clamp keeps in order.
int roiRoundHalfAway(float v) {
  float magnitude = min(abs(v), 16777216.0);
  float whole = floor(magnitude);
  if (magnitude - whole >= 0.5) whole += 1.0;
  return v < 0.0 ? -int(whole) : int(whole);
}
`;

/**
 * The channels of a RoIAlign-family program: how many output channels y and
 * dy have, and which input channel output channel c of bin (ph, pw) reads.
 * RoIAlign reads channel c itself; the position-sensitive ops read channel
 * (c * outH + ph) * outW + pw, torchvision's channel_mapping, so their
 * outputs have C / (outH * outW) channels.
 */
export function channelMapGlsl(positionSensitive: boolean): string {
  if (!positionSensitive) {
    return `
int roiOutChannels() {
  return roiXDims.w;
}

int roiInputChannel(int c, int ph, int pw) {
  return c;
}
`;
  }
  return `
int roiOutChannels() {
  return roiXDims.w / (roiPooledSize.x * roiPooledSize.y);
}

int roiInputChannel(int c, int ph, int pw) {
  return (c * roiPooledSize.x + ph) * roiPooledSize.y + pw;
}
`;
}
