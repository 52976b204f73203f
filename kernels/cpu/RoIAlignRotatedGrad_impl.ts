import type {RoIAlignRotatedAttrs} from '../../src/kernel_names';
import {outputArray, RoIGradImplInputs} from './roi_impl_inputs';
import {scatter} from './RoIAlignGrad_impl';
import {rotatedGeometry, visitRotatedBins} from './roi_align_rotated_samples';

/** dx [N,H,W,C], into `out` when given: dy / count spread over the four corners of every inside sample. */
export function roiAlignRotatedGradImpl(
    {x, xShape, dy, boxes, boxIndices}: RoIGradImplInputs, attrs: RoIAlignRotatedAttrs,
    out?: Float32Array): Float32Array {
  const channels = xShape[3];
  const dx = outputArray(out, x.length);
  const g = rotatedGeometry(xShape, attrs);
  visitRotatedBins(
      g, channels, boxes, boxIndices, ({box, binOffset, samples}) => {
        for (const s of samples) {
          if (!s.inside) continue;
          for (let c = 0; c < channels; c++) scatter(dx, s, c, dy[binOffset + c] / box.count);
        }
      });
  return dx;
}
