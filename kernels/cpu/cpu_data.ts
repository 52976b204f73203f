import type {TensorInfo, TypedArray} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

/** The values of a tensor held by the cpu backend, without a copy. */
export function cpuValues(backend: MathBackendCPU, t: TensorInfo): TypedArray {
  return backend.data.get(t.dataId).values as TypedArray;
}
