/**
 * The backend a page runs on: ?backend=cpu|webgl|webgpu in its URL (default
 * webgl), set before any op runs. tf.setBackend resolves to false rather
 * than throwing when a backend cannot start, so a failure is raised here.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';

export const BACKENDS = ['cpu', 'webgl', 'webgpu'] as const;
export type BackendName = typeof BACKENDS[number];

export function backendFromUrl(fallback: BackendName = 'webgl'): BackendName {
  const requested = new URLSearchParams(location.search).get('backend');
  if (requested == null) return fallback;
  if (!(BACKENDS as readonly string[]).includes(requested)) {
    throw new Error(`backend=${requested} in the URL: expected one of ${BACKENDS.join(', ')}`);
  }
  return requested as BackendName;
}

export async function useBackend(name: BackendName): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) {
    throw new Error(`the ${name} backend did not start in this browser (tf.getBackend() is ${tf.getBackend()})`);
  }
  await tf.ready();
}
