import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {PsRoIAlign, PsRoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import {roiValues} from './cpu_data';
import {psAlignGeometry, psBinOf, psWeightedSum} from './ps_roi_channels';
import {visitAlignBinPixels} from './roi_align_taps';

export function psRoiAlign(args: {
  inputs: RoIInputs,
  backend: MathBackendCPU,
  attrs: PsRoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {x, boxes} = inputs;
  const {x: xValues, boxes: boxValues, boxIndices: indexValues} = roiValues(backend, inputs);
  const channels = x.shape[3];
  const outChannels = channels / (attrs.pooledHeight * attrs.pooledWidth);
  const shape = [boxes.shape[0], attrs.pooledHeight, attrs.pooledWidth, outChannels];
  const out = new Float32Array(shape[0] * shape[1] * shape[2] * shape[3]);
  const g = psAlignGeometry(x.shape, attrs);
  visitAlignBinPixels(
      g, channels, boxValues, indexValues,
      (_box, _k, binOffset, bin) => psWeightedSum(xValues, bin, psBinOf(binOffset, channels, g), out));
  return backend.makeTensorInfo(shape, 'float32', out);
}

export const psRoiAlignConfig: KernelConfig = {
  kernelName: PsRoIAlign,
  backendName: 'cpu',
  kernelFunc: psRoiAlign as unknown as KernelFunc,
};
