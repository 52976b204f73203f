import type {RoIAlignRotatedAttrs} from '../../src/kernel_names';
import {outputArray, RoIImplInputs} from './roi_impl_inputs';
import {rotatedGeometry, sampleValue, visitRotatedBins} from './roi_align_rotated_samples';

/**
 * RoIAlignRotated's y [K,outH,outW,C], into `out` when given: each bin's
 * mean over its samples; outside samples add 0 but count.
 */
export function roiAlignRotatedImpl(
    {x, xShape, boxes, boxIndices}: RoIImplInputs, attrs: RoIAlignRotatedAttrs,
    out?: Float32Array): Float32Array {
  const channels = xShape[3];
  const y = outputArray(out, boxIndices.length * attrs.pooledHeight * attrs.pooledWidth * channels);
  const g = rotatedGeometry(xShape, attrs);
  visitRotatedBins(
      g, channels, boxes, boxIndices, ({box, binOffset, samples}) => {
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (const s of samples) {
            if (s.inside) sum += sampleValue(x, s, c);
          }
          y[binOffset + c] = sum / box.count;
        }
      });
  return y;
}
