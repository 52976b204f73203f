/**
 * RoIAlign's gradient w.r.t. the boxes, as a fixed-order two-pass reduction
 * (deterministic, unlike float atomics): the first pass gives each bin of each
 * box one invocation that sums, over the bin's samples and the channels, the
 * chain rule through the sample positions (see kernels/cpu/RoIAlignBoxGrad.ts);
 * the second adds the bins of each box in order.
 */
import type {RoIAlignMode} from '../../src/kernel_names';
import {channelMapWgsl, forEachInsideSampleWgsl, ROI_ALIGN_READ_WGSL, roiAlignGeometryWgsl} from './geometry';

/**
 * The gradient one sample passes to (x1, y1, x2, y2), given how the loss
 * moves with its row and column position: columns follow x, rows follow y.
 */
const SAMPLE_BOX_GRAD_WGSL = `
fn roiSampleBoxGrad(
    yAxis : RoIAxis, ty : i32, row : RoISample, xAxis : RoIAxis, tx : i32, col : RoISample,
    alongRows : f32, alongCols : f32) -> vec4<f32> {
  let dRow = roiAxisSlope(yAxis, ty, row);
  let dCol = roiAxisSlope(xAxis, tx, col);
  return vec4<f32>(alongCols * dCol.x, alongRows * dRow.x, alongCols * dCol.y, alongRows * dRow.y);
}
`;

const BIN_AVG_WGSL = `
// Every inside sample, weighted 1 / count, with the channels summed first.
fn roiBinBoxGrad(yAxis : RoIAxis, xAxis : RoIAxis, ph : i32, pw : i32, base : i32, dyBase : i32) -> vec4<f32> {
  let count = max(f32(yAxis.grid) * f32(xAxis.grid), 1.0);
  var grad = vec4<f32>(0.0);
  ${forEachInsideSampleWgsl(`
      var alongRows = 0.0;
      var alongCols = 0.0;
      for (var c = 0; c < roiOutChannels(); c++) {
        let g = dy[dyBase + c];
        let v = roiReadCorners(base + roiInputChannel(c, ph, pw), row, col);
        alongRows += g * roiSlopeAlongRows(v, col);
        alongCols += g * roiSlopeAlongCols(v, row);
      }
      grad += roiSampleBoxGrad(yAxis, ty, row, xAxis, tx, col, alongRows / count, alongCols / count);`)}
  return grad;
}
`;

const BIN_MAX_WGSL = `
// In each channel, the sample that won the forward max (none: no gradient).
fn roiBinBoxGrad(yAxis : RoIAxis, xAxis : RoIAxis, ph : i32, pw : i32, base : i32, dyBase : i32) -> vec4<f32> {
  var grad = vec4<f32>(0.0);
  for (var c = 0; c < roiOutChannels(); c++) {
    let won = winner[dyBase + c];
    if (won < 0) {
      continue;
    }
    let iy = won / xAxis.grid;
    let ty = ph * yAxis.grid + iy;
    let tx = pw * xAxis.grid + (won - iy * xAxis.grid);
    let row = roiAxisSample(yAxis, ty);
    let col = roiAxisSample(xAxis, tx);
    let g = dy[dyBase + c];
    let v = roiReadCorners(base + roiInputChannel(c, ph, pw), row, col);
    grad += roiSampleBoxGrad(
        yAxis, ty, row, xAxis, tx, col, g * roiSlopeAlongRows(v, col), g * roiSlopeAlongCols(v, row));
  }
  return grad;
}
`;

/**
 * Pass 1 user code: x, dy, boxes, boxIndices (and winner for 'max') ->
 * partial [K, outH*outW, 4], one invocation per (box, bin) writing 4 values;
 * positionSensitive: psRoiAlign's (channelMapWgsl).
 */
export function roiAlignBoxGradWgsl(
    mode: RoIAlignMode, aligned: boolean, positionSensitive = false): string {
  return `
${roiAlignGeometryWgsl(aligned)}
${ROI_ALIGN_READ_WGSL}
${channelMapWgsl(positionSensitive)}
${SAMPLE_BOX_GRAD_WGSL}
${mode === 'avg' ? BIN_AVG_WGSL : BIN_MAX_WGSL}

fn main(index : i32) {
${BOX_BIN_START_WGSL}
  var grad = vec4<f32>(0.0);
  let box = roiReadBox(k);
  if (box.readable) {
    let yAxis = roiAlignAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.height);
    let xAxis = roiAlignAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.width);
    // dy [K,outH,outW,C] holds this bin's channels from index * C on.
    grad = roiBinBoxGrad(yAxis, xAxis, ph, pw, roiPixelOffset(box.batch, 0, 0), index * roiOutChannels());
  }
  setOutputAtIndex(4 * index, grad.x);
  setOutputAtIndex(4 * index + 1, grad.y);
  setOutputAtIndex(4 * index + 2, grad.z);
  setOutputAtIndex(4 * index + 3, grad.w);
}
`;
}

/** Uniforms of pass 2. */
export const ROI_BOX_GRAD_SUM_UNIFORMS = 'bins : i32,';

/**
 * Pass 2 user code: partial [K, bins, fields] -> dboxes [K, fields], bins
 * added in order; fields is 4 for corner boxes, 5 for rotated ones.
 */
export function boxGradSumWgsl(fields: number): string {
  return `
fn main(index : i32) {
  if (index >= uniforms.size) {
    return;
  }
  let k = index / ${fields};
  let coordinate = index - ${fields} * k;
  let bins = uniforms.bins;
  var total = 0.0;
  for (var b = 0; b < bins; b++) {
    total += partial[(k * bins + b) * ${fields} + coordinate];
  }
  setOutputAtIndex(index, total);
}
`;
}

/**
 * The start of main(index) in a program with one invocation per (box, bin):
 * box k and bin (ph, pw) of index = k * bins + ph * pooledWidth + pw.
 */
export const BOX_BIN_START_WGSL = `
  let bins = uniforms.pooledHeight * uniforms.pooledWidth;
  if (index >= uniforms.numBoxes * bins) {
    return;
  }
  let k = index / bins;
  let ph = (index - k * bins) / uniforms.pooledWidth;
  let pw = index - k * bins - ph * uniforms.pooledWidth;`;
