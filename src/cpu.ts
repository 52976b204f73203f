/**
 * tfjs-roi/cpu: the whole API, registering the cpu backend's kernels only.
 * The layers register when first made; to load a saved model before making
 * one, call registerRoILayers() (the root entry and tfjs-roi/layers do it).
 */
import {cpuKernels} from '../kernels/cpu';
import {registerKernelConfigs} from './register_kernels';

registerKernelConfigs(cpuKernels);

export * from './api';
