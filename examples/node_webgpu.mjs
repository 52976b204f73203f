// WebGPU in Node through Dawn (the npm package 'webgpu'), for the demo.
import {existsSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';

const require = createRequire(import.meta.url);
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Installs navigator.gpu and registers tfjs's webgpu backend; {ok, reason}. */
export async function startNodeWebGPU() {
  try {
    // Dawn finds Vulkan through this ICD; Debian's chromium-common ships SwiftShader's.
    if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    const root = dirname(require.resolve('webgpu/package.json'));
    const {create, globals} = require(join(root, 'dist', `${process.platform}-${process.arch}`, 'dawn.node'));
    Object.assign(globalThis, globals);
    Object.defineProperty(globalThis, 'navigator', {value: {gpu: create([])}, configurable: true, writable: true});
    await import('@tensorflow/tfjs-backend-webgpu');
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return {ok: false, reason: 'no WebGPU adapter'};
    return {ok: true};
  } catch (e) {
    return {ok: false, reason: e.message};
  }
}
