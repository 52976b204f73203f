/**
 * Command-line flags for headless Chromium running the tfjs GPU backends, for
 * karma (karma.conf.js) and puppeteer (bench/). Headless mode and the profile
 * directory are left to each launcher.
 */
module.exports.CHROMIUM_FLAGS = [
  // Containers often run as root without user namespaces, and give /dev/shm 64 MB.
  '--no-sandbox',
  '--disable-dev-shm-usage',
  // No network traffic or background work of the browser's own.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // WebGPU on Linux, and WebGL2/WebGPU on SwiftShader when there is no GPU.
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
];
