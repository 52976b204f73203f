/**
 * One suite, run once per Node environment (a jest project each): 'cpu',
 * 'wasm' (@tensorflow/tfjs-backend-wasm), and 'webgpu' on Dawn over
 * SwiftShader.
 */
const {spawnSync} = require('child_process');

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  transform: {'^.+\\.ts$': ['@swc/jest']},
};

const cpu = {
  ...common,
  displayName: 'cpu',
  // test/node/ holds Node-only checks of the built package.
  testMatch: [...common.testMatch, '<rootDir>/test/node/**/*.test.ts'],
  setupFiles: ['<rootDir>/test/setup/jest_cpu.ts'],
};

// tfjs-backend-wasm's own binaries, from node_modules; the setup file starts
// the backend, and a wasm that cannot start fails the project's tests, CI or not.
const wasm = {...common, displayName: 'wasm', setupFilesAfterEnv: ['<rootDir>/test/setup/jest_wasm.ts']};

// Dawn over SwiftShader; the setup file loads it and releases the device.
const webgpu = {...common, displayName: 'webgpu', setupFilesAfterEnv: ['<rootDir>/test/setup/jest_webgpu.ts']};

/**
 * Under CI the webgpu project always runs, so a WebGPU that cannot start
 * fails the run. Elsewhere a machine without it skips the project, loudly.
 */
function webgpuProjects() {
  if (process.env.CI) return [webgpu];
  const probe = spawnSync(process.execPath, [`${__dirname}/scripts/node_webgpu.cjs`], {encoding: 'utf8'});
  if (probe.status === 0) return [webgpu];
  const line = '!'.repeat(78);
  console.warn(`${line}\n!! SKIPPING the webgpu jest project: ${(probe.stderr || '').trim() || 'WebGPU did not start'}\n!! (under CI=true this fails the run instead)\n${line}`);
  return [];
}

module.exports = {
  testTimeout: 120000,
  projects: [cpu, wasm, ...webgpuProjects()],
};
