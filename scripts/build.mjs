// Builds dist/:
// - dist/<entry>.mjs: ES modules, one per entry point, sharing chunks
//   (dist/chunks/), so that importing two entries loads the package once;
// - dist/cjs/: CommonJS, one file per source file, for require();
// - dist/types/src/: declarations (the CommonJS ones, as the package is not
//   "type": "module"), and dist/<entry>.d.mts, the ES module declarations;
// - dist/tfjs-roi.min.js: the script-tag bundle over the global tf.
// tfjs is left external everywhere but in the script-tag bundle.
// It prints only to stderr, so that `npm pack --json` (which runs `prepare`)
// keeps a clean stdout.
import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import * as esbuild from 'esbuild';

/**
 * The entry points and their sources, read from package.json's exports: the
 * subpath './x' (or '.', named index) is built to dist/x.mjs from the source
 * whose CommonJS build its `require` condition names (dist/cjs/src/y.js from
 * src/y.ts). A new backend entry is one small file in src/ (see src/cpu.ts)
 * and its export in package.json (with typesVersions and sideEffects).
 */
const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
export const ENTRIES = Object.fromEntries(Object.entries(manifest.exports).flatMap(([key, target]) => {
  const cjs = target?.require?.default;
  if (!cjs) return [];
  const name = key === '.' ? 'index' : key.slice(2);
  if (target.import.default !== `./dist/${name}.mjs`) throw new Error(`package.json exports['${key}'].import must be ./dist/${name}.mjs`);
  return [[name, cjs.replace(/^\.\/dist\/cjs\//, '').replace(/\.js$/, '.ts')]];
}));

const log = (...args) => console.error(...args);

rmSync('dist', {recursive: true, force: true});
// The SIMD module's bytes, assembled from its WebAssembly text (kernels/cpu/wasm_simd.wat).
execFileSync('node', ['scripts/build_wasm.mjs'], {stdio: ['ignore', 2, 2]});

// Type-check (strict) and emit the declarations; tsc reports on stdout, sent to stderr.
execFileSync('npx', ['tsc', '-p', '.', '--emitDeclarationOnly'], {stdio: ['ignore', 2, 2]});
// The kernels' and shaders' declarations are internal: no public declaration may need them.
for (const internal of ['kernels', 'shaders']) rmSync(join('dist/types', internal), {recursive: true, force: true});
const declarations = readdirSync('dist/types/src').filter(f => f.endsWith('.d.ts'));
for (const file of declarations) {
  const text = readFileSync(join('dist/types/src', file), 'utf8');
  if (/from '\.\.\/(kernels|shaders)\//.test(text) || /import\("\.\.\/(kernels|shaders)\//.test(text)) {
    throw new Error(`dist/types/src/${file} refers to an internal kernel or shader declaration`);
  }
}
for (const [name, source] of Object.entries(ENTRIES)) {
  const types = `./types/${source.replace(/\.ts$/, '.js')}`;
  writeFileSync(`dist/${name}.d.mts`, `export * from '${types}';\n`);
}

const common = {
  bundle: true,
  external: ['@tensorflow/*'],
  target: 'es2019',
  sourcemap: true,
  logLevel: 'warning',
};
await esbuild.build({
  ...common,
  entryPoints: Object.fromEntries(Object.entries(ENTRIES)),
  format: 'esm',
  splitting: true,
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: {'.js': '.mjs'},
});

// CommonJS keeps one file per module (esbuild cannot split CommonJS), so
// that every entry shares one instance of the package's state.
function sources(dir) {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}
await esbuild.build({
  entryPoints: ['src', 'kernels', 'shaders'].flatMap(sources),
  bundle: false,
  format: 'cjs',
  platform: 'neutral',
  target: 'es2019',
  sourcemap: true,
  logLevel: 'warning',
  outdir: 'dist/cjs',
  outbase: '.',
});

// In the script-tag bundle, tfjs-core is the global `tf` from tf.min.js;
// loaded before it, the bundle says so instead of failing on a missing function.
const globalTf = {
  name: 'global-tf',
  setup(build) {
    build.onResolve({filter: /^@tensorflow\/tfjs-core$/}, () => ({path: 'tf', namespace: 'global-tf'}));
    build.onLoad({filter: /.*/, namespace: 'global-tf'}, () => ({
      contents: `if (typeof globalThis.tf !== 'object' || globalThis.tf === null || typeof globalThis.tf.customGrad !== 'function') {
  throw new Error('tfjs-roi.min.js: load TensorFlow.js first: put <script src=".../tf.min.js"> before the tfjs-roi script tag');
}
module.exports = globalThis.tf;`,
      loader: 'js',
    }));
  },
};
await esbuild.build({
  ...common,
  entryPoints: ['src/bundle.ts'],
  external: [],
  plugins: [globalTf],
  format: 'iife',
  globalName: 'tfjsRoi',
  minify: true,
  outfile: 'dist/tfjs-roi.min.js',
});
writeFileSync('dist/tfjs-roi.min.d.ts', `// The script-tag bundle defines the global tfjsRoi (and adds the ops to the global tf).
declare global {
  var tfjsRoi: typeof import('./types/src/index');
}
export {};
`);
if (!existsSync('dist/cjs/src/index.js')) throw new Error('the CommonJS build is missing dist/cjs/src/index.js');
log(`built dist/: ${Object.keys(ENTRIES).map(n => `${n}.mjs`).join(', ')}, cjs/, types/, *.d.mts, tfjs-roi.min.js`);
