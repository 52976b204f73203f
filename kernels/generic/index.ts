/**
 * The RoI kernels for a backend this package has no kernels of its own for,
 * but that reads tensors synchronously and makes them from values: tfjs-node's
 * 'tensorflow', or a custom backend. Each kernel reads its inputs with
 * backend.readSync, runs the shared implementation (kernels/cpu/*_impl.ts)
 * and hands the result back with backend.makeTensorInfo (or write, its
 * KernelBackend equivalent). That costs a copy of each input and of the
 * output where the backend copies on read and write, which tfjs-node does.
 */
import {getBackend} from '@tensorflow/tfjs-core';
import type {DataType, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo, TypedArray} from '@tensorflow/tfjs-core';

import {PsRoIAlign, PsRoIAlignBoxGrad, PsRoIAlignGrad, PsRoIPool, PsRoIPoolGrad, RoIAlign, RoIAlignBoxGrad, RoIAlignGrad, RoIAlignRotated, RoIAlignRotatedBoxGrad, RoIAlignRotatedGrad, RoIGradInputs, RoIPool, RoIPoolGrad} from '../../src/kernel_names';
import {psRoiAlignImpl} from '../cpu/PsRoIAlign_impl';
import {psRoiAlignBoxGradImpl} from '../cpu/PsRoIAlignBoxGrad_impl';
import {psRoiAlignGradImpl} from '../cpu/PsRoIAlignGrad_impl';
import {psRoiPoolImpl} from '../cpu/PsRoIPool_impl';
import {psRoiPoolGradImpl} from '../cpu/PsRoIPoolGrad_impl';
import {roiAlignImpl} from '../cpu/RoIAlign_impl';
import {roiAlignBoxGradImpl} from '../cpu/RoIAlignBoxGrad_impl';
import {roiAlignGradImpl} from '../cpu/RoIAlignGrad_impl';
import {roiAlignRotatedImpl} from '../cpu/RoIAlignRotated_impl';
import {roiAlignRotatedBoxGradImpl} from '../cpu/RoIAlignRotatedBoxGrad_impl';
import {roiAlignRotatedGradImpl} from '../cpu/RoIAlignRotatedGrad_impl';
import {roiPoolImpl} from '../cpu/RoIPool_impl';
import {roiPoolGradImpl} from '../cpu/RoIPoolGrad_impl';
import {pooledShape, psPooledShape, RoIGradImplInputs} from '../cpu/roi_impl_inputs';

/** The backends with kernels of their own, named in the error for one that cannot read synchronously. */
const OWN_KERNEL_BACKENDS = ['cpu', 'wasm', 'webgl', 'webgpu'];

/** The part of a KernelBackend that the generic kernels use. */
interface SyncBackend {
  readSync(dataId: object): unknown;
  makeTensorInfo?(shape: number[], dtype: DataType, values: Float32Array): TensorInfo;
  write(values: Float32Array, shape: number[], dtype: DataType): object;
}

function readValues(backend: SyncBackend, t: TensorInfo, kernelName: string): TypedArray {
  let values: unknown;
  try {
    values = backend.readSync(t.dataId);
  } catch (e) {
    const name = getBackend();
    throw new Error(
        `${kernelName} on backend '${name}': tfjs-roi runs there through the backend's synchronous ` +
        `reads, which failed (${(e as Error).message}). The RoI ops have kernels for ` +
        `${OWN_KERNEL_BACKENDS.join(', ')}: switch with \`await tf.setBackend('wasm')\` (or 'cpu', 'webgl', 'webgpu').`);
  }
  return values as TypedArray;
}

function makeOutput(backend: SyncBackend, shape: number[], values: Float32Array): TensorInfo {
  if (backend.makeTensorInfo !== undefined) return backend.makeTensorInfo(shape, 'float32', values);
  return {dataId: backend.write(values, shape, 'float32'), shape, dtype: 'float32'};
}

type Impl = (values: RoIGradImplInputs, attrs: NamedAttrMap) => Float32Array;
type Shape = (inputs: RoIGradInputs, attrs: NamedAttrMap) => number[];

const pooled: Shape = (inputs, attrs) => pooledShape(inputs, attrs as {pooledHeight: number, pooledWidth: number});
const psPooled: Shape = (inputs, attrs) => psPooledShape(inputs, attrs as {pooledHeight: number, pooledWidth: number});
const xShape: Shape = inputs => inputs.x.shape;
const boxShape: Shape = inputs => inputs.boxes.shape;

/** A kernel's name, whether it reads dy, its output's shape, and its implementation. */
function entry<A>(
    kernelName: string, readsDy: boolean, shape: Shape,
    impl: (values: RoIGradImplInputs, attrs: A) => Float32Array): [string, boolean, Shape, Impl] {
  return [kernelName, readsDy, shape, (values, attrs) => impl(values, attrs as unknown as A)];
}

const KERNELS = [
  entry(RoIAlign, false, pooled, roiAlignImpl),
  entry(RoIAlignGrad, true, xShape, roiAlignGradImpl),
  entry(RoIAlignBoxGrad, true, boxShape, roiAlignBoxGradImpl),
  entry(RoIPool, false, pooled, roiPoolImpl),
  entry(RoIPoolGrad, true, xShape, roiPoolGradImpl),
  entry(PsRoIAlign, false, psPooled, psRoiAlignImpl),
  entry(PsRoIAlignGrad, true, xShape, psRoiAlignGradImpl),
  entry(PsRoIAlignBoxGrad, true, boxShape, psRoiAlignBoxGradImpl),
  entry(PsRoIPool, false, psPooled, psRoiPoolImpl),
  entry(PsRoIPoolGrad, true, xShape, psRoiPoolGradImpl),
  entry(RoIAlignRotated, false, pooled, roiAlignRotatedImpl),
  entry(RoIAlignRotatedGrad, true, xShape, roiAlignRotatedGradImpl),
  entry(RoIAlignRotatedBoxGrad, true, boxShape, roiAlignRotatedBoxGradImpl),
];

function genericKernel(kernelName: string, readsDy: boolean, shape: Shape, impl: Impl): KernelFunc {
  return ({inputs, backend, attrs}) => {
    const roiInputs = inputs as unknown as RoIGradInputs;
    const syncBackend = backend as unknown as SyncBackend;
    const read = (t: TensorInfo) => readValues(syncBackend, t, kernelName);
    const values = {
      x: read(roiInputs.x) as Float32Array,
      xShape: roiInputs.x.shape,
      boxes: read(roiInputs.boxes),
      boxIndices: read(roiInputs.boxIndices),
      dy: (readsDy ? read(roiInputs.dy) : undefined) as Float32Array,
    };
    return makeOutput(syncBackend, shape(roiInputs, attrs ?? {}), impl(values, attrs ?? {}));
  };
}

/**
 * The 13 RoI kernels through readSync and makeTensorInfo, registered for
 * `backendName`: `genericKernelConfigs('myBackend').forEach(tf.registerKernel)`.
 */
export function genericKernelConfigs(backendName: string): KernelConfig[] {
  return KERNELS.map(([kernelName, readsDy, shape, impl]) => ({
    kernelName,
    backendName,
    kernelFunc: genericKernel(kernelName, readsDy, shape, impl),
  }));
}

/** tfjs-node's backend, which tfjs-roi reaches only through the generic kernels (untested here). */
export const genericKernels: KernelConfig[] = genericKernelConfigs('tensorflow');
