/**
 * Headless Chromium under puppeteer-core, with the flags that give WebGL2 and
 * WebGPU on SwiftShader, for the e2e tests and the browser bench.
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import puppeteer from 'puppeteer-core';

import {CHROMIUM_FLAGS, ensureChromium} from './chromium.mjs';

/**
 * Launches Chromium with a fresh profile, removed on close. protocolTimeout
 * bounds one page.evaluate: training and benchmarks on a software GPU take minutes.
 */
export async function launchChromium({protocolTimeoutMs = 15 * 60 * 1000} = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'tfjs-roi-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: ensureChromium(),
    headless: true,
    args: [...CHROMIUM_FLAGS, '--window-size=1280,900'],
    defaultViewport: {width: 1280, height: 900},
    userDataDir: profile,
    protocolTimeout: protocolTimeoutMs,
  });
  const close = browser.close.bind(browser);
  browser.close = async () => {
    await close();
    rmSync(profile, {recursive: true, force: true});
  };
  return browser;
}

/**
 * Opens url in a new page and records every console error and uncaught
 * exception in the returned `errors` array, so a test can assert it is empty.
 */
export async function openPage(browser, url) {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', message => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', error => errors.push(`uncaught: ${error.message}`));
  page.on('requestfailed', request => errors.push(`request failed: ${request.url()}`));
  await page.goto(url, {waitUntil: 'load'});
  return {page, errors};
}
