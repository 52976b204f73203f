// karma (headless Chromium): the suite once per backend, cpu, wasm, webgl and
// webgpu unless karma.conf.js narrowed the list from ROI_BACKENDS.
import * as tf from '@tensorflow/tfjs';
// Registers the 'wasm' backend; its binaries load when it first starts.
import {setWasmPaths} from '@tensorflow/tfjs-backend-wasm';
// Registers the 'webgpu' backend; @tensorflow/tfjs brings cpu and webgl.
import '@tensorflow/tfjs-backend-webgpu';

declare const __karma__: {config: {roiBackends?: string[], wasmPaths?: string}};

// Without these, tfjs runs small inputs on the cpu even on a GPU backend, and
// the GPU kernels would go untested.
tf.env().set('WEBGL_CPU_FORWARD', false);
tf.env().set('WEBGPU_CPU_FORWARD', false);

// Where karma serves tfjs-backend-wasm's .wasm files; a page must say so
// before tf.setBackend('wasm'), as the README shows.
if (__karma__.config.wasmPaths) setWasmPaths(__karma__.config.wasmPaths);

globalThis.__ROI_TEST_BACKENDS__ = __karma__.config.roiBackends ?? ['cpu', 'wasm', 'webgl', 'webgpu'];
