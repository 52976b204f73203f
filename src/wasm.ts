/**
 * tfjs-roi/wasm: the whole API, registering the wasm backend's kernels only.
 * The layers register when first made; to load a saved model before making
 * one, call registerRoILayers() (the root entry and tfjs-roi/layers do it).
 */
import {wasmKernels} from '../kernels/wasm';
import {registerKernelConfigs} from './register_kernels';

registerKernelConfigs(wasmKernels);

export * from './api';
