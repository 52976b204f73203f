// WebGPU in Node: Dawn (the npm package `webgpu`) over SwiftShader, the
// software Vulkan device that Debian's chromium ships. Used by the jest
// webgpu project and by the demo, before @tensorflow/tfjs-backend-webgpu loads.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const vm = require('vm');

const SWIFTSHADER_DIR = '/usr/lib/chromium';
const SWIFTSHADER_ICD = path.join(SWIFTSHADER_DIR, 'vk_swiftshader_icd.json');

/**
 * Dawn dlopens 'libvulkan.so.1' by name, and the Vulkan loader reads
 * VK_ICD_FILENAMES when it enumerates devices, so both must be in place before
 * Dawn asks for an adapter. Without a system Vulkan loader, Chromium's copy is
 * loaded first by path, resident and global, and Dawn's dlopen finds it.
 */
function prepareVulkan() {
  if (process.platform !== 'linux') return;
  // Under jest each test file has a copy of process.env that never reaches
  // the C environment: write to Node's own process object.
  const nodeProcess = vm.runInThisContext('process');
  if (nodeProcess.env.VK_ICD_FILENAMES === undefined && fs.existsSync(SWIFTSHADER_ICD)) {
    nodeProcess.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  // Dawn prints "error: XDG_RUNTIME_DIR is invalid or not set" on stderr
  // when it is unset (CI, a bare shell), though it needs the folder for
  // nothing here: give it a private empty one, so no harmless line reads as
  // an error.
  if (!nodeProcess.env.XDG_RUNTIME_DIR) {
    nodeProcess.env.XDG_RUNTIME_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-roi-xdg-'));
  }
  const RTLD_NODELETE = 0x1000;  // glibc's value; Node does not export it
  const flags = os.constants.dlopen.RTLD_NOW | os.constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE;
  for (const library of ['libvulkan.so.1', path.join(SWIFTSHADER_DIR, 'libvulkan.so.1')]) {
    try {
      process.dlopen({exports: {}}, library, flags);
    } catch (e) {
      // A plain shared library loads, then fails Node's addon registration:
      // that message means it is now resident, which is all we need.
      if (/self-register/.test(e.message)) return;
    }
  }
}

/** Dawn's addon itself: the package's entry point is ESM-only. */
function loadDawn() {
  const packageDir = path.dirname(require.resolve('webgpu/package.json'));
  return require(path.join(packageDir, 'dist', `${process.platform}-${process.arch}`, 'dawn.node'));
}

/** Makes navigator.gpu and the WebGPU globals that tfjs-backend-webgpu needs. */
function installNodeWebGPU() {
  prepareVulkan();
  const dawn = loadDawn();
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  // Node 20 has no navigator; newer Nodes have one without gpu.
  if (typeof globalThis.navigator === 'undefined') {
    Object.defineProperty(globalThis, 'navigator', {value: {gpu}, configurable: true, writable: true});
  } else {
    Object.defineProperty(globalThis.navigator, 'gpu', {value: gpu, configurable: true});
  }
  return gpu;
}

module.exports = {installNodeWebGPU};

// `node scripts/node_webgpu.cjs`: exits 0 when Node gets a WebGPU adapter here,
// else prints why and exits 1 (jest.config.js asks before it adds the project).
if (require.main === module) {
  (async () => {
    const adapter = await installNodeWebGPU().requestAdapter();
    if (!adapter) throw new Error('Dawn found no WebGPU adapter (is Debian\'s chromium, which ships SwiftShader\'s Vulkan ICD, installed?)');
    process.exit(0);
  })().catch(e => {
    console.error(e.message);
    process.exit(1);
  });
}
