/**
 * tf.layers for the ops: RoIAlign and RoIPool layers that take
 * [features, boxes [B,R,4]] and give [B,R,outH,outW,C].
 *
 * @tensorflow/tfjs-layers is an optional peer, so this module must not import
 * it. tfjs-layers registers its classes with tfjs-core's serialization map
 * when it loads; the base Layer class is found there (as the parent of
 * Dense), and the layer classes are defined on first use.
 */
import {cast, floorDiv, range, reshape, serialization, Tensor, tidy, version_core as versionCore} from '@tensorflow/tfjs-core';
import type {Tensor2D, Tensor4D} from '@tensorflow/tfjs-core';
import type {Layer, LayerArgs} from '@tensorflow/tfjs-layers/dist/engine/topology';

import {checkPoolOptions, fail, parseOutputSize, shapeText, show} from './args';
import {checkMultiScaleOptions, multiScaleRoiAlign} from './multi_scale_roi_align';
import type {MultiScaleRoIAlignOptions} from './multi_scale_roi_align';
import {checkRoIAlignOptions, roiAlign} from './roi_align';
import type {RoIAlignOptions} from './roi_align';
import {roiPool} from './roi_pool';
import type {RoIPoolOptions} from './roi_pool';

type Shape = Array<number|null>;

export interface RoIAlignLayerArgs extends RoIAlignOptions, LayerArgs {
  outputSize: number|[number, number];
}

export interface RoIPoolLayerArgs extends RoIPoolOptions, LayerArgs {
  outputSize: number|[number, number];
}

export interface MultiScaleRoIAlignLayerArgs extends MultiScaleRoIAlignOptions, LayerArgs {
  outputSize: number|[number, number];
}

/** Keys that belong to the op; the rest are tf.layers' own (name, trainable, ...). */
const ALIGN_KEYS = ['outputSize', 'spatialScale', 'samplingRatio', 'aligned', 'mode', 'dataFormat'];
const POOL_KEYS = ['outputSize', 'spatialScale', 'dataFormat'];
const MULTI_SCALE_KEYS = [
  'outputSize', 'imageSize', 'samplingRatio', 'canonicalScale', 'canonicalLevel', 'aligned', 'mode',
  'dataFormat'
];

/** The package name under which the layers are registered for serialization. */
export const LAYER_PACKAGE = 'tfjs-roi';

/**
 * Whether this module's tfjs-core is the one the app loaded first: tfjs-core
 * keeps its Tensor class in a global map, so a second copy (an app on another
 * tfjs version) finds the first copy's class there instead of its own.
 */
function otherTfjsCore(): boolean {
  const globals = (globalThis as {_tfGlobals?: Map<string, unknown>})._tfGlobals;
  const shared = globals?.get('Tensor');
  return shared !== undefined && shared !== Tensor;
}

function findLayerBase(): typeof Layer {
  const dense = serialization.SerializationMap.getMap().classNameMap['Dense'];
  if (!dense) {
    if (otherTfjsCore()) {
      throw new Error(`tfjs-roi layers: there are two copies of @tensorflow/tfjs-core: tfjs-roi's (${
          versionCore}) and the one your app loaded first, with its tfjs-layers. Layers registered with one copy are invisible to the other. Use @tensorflow/tfjs ~4.22 (tfjs-roi's peer) and check \`npm ls @tensorflow/tfjs-core\` shows one copy.`);
    }
    throw new Error(
        'tfjs-roi layers need @tensorflow/tfjs-layers (or @tensorflow/tfjs): import it first, or use the entry point tfjs-roi/layers, which loads it. (If you did import it, check that `npm ls @tensorflow/tfjs-core` shows one copy.)');
  }
  return Object.getPrototypeOf(dense[0]) as typeof Layer;
}

/** tf.layers' own config keys (LayerArgs), which go to the base Layer. */
const LAYER_KEYS = ['name', 'trainable', 'inputShape', 'batchInputShape', 'batchSize', 'dtype', 'inputDType', 'weights'];

/**
 * The config split into the op's part and tf.layers' part. A key that is
 * neither is refused: a misspelled option (samplingratio) would otherwise be
 * dropped silently and the default used.
 */
function split(args: object, opKeys: string[], opName: string) {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    fail(opName, `the layer config must be an object, got ${show(args)}`);
  }
  const op: Record<string, unknown> = {}, layer: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (opKeys.includes(key)) {
      op[key] = value;
    } else if (LAYER_KEYS.includes(key) || key === 'customObjects') {
      // tf.loadLayersModel passes customObjects along with a saved config.
      layer[key] = value;
    } else {
      fail(opName, `unknown option '${key}'; the options are ${opKeys.join(', ')} and tf.layers' ${
          LAYER_KEYS.join(', ')}`);
    }
  }
  return {op, layer: layer as LayerArgs};
}

/** The layer classes, defined once tfjs-layers' Layer is at hand. */
export interface RoILayerClasses {
  RoIAlignLayer: new (args: RoIAlignLayerArgs) => Layer;
  RoIPoolLayer: new (args: RoIPoolLayerArgs) => Layer;
  MultiScaleRoIAlignLayer: new (args: MultiScaleRoIAlignLayerArgs) => Layer;
}

function defineLayers(Base: typeof Layer): RoILayerClasses {
  /**
   * Shared by the layers: inputs [features..., boxes] (one feature map, or
   * one per pyramid level). Flattens [B,R,4] boxes to [B*R,4] with the batch
   * index of each, runs the op, and restores [B,R,...].
   */
  abstract class RoILayer extends Base {
    protected readonly opConfig: Record<string, unknown>;
    protected readonly outputHW: [number, number];
    protected readonly channelsFirst: boolean;

    /**
     * Checks the config now, with the op's own rules and messages, so that a
     * bad option fails when the layer is made rather than at the first predict.
     */
    constructor(
        args: object, opKeys: string[], protected readonly opName: string,
        checkOptions: (name: string, options: Record<string, unknown>) => unknown) {
      const {op, layer} = split(args, opKeys, opName);
      if (op.outputSize === undefined) fail(opName, 'the layer config needs outputSize');
      const outputHW = parseOutputSize(op.outputSize as number | [number, number], opName);
      const {outputSize: _, ...options} = op;
      checkOptions(opName, options);
      super(layer);
      this.outputHW = outputHW;
      this.opConfig = op;
      this.channelsFirst = op.dataFormat === 'NCHW';
    }

    protected abstract pool(features: Tensor4D[], boxes: Tensor2D, indices: Tensor): Tensor;

    /** How many feature inputs come before the boxes: exactly one, or (FPN) at least one. */
    protected readonly manyLevels: boolean = false;

    /**
     * Checks the input shapes when the model is built (or on the first call),
     * with errors that name features or boxes.
     */
    build(inputShape: Shape|Shape[]): void {
      const usage = this.manyLevels ? '[level features..., boxes [B,R,4]]' : '[features, boxes [B,R,4]]';
      const shapes = inputShape as Shape[];
      if (!Array.isArray(shapes[0])) {
        fail(this.opName, `the layer takes ${usage}, got one input of shape ${shapeText(shapes as unknown as number[])}`);
      }
      if (shapes.length < 2 || (!this.manyLevels && shapes.length !== 2)) {
        fail(this.opName, `the layer takes ${usage}, got ${shapes.length} inputs of shapes ${
            shapes.map(s => shapeText(s as number[])).join(', ')}`);
      }
      const boxes = shapes[shapes.length - 1];
      if (boxes.length !== 3 || (boxes[2] !== null && boxes[2] !== 4)) {
        fail(this.opName, `boxes (the last input) must be [B,R,4]: R boxes (x1, y1, x2, y2) per image, got shape ${
            shapeText(boxes as number[])}`);
      }
      shapes.slice(0, -1).forEach((features, i) => {
        const label = this.manyLevels ? `features[${i}]` : 'features';
        if (features.length !== 4) {
          fail(this.opName, `${label} must be 4-D [B,H,W,C] (or [B,C,H,W] with dataFormat 'NCHW'), got shape ${
              shapeText(features as number[])}`);
        }
        if (features[0] !== null && boxes[0] !== null && features[0] !== boxes[0]) {
          fail(this.opName, `${label} has batch size ${features[0]} and boxes ${boxes[0]}: they must share B`);
        }
      });
      super.build(inputShape);
    }

    computeOutputShape(inputShape: Shape|Shape[]): Shape {
      const shapes = inputShape as Shape[];
      const features = shapes[0], boxes = shapes[shapes.length - 1];
      const channels = this.channelsFirst ? features[1] : features[3];
      const [h, w] = this.outputHW;
      return this.channelsFirst ? [features[0], boxes[1], channels, h, w] :
                                  [features[0], boxes[1], h, w, channels];
    }

    call(inputs: Tensor|Tensor[]): Tensor {
      return tidy(() => {
        const tensors = inputs as Tensor[];
        const boxes = tensors[tensors.length - 1];
        const [batch, perImage] = boxes.shape;
        const flatBoxes = reshape(boxes, [batch * perImage, 4]) as Tensor2D;
        const indices = cast(floorDiv(range(0, batch * perImage, 1, 'int32'), perImage), 'int32');
        const pooled = this.pool(tensors.slice(0, -1) as Tensor4D[], flatBoxes, indices);
        return reshape(pooled, [batch, perImage, ...pooled.shape.slice(1)]);
      });
    }

    getConfig(): serialization.ConfigDict {
      return {...this.opConfig, ...super.getConfig()} as serialization.ConfigDict;
    }
  }

  class RoIAlignLayer extends RoILayer {
    static className = 'RoIAlign';
    constructor(args: RoIAlignLayerArgs) {
      super(args, ALIGN_KEYS, 'RoIAlign layer', checkRoIAlignOptions);
    }
    protected pool(features: Tensor4D[], boxes: Tensor2D, indices: Tensor) {
      const {outputSize: _, ...options} = this.opConfig;
      return roiAlign(features[0], boxes, indices, this.outputHW, options as RoIAlignOptions);
    }
  }

  class RoIPoolLayer extends RoILayer {
    static className = 'RoIPool';
    constructor(args: RoIPoolLayerArgs) {
      super(args, POOL_KEYS, 'RoIPool layer', (name, options) => checkPoolOptions(name, options, POOL_KEYS.slice(1)));
    }
    protected pool(features: Tensor4D[], boxes: Tensor2D, indices: Tensor) {
      const {outputSize: _, ...options} = this.opConfig;
      return roiPool(features[0], boxes, indices, this.outputHW, options as RoIPoolOptions);
    }
  }

  class MultiScaleRoIAlignLayer extends RoILayer {
    static className = 'MultiScaleRoIAlign';
    protected readonly manyLevels = true;
    constructor(args: MultiScaleRoIAlignLayerArgs) {
      super(args, MULTI_SCALE_KEYS, 'MultiScaleRoIAlign layer', (name, options) => {
        // The scales come from it; without it only the first call would fail.
        if (options.imageSize === undefined) {
          fail(name, 'the layer config needs imageSize: [height, width] of the input image');
        }
        checkMultiScaleOptions(name, options as unknown as MultiScaleRoIAlignOptions);
      });
    }
    protected pool(features: Tensor4D[], boxes: Tensor2D, indices: Tensor) {
      const {outputSize: _, ...options} = this.opConfig;
      return multiScaleRoiAlign(
          features, boxes, indices, this.outputHW, options as unknown as MultiScaleRoIAlignOptions);
    }
  }

  serialization.registerClass(RoIAlignLayer, LAYER_PACKAGE);
  serialization.registerClass(RoIPoolLayer, LAYER_PACKAGE);
  serialization.registerClass(MultiScaleRoIAlignLayer, LAYER_PACKAGE);
  return {RoIAlignLayer, RoIPoolLayer, MultiScaleRoIAlignLayer};
}

let layerClasses: RoILayerClasses|null = null;

/**
 * Defines the layer classes and registers them for tf.loadLayersModel.
 * Importing 'tfjs-roi' does this when tfjs-layers is already loaded; call it
 * yourself if tfjs-layers loads later and you load a saved model before
 * making a layer.
 */
export function registerRoILayers(): RoILayerClasses {
  if (layerClasses === null) layerClasses = defineLayers(findLayerBase());
  return layerClasses;
}

/** The class names the layers are saved under, and the class that makes each. */
const LAYER_CLASS_NAMES: Array<[string, keyof RoILayerClasses]> = [
  ['RoIAlign', 'RoIAlignLayer'], ['RoIPool', 'RoIPoolLayer'], ['MultiScaleRoIAlign', 'MultiScaleRoIAlignLayer']
];

/**
 * Registers the layers for tf.loadLayersModel whatever the import order: at
 * once if tfjs-layers is loaded, and otherwise as stand-ins that define the
 * real classes when a saved model first names them (tfjs-layers is loaded by
 * then, as it is what loads the model).
 */
export function registerRoILayersIfAvailable(): void {
  if (layerClasses !== null) return;
  if (serialization.SerializationMap.getMap().classNameMap['Dense']) {
    registerRoILayers();
    return;
  }
  for (const [className, key] of LAYER_CLASS_NAMES) {
    if (serialization.SerializationMap.getMap().classNameMap[className]) continue;
    const standIn = class extends serialization.Serializable {
      static className = className;
      static fromConfig<T extends serialization.Serializable>(
          _cls: serialization.SerializableConstructor<T>, config: serialization.ConfigDict): T {
        return new (registerRoILayers()[key])(config as never) as unknown as T;
      }
      getConfig(): serialization.ConfigDict {
        return {};
      }
    };
    serialization.registerClass(standIn, LAYER_PACKAGE);
  }
}

/** Layer factories, in the style of tf.layers. */
export const layers = {
  /** An RoIAlign layer: inputs [features, boxes [B,R,4]], output [B,R,outH,outW,C]. */
  roiAlign: (args: RoIAlignLayerArgs): Layer => new (registerRoILayers().RoIAlignLayer)(args),
  /** An RoIPool layer: inputs [features, boxes [B,R,4]], output [B,R,outH,outW,C]. */
  roiPool: (args: RoIPoolLayerArgs): Layer => new (registerRoILayers().RoIPoolLayer)(args),
  /**
   * The FPN pooler: inputs [level features..., boxes [B,R,4]] (finest level
   * first), output [B,R,outH,outW,C].
   */
  multiScaleRoiAlign: (args: MultiScaleRoIAlignLayerArgs): Layer =>
      new (registerRoILayers().MultiScaleRoIAlignLayer)(args),
};
