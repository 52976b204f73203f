/**
 * RoIAlign's gradient w.r.t. x, as a gather: one invocation per dx element
 * (n, h, w, c) sums what every sample touching pixel (h, w) passes back, in a
 * fixed order, so the result is the same bit for bit from run to run (WGSL
 * has no float atomics, and a compare-and-swap loop would add in whatever
 * order the invocations happen to run).
 *
 * For each box of image n it asks the shared geometry which samples along
 * each axis can touch the pixel (roiAxisTouching: a short range found by
 * inverting the sample positions, not a scan), then checks each exactly.
 * 'avg' passes dy / count to every sample; 'max' only to the winner that the
 * forward program recorded in `winner`.
 */
import type {RoIAlignMode} from '../../src/kernel_names';
import {roiAlignGeometryWgsl} from './geometry';

/** User code: dy, boxes, boxIndices (and winner for 'max') -> dx [N,H,W,C]. */
export function roiAlignGradWgsl(mode: RoIAlignMode, aligned: boolean, samplingRatio: number): string {
  const passes = mode === 'avg' ?
      'let g = dy[bin] / count;' :
      `if (winner[bin] != (ty - ph * yAxis.grid) * xAxis.grid + (tx - pw * xAxis.grid)) {
          continue;
        }
        let g = dy[bin];`;
  return `
${roiAlignGeometryWgsl(aligned, samplingRatio)}

fn main(index : i32) {
  if (index >= uniforms.size) {
    return;
  }
  // (n, h, w, c)
  let coords = getCoordsFromIndex(index);
  let channels = uniforms.outShape.w;
  var total = 0.0;
  for (var k = 0; k < uniforms.boxesShape.x; k++) {
    let box = roiReadBox(k, uniforms.outShape.x);
    if (!box.readable || box.batch != coords.x) {
      continue;
    }
    let yAxis = roiAlignAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.outShape.y);
    let rows = roiAxisTouching(yAxis, coords.y);
    if (rows.x > rows.y) {
      continue;
    }
    let xAxis = roiAlignAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.outShape.z);
    let cols = roiAxisTouching(xAxis, coords.z);
    let count = max(f32(yAxis.grid) * f32(xAxis.grid), 1.0);
    for (var ty = rows.x; ty <= rows.y; ty++) {
      let rowWeight = roiCornerWeight(roiAxisSample(yAxis, ty), coords.y);
      if (rowWeight == 0.0) {
        continue;
      }
      let ph = ty / yAxis.grid;
      for (var tx = cols.x; tx <= cols.y; tx++) {
        let colWeight = roiCornerWeight(roiAxisSample(xAxis, tx), coords.z);
        if (colWeight == 0.0) {
          continue;
        }
        let pw = tx / xAxis.grid;
        let bin = ((k * uniforms.pooledHeight + ph) * uniforms.pooledWidth + pw) * channels + coords.w;
        ${passes}
        total += g * rowWeight * colWeight;
      }
    }
  }
  setOutputAtIndex(index, total);
}
`;
}
