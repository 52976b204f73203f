import {psInputChannel} from '../../src/geometry';
import type {PsRoIPoolAttrs} from '../../src/kernel_names';
import {outputArray, RoIImplInputs} from './roi_impl_inputs';
import {visitPoolBins} from './roi_pool_bins';

/** PsRoIPool's y [K,outH,outW,C/(outH*outW)], into `out` when given: the mean of each bin's pixels in each output channel's input channel. */
export function psRoiPoolImpl(
    {x, xShape, boxes, boxIndices}: RoIImplInputs, attrs: PsRoIPoolAttrs, out?: Float32Array): Float32Array {
  const [, , width, channels] = xShape;
  const {pooledHeight, pooledWidth} = attrs;
  const outChannels = channels / (pooledHeight * pooledWidth);
  const y = outputArray(out, boxIndices.length * channels);
  visitPoolBins(xShape, attrs, boxes, boxIndices, true, bin => {
    const area = (bin.h1 - bin.h0) * (bin.w1 - bin.w0);
    for (let c = 0; c < outChannels; c++) {
      const base = bin.imageBase + psInputChannel(c, bin.ph, bin.pw, pooledHeight, pooledWidth);
      let sum = 0;
      for (let h = bin.h0; h < bin.h1; h++) {
        for (let w = bin.w0; w < bin.w1; w++) sum += x[base + (h * width + w) * channels];
      }
      y[bin.index * outChannels + c] = sum / area;
    }
  });
  return y;
}
