/**
 * The shared suite (test/*.spec.ts) in headless Chromium, once per backend.
 * Run it with `npm run test:karma`, which finds or installs Chromium and sets
 * CHROME_BIN. ROI_BACKENDS=cpu,webgl narrows the backends (default: all four),
 * and ROI_SPECS=layers,errors the spec files.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const {CHROMIUM_FLAGS} = require('./scripts/chromium_flags.cjs');

const ALL_BACKENDS = ['cpu', 'wasm', 'webgl', 'webgpu'];

/**
 * tfjs-backend-wasm's binaries, served as they are from node_modules;
 * test/setup/karma.ts points tf.wasm.setWasmPaths at this folder.
 */
const WASM_BINARIES = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';

// SwiftShader runs WebGL and WebGPU in software, and shader compiles block the
// page for long stretches on a busy machine.
const SPEC_TIMEOUT_MS = 120000;

function backendsFromEnv() {
  const raw = process.env.ROI_BACKENDS;
  if (raw == null || raw.trim() === '') return ALL_BACKENDS;
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = names.filter((n) => !ALL_BACKENDS.includes(n));
  if (unknown.length > 0 || names.length === 0) {
    console.error(`ROI_BACKENDS=${raw}: expected a comma-separated subset of ${ALL_BACKENDS.join(',')}`);
    process.exit(1);
  }
  return names;
}

/**
 * Prints each spec as it finishes, the failures in full, and a last line
 * `N passed, N failed` that CI reads. A skipped spec fails the run: the suite
 * has none, so one means a stray fit/xit or a backend that was left out.
 */
function SpecSummaryReporter(baseReporterDecorator, formatError) {
  baseReporterDecorator(this);
  const failures = [];
  let summarized = false;

  const nameOf = (result) => [...result.suite, result.description].join(' > ');

  this.onRunStart = () => {
    this._browsers = [];
    failures.length = 0;
    summarized = false;
  };
  this.specSuccess = (browser, result) => {
    this.write(`  ok    ${nameOf(result)} (${result.time} ms)\n`);
  };
  this.specSkipped = (browser, result) => {
    this.write(`  SKIP  ${nameOf(result)}\n`);
  };
  this.specFailure = (browser, result) => {
    this.write(`  FAIL  ${nameOf(result)} (${result.time} ms)\n`);
    this.write(result.log.map((log) => formatError(log, '        ')).join(''));
    failures.push(nameOf(result));
  };
  this.onRunComplete = (browsers, results) => {
    // karma can report completion twice after a browser error.
    if (summarized) return;
    summarized = true;
    if (failures.length > 0) {
      this.write(`\nFailed specs:\n`);
      for (const name of failures) this.write(`  ${name}\n`);
    }
    const notes = [];
    if (results.skipped) notes.push(`${results.skipped} skipped (a skip fails the run)`);
    if (results.success + results.failed === 0) notes.push('no specs ran');
    if (results.error) notes.push('run error');
    if (results.disconnected) notes.push('browser disconnected');
    if (results.skipped) results.exitCode = 1;
    this.write(`\n${results.success} passed, ${results.failed} failed${notes.length ? `, ${notes.join(', ')}` : ''}\n`);
  };
}
SpecSummaryReporter.$inject = ['baseReporterDecorator', 'formatError'];

/**
 * Points os.tmpdir() at a fresh directory of its own for this karma process.
 * karma-esbuild writes its entry file to os.tmpdir() and imports the specs by
 * paths relative to it; for a checkout under the temp directory those paths
 * lack './' and esbuild reads them as package names. A sibling directory
 * gives '../' paths. It also keeps the bundle and browser profile together,
 * removed on exit.
 */
function useOwnTempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-roi-karma-'));
  process.env.TMPDIR = dir;
  process.on('exit', () => fs.rmSync(dir, {recursive: true, force: true}));
}

/**
 * ROI_SPECS=layers,golden narrows the spec files to test/<name>.spec.ts, for
 * quick runs while developing (default: every spec).
 */
function specFilesFromEnv() {
  const raw = process.env.ROI_SPECS;
  if (raw == null || raw.trim() === '') return ['test/*.spec.ts'];
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '').map((name) => {
    const file = `test/${name.replace(/\.spec\.ts$/, '')}.spec.ts`;
    if (!fs.existsSync(path.join(__dirname, file))) {
      console.error(`ROI_SPECS=${raw}: ${file} does not exist`);
      process.exit(1);
    }
    return file;
  });
}

module.exports = function(config) {
  const backends = backendsFromEnv();
  const specFiles = specFilesFromEnv();
  useOwnTempDir();
  config.set({
    basePath: __dirname,
    frameworks: ['jasmine'],
    plugins: [
      'karma-jasmine',
      'karma-chrome-launcher',
      'karma-esbuild',
      {'reporter:spec-summary': ['type', SpecSummaryReporter]},
    ],
    files: [
      ...specFiles,
      {pattern: `${WASM_BINARIES}/*.wasm`, included: false, served: true, watched: false, nocache: true},
    ],
    mime: {'application/wasm': ['wasm']},
    preprocessors: Object.fromEntries(specFiles.map((file) => [file, ['esbuild']])),
    esbuild: {
      target: 'es2020',
      // All specs go into one bundle (one tfjs instance); the setup file is
      // injected so it runs before any spec module calls describeEachBackend.
      inject: [path.join(__dirname, 'test/setup/karma.ts')],
      tsconfig: path.join(__dirname, 'test/tsconfig.json'),
    },
    client: {
      roiBackends: backends,
      // Where karma serves the files above: under /base/, the basePath.
      wasmPaths: `/base/${WASM_BINARIES}/`,
      jasmine: {
        random: false,
        timeoutInterval: SPEC_TIMEOUT_MS,
        failSpecWithNoExpectations: true,
      },
    },
    reporters: ['spec-summary'],
    browsers: ['ChromiumHeadlessGPU'],
    customLaunchers: {
      // Based on plain 'Chrome' because karma's ChromeHeadless adds
      // --disable-gpu and a fixed remote-debugging port. The launcher adds a
      // fresh --user-data-dir per run.
      ChromiumHeadlessGPU: {
        base: 'Chrome',
        flags: ['--headless=new', ...CHROMIUM_FLAGS],
      },
    },
    // navigator.gpu exists only in a secure context; http://localhost is one.
    hostname: 'localhost',
    listenAddress: 'localhost',
    port: 9876,
    singleRun: true,
    autoWatch: false,
    concurrency: 1,
    captureTimeout: 180000,
    browserNoActivityTimeout: 2 * SPEC_TIMEOUT_MS + 60000,
    browserDisconnectTimeout: 60000,
    browserDisconnectTolerance: 0,
    pingTimeout: SPEC_TIMEOUT_MS,
    browserConsoleLogOptions: {level: 'warn', terminal: true},
    logLevel: config.LOG_INFO,
  });
};
