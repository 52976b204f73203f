/** What a training run must reach, as the issue states it; the e2e test and the Node test check the same. */
import type {TrainingResult} from './train';

export const MAX_LOSS_RATIO = 0.5;
export const MIN_ACCURACY = 0.9;

export function passesThresholds(r: TrainingResult): {ok: boolean, failures: string[]} {
  const failures: string[] = [];
  if (!(r.finalLoss <= MAX_LOSS_RATIO * r.initialLoss)) {
    failures.push(`loss fell only from ${r.initialLoss.toFixed(3)} to ${r.finalLoss.toFixed(3)}`);
  }
  if (!(r.accuracy >= MIN_ACCURACY)) failures.push(`held-out accuracy ${(100 * r.accuracy).toFixed(1)}% < ${100 * MIN_ACCURACY}%`);
  if (!(r.firstConvGradNorm > 0)) failures.push('no gradient reached the first backbone convolution');
  if (!(r.firstConvWeightChange > 0)) failures.push('the first backbone convolution did not change');
  return {ok: failures.length === 0, failures};
}
