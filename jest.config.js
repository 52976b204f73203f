/** One suite, run once per Node environment (a jest project each). */
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  transform: {'^.+\\.ts$': ['@swc/jest']},
};

module.exports = {
  testTimeout: 120000,
  projects: [
    {
      ...common,
      displayName: 'cpu',
      // test/node/ holds Node-only checks of the built package.
      testMatch: [...common.testMatch, '<rootDir>/test/node/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/setup/jest_cpu.ts'],
    },
    // Dawn over SwiftShader; the setup file loads it and releases the device.
    {...common, displayName: 'webgpu', setupFilesAfterEnv: ['<rootDir>/test/setup/jest_webgpu.ts']},
  ],
};
