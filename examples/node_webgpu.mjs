// WebGPU in Node for the demo: Dawn with tfjs's webgpu backend.
import {createRequire} from 'node:module';

const require = createRequire(import.meta.url);

/** Installs navigator.gpu and registers tfjs's webgpu backend; {ok, reason}. */
export async function startNodeWebGPU() {
  try {
    const {installNodeWebGPU} = require('../scripts/node_webgpu.cjs');
    const gpu = installNodeWebGPU();
    if (!(await gpu.requestAdapter())) return {ok: false, reason: 'no WebGPU adapter'};
    await import('@tensorflow/tfjs-backend-webgpu');
    return {ok: true};
  } catch (e) {
    return {ok: false, reason: e.message};
  }
}
