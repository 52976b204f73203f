/**
 * RoIPool: the forward max over each bin's pixels (optionally emitting the
 * winning pixel), and its gradient w.r.t. x as a gather over the bins that
 * hold each pixel.
 */
import {gatherMainWgsl} from './gather';
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
  let coords = roiCoords(index, vec4<i32>(uniforms.numBoxes, uniforms.pooledHeight, uniforms.pooledWidth, uniforms.channels));
  var best = 0.0;
  var winner = -1;
  let box = roiReadBox(coords.x);
  if (box.readable) {
    let rows = roiPoolBin(roiPoolAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.height), coords.y);
    let cols = roiPoolBin(roiPoolAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.width), coords.z);
    if (rows.y > rows.x && cols.y > cols.x) {
      best = bitcast<f32>(0xff7fffffu);  // -FLT_MAX, exactly
      for (var h = rows.x; h < rows.y; h++) {
        for (var w = cols.x; w < cols.y; w++) {
          let v = x[roiPixelOffset(box.batch, h, w) + coords.w];
          if (v > best) {
            best = v;
            winner = h * uniforms.width + w;
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
 * Gradient user code: dy, boxes, boxIndices, reach, winner -> dx [N,H,W,C], a gather
 * (see gather.ts): each pixel takes dy of every bin, of the boxes of its
 * image, that it won.
 */
export const ROI_POOL_GRAD_WGSL = `
${ROI_POOL_GEOMETRY_WGSL}
${gatherMainWgsl(`
    let pixel = h * uniforms.width + w;
    let box = roiReadBox(k);
    let rows = roiPoolBinsHolding(roiPoolAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.height), h);
    let cols = roiPoolBinsHolding(roiPoolAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.width), w);
    for (var ph = rows.x; ph <= rows.y; ph++) {
      for (var pw = cols.x; pw <= cols.y; pw++) {
        let bin = ((k * uniforms.pooledHeight + ph) * uniforms.pooledWidth + pw) * uniforms.channels + c0;
        for (var j = 0; j < GATHER_CHANNELS; j++) {
          if (c0 + j < uniforms.channels && winner[bin + j] == pixel) {
            total[j] += dy[bin + j];
          }
        }
      }
    }`)}
`;
