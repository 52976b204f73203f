import type {KernelConfig} from '@tensorflow/tfjs-core';

import {genericKernelConfigs as configsFor} from '../kernels/generic';

/**
 * The 14 RoI kernels for `backendName`, a backend this package has no kernels
 * of its own for but that reads tensors synchronously (readSync) and makes
 * them from values: register them with tf.registerKernel. The root entry
 * registers them for tfjs-node's 'tensorflow' already.
 */
export function genericKernelConfigs(backendName: string): KernelConfig[] {
  return configsFor(backendName);
}
