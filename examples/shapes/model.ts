/**
 * The detector: a small conv backbone of stride 4, the package's RoIAlign
 * (or RoIPool) layer on the proposals, and a head that classifies each RoI
 * and regresses its box deltas. Every initializer is seeded, so a run is
 * repeatable.
 */
import * as tf from '@tensorflow/tfjs';

import {layers as roiLayers} from '../../src/index';
import {NUM_CLASSES} from './data';

export type PoolKind = 'align'|'pool';

export interface ModelConfig {
  imageSize: number;
  roisPerImage: number;
  pool: PoolKind;
  /** Channels of the backbone's 3x3 convolutions; the first two have stride 2, any others 1. */
  channels: number[];
  /** Pooled size of each RoI (square). */
  pooledSize: number;
  hiddenUnits: number;
  seed: number;
}

export const DEFAULT_MODEL_CONFIG: Omit<ModelConfig, 'imageSize'|'roisPerImage'> = {
  pool: 'align',
  channels: [8, 16, 16],
  pooledSize: 4,
  hiddenUnits: 128,
  seed: 1,
};

export const BACKBONE_STRIDE = 4;

/** The name of the first backbone convolution, whose gradient shows what reaches the image end of the network. */
export const FIRST_CONV = 'backbone_conv1';

export function buildDetector(config: ModelConfig): tf.LayersModel {
  const {imageSize, roisPerImage, channels, pooledSize, hiddenUnits} = config;
  let seed = config.seed;
  const kernelInitializer = () => tf.initializers.heNormal({seed: seed++});

  const image = tf.input({shape: [imageSize, imageSize, 3], name: 'image'});
  const proposals = tf.input({shape: [roisPerImage, 4], name: 'proposals'});

  // Centred input: relu units then start on either side of the mean colour.
  let features = tf.layers.rescaling({scale: 2, offset: -1}).apply(image) as tf.SymbolicTensor;
  channels.forEach((filters, i) => {
    features = tf.layers.conv2d({
      name: `backbone_conv${i + 1}`, filters, kernelSize: 3, strides: i < 2 ? 2 : 1, padding: 'same',
      activation: 'relu', kernelInitializer: kernelInitializer(),
    }).apply(features) as tf.SymbolicTensor;
  });

  // Proposals are in image pixels; the feature map is BACKBONE_STRIDE times smaller.
  const spatialScale = 1 / BACKBONE_STRIDE;
  const roiLayer = config.pool === 'align' ?
      roiLayers.roiAlign({name: 'roi_align', outputSize: pooledSize, spatialScale, samplingRatio: 2, aligned: true}) :
      roiLayers.roiPool({name: 'roi_pool', outputSize: pooledSize, spatialScale});
  const pooled = roiLayer.apply([features, proposals]) as tf.SymbolicTensor;

  const flat = tf.layers.reshape({targetShape: [roisPerImage, pooledSize * pooledSize * channels[channels.length - 1]]})
      .apply(pooled) as tf.SymbolicTensor;
  const hidden = tf.layers.dense({name: 'head_hidden', units: hiddenUnits, activation: 'relu', kernelInitializer: kernelInitializer()})
      .apply(flat) as tf.SymbolicTensor;
  const classLogits = tf.layers.dense({name: 'head_class', units: NUM_CLASSES, kernelInitializer: tf.initializers.glorotUniform({seed: seed++})})
      .apply(hidden) as tf.SymbolicTensor;
  const boxDeltas = tf.layers.dense({name: 'head_box', units: 4, kernelInitializer: tf.initializers.glorotUniform({seed: seed++})})
      .apply(hidden) as tf.SymbolicTensor;
  return tf.model({inputs: [image, proposals], outputs: [classLogits, boxDeltas], name: `detector_${config.pool}`});
}
