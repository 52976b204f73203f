import type {RoIPoolAttrs} from '../../src/kernel_names';
import {outputArray, RoIGradImplInputs} from './roi_impl_inputs';
import {poolBinMax} from './roi_pool_bins';

/** dx [N,H,W,C], into `out` when given: each bin's dy goes to the pixel that won its max, per channel. */
export function roiPoolGradImpl(
    {x, xShape, dy, boxes, boxIndices}: RoIGradImplInputs, attrs: RoIPoolAttrs,
    out?: Float32Array): Float32Array {
  const dx = outputArray(out, x.length);
  const best = new Float32Array(dy.length);
  const argmax = new Int32Array(dy.length);
  poolBinMax(xShape, attrs, x, boxes, boxIndices, best, argmax);
  for (let i = 0; i < argmax.length; i++) {
    if (argmax[i] >= 0) dx[argmax[i]] += dy[i];
  }
  return dx;
}
