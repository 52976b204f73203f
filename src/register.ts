import {getGradient, getKernel, registerGradient, registerKernel} from '@tensorflow/tfjs-core';
import type {KernelConfig} from '@tensorflow/tfjs-core';

import {cpuKernels} from '../kernels/cpu';
import {genericKernels} from '../kernels/generic';
import {webglKernels} from '../kernels/webgl';
import {wasmKernels} from '../kernels/wasm';
import {webgpuKernels} from '../kernels/webgpu';
import {gradConfigs} from './gradients';

/** Every kernel this package implements, for every backend. */
export const kernelConfigs: KernelConfig[] =
    [...cpuKernels, ...webglKernels, ...webgpuKernels, ...wasmKernels, ...genericKernels];

/**
 * Registers the kernels and gradients with tfjs-core. Registration is by
 * backend name and imports no backend package, so a backend that is not
 * installed costs nothing. Safe to call more than once.
 */
export function registerRoIKernels(): void {
  for (const config of kernelConfigs) {
    if (getKernel(config.kernelName, config.backendName) == null) {
      registerKernel(config);
    }
  }
  for (const config of gradConfigs) {
    if (getGradient(config.kernelName) == null) registerGradient(config);
  }
}
