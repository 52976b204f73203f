/**
 * The golden fixtures (copied from ../shared/golden; see test/fixtures/README.md).
 * avg-mode outputs and input gradients come from torchvision 0.14.1; box
 * gradients and max mode from a float64 autograd reference of the same rules.
 */
import roialignAvg0 from './fixtures/roialign_avg_0.json';
import roialignAvg1 from './fixtures/roialign_avg_1.json';
import roialignAvg2 from './fixtures/roialign_avg_2.json';
import roialignAvg3 from './fixtures/roialign_avg_3.json';
import roialignMax4 from './fixtures/roialign_max_4.json';
import roialignMax5 from './fixtures/roialign_max_5.json';
import roialignNoBoxes from './fixtures/roialign_no_boxes.json';
import roipool0 from './fixtures/roipool_0.json';
import roipool1 from './fixtures/roipool_1.json';
import roipool2 from './fixtures/roipool_2.json';
import seedAlignFalse from './fixtures/seed_example_roialign_aligned_false.json';
import seedAlignTrue from './fixtures/seed_example_roialign_aligned_true.json';
import seedPool from './fixtures/seed_example_roipool.json';

export interface FixtureTensor {
  shape: number[];
  data: number[];
}

/**
 * What every golden case holds, whatever made it: the inputs, the upstream
 * gradient, and the expected output and gradients. `Op` names the op and
 * `Attrs` its options.
 */
export interface GoldenCase<Op extends string = string, Attrs = {outputSize: number[], spatialScale: number}> {
  name: string;
  op: Op;
  source: string;
  attrs: Attrs;
  x: FixtureTensor;
  boxes: FixtureTensor;
  boxIndices: number[];
  dy: FixtureTensor;
  y: FixtureTensor;
  dx: FixtureTensor;
  dboxes?: FixtureTensor;
}

export type Fixture = GoldenCase<'roiAlign'|'roiPool', {
  outputSize: number[],
  spatialScale: number,
  samplingRatio?: number,
  aligned?: boolean,
  mode?: string,
}>;

export const fixtures = [
  seedPool, seedAlignFalse, seedAlignTrue, roialignAvg0, roialignAvg1, roialignAvg2,
  roialignAvg3, roialignMax4, roialignMax5, roialignNoBoxes, roipool0, roipool1, roipool2
] as Fixture[];
