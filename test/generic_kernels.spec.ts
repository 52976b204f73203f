/**
 * The generic kernels (kernels/generic/), which serve a backend without
 * kernels of its own (tfjs-node's 'tensorflow', a custom one) through
 * readSync and makeTensorInfo. tfjs-node cannot be installed here, so they
 * are forced onto the cpu and wasm backends in place of those backends' own
 * kernels, and checked on the golden fixtures of every op, forward and both
 * gradients. A backend that cannot read synchronously gets a clear error.
 */
import * as tf from '@tensorflow/tfjs';
import {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {genericKernelConfigs} from '../kernels/generic';
import {psRoiAlign, psRoiPool, roiAlign, roiAlignRotated, roiPool} from '../src/index';
import type {RoIAlignRotatedOptions} from '../src/index';
import {fixtures, GoldenCase} from './fixtures';
import psroialign0 from './fixtures/psroialign_0.json';
import psroipool0 from './fixtures/psroipool_0.json';
import rotated0 from './fixtures/roialignrotated_0.json';
import {expectTensorClose, expectThrowsCleanly, testBackends, useBackend} from './harness';

type Case = Omit<GoldenCase<string, Record<string, unknown>&{outputSize: number[], spatialScale: number}>, 'op'|'source'>;

type Run = (x: tf.Tensor4D, boxes: tf.Tensor2D, indices: tf.Tensor1D, size: [number, number], attrs: Case['attrs']) => tf.Tensor;

const cases: Array<[Case, Run]> = [
  ...fixtures.map((f): [Case, Run] => [f, f.op === 'roiPool' ?
      (x, b, i, size, a) => roiPool(x, b, i, size, {spatialScale: a.spatialScale}) :
      (x, b, i, size, a) => roiAlign(x, b, i, size, {
        spatialScale: a.spatialScale, samplingRatio: a.samplingRatio as number,
        aligned: a.aligned as boolean, mode: a.mode as 'avg' | 'max'})]),
  [psroialign0, (x, b, i, size, a) => psRoiAlign(x, b, i, size, {spatialScale: a.spatialScale, samplingRatio: a.samplingRatio as number})],
  [psroipool0, (x, b, i, size, a) => psRoiPool(x, b, i, size, {spatialScale: a.spatialScale})],
  [rotated0 as Case, (x, b, i, size, a) => roiAlignRotated(x, b, i, size, {
    spatialScale: a.spatialScale, samplingRatio: a.samplingRatio as number,
    angleUnit: a.angleUnit as RoIAlignRotatedOptions['angleUnit'], clockwise: a.clockwise as boolean})],
];

const forcedOn = testBackends().filter(name => name === 'cpu' || name === 'wasm');

for (const backend of forcedOn) {
  describe(`generic kernels forced onto [${backend}]`, () => {
    const own: tf.KernelConfig[] = [];
    const calls = new Map<string, number>();
    beforeAll(async () => {
      await useBackend(backend);
      for (const config of genericKernelConfigs(backend)) {
        own.push(tf.getKernel(config.kernelName, backend)!);
        tf.unregisterKernel(config.kernelName, backend);
        const kernelFunc = config.kernelFunc;
        tf.registerKernel({...config, kernelFunc: args => {
          calls.set(config.kernelName, (calls.get(config.kernelName) ?? 0) + 1);
          return kernelFunc(args);
        }});
      }
    });
    afterAll(() => {
      for (const config of own) {
        tf.unregisterKernel(config.kernelName, backend);
        tf.registerKernel(config);
      }
    });

    for (const [f, run] of cases) {
      it(`${f.name}: y, dx, dboxes`, async () => {
        const before = tf.memory().numTensors;
        const x = tf.tensor4d(f.x.data, f.x.shape as [number, number, number, number]);
        const boxes = tf.tensor2d(f.boxes.data, f.boxes.shape as [number, number]);
        const dy = tf.tensor(f.dy.data, f.dy.shape, 'float32');
        const indices = tf.tensor1d(f.boxIndices, 'int32');
        const op = (a: tf.Tensor, b: tf.Tensor) =>
            run(a as tf.Tensor4D, b as tf.Tensor2D, indices, f.attrs.outputSize as [number, number], f.attrs);
        const y = op(x, boxes);
        await expectTensorClose(y, f.y.shape, f.y.data, 'y');
        const [dx, dboxes] = tf.grads(op)([x, boxes], dy);
        await expectTensorClose(dx, f.dx.shape, f.dx.data, 'dx');
        const expectedBoxGrad = f.dboxes?.data ?? new Array<number>(f.boxes.data.length).fill(0);
        await expectTensorClose(dboxes, f.boxes.shape, expectedBoxGrad, 'dboxes');
        tf.dispose([x, boxes, dy, indices, y, dx, dboxes]);
        expect(tf.memory().numTensors).toBe(before);
      });
    }

    it('every one of the 14 kernels ran through the generic path', () => {
      const missing = genericKernelConfigs(backend).map(c => c.kernelName).filter(name => !calls.has(name));
      expect(missing).toEqual([]);
    });
  });
}

/** A backend that holds tensors but, like webgpu's GPU buffers, cannot read them synchronously. */
class NoSyncReadsBackend extends MathBackendCPU {
  override readSync(): never {
    throw new Error('no synchronous reads on this backend');
  }
}

describe('generic kernels on a backend without synchronous reads', () => {
  const name = 'roi-test-no-sync-reads';
  // Undefined where no backend has started yet (the webgpu project).
  let previous: string|undefined;
  beforeAll(async () => {
    previous = tf.getBackend() as string|undefined;
    tf.registerBackend(name, () => new NoSyncReadsBackend());
    // tfjs's own cpu kernels for whatever the op runs besides ours.
    const ours = new Set(genericKernelConfigs(name).map(c => c.kernelName));
    for (const config of tf.getKernelsForBackend('cpu')) {
      if (!ours.has(config.kernelName)) tf.registerKernel({...config, backendName: name});
    }
    for (const config of genericKernelConfigs(name)) tf.registerKernel(config);
    await useBackend(name);
  });
  afterAll(async () => {
    for (const config of tf.getKernelsForBackend(name)) tf.unregisterKernel(config.kernelName, name);
    tf.removeBackend(name);
    if (previous !== undefined) await useBackend(previous);
  });

  it('names the backends that work and how to switch', () => {
    const x = tf.tensor4d(new Float32Array(32), [1, 4, 4, 2]);
    const boxes = tf.tensor2d([[0, 0, 2, 2]]);
    const indices = tf.tensor1d([0], 'int32');
    expectThrowsCleanly(
        () => roiAlign(x, boxes, indices, 2),
        /RoIAlign on backend 'roi-test-no-sync-reads'.*cpu, wasm, webgl, webgpu.*tf\.setBackend\('wasm'\)/);
    tf.dispose([x, boxes, indices]);
  });
});
