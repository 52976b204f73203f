import {getGradient, getKernel, registerGradient, registerKernel} from '@tensorflow/tfjs-core';
import type {KernelConfig} from '@tensorflow/tfjs-core';

import {gradConfigs} from './gradients';

/**
 * Registers `configs` (one backend's kernels, or all of them) and the
 * gradients with tfjs-core. Registration is by backend
 * name and imports no backend package. Safe to call more than once.
 */
export function registerKernelConfigs(configs: KernelConfig[]): void {
  for (const config of configs) {
    if (getKernel(config.kernelName, config.backendName) == null) {
      registerKernel(config);
    }
  }
  for (const config of gradConfigs) {
    if (getGradient(config.kernelName) == null) registerGradient(config);
  }
}
