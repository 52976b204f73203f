/**
 * The built package (Node only: it reads dist/): the script-tag bundle works
 * over a global tf, the module builds load, and nothing but tfjs-core is
 * imported at run time.
 */
import {execFileSync} from 'child_process';
import {readdirSync, readFileSync} from 'fs';
import {join} from 'path';
import * as vm from 'vm';

import * as tf from '@tensorflow/tfjs';

const root = join(__dirname, '..', '..');
const dist = (name: string) => join(root, 'dist', name);

describe('the built package', () => {
  beforeAll(() => {
    execFileSync('node', ['scripts/build.mjs'], {cwd: root, stdio: 'pipe'});
  });

  it('dist/tfjs-roi.min.js registers against the global tf and adds tf.roiAlign and tf.roiPool', async () => {
    const context = vm.createContext({tf: {...tf}, Float32Array, Int32Array, Math, Object, Array, Error, Number, isFinite, JSON});
    vm.runInContext(readFileSync(dist('tfjs-roi.min.js'), 'utf8'), context);
    const pageTf = context.tf as typeof tf & {roiPool: Function, roiAlign: Function};
    const x = tf.range(0, 64).reshape([1, 8, 8, 1]);
    const pooled = pageTf.roiPool(x, [[0, 3, 7, 8]], [0], 2) as tf.Tensor;
    expect(Array.from(await pooled.data())).toEqual([43, 47, 59, 63]);
    const aligned = pageTf.roiAlign(x, [[0, 3, 7, 8]], [0], 2, {samplingRatio: 2}) as tf.Tensor;
    expect(Array.from(await aligned.data())).toEqual([35.75, 39.25, 54.25, 57.75]);
  });

  it('the CommonJS and ES module builds export the ops and the kernel names', async () => {
    const cjs = require(dist('cjs/src/index.js'));
    expect(typeof cjs.roiAlign).toBe('function');
    expect(typeof cjs.roiPool).toBe('function');
    expect([cjs.RoIAlign, cjs.RoIAlignGrad, cjs.RoIAlignBoxGrad, cjs.RoIPool, cjs.RoIPoolGrad])
        .toEqual(['RoIAlign', 'RoIAlignGrad', 'RoIAlignBoxGrad', 'RoIPool', 'RoIPoolGrad']);
    const esm = readFileSync(dist('index.mjs'), 'utf8');
    expect(esm).toMatch(/export\s*\{[^}]*roiAlign/);
  });

  it('imports nothing but @tensorflow/tfjs-core at run time', () => {
    const bare = (file: string) => [...readFileSync(file, 'utf8').matchAll(/(?:require\(|from\s*|import\s*)["']([^"'.][^"']*)["']/g)].map(m => m[1]);
    const files = (dir: string): string[] => readdirSync(dir, {withFileTypes: true}).flatMap(
        e => e.isDirectory() ? files(join(dir, e.name)) : /\.(m?js)$/.test(e.name) && e.name !== 'tfjs-roi.min.js' ? [join(dir, e.name)] : []);
    for (const file of files(dist(''))) {
      const allowed = /layers(_entry)?\.m?js$/.test(file) ? ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers'] : ['@tensorflow/tfjs-core'];
      expect({file, imports: bare(file).filter(m => !allowed.includes(m))}).toEqual({file, imports: []});
    }
  });
});

describe('registration', () => {
  it('registers every kernel for cpu, webgl and webgpu, and the gradients, idempotently', () => {
    // The source entry, as a user's bundler sees it.
    const roi = require('../../src/index');
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    roi.registerRoIKernels();
    roi.registerRoIKernels();
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    const names = [roi.RoIAlign, roi.RoIAlignGrad, roi.RoIAlignBoxGrad, roi.RoIPool, roi.RoIPoolGrad];
    for (const backend of ['cpu', 'webgl', 'webgpu']) {
      for (const name of names) {
        expect(`${name}/${backend}: ${tf.getKernel(name, backend) != null}`).toBe(`${name}/${backend}: true`);
      }
    }
    expect(tf.getGradient(roi.RoIAlign)).toBeDefined();
    expect(tf.getGradient(roi.RoIPool)).toBeDefined();
  });
});
