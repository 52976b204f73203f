/**
 * Finds a Chromium or Chrome binary for the browser tests, installing
 * Debian's `chromium` with apt-get when running as root on Debian/Ubuntu
 * and nothing else is available.
 *
 * Order: CHROME_BIN, well-known install paths, browser names on PATH,
 * puppeteer's download cache. Run directly it prints the path it found.
 */
import {spawnSync} from 'node:child_process';
import {accessSync, constants, existsSync, readdirSync, readFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {delimiter, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import chromiumFlags from './chromium_flags.cjs';

export const {CHROMIUM_FLAGS} = chromiumFlags;

const INSTALL_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/usr/lib/chromium/chromium',
  '/snap/bin/chromium',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH || '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** Compares puppeteer cache folder names like 'linux-131.0.6778.85' by version. */
function byVersionDescending(a, b) {
  const numbers = (s) => (s.match(/\d+/g) || []).map(Number);
  const x = numbers(a), y = numbers(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] || 0) !== (y[i] || 0)) return (y[i] || 0) - (x[i] || 0);
  }
  return 0;
}

/** The newest browser in puppeteer's cache; full Chrome before chrome-headless-shell. */
function fromPuppeteerCache() {
  const cache = process.env.PUPPETEER_CACHE_DIR || join(homedir(), '.cache', 'puppeteer');
  const layouts = [
    ['chrome', ['chrome-linux64/chrome', 'chrome-mac-x64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
      'chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing']],
    ['chrome-headless-shell', ['chrome-headless-shell-linux64/chrome-headless-shell',
      'chrome-headless-shell-mac-x64/chrome-headless-shell', 'chrome-headless-shell-mac-arm64/chrome-headless-shell']],
  ];
  for (const [product, executables] of layouts) {
    const dir = join(cache, product);
    if (!existsSync(dir)) continue;
    for (const version of readdirSync(dir).sort(byVersionDescending)) {
      for (const executable of executables) {
        const file = join(dir, version, executable);
        if (isExecutable(file)) return file;
      }
    }
  }
  return null;
}

/** A usable browser binary, or null. Throws if CHROME_BIN names a missing file. */
export function findChromium() {
  const fromEnv = process.env.CHROME_BIN;
  if (fromEnv) {
    const resolved = fromEnv.includes('/') ? fromEnv : onPath(fromEnv);
    if (!resolved || !isExecutable(resolved)) {
      throw new Error(`CHROME_BIN=${fromEnv} is not an executable file`);
    }
    return resolved;
  }
  for (const file of INSTALL_PATHS) {
    if (isExecutable(file)) return file;
  }
  for (const name of PATH_NAMES) {
    const file = onPath(name);
    if (file) return file;
  }
  return fromPuppeteerCache();
}

function isDebianLike() {
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(release);
  } catch {
    return false;
  }
}

function run(command, args) {
  console.error(`> ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: {...process.env, DEBIAN_FRONTEND: 'noninteractive'},
  });
  return result.status === 0;
}

const INSTRUCTION = 'No Chromium or Chrome found: install one (e.g. `apt-get install chromium`) or set CHROME_BIN to its path.';

/**
 * findChromium(), else on Debian/Ubuntu as root `apt-get install -y chromium`.
 * Throws a one-line instruction when neither yields a browser.
 */
export function ensureChromium() {
  const found = findChromium();
  if (found) return found;
  const canApt = process.platform === 'linux' && process.getuid?.() === 0 && isDebianLike() && onPath('apt-get');
  if (!canApt) throw new Error(INSTRUCTION);
  console.error('No Chromium or Chrome found; installing the Debian `chromium` package.');
  if (!run('apt-get', ['update']) || !run('apt-get', ['install', '-y', 'chromium'])) {
    throw new Error(`apt-get could not install chromium. ${INSTRUCTION}`);
  }
  const installed = findChromium();
  if (!installed) throw new Error(`chromium was installed but not found. ${INSTRUCTION}`);
  return installed;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    console.log(ensureChromium());
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
