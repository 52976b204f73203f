import {psInputChannel} from '../../src/geometry';
import type {PsRoIPoolAttrs} from '../../src/kernel_names';
import {outputArray, RoIGradImplInputs} from './roi_impl_inputs';
import {visitPoolBins} from './roi_pool_bins';

/** dx [N,H,W,C], into `out` when given: each bin spreads dy / area over the pixels the forward averaged. */
export function psRoiPoolGradImpl(
    {x, xShape, dy, boxes, boxIndices}: RoIGradImplInputs, attrs: PsRoIPoolAttrs,
    out?: Float32Array): Float32Array {
  const [, , width, channels] = xShape;
  const {pooledHeight, pooledWidth} = attrs;
  const outChannels = channels / (pooledHeight * pooledWidth);
  const dx = outputArray(out, x.length);
  visitPoolBins(xShape, attrs, boxes, boxIndices, true, bin => {
    const area = (bin.h1 - bin.h0) * (bin.w1 - bin.w0);
    for (let c = 0; c < outChannels; c++) {
      const base = bin.imageBase + psInputChannel(c, bin.ph, bin.pw, pooledHeight, pooledWidth);
      const share = dy[bin.index * outChannels + c] / area;
      for (let h = bin.h0; h < bin.h1; h++) {
        for (let w = bin.w0; w < bin.w1; w++) dx[base + (h * width + w) * channels] += share;
      }
    }
  });
  return dx;
}
