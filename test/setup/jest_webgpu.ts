// jest project 'webgpu': the suite on tfjs's webgpu backend in Node, on Dawn
// (the `webgpu` npm package) over SwiftShader, Chromium's software Vulkan.
//
// Runs as a setupFilesAfterEnv file: before every test file, so before any
// test loads tfjs, and with afterAll available to release the device.
import * as os from 'os';
import * as path from 'path';

const SWIFTSHADER_DIR = '/usr/lib/chromium';
const SWIFTSHADER_ICD = path.join(SWIFTSHADER_DIR, 'vk_swiftshader_icd.json');

/**
 * Makes Dawn's Vulkan backend find a loader and a device. Dawn dlopens
 * 'libvulkan.so.1' by name and the Vulkan loader reads VK_ICD_FILENAMES when it
 * enumerates devices, so both must be in place before dawn.node asks for an
 * adapter; LD_LIBRARY_PATH would be read too late (at process start). When the
 * system has no Vulkan loader, Chromium's copy is loaded first by path, kept
 * resident (RTLD_NODELETE) and global, and Dawn's dlopen by soname then finds
 * it already loaded.
 */
function prepareVulkan(): void {
  if (process.platform !== 'linux') return;
  const fs = require('fs') as typeof import('fs');
  // jest gives each test file a copy of process.env, so writing to it never
  // reaches the C environment the Vulkan loader reads: set it on Node's own
  // process object, which vm.runInThisContext reaches from inside the sandbox.
  const nodeProcess = require('vm').runInThisContext('process') as NodeJS.Process;
  if (nodeProcess.env.VK_ICD_FILENAMES === undefined && fs.existsSync(SWIFTSHADER_ICD)) {
    nodeProcess.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  const RTLD_NODELETE = 0x1000;  // glibc's value; Node does not export it
  const flags = os.constants.dlopen.RTLD_NOW | os.constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE;
  for (const library of ['libvulkan.so.1', path.join(SWIFTSHADER_DIR, 'libvulkan.so.1')]) {
    try {
      process.dlopen({exports: {}}, library, flags);
    } catch (e) {
      // A plain shared library loads, then fails Node's addon registration:
      // that message means it is now resident, which is all we need.
      if (/self-register/.test((e as Error).message)) return;
    }
  }
}

interface DawnModule {
  create(options: string[]): unknown;
  globals: Record<string, unknown>;
}

/** Dawn's addon itself: the package's entry point is ESM-only, jest is CommonJS. */
function loadDawn(): DawnModule {
  const packageDir = path.dirname(require.resolve('webgpu/package.json'));
  const addon = path.join(packageDir, 'dist', `${process.platform}-${process.arch}`, 'dawn.node');
  return require(addon) as DawnModule;
}

prepareVulkan();
const dawn = loadDawn();
// The WebGPU classes (GPUBuffer, GPUBufferUsage, ...) that tfjs uses as globals.
Object.assign(globalThis, dawn.globals);
// tfjs-backend-webgpu registers itself only when navigator.gpu exists. Node 20
// has no navigator; newer Nodes have one without gpu, so add the property.
const gpu = dawn.create([]);
if (typeof globalThis.navigator === 'undefined') {
  Object.defineProperty(globalThis, 'navigator', {value: {gpu}, configurable: true, writable: true});
} else {
  Object.defineProperty(globalThis.navigator, 'gpu', {value: gpu, configurable: true});
}

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
