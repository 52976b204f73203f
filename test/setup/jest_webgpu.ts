// jest project 'webgpu': the suite on tfjs's webgpu backend in Node, on Dawn
// (the `webgpu` npm package) over SwiftShader, Chromium's software Vulkan.
//
// Runs as a setupFilesAfterEnv file: before every test file, so before any
// test loads tfjs, and with afterAll available to release the device.

// Dawn, its Vulkan loader and navigator.gpu: shared with the demo.
// eslint-disable-next-line @typescript-eslint/no-var-requires
require('../../scripts/node_webgpu.cjs').installNodeWebGPU();

// eslint-disable-next-line @typescript-eslint/no-var-requires
const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-webgpu');

// Quiets the advice to install tfjs-node, printed once per worker.
tf.env().set('IS_TEST', true);
// Small inputs would otherwise run on the cpu backend's kernels.
tf.env().set('WEBGPU_CPU_FORWARD', false);

globalThis.__ROI_TEST_BACKENDS__ = ['webgpu'];

interface WebGPUBackendWithDevice {
  device: {destroy(): void};
}

// Each test file gets its own tfjs and its own device: release it, so that
// Dawn's threads do not keep the jest process alive after the last test.
afterAll(() => {
  // The registry, not tf.findBackend: that would start a backend never used.
  const registry = (tf.engine() as unknown as {registry: Record<string, unknown>}).registry;
  const backend = registry['webgpu'] as WebGPUBackendWithDevice | undefined;
  if (backend === undefined) return;
  tf.removeBackend('webgpu');
  backend.device.destroy();
});
