/**
 * RoIAlign forward: one invocation per output element (k, ph, pw, c), or in
 * 'avg' mode with C % 4 == 0 per four channels (k, ph, pw, c..c+3), which
 * then share the box read and every sample's position and weights. In 'max'
 * mode the same reduction can emit the winning sample instead of its value:
 * the gradients read that, rather than each re-running the reduction.
 */
import type {RoIAlignMode} from '../../src/kernel_names';
import {channelMapWgsl, forEachInsideSampleWgsl, ROI_ALIGN_READ4_WGSL, ROI_ALIGN_READ_WGSL, roiAlignGeometryWgsl} from './geometry';

/** What a RoIAlign forward program writes per output element. */
export type RoIAlignOutput = 'value'|'winner';

/** Channels per invocation: 4 only for 'avg' values of RoIAlign with C % 4 == 0. */
export type RoIAlignLanes = 1|4;

function binAverageWgsl(lanes: RoIAlignLanes): string {
  const value = lanes === 1 ? 'f32' : 'vec4<f32>';
  const suffix = lanes === 1 ? '' : '4';
  return `
// The mean over all samples of the bin; outside samples add 0 but count.
fn roiBinAverage(yAxis : RoIAxis, xAxis : RoIAxis, ph : i32, pw : i32, base : i32) -> ${value} {
  var sum = ${value}(0.0);
  ${forEachInsideSampleWgsl(`sum += roiInterpolate${suffix}(roiReadCorners${suffix}(base, row, col), row, col);`)}
  return sum / max(f32(yAxis.grid) * f32(xAxis.grid), 1.0);
}
`;
}

const BIN_MAX_WGSL = `
struct RoIBinMax {
  value : f32,
  // Index iy * gridW + ix of the winning sample in its bin; -1 when the
  // winner is outside the map or the bin has no samples (no gradient).
  winner : i32,
}

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

// The largest sample of the bin, the first one on ties, with samples outside
// the map counting as 0. Only the samples that can be inside are visited;
// the others are all outside, so the first of them stands for them all.
fn roiBinMax(yAxis : RoIAxis, xAxis : RoIAxis, ph : i32, pw : i32, base : i32) -> RoIBinMax {
  let rowFirst = ph * yAxis.grid;
  let colFirst = pw * xAxis.grid;
  let rows = roiAxisBinInside(yAxis, ph);
  let cols = roiAxisBinInside(xAxis, pw);
  var best = 0.0;
  var bestIndex = -1;
  var bestInside = false;
  for (var ty = rows.x; ty <= rows.y; ty++) {
    let row = roiAxisSample(yAxis, ty);
    for (var tx = cols.x; tx <= cols.y; tx++) {
      let col = roiAxisSample(xAxis, tx);
      let inside = row.inside && col.inside;
      var v = 0.0;
      if (inside) {
        v = roiInterpolate(roiReadCorners(base, row, col), row, col);
      }
      if (bestIndex < 0 || v > best) {
        best = v;
        bestIndex = (ty - rowFirst) * xAxis.grid + (tx - colFirst);
        bestInside = inside;
      }
    }
  }
  let skipped = roiFirstSkipped(rows - rowFirst, cols - colFirst, yAxis.grid, xAxis.grid);
  if (skipped >= 0 && (bestIndex < 0 || 0.0 > best || (0.0 == best && skipped < bestIndex))) {
    best = 0.0;
    bestInside = false;
  }
  return RoIBinMax(best, select(-1, bestIndex, bestInside));
}
`;

/**
 * The user code of a RoIAlign forward program (x, boxes, boxIndices ->
 * [K,outH,outW,C]); positionSensitive: psRoiAlign's (channelMapWgsl). With
 * lanes 4, x and the output are bound as vec4s and index counts groups of
 * four channels.
 */
export function roiAlignWgsl(
    mode: RoIAlignMode, aligned: boolean, output: RoIAlignOutput,
    positionSensitive = false, lanes: RoIAlignLanes = 1): string {
  if (lanes === 4 && (mode !== 'avg' || positionSensitive)) {
    throw new Error('roiAlignWgsl: four channels per invocation only for RoIAlign avg');
  }
  let write: string;
  if (mode === 'avg') {
    write = 'setOutputAtIndex(index, roiBinAverage(yAxis, xAxis, coords.y, coords.z, base));';
  } else if (output === 'value') {
    write = 'setOutputAtIndex(index, roiBinMax(yAxis, xAxis, coords.y, coords.z, base).value);';
  } else {
    write = 'setOutputAtIndexI32(index, roiBinMax(yAxis, xAxis, coords.y, coords.z, base).winner);';
  }
  const zero = lanes === 1 ? '0.0' : 'vec4<f32>(0.0)';
  const unreadable = output === 'value' ? `setOutputAtIndex(index, ${zero});` : 'setOutputAtIndexI32(index, -1);';
  return `
${roiAlignGeometryWgsl(aligned)}
${lanes === 1 ? ROI_ALIGN_READ_WGSL : ROI_ALIGN_READ4_WGSL}
${channelMapWgsl(positionSensitive)}
${mode === 'avg' ? binAverageWgsl(lanes) : BIN_MAX_WGSL}

fn main(index : i32) {
  if (index >= uniforms.size) {
    return;
  }
  // (k, ph, pw, c / ${lanes})
  let coords = roiCoords(index, vec4<i32>(uniforms.numBoxes, uniforms.pooledHeight, uniforms.pooledWidth,
                                          roiOutChannels() / ${lanes}));
  let box = roiReadBox(coords.x);
  if (!box.readable) {
    ${unreadable}
    return;
  }
  let yAxis = roiAlignAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.height);
  let xAxis = roiAlignAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.width);
  let base = roiPixelOffset(box.batch, 0, 0) + roiInputChannel(coords.w * ${lanes}, coords.y, coords.z);
  ${write}
}
`;
}
