/**
 * The inputs of RoIAlign's gradient programs. In 'max' mode they read each
 * bin's winning sample (the caller's winners, or a winner pass,
 * RoIAlignProgram 'winner', run here) instead of searching the bin again in
 * every fragment that needs it.
 */
import {util} from '@tensorflow/tfjs-core';
import type {TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import type {RoIAlignMode} from '../../src/kernel_names';
import {RoIAlignProgram} from './roi_align_gpu';
import {disposeAfter, RoIUniformValues, runRoIProgram, withUnpacked} from './run_roi_program';

/**
 * Calls `body` with [dy, x (if readsX), winners ('max'), table], the order
 * of alignGradInputs; winners computed here are disposed afterwards.
 */
export function withAlignGradientInputs(
    backend: MathBackendWebGL, mode: RoIAlignMode,
    tensors: {dy: TensorInfo, x: TensorInfo, table: TensorInfo, winners?: TensorInfo}, readsX: boolean,
    uniforms: RoIUniformValues, body: (inputs: TensorInfo[]) => TensorInfo): TensorInfo {
  const {dy, table, winners} = tensors;
  if (mode === 'avg') return body([dy, ...(readsX ? [tensors.x] : []), table]);
  if (winners !== undefined) return body([dy, ...(readsX ? [tensors.x] : []), winners, table]);
  // The winner pass and (readsX) the box gradient both read x: unpack it once.
  return withUnpacked(backend, [tensors.x], ([x]) => {
    const winners = runRoIProgram(
        backend, new RoIAlignProgram(util.sizeFromShape(dy.shape), 'winner'), [x, table], uniforms,
        dy.shape);
    return disposeAfter(backend, winners, () => body([dy, ...(readsX ? [x] : []), winners, table]));
  });
}
