/**
 * What every demo page shares: the backend picker (a <select id="backend">
 * that reloads the page with ?backend=...), starting that backend, and
 * showing a failure in the page as well as on the console, where the e2e
 * tests look for it.
 */
import * as tf from '@tensorflow/tfjs';

import {BACKENDS, backendFromUrl, BackendName, useBackend} from './backend';

export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element as T;
}

export function showError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const box = document.getElementById('error');
  if (box !== null) {
    box.textContent = message;
    box.hidden = false;
  }
  document.body.dataset.state = 'error';
  console.error(error);
}

/**
 * Starts the backend named in the URL and fills #backend with the choices.
 * body[data-backend] names the backend once it runs.
 */
export async function startBackend(): Promise<BackendName> {
  const name = backendFromUrl();
  const picker = byId<HTMLSelectElement>('backend');
  for (const backend of BACKENDS) picker.add(new Option(backend, backend, false, backend === name));
  picker.addEventListener('change', () => {
    const params = new URLSearchParams(location.search);
    params.set('backend', picker.value);
    location.search = params.toString();
  });
  await useBackend(name);
  document.body.dataset.backend = tf.getBackend();
  return name;
}

/**
 * Runs `work` whenever `request` is called, one run at a time; requests that
 * arrive during a run collapse into one more run after it, so a drag that
 * moves faster than the backend computes never queues stale work.
 * body[data-state] is 'busy' while work is pending and 'ready' after.
 */
export function latestOnly(work: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const run = async () => {
    running = true;
    document.body.dataset.state = 'busy';
    try {
      do {
        again = false;
        await work();
      } while (again);
      document.body.dataset.state = 'ready';
    } catch (error) {
      showError(error);
    } finally {
      running = false;
    }
  };
  return () => {
    if (running) {
      again = true;
    } else {
      void run();
    }
  };
}
