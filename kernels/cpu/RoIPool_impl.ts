import type {RoIPoolAttrs} from '../../src/kernel_names';
import {outputArray, RoIImplInputs} from './roi_impl_inputs';
import {poolBinMax} from './roi_pool_bins';

/** RoIPool's y [K,outH,outW,C], into `out` when given: each bin's max per channel. */
export function roiPoolImpl(
    {x, xShape, boxes, boxIndices}: RoIImplInputs, attrs: RoIPoolAttrs, out?: Float32Array): Float32Array {
  const y = outputArray(out, boxIndices.length * attrs.pooledHeight * attrs.pooledWidth * xShape[3]);
  poolBinMax(xShape, attrs, x, boxes, boxIndices, y, null);
  return y;
}
