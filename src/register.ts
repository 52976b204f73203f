import type {KernelConfig} from '@tensorflow/tfjs-core';

import {cpuKernels} from '../kernels/cpu';
import {genericKernels} from '../kernels/generic';
import {webglKernels} from '../kernels/webgl';
import {wasmKernels} from '../kernels/wasm';
import {webgpuKernels} from '../kernels/webgpu';
import {registerKernelConfigs} from './register_kernels';

/** Every kernel this package implements, for every backend. */
export const kernelConfigs: KernelConfig[] =
    [...cpuKernels, ...webglKernels, ...webgpuKernels, ...wasmKernels, ...genericKernels];

/**
 * Registers the kernels of every backend and the gradients with tfjs-core.
 * Registration is by backend name and imports no backend package, so a
 * backend that is not installed costs nothing but bundle size (the
 * per-backend entries, tfjs-roi/cpu and the others, save that). Safe to call
 * more than once.
 */
export function registerRoIKernels(): void {
  registerKernelConfigs(kernelConfigs);
}
