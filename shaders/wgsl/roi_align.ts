/**
 * RoIAlign forward: one invocation per box, bin and block of channels (the
 * lanes, see RoIForwardLanes), which share the box read and every sample's
 * position and weights. In 'max' mode the same reduction can emit the
 * winning sample instead of its value: the gradients read that, rather than
 * each re-running the reduction.
 *
 * With a fixed samplingRatio every box has the same samples per bin, so a
 * first pass (roiAlignSampleTableWgsl) works out each box's sample positions
 * once, K·(outH + outW)·ratio of them, and the forward reads them
 * (RoIAlignSource 'table') instead of redoing the box's axes and the exact
 * divisions of every position in each of the outH·outW·⌈C/4⌉ invocations
 * of the box. The adaptive grid (ratio 0) varies per box and keeps
 * 'geometry'.
 */
import type {RoIAlignMode} from '../../src/kernel_names';
import {channelMapWgsl, forEachInsideSampleWgsl, ROI_ALIGN_READ4_WGSL, ROI_ALIGN_READ_WGSL, roiAlignGeometryWgsl, ROI_SAMPLE_TABLE_ENTRIES_WGSL, ROI_SAMPLE_TABLE_WGSL} from './geometry';

/** What a RoIAlign forward program writes per output element. */
export type RoIAlignOutput = 'value'|'winner';

/**
 * Where a forward program gets its samples: 'geometry' works them out from
 * the box (any samplingRatio); 'table' reads the sample table (samplingRatio
 * > 0), the same RoISamples, computed once per box.
 */
export type RoIAlignSource = 'geometry'|'table';

/** 1, or 4 consecutive channels with x and y bound as vec4s (C % 4 == 0). */
export type RoIAlignLanes = 1|4;

/**
 * The channels of one forward invocation: RoIAlignLanes, or 'split4': four
 * output channels whose inputs are read, and outputs written, one float at
 * a time. That serves any C (a last block of fewer channels reads its last
 * channel again and writes only its own) and psRoiAlign, whose adjacent
 * output channels read input channels outH * outW apart.
 */
export type RoIForwardLanes = RoIAlignLanes|'split4';

/** Output channels per invocation. */
export function channelsPerInvocation(lanes: RoIForwardLanes): number {
  return lanes === 1 ? 1 : 4;
}

/** The WGSL types of one invocation's lanes, and its reads of x. */
function laneTypes(lanes: RoIForwardLanes) {
  const one = lanes === 1;
  return {
    value: one ? 'f32' : 'vec4<f32>',
    index: one ? 'i32' : 'vec4<i32>',
    flag: one ? 'bool' : 'vec4<bool>',
    // Float offsets of the lanes' channels in x: one for in-place lanes, one per lane when split.
    base: lanes === 'split4' ? 'vec4<i32>' : 'i32',
  };
}

/**
 * WGSL reading the lanes' bilinear value of a sample (roiSampleLanes), and
 * for split lanes writing the ones that exist (roiSetLanes, roiSetLanesI32).
 * Each lane is the one-channel arithmetic, so all lanes give the same values.
 */
export function roiLanesWgsl(lanes: RoIForwardLanes): string {
  if (lanes === 1) {
    return `${ROI_ALIGN_READ_WGSL}
fn roiSampleLanes(base : i32, row : RoISample, col : RoISample) -> f32 {
  return roiInterpolate(roiReadCorners(base, row, col), row, col);
}
`;
  }
  if (lanes === 4) {
    return `${ROI_ALIGN_READ4_WGSL}
fn roiSampleLanes(base : i32, row : RoISample, col : RoISample) -> vec4<f32> {
  return roiInterpolate4(roiReadCorners4(base, row, col), row, col);
}
`;
  }
  return `${ROI_ALIGN_READ_WGSL}
fn roiSampleLanes(base : vec4<i32>, row : RoISample, col : RoISample) -> vec4<f32> {
  return vec4<f32>(roiInterpolate(roiReadCorners(base.x, row, col), row, col),
                   roiInterpolate(roiReadCorners(base.y, row, col), row, col),
                   roiInterpolate(roiReadCorners(base.z, row, col), row, col),
                   roiInterpolate(roiReadCorners(base.w, row, col), row, col));
}

// Output elements first .. first + count - 1 (count of 1 to 4) from the lanes.
fn roiSetLanes(first : i32, count : i32, v : vec4<f32>) {
  setOutputAtIndex(first, v.x);
  if (count > 1) {
    setOutputAtIndex(first + 1, v.y);
  }
  if (count > 2) {
    setOutputAtIndex(first + 2, v.z);
  }
  if (count > 3) {
    setOutputAtIndex(first + 3, v.w);
  }
}

fn roiSetLanesI32(first : i32, count : i32, v : vec4<i32>) {
  setOutputAtIndexI32(first, v.x);
  if (count > 1) {
    setOutputAtIndexI32(first + 1, v.y);
  }
  if (count > 2) {
    setOutputAtIndexI32(first + 2, v.z);
  }
  if (count > 3) {
    setOutputAtIndexI32(first + 3, v.w);
  }
}
`;
}

/**
 * The pieces of a forward main() over lanes, for output channels
 * `outChannels` (a WGSL expression) of element (k, ph, pw) = coords.xyz,
 * block coords.w: how many blocks a bin has; `laneFirst`, statements that
 * put the lanes' first output element and count in scope (split lanes); the
 * float offset of the lanes' input channels within an image, given
 * `channelOf(c)`, the input channel of output channel c; and the statement
 * that writes a value (or, with i32, a winner) of the lanes' type.
 */
export function forwardLanesWgsl(lanes: RoIForwardLanes, outChannels: string) {
  const write = (value: string, i32 = false) => lanes === 'split4' ?
      `roiSetLanes${i32 ? 'I32' : ''}(laneFirst, laneCount, ${value});` :
      `setOutputAtIndex${i32 ? 'I32' : ''}(index, ${value});`;
  return {
    blocks: lanes === 1 ? outChannels : lanes === 4 ? `${outChannels} / 4` : `(${outChannels} + 3) / 4`,
    laneFirst: lanes !== 'split4' ? '' : `
  let laneFirst = ((coords.x * uniforms.pooledHeight + coords.y) * uniforms.pooledWidth + coords.z) * ${
        outChannels} + 4 * coords.w;
  let laneLast = ${outChannels} - 1;
  let laneCount = min(${outChannels} - 4 * coords.w, 4);`,
    channelOffset: (channelOf: (c: string) => string) => lanes === 1 ? channelOf('coords.w') :
        lanes === 4 ? channelOf('4 * coords.w') :
        `vec4<i32>(${[0, 1, 2, 3].map(j => channelOf(`min(4 * coords.w + ${j}, laneLast)`)).join(', ')})`,
    write,
  };
}

function binAverageWgsl(lanes: RoIForwardLanes, source: RoIAlignSource): string {
  const {value, base} = laneTypes(lanes);
  if (source === 'table') {
    // The same inside samples in the same order as forEachInsideSampleWgsl
    // visits, so the same sum; the grid is the ratio on both axes.
    return `
// The mean over all samples of the bin; outside samples add 0 but count.
fn roiBinAverage(k : i32, ph : i32, pw : i32, base : ${base}) -> ${value} {
  let ratio = uniforms.samplingRatio;
  var sum = ${value}(0.0);
  for (var iy = 0; iy < ratio; iy++) {
    let row = roiTableSample(k, ph * ratio + iy);
    if (!row.inside) {
      continue;
    }
    for (var ix = 0; ix < ratio; ix++) {
      let col = roiTableSample(k, (uniforms.pooledHeight + pw) * ratio + ix);
      if (!col.inside) {
        continue;
      }
      sum += roiSampleLanes(base, row, col);
    }
  }
  return sum / max(f32(ratio) * f32(ratio), 1.0);
}
`;
  }
  return `
// The mean over all samples of the bin; outside samples add 0 but count.
fn roiBinAverage(yAxis : RoIAxis, xAxis : RoIAxis, ph : i32, pw : i32, base : ${base}) -> ${value} {
  var sum = ${value}(0.0);
  ${forEachInsideSampleWgsl('sum += roiSampleLanes(base, row, col);')}
  return sum / max(f32(yAxis.grid) * f32(xAxis.grid), 1.0);
}
`;
}

function binMaxWgsl(lanes: RoIForwardLanes, source: RoIAlignSource): string {
  const {value, index, flag, base} = laneTypes(lanes);
  const struct = `
struct RoIBinMax {
  value : ${value},
  // Index iy * gridW + ix of the winning sample in its bin; -1 when the
  // winner is outside the map or the bin has no samples (no gradient).
  winner : ${index},
}
`;
  if (source === 'table') {
    // Every sample in row-major order, as the cpu kernels visit them: the
    // bin has ratio x ratio of them, never none.
    return `${struct}
// The largest sample of the bin, per lane, the first one on ties, with
// samples outside the map counting as 0. A NaN sample wins only as the
// first one, and then stays.
fn roiBinMax(k : i32, ph : i32, pw : i32, base : ${base}) -> RoIBinMax {
  let ratio = uniforms.samplingRatio;
  var best = ${value}(0.0);
  var bestIndex = ${index}(-1);
  var bestInside = ${flag}(false);
  for (var iy = 0; iy < ratio; iy++) {
    let row = roiTableSample(k, ph * ratio + iy);
    for (var ix = 0; ix < ratio; ix++) {
      let col = roiTableSample(k, (uniforms.pooledHeight + pw) * ratio + ix);
      let inside = row.inside && col.inside;
      var v = ${value}(0.0);
      if (inside) {
        v = roiSampleLanes(base, row, col);
      }
      let better = ${flag}(iy == 0 && ix == 0) | (v > best);
      best = select(best, v, better);
      bestIndex = select(bestIndex, ${index}(iy * ratio + ix), better);
      bestInside = select(bestInside, ${flag}(inside), better);
    }
  }
  return RoIBinMax(best, select(${index}(-1), bestIndex, bestInside));
}
`;
  }
  return `${struct}
// The first sample, in row-major order, of a bin of gridH x gridW samples
// that lies outside rows x cols (ranges local to the bin), or -1.
fn roiFirstSkipped(rows : vec2<i32>, cols : vec2<i32>, gridH : i32, gridW : i32) -> i32 {
  if (gridH == 0 || gridW == 0) {
    return -1;
  }
  if (rows.x > rows.y || cols.x > cols.y || rows.x > 0 || cols.x > 0) {
    return 0;
  }
  if (cols.y < gridW - 1) {
    return cols.y + 1;
  }
  if (rows.y < gridH - 1) {
    return (rows.y + 1) * gridW;
  }
  return -1;
}

// The largest sample of the bin, per lane, the first one on ties, with
// samples outside the map counting as 0. Only the samples that can be inside
// are visited; the others are all outside, so the first of them stands for
// them all. A NaN sample wins only as the first one visited, and then stays.
fn roiBinMax(yAxis : RoIAxis, xAxis : RoIAxis, ph : i32, pw : i32, base : ${base}) -> RoIBinMax {
  let rowFirst = ph * yAxis.grid;
  let colFirst = pw * xAxis.grid;
  let rows = roiAxisBinInside(yAxis, ph);
  let cols = roiAxisBinInside(xAxis, pw);
  var best = ${value}(0.0);
  var bestIndex = ${index}(-1);
  var bestInside = ${flag}(false);
  var visited = false;
  for (var ty = rows.x; ty <= rows.y; ty++) {
    let row = roiAxisSample(yAxis, ty);
    for (var tx = cols.x; tx <= cols.y; tx++) {
      let col = roiAxisSample(xAxis, tx);
      let inside = row.inside && col.inside;
      var v = ${value}(0.0);
      if (inside) {
        v = roiSampleLanes(base, row, col);
      }
      let better = ${flag}(!visited) | (v > best);
      best = select(best, v, better);
      bestIndex = select(bestIndex, ${index}((ty - rowFirst) * xAxis.grid + (tx - colFirst)), better);
      bestInside = select(bestInside, ${flag}(inside), better);
      visited = true;
    }
  }
  let skipped = roiFirstSkipped(rows - rowFirst, cols - colFirst, yAxis.grid, xAxis.grid);
  if (skipped >= 0) {
    let zero = ${value}(0.0);
    let zeroWins = ${flag}(!visited) | (zero > best) | ((zero == best) & (${index}(skipped) < bestIndex));
    best = select(best, zero, zeroWins);
    bestInside = select(bestInside, ${flag}(false), zeroWins);
  }
  return RoIBinMax(best, select(${index}(-1), bestIndex, bestInside));
}
`;
}

/**
 * The user code of a RoIAlign forward program (x, boxes, boxIndices ->
 * [K,outH,outW,C]; with source 'table', x, sampleTable, boxIndices);
 * positionSensitive: psRoiAlign's (channelMapWgsl). With lanes 4, x and the
 * output are bound as vec4s and index counts groups of four channels.
 */
export function roiAlignWgsl(
    mode: RoIAlignMode, aligned: boolean, output: RoIAlignOutput,
    positionSensitive = false, lanes: RoIForwardLanes = 1, source: RoIAlignSource = 'geometry'): string {
  if (lanes === 4 && positionSensitive) {
    throw new Error('roiAlignWgsl: psRoiAlign\'s channels are not consecutive in x; use split4 lanes');
  }
  const {value, index} = laneTypes(lanes);
  const forward = forwardLanesWgsl(lanes, 'roiOutChannels()');
  const binArgs = source === 'table' ? 'coords.x, coords.y, coords.z, base' : 'yAxis, xAxis, coords.y, coords.z, base';
  let write: string;
  if (mode === 'avg') {
    write = forward.write(`roiBinAverage(${binArgs})`);
  } else if (output === 'value') {
    write = forward.write(`roiBinMax(${binArgs}).value`);
  } else {
    write = forward.write(`roiBinMax(${binArgs}).winner`, true);
  }
  const unreadable = output === 'value' ? forward.write(`${value}(0.0)`) : forward.write(`${index}(-1)`, true);
  const channelOffset = forward.channelOffset(c => `roiInputChannel(${c}, coords.y, coords.z)`);
  const body = source === 'table' ? `
  // An unreadable box has no inside sample in the table: y is 0, with no
  // winner, and the clamped image is never read.
  let batch = clamp(boxIndices[coords.x], 0, uniforms.batchSize - 1);
  let base = roiPixelOffset(batch, 0, 0) + ${channelOffset};
  ${write}` : `
  let box = roiReadBox(coords.x);
  if (!box.readable) {
    ${unreadable}
    return;
  }
  let yAxis = roiAlignAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.height);
  let xAxis = roiAlignAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.width);
  let base = roiPixelOffset(box.batch, 0, 0) + ${channelOffset};
  ${write}`;
  return `
${roiAlignGeometryWgsl(aligned, source === 'geometry')}
${source === 'table' ? ROI_SAMPLE_TABLE_WGSL : ''}
${roiLanesWgsl(lanes)}
${channelMapWgsl(positionSensitive)}
${mode === 'avg' ? binAverageWgsl(lanes, source) : binMaxWgsl(lanes, source)}

fn main(index : i32) {
  // (k, ph, pw, block of channels)
  let coords = roiCoords(index, vec4<i32>(uniforms.numBoxes, uniforms.pooledHeight, uniforms.pooledWidth,
                                          ${forward.blocks}));
  if (coords.x >= uniforms.numBoxes) {
    return;
  }${forward.laneFirst}${body}
}
`;
}

/**
 * The sample table of a fixed samplingRatio (boxes, boxIndices -> vec4s
 * [K, (outH + outW) * ratio, 2]): per box, its row samples t then its column
 * samples u, each as ROI_SAMPLE_TABLE_WGSL reads it, worked out by
 * roiAxisSample and roiAxisSlope. Every sample of an unreadable box is
 * outside. One invocation per entry.
 */
export function roiAlignSampleTableWgsl(aligned: boolean): string {
  return `
${roiAlignGeometryWgsl(aligned)}
${ROI_SAMPLE_TABLE_ENTRIES_WGSL}
fn main(index : i32) {
  let k = index / roiSampleTableEntries();
  if (k >= uniforms.numBoxes) {
    return;
  }
  let t = index - k * roiSampleTableEntries();
  let rows = uniforms.pooledHeight * uniforms.samplingRatio;
  let box = roiReadBox(k);
  var s = RoISample();
  var slope = vec2<f32>(0.0);
  if (box.readable) {
    if (t < rows) {
      let axis = roiAlignAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.height);
      s = roiAxisSample(axis, t);
      slope = roiAxisSlope(axis, t, s);
    } else {
      let axis = roiAlignAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.width);
      s = roiAxisSample(axis, t - rows);
      slope = roiAxisSlope(axis, t - rows, s);
    }
  }
  setOutputAtIndex(2 * index, vec4<f32>(select(-1.0, f32(s.low), s.inside), f32(s.high), s.lowWeight, s.highWeight));
  setOutputAtIndex(2 * index + 1, vec4<f32>(slope, 0.0, 0.0));
}
`;
}
