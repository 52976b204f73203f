import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {PsRoIAlignAttrs, PsRoIAlignGrad, RoIGradInputs} from '../../src/kernel_names';
import {roiGradValues} from './cpu_data';
import {psAlignGeometry, psBinOf, psScatterWeighted} from './ps_roi_channels';
import {visitAlignBinPixels} from './roi_align_taps';

/** dx: each bin spreads dy / count over its samples' corners, in its own input channel. */
export function psRoiAlignGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendCPU,
  attrs: PsRoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {x} = inputs;
  const {x: xValues, dy: dyValues, boxes: boxValues, boxIndices: indexValues} = roiGradValues(backend, inputs);
  const channels = x.shape[3];
  const dx = new Float32Array(xValues.length);
  const g = psAlignGeometry(x.shape, attrs);
  visitAlignBinPixels(
      g, channels, boxValues, indexValues,
      (_box, _k, binOffset, bin) => psScatterWeighted(dx, bin, psBinOf(binOffset, channels, g), dyValues));
  return backend.makeTensorInfo(x.shape, 'float32', dx);
}

export const psRoiAlignGradConfig: KernelConfig = {
  kernelName: PsRoIAlignGrad,
  backendName: 'cpu',
  kernelFunc: psRoiAlignGrad as unknown as KernelFunc,
};
