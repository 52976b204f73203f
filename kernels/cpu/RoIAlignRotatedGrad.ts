import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIAlignRotatedAttrs, RoIAlignRotatedGrad, RoIGradInputs} from '../../src/kernel_names';
import {roiGradValues} from './cpu_data';
import {scatter} from './RoIAlignGrad';
import {rotatedGeometry, visitRotatedBins} from './roi_align_rotated_samples';

/** dx [N,H,W,C]: dy / count spread over the four corners of every inside sample. */
export function roiAlignRotatedGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendCPU,
  attrs: RoIAlignRotatedAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {x} = inputs;
  const {x: xValues, dy: dyValues, boxes: boxValues, boxIndices: indexValues} = roiGradValues(backend, inputs);
  const channels = x.shape[3];
  const dx = new Float32Array(xValues.length);
  const g = rotatedGeometry(x.shape, attrs);
  visitRotatedBins(
      g, channels, boxValues, indexValues, ({box, binOffset, samples}) => {
        for (const s of samples) {
          if (!s.inside) continue;
          for (let c = 0; c < channels; c++) scatter(dx, s, c, dyValues[binOffset + c] / box.count);
        }
      });
  return backend.makeTensorInfo(x.shape, 'float32', dx);
}

export const roiAlignRotatedGradConfig: KernelConfig = {
  kernelName: RoIAlignRotatedGrad,
  backendName: 'cpu',
  kernelFunc: roiAlignRotatedGrad as unknown as KernelFunc,
};
