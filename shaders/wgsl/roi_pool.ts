/**
 * RoIPool: the forward max over each bin's pixels (optionally emitting the
 * winning pixel), and its gradient w.r.t. x as a gather over the bins that
 * hold each pixel, summed in a fixed order so that it is deterministic.
 */
import {ROI_POOL_GEOMETRY_WGSL} from './geometry';

/** What a RoIPool forward program writes per output element. */
export type RoIPoolOutput = 'value'|'winner';

/**
 * Forward user code: x, boxes, boxIndices -> [K,outH,outW,C], the max (or
 * with 'winner', the pixel h * W + w that holds it, -1 for none). torchvision
 * starts a non-empty bin at -FLT_MAX and keeps the first pixel in row-major
 * order on ties (strict >); an empty bin gives 0.
 */
export function roiPoolWgsl(output: RoIPoolOutput): string {
  const write = output === 'value' ? 'setOutputAtIndex(index, best);' : 'setOutputAtIndexI32(index, winner);';
  return `
${ROI_POOL_GEOMETRY_WGSL}

fn main(index : i32) {
  if (index >= uniforms.size) {
    return;
  }
  // (k, ph, pw, c)
  let coords = getCoordsFromIndex(index);
  var best = 0.0;
  var winner = -1;
  let box = roiReadBox(coords.x, uniforms.xShape.x);
  if (box.readable) {
    let width = uniforms.xShape.z;
    let rows = roiPoolBin(roiPoolAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.xShape.y), coords.y);
    let cols = roiPoolBin(roiPoolAxis(box.x1, box.x2, uniforms.pooledWidth, width), coords.z);
    if (rows.y > rows.x && cols.y > cols.x) {
      best = bitcast<f32>(0xff7fffffu);  // -FLT_MAX, exactly
      let base = box.batch * uniforms.xShapeStrides.x + coords.w;
      for (var h = rows.x; h < rows.y; h++) {
        for (var w = cols.x; w < cols.y; w++) {
          let v = x[base + h * uniforms.xShapeStrides.y + w * uniforms.xShape.w];
          if (v > best) {
            best = v;
            winner = h * width + w;
          }
        }
      }
    }
  }
  ${write}
}
`;
}

/**
 * Gradient user code: dy, boxes, boxIndices, winner -> dx [N,H,W,C]. Each
 * pixel takes dy of every bin (of a box of its image) that it won.
 */
export const ROI_POOL_GRAD_WGSL = `
${ROI_POOL_GEOMETRY_WGSL}

fn main(index : i32) {
  if (index >= uniforms.size) {
    return;
  }
  // (n, h, w, c)
  let coords = getCoordsFromIndex(index);
  let channels = uniforms.outShape.w;
  let pixel = coords.y * uniforms.outShape.z + coords.z;
  var total = 0.0;
  for (var k = 0; k < uniforms.boxesShape.x; k++) {
    let box = roiReadBox(k, uniforms.outShape.x);
    if (!box.readable || box.batch != coords.x) {
      continue;
    }
    let rows = roiPoolBinsHolding(roiPoolAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.outShape.y), coords.y);
    if (rows.x > rows.y) {
      continue;
    }
    let cols = roiPoolBinsHolding(roiPoolAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.outShape.z), coords.z);
    for (var ph = rows.x; ph <= rows.y; ph++) {
      for (var pw = cols.x; pw <= cols.y; pw++) {
        let bin = ((k * uniforms.pooledHeight + ph) * uniforms.pooledWidth + pw) * channels + coords.w;
        if (winner[bin] == pixel) {
          total += dy[bin];
        }
      }
    }
  }
  setOutputAtIndex(index, total);
}
`;
