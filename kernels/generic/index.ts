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

import {PsRoIAlign, PsRoIAlignBoxGrad, PsRoIAlignGrad, PsRoIPool, PsRoIPoolGrad, RoIAlign, RoIAlignBoxGrad, RoIAlignGrad, RoIAlignGradInputs, RoIAlignRotated, RoIAlignRotatedBoxGrad, RoIAlignRotatedGrad, RoIAlignWinners, RoIPool, RoIPoolGrad} from '../../src/kernel_names';
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
import {RoIAlignGradImplInputs, roiAlignWinnersImpl} from '../cpu/RoIAlignWinners_impl';
import {roiPoolImpl} from '../cpu/RoIPool_impl';
import {roiPoolGradImpl} from '../cpu/RoIPoolGrad_impl';
import {pooledShape, psPooledShape} from '../cpu/roi_impl_inputs';

/** The backends with kernels of their own, named in the error for one that cannot read synchronously. */
const OWN_KERNEL_BACKENDS = ['cpu', 'wasm', 'webgl', 'webgpu'];

/** The part of a KernelBackend that the generic kernels use. */
interface SyncBackend {
  readSync(dataId: object): unknown;
  makeTensorInfo?(shape: number[], dtype: DataType, values: Float32Array|Int32Array): TensorInfo;
  write(values: Float32Array|Int32Array, shape: number[], dtype: DataType): object;
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

/** The output as a tensor: float32, or int32 for RoIAlignWinners' Int32Array. */
function makeOutput(backend: SyncBackend, shape: number[], values: Float32Array|Int32Array): TensorInfo {
  const dtype = values instanceof Int32Array ? 'int32' : 'float32';
  if (backend.makeTensorInfo !== undefined) return backend.makeTensorInfo(shape, dtype, values);
  return {dataId: backend.write(values, shape, dtype), shape, dtype};
}

/** Every kernel's inputs: RoIAlignGrad's name them all (winners only there). */
type Impl = (values: RoIAlignGradImplInputs, attrs: NamedAttrMap) => Float32Array|Int32Array;
type Shape = (inputs: RoIAlignGradInputs, attrs: NamedAttrMap) => number[];

const pooled: Shape = (inputs, attrs) => pooledShape(inputs, attrs as {pooledHeight: number, pooledWidth: number});
const psPooled: Shape = (inputs, attrs) => psPooledShape(inputs, attrs as {pooledHeight: number, pooledWidth: number});
const xShape: Shape = inputs => inputs.x.shape;
const boxShape: Shape = inputs => inputs.boxes.shape;

/** Winners as the shared implementations read them, whatever array the backend gave. */
function int32Values(values: TypedArray): Int32Array {
  return values instanceof Int32Array ? values : Int32Array.from(values);
}

/** A kernel's name, whether it reads dy, its output's shape, and its implementation. */
function entry<A>(
    kernelName: string, readsDy: boolean, shape: Shape,
    impl: (values: RoIAlignGradImplInputs, attrs: A) => Float32Array|Int32Array): [string, boolean, Shape, Impl] {
  return [kernelName, readsDy, shape, (values, attrs) => impl(values, attrs as unknown as A)];
}

const KERNELS = [
  entry(RoIAlign, false, pooled, roiAlignImpl),
  entry(RoIAlignGrad, true, xShape, roiAlignGradImpl),
  entry(RoIAlignBoxGrad, true, boxShape, roiAlignBoxGradImpl),
  entry(RoIAlignWinners, false, pooled, roiAlignWinnersImpl),
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
    const roiInputs = inputs as unknown as RoIAlignGradInputs;
    const syncBackend = backend as unknown as SyncBackend;
    const read = (t: TensorInfo) => readValues(syncBackend, t, kernelName);
    const values = {
      x: read(roiInputs.x) as Float32Array,
      xShape: roiInputs.x.shape,
      boxes: read(roiInputs.boxes),
      boxIndices: read(roiInputs.boxIndices),
      dy: (readsDy ? read(roiInputs.dy) : undefined) as Float32Array,
      winners: roiInputs.winners === undefined ? undefined : int32Values(read(roiInputs.winners)),
    };
    return makeOutput(syncBackend, shape(roiInputs, attrs ?? {}), impl(values, attrs ?? {}));
  };
}

/**
 * The 14 RoI kernels through readSync and makeTensorInfo, registered for
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
