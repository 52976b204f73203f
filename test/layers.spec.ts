/** The layers: shapes, values against the float64 reference, save/load, training. */
import * as tf from '@tensorflow/tfjs';

import {layers} from '../src/index';
import {checkClose, describeEachBackend, expectThrows, expectTensorClose, randomValues, seededRandom, values} from './harness';
import {refRoiAlign, refRoiPool} from './reference';

const B = 2, H = 6, W = 7, C = 3, R = 3;
const boxData = [
  [[0.5, 0.5, 5.5, 4.5], [2, 1, 6.5, 5.5], [1, 2.5, 3, 4]],
  [[0, 0, 7, 6], [3.3, 0.2, 6.1, 2.9], [0.7, 1.1, 2.2, 5.8]],
];

describeEachBackend('RoIAlign and RoIPool layers', backend => {
  let features: tf.Tensor4D, boxes: tf.Tensor3D, featureValues: Float32Array;
  beforeAll(() => {
    featureValues = randomValues(seededRandom(21), B * H * W * C);
    features = tf.tensor4d(featureValues, [B, H, W, C]);
    boxes = tf.tensor3d(boxData);
  });
  afterAll(() => tf.dispose([features, boxes]));

  const flatBoxes = boxData.flat(2);
  const boxIndices = [0, 0, 0, 1, 1, 1];

  it('roiAlign: [features, boxes [B,R,4]] -> [B,R,outH,outW,C], each image pooling its own boxes', async () => {
    const layer = layers.roiAlign({outputSize: [2, 3], samplingRatio: 2, aligned: true, mode: 'max'});
    const y = layer.apply([features, boxes]) as tf.Tensor;
    const expected = refRoiAlign(
        {x: featureValues, shape: [B, H, W, C], boxes: flatBoxes, boxIndices},
        {outH: 2, outW: 3, spatialScale: 1, samplingRatio: 2, aligned: true, mode: 'max'});
    await expectTensorClose(y, [B, R, 2, 3, C], expected, 'y');
  });

  it('roiPool, NCHW: [B,R,C,outH,outW]', async () => {
    const layer = layers.roiPool({outputSize: 2, dataFormat: 'NCHW'});
    const y = layer.apply([tf.transpose(features, [0, 3, 1, 2]), boxes]) as tf.Tensor;
    expect(y.shape).toEqual([B, R, C, 2, 2]);
    const expected = refRoiPool(
        {x: featureValues, shape: [B, H, W, C], boxes: flatBoxes, boxIndices}, {outH: 2, outW: 2, spatialScale: 1});
    checkClose(await values(tf.transpose(y, [0, 1, 3, 4, 2])), expected, 'y');
  });

  it('computes its output shape with an unknown batch size', () => {
    const image = tf.input({shape: [H, W, C]});
    const proposals = tf.input({shape: [R, 4]});
    const out = layers.roiAlign({outputSize: 7}).apply([image, proposals]) as tf.SymbolicTensor;
    expect(out.shape).toEqual([null, R, 7, 7, C]);
    const outNCHW = layers.roiPool({outputSize: [2, 3], dataFormat: 'NCHW'})
        .apply([tf.input({shape: [C, H, W]}), proposals]) as tf.SymbolicTensor;
    expect(outNCHW.shape).toEqual([null, R, C, 2, 3]);
  });

  it('round-trips through model.save and tf.loadLayersModel with identical predictions', async () => {
    const image = tf.input({shape: [H, W, C]});
    const proposals = tf.input({shape: [R, 4]});
    const conv = tf.layers.conv2d({filters: 2, kernelSize: 3, padding: 'same', kernelInitializer: 'glorotUniform'}).apply(image);
    const pooled = layers.roiAlign({outputSize: 2, spatialScale: 1, samplingRatio: 0, aligned: true}).apply([conv as tf.SymbolicTensor, proposals]);
    const pooledMax = layers.roiPool({outputSize: 2}).apply([conv as tf.SymbolicTensor, proposals]);
    const model = tf.model({inputs: [image, proposals], outputs: [pooled as tf.SymbolicTensor, pooledMax as tf.SymbolicTensor]});
    let saved: tf.io.ModelArtifacts|null = null;
    await model.save(tf.io.withSaveHandler(async artifacts => {
      saved = artifacts;
      return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
    }));
    expect(JSON.stringify(saved!.modelTopology)).toContain('"class_name":"RoIAlign"');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const before = model.predict([features, boxes]) as tf.Tensor[];
    const after = loaded.predict([features, boxes]) as tf.Tensor[];
    for (let i = 0; i < 2; i++) checkClose(await values(after[i]), await values(before[i]), `output ${i}`, {atol: 0, rtol: 0});
  });

  it('trains (model.trainOnBatch): gradients reach the layers before RoIAlign', async () => {
    const image = tf.input({shape: [H, W, C]});
    const proposals = tf.input({shape: [R, 4]});
    // tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter: there the layer
    // before RoIAlign is a dense one over the channels (a 1x1 convolution).
    const convLayer = backend === 'wasm' ?
        tf.layers.dense({units: 2, kernelInitializer: 'ones'}) :
        tf.layers.conv2d({filters: 2, kernelSize: 3, padding: 'same', kernelInitializer: 'ones'});
    const pooled = layers.roiAlign({outputSize: 2, samplingRatio: 2}).apply([convLayer.apply(image) as tf.SymbolicTensor, proposals]);
    const model = tf.model({inputs: [image, proposals], outputs: tf.layers.flatten().apply(pooled) as tf.SymbolicTensor});
    model.compile({optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError'});
    const kernelBefore = await values(convLayer.getWeights()[0]);
    const target = tf.zeros([B, R * 2 * 2 * 2]);
    const losses: number[] = [];
    for (let step = 0; step < 3; step++) losses.push(await model.trainOnBatch([features, boxes], target) as number);
    const kernelAfter = await values(convLayer.getWeights()[0]);
    // The loss of a linear model under small SGD steps falls, and the kernel moved.
    expect(losses[2]).toBeLessThan(losses[0]);
    expect(kernelAfter.some((v, i) => Math.abs(v - kernelBefore[i]) > 1e-6)).toBe(true);
  });

  describe('checks its config when it is made, with the op\'s rules and messages', () => {
    const cases: Array<[string, () => unknown, RegExp]> = [
      ['a misspelled option', () => layers.roiAlign({outputSize: 7, samplingratio: 2} as never), /RoIAlign layer: unknown option 'samplingratio'/],
      ['spatialScale 0', () => layers.roiAlign({outputSize: 7, spatialScale: 0}), /RoIAlign layer: spatialScale must be a finite number > 0, got 0/],
      ['mode mean', () => layers.roiAlign({outputSize: 7, mode: 'mean' as never}), /RoIAlign layer: mode must be 'avg' or 'max', got "mean"/],
      ['samplingRatio 1.5', () => layers.roiAlign({outputSize: 7, samplingRatio: 1.5}), /RoIAlign layer: samplingRatio must be an integer/],
      ['samplingRatio over the cap', () => layers.roiAlign({outputSize: 7, samplingRatio: 10000}), /RoIAlign layer: samplingRatio must be at most 1024/],
      ['dataFormat nhwc', () => layers.roiPool({outputSize: 7, dataFormat: 'nhwc' as never}), /RoIPool layer: dataFormat must be 'NHWC' or 'NCHW', got "nhwc"/],
      ['a roiAlign option on RoIPool', () => layers.roiPool({outputSize: 7, aligned: true} as never), /RoIPool layer: unknown option 'aligned'/],
      ['no outputSize', () => layers.roiAlign({} as never), /RoIAlign layer: the layer config needs outputSize/],
      ['outputSize 0', () => layers.roiPool({outputSize: 0}), /RoIPool layer: outputSize must be a positive integer/],
      ['multiScale without imageSize', () => layers.multiScaleRoiAlign({outputSize: 7} as never), /MultiScaleRoIAlign layer: the layer config needs imageSize/],
      ['multiScale canonicalScale "224"', () => layers.multiScaleRoiAlign({outputSize: 7, imageSize: [64, 64], canonicalScale: '224' as never}), /MultiScaleRoIAlign layer: canonicalScale must be a finite number > 0, got "224"/],
    ];
    for (const [name, make, pattern] of cases) {
      it(name, () => expectThrows(make, pattern));
    }
  });

  describe('checks its input shapes when the model is built, naming features or boxes', () => {
    const image = () => tf.input({shape: [H, W, C]});
    const cases: Array<[string, () => unknown, RegExp]> = [
      ['boxes [B,R,5]', () => layers.roiAlign({outputSize: 2}).apply([image(), tf.input({shape: [R, 5]})]), /RoIAlign layer: boxes \(the last input\) must be \[B,R,4\].*\[null,3,5\]/],
      ['boxes [B,4]', () => layers.roiPool({outputSize: 2}).apply([image(), tf.input({shape: [4]})]), /RoIPool layer: boxes \(the last input\) must be \[B,R,4\].*\[null,4\]/],
      ['the features alone', () => layers.roiAlign({outputSize: 2}).apply(image()), /RoIAlign layer: the layer takes \[features, boxes \[B,R,4\]\], got one input of shape \[null,6,7,3\]/],
      ['three inputs', () => layers.roiAlign({outputSize: 2}).apply([image(), image(), tf.input({shape: [R, 4]})]), /RoIAlign layer: the layer takes \[features, boxes \[B,R,4\]\], got 3 inputs/],
      ['features 3-D', () => layers.roiAlign({outputSize: 2}).apply([tf.input({shape: [H, W]}), tf.input({shape: [R, 4]})]), /RoIAlign layer: features must be 4-D.*\[null,6,7\]/],
      ['multiScale boxes only', () => layers.multiScaleRoiAlign({outputSize: 2, imageSize: [H, W]}).apply([tf.input({shape: [R, 4]})]), /MultiScaleRoIAlign layer: the layer takes \[level features\.\.\., boxes \[B,R,4\]\]/],
      ['concrete tensors: boxes [B,R,5]', () => layers.roiAlign({outputSize: 2}).apply([features, tf.zeros([B, R, 5])]), /RoIAlign layer: boxes \(the last input\) must be \[B,R,4\].*\[2,3,5\]/],
      ['concrete tensors: batch sizes differ', () => layers.roiAlign({outputSize: 2}).apply([features, tf.zeros([1, R, 4])]), /RoIAlign layer: features has batch size 2 and boxes 1/],
    ];
    for (const [name, apply, pattern] of cases) {
      it(name, () => expectThrows(() => tf.tidy(() => {
        apply();
      }), pattern));
    }
  });
});
