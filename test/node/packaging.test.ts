/**
 * The built package (Node only: it reads dist/): the script-tag bundle works
 * over a global tf, the module builds load, and nothing but tfjs-core is
 * imported at run time.
 */
import {execFileSync} from 'child_process';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync} from 'fs';
import {tmpdir} from 'os';
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
    // Every subpath export but the layers one is a backend's entry.
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const backends = Object.keys(manifest.exports).filter(k => k.startsWith('./') && !k.includes('.', 2) && (manifest.exports[k] as {require?: unknown}).require && k !== './layers').map(k => k.slice(2));
    expect(backends).toEqual(expect.arrayContaining(['cpu', 'webgl', 'webgpu']));
    for (const backend of backends) {
      for (const name of names) {
        expect(`${name}/${backend}: ${tf.getKernel(name, backend) != null}`).toBe(`${name}/${backend}: true`);
      }
    }
    expect(tf.getGradient(roi.RoIAlign)).toBeDefined();
    expect(tf.getGradient(roi.RoIPool)).toBeDefined();
  });
});

/**
 * The package as a new user meets it: `npm pack`, then `npm install` of the
 * tarball into a new app (offline; tfjs comes from this checkout's
 * node_modules), used from ESM, CommonJS and TypeScript.
 */
describe('the packed tarball, installed in a new app', () => {
  let app = '', tarball = '';
  const run = (file: string, nodeArgs: string[] = []) => execFileSync(
      process.execPath, [...nodeArgs, file], {cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
  const write = (name: string, text: string) => writeFileSync(join(app, name), text);

  beforeAll(() => {
    const work = mkdtempSync(join(tmpdir(), 'tfjs-roi-app-'));
    // prepare (the build) runs inside npm pack; its output must leave stdout JSON.
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], {cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']}));
    tarball = join(work, packed[0].filename);
    app = join(work, 'app');
    mkdirSync(app);
    write('package.json', JSON.stringify({name: 'app', private: true, type: 'module'}));
    execFileSync('npm', ['install', '--offline', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', tarball],
        {cwd: app, stdio: 'pipe'});
    symlinkSync(realpathSync(join(root, 'node_modules', '@tensorflow')), join(app, 'node_modules', '@tensorflow'));
  }, 300000);

  afterAll(() => {
    if (app) rmSync(join(app, '..'), {recursive: true, force: true});
  });

  it('ships LICENSE (Apache-2.0), README, the builds and no kernel or shader declarations', () => {
    const pkg = join(app, 'node_modules', 'tfjs-roi');
    expect(readFileSync(join(pkg, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
    expect(existsSync(join(pkg, 'README.md'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'types', 'kernels'))).toBe(false);
    expect(existsSync(join(pkg, 'dist', 'types', 'shaders'))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
    expect(manifest.repository.url).toMatch(/github\.com/);
    expect(manifest.bugs.url).toMatch(/issues$/);
    expect(manifest.homepage).toMatch(/^https:/);
  });

  it('arethetypeswrong finds no problem in any resolution mode', () => {
    execFileSync(join(root, 'node_modules', '.bin', 'attw'), [tarball, '--format', 'ascii'], {cwd: app, stdio: 'pipe'});
  });

  it('works from ESM: ops, gradients, layer config and shape errors, and the small-input rules', () => {
    write('esm.mjs', `
import * as tf from '@tensorflow/tfjs';
import * as roi from 'tfjs-roi';
const {roiAlign, roiPool, layers} = roi;
tf.env().set('IS_TEST', true);
await tf.setBackend('cpu');
const out = {};
const attempt = (f) => { try { f(); return 'no error'; } catch (e) { return e.message; } };
const x = tf.range(0, 64).reshape([1, 8, 8, 1]);
out.pool = Array.from(await roiPool(x, [[0, 3, 7, 8]], [0], 2).data());
out.align = Array.from(await roiAlign(x, [[0, 3, 7, 8]], [0], 2, {samplingRatio: 2}).data());
const dBoxes = tf.grad(b => roiAlign(x, b, [0], 2, {spatialScale: 0.5}).sum())(tf.tensor2d([[0, 2, 12, 14]]));
out.dBoxesNonzero = Array.from(await dBoxes.data()).some(v => v !== 0);
out.emptyShape = roiAlign(x, [], [], 2).shape;
out.floatIndex = attempt(() => roiAlign(x, [[0, 0, 4, 4]], [0.5], 2));
out.stringScale = attempt(() => roiAlign(x, [[0, 0, 4, 4]], [0], 2, {spatialScale: '0.25'}));
out.cap = attempt(() => roiAlign(x, [[0, 0, 4, 4]], [0], 2, {samplingRatio: 5000}));
out.misspelled = attempt(() => layers.roiAlign({outputSize: 7, samplingratio: 2}));
out.badMode = attempt(() => layers.roiAlign({outputSize: 7, mode: 'mean'}));
out.boxes5 = attempt(() => layers.roiAlign({outputSize: 2}).apply([tf.input({shape: [8, 8, 1]}), tf.input({shape: [3, 5]})]));
out.featuresAlone = attempt(() => layers.roiAlign({outputSize: 2}).apply(tf.input({shape: [8, 8, 1]})));
out.internal = ['psAlignAsRoIAlign', 'default'].filter(name => name in roi);
console.log(JSON.stringify(out));
`);
    const out = JSON.parse(run('esm.mjs').trim().split('\n').pop()!);
    expect(out.pool).toEqual([43, 47, 59, 63]);
    expect(out.align).toEqual([35.75, 39.25, 54.25, 57.75]);
    expect(out.dBoxesNonzero).toBe(true);
    expect(out.emptyShape).toEqual([0, 2, 2, 1]);
    expect(out.floatIndex).toMatch(/roiAlign: boxIndices must hold integers in int32 range, got 0\.5/);
    expect(out.stringScale).toMatch(/roiAlign: spatialScale must be a finite number > 0, got "0\.25"/);
    expect(out.cap).toMatch(/roiAlign: samplingRatio must be at most 1024/);
    expect(out.misspelled).toMatch(/RoIAlign layer: unknown option 'samplingratio'/);
    expect(out.badMode).toMatch(/RoIAlign layer: mode must be 'avg' or 'max', got "mean"/);
    expect(out.boxes5).toMatch(/RoIAlign layer: boxes \(the last input\) must be \[B,R,4\]/);
    expect(out.featuresAlone).toMatch(/RoIAlign layer: the layer takes \[features, boxes \[B,R,4\]\]/);
    expect(out.internal).toEqual([]);
  });

  it('works from CommonJS', () => {
    write('cjs.cjs', `
const tf = require('@tensorflow/tfjs');
const {roiAlign} = require('tfjs-roi');
tf.env().set('IS_TEST', true);
tf.setBackend('cpu').then(async () => {
  const y = roiAlign(tf.range(0, 64).reshape([1, 8, 8, 1]), [[0, 3, 7, 8]], [0], 2, {samplingRatio: 2, aligned: true});
  console.log(JSON.stringify(Array.from(await y.data())));
});
`);
    expect(JSON.parse(run('cjs.cjs').trim().split('\n').pop()!)).toEqual([31.25, 34.75, 51.25, 54.75]);
  });

  it('type-checks from TypeScript (node16, ESM and CommonJS), and a default import does not', () => {
    mkdirSync(join(app, 'ts'), {recursive: true});
    write('ts/tsconfig.json', JSON.stringify({
      compilerOptions: {strict: true, noEmit: true, module: 'node16', moduleResolution: 'node16', target: 'es2020', lib: ['es2020', 'dom'], types: [], skipLibCheck: true},
      include: ['*.mts', '*.cts'],
    }));
    write('ts/good.mts', `
import * as tf from '@tensorflow/tfjs';
import {roiAlign, layers} from 'tfjs-roi';
import {roiPool} from 'tfjs-roi/cpu';
const y: tf.Tensor4D = roiAlign(tf.zeros([1, 8, 8, 1]) as tf.Tensor4D, [[0, 0, 4, 4]], [0], 2);
const loss = (f: tf.Tensor, b: tf.Tensor): tf.Scalar => roiAlign(f as tf.Tensor4D, b as tf.Tensor2D, [0], 2).sum();
export const all = [y, tf.grads(loss), roiPool, layers.roiAlign({outputSize: 7})];
`);
    write('ts/good.cts', `
import roi = require('tfjs-roi');
import webgl = require('tfjs-roi/webgl');
export const ops = [roi.roiAlign, webgl.psRoiAlign];
`);
    write('ts/default.mts', `
import roi from 'tfjs-roi';
export const op = roi;
`);
    let report = '';
    try {
      execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'ts/tsconfig.json'], {cwd: app, encoding: 'utf8', stdio: 'pipe'});
    } catch (e) {
      report = String((e as {stdout?: string}).stdout);
    }
    const errors = report.split('\n').filter(line => /error TS/.test(line));
    expect(errors.length).toBe(1);
    expect(errors[0]).toMatch(/^ts\/default\.mts.*TS1192.*has no default export/);
  });

  it('each backend entry registers only its backend\'s kernels', () => {
    // Every subpath export but the layers one is a backend's entry.
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const backends = Object.keys(manifest.exports).filter(k => k.startsWith('./') && !k.includes('.', 2) && (manifest.exports[k] as {require?: unknown}).require && k !== './layers').map(k => k.slice(2));
    expect(backends).toEqual(expect.arrayContaining(['cpu', 'webgl', 'webgpu']));
    for (const backend of backends) {
      write(`entry_${backend}.mjs`, `
import {getKernel, getGradient} from '@tensorflow/tfjs-core';
import {RoIAlign} from 'tfjs-roi/${backend}';
console.log(JSON.stringify(${JSON.stringify(backends)}.filter(b => getKernel(RoIAlign, b)).concat(getGradient(RoIAlign) ? ['grad'] : [])));
`);
      expect(JSON.parse(run(`entry_${backend}.mjs`).trim())).toEqual([backend, 'grad']);
    }
  });

  it('loads a saved model with the layers whatever the import order; tfjs-roi/layers loads tfjs-layers itself', () => {
    write('save.mjs', `
import * as tf from '@tensorflow/tfjs';
import {layers} from 'tfjs-roi';
tf.env().set('IS_TEST', true);
const image = tf.input({shape: [8, 8, 1]}), proposals = tf.input({shape: [2, 4]});
const out = layers.roiAlign({outputSize: 2, samplingRatio: 2}).apply([image, proposals]);
await tf.model({inputs: [image, proposals], outputs: out}).save(tf.io.withSaveHandler(async a => {
  console.log(JSON.stringify(a.modelTopology));
  return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
}));
`);
    write('model.json', run('save.mjs').trim().split('\n').pop()!);
    // tfjs-roi first, tfjs after it: the layer classes are not defined until the load needs them.
    const load = (first: string) => `
import ${first};
import * as tf from '@tensorflow/tfjs';
import {readFileSync} from 'node:fs';
tf.env().set('IS_TEST', true);
const model = await tf.loadLayersModel(tf.io.fromMemory(JSON.parse(readFileSync('model.json', 'utf8'))));
const y = model.predict([tf.range(0, 64).reshape([1, 8, 8, 1]), tf.tensor3d([[[0, 3, 7, 8], [0, 3, 7, 8]]])]);
console.log(JSON.stringify(Array.from(await y.data()).slice(0, 4)));
`;
    write('load_root_first.mjs', load(`{roiAlign} from 'tfjs-roi'`));
    write('load_layers_entry.mjs', load(`{layers} from 'tfjs-roi/layers'`));
    for (const file of ['load_root_first.mjs', 'load_layers_entry.mjs']) {
      expect(JSON.parse(run(file).trim().split('\n').pop()!)).toEqual([35.75, 39.25, 54.25, 57.75]);
    }
  });

  it('says "load TensorFlow.js first" when the script tag comes before tf.min.js', () => {
    const bundle = readFileSync(join(app, 'node_modules', 'tfjs-roi', 'dist', 'tfjs-roi.min.js'), 'utf8');
    expect(() => vm.runInNewContext(bundle, {})).toThrow(/load TensorFlow\.js first/);
  });

  it('names two copies of tfjs-core when a layer is made', () => {
    // A second copy: tfjs-roi's own tfjs-core at another path (--preserve-symlinks keeps them apart).
    const nested = join(app, 'node_modules', 'tfjs-roi', 'node_modules', '@tensorflow');
    mkdirSync(nested, {recursive: true});
    symlinkSync(realpathSync(join(root, 'node_modules', '@tensorflow', 'tfjs-core')), join(nested, 'tfjs-core'));
    try {
      // CommonJS, so that NODE_PATH finds tfjs-core's own dependencies from its preserved path.
      write('two_copies.cjs', `
require('@tensorflow/tfjs');
const {layers} = require('tfjs-roi');
try { layers.roiAlign({outputSize: 2}); console.log('no error'); } catch (e) { console.log(e.message); }
`);
      const out = execFileSync(process.execPath, ['--preserve-symlinks', 'two_copies.cjs'],
          {cwd: app, encoding: 'utf8', env: {...process.env, NODE_PATH: realpathSync(join(root, 'node_modules'))}});
      expect(out.trim().split('\n').pop()).toMatch(/there are two copies of @tensorflow\/tfjs-core/);
    } finally {
      rmSync(join(app, 'node_modules', 'tfjs-roi', 'node_modules'), {recursive: true, force: true});
    }
  });
});
