// onnxruntime-node for the Node benchmark, installed on first use into
// node_modules/.cache rather than listed in devDependencies: npm ci runs its
// install script, which downloads from api.nuget.org and fails offline. The
// CPU binary ships inside the npm package, so --ignore-scripts is enough.
import {execFileSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {fileURLToPath} from 'node:url';

export const ORT_VERSION = '1.30.0';
const prefix = fileURLToPath(new URL('../node_modules/.cache/tfjs-roi-bench/', import.meta.url));

function installedVersion(require) {
  try {
    return require('onnxruntime-node/package.json').version;
  } catch {
    return null;
  }
}

export function loadOnnxRuntime() {
  const require = createRequire(prefix + 'package.json');
  if (installedVersion(require) !== ORT_VERSION) {
    mkdirSync(prefix, {recursive: true});
    writeFileSync(prefix + 'package.json', JSON.stringify({private: true, description: 'tfjs-roi bench peers'}));
    console.error(`Installing onnxruntime-node@${ORT_VERSION} into ${prefix} for the benchmark...`);
    execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', prefix,
      `onnxruntime-node@${ORT_VERSION}`], {stdio: ['ignore', 'inherit', 'inherit']});
  }
  return require('onnxruntime-node');
}
