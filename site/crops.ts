/**
 * Crops: a scene drawn in code, pooled to a feature map, and the 14x14
 * RoIAlign and RoIPool crops of several boxes side by side.
 *
 * Hooks for the e2e tests: body[data-state], body[data-stride] and
 * body[data-aligned] (the settings of the crops on display), #scene (the
 * image the crops come from), and one canvas per crop with data-op
 * ('align' | 'pool') and data-box (x1,y1,x2,y2 in scene pixels); a crop
 * pixel is its value rounded and clamped to 0..255.
 */
import * as tf from '@tensorflow/tfjs';

import {roiAlign, roiPool} from '../src/index';

import {byId, latestOnly, showError, startBackend} from './lib/page';

const SCENE = 128;
const CROP = 14;
const CROP_PIXELS = 140;

type Box = [number, number, number, number];

/** Deliberately off the feature grid, so that rounding them moves them. */
const BOXES: Array<{box: Box, colour: string}> = [
  {box: [13.5, 17.25, 59.75, 54.5], colour: '#e53935'},
  {box: [70.25, 9.5, 118.5, 41.75], colour: '#43a047'},
  {box: [21.75, 67.5, 50.25, 121.25], colour: '#1e88e5'},
  {box: [61.5, 58.25, 101.75, 98.5], colour: '#fdd835'},
  {box: [92.25, 90.75, 124.5, 123.5], colour: '#8e24aa'},
];

function drawScene(ctx: CanvasRenderingContext2D): void {
  const sky = ctx.createLinearGradient(0, 0, 0, SCENE);
  sky.addColorStop(0, '#87b5e0');
  sky.addColorStop(1, '#f2efe4');
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, SCENE, SCENE);
  // A checkerboard shows misalignment most plainly.
  for (let r = 0; r < 8; r++) {
    for (let c = 0; c < 10; c++) {
      ctx.fillStyle = (r + c) % 2 === 0 ? '#222' : '#eee';
      ctx.fillRect(16 + 4 * c, 20 + 4 * r, 4, 4);
    }
  }
  ctx.fillStyle = '#d84315';
  ctx.beginPath();
  ctx.arc(94, 25, 13, 0, 2 * Math.PI);
  ctx.fill();
  ctx.fillStyle = '#2e7d32';
  ctx.beginPath();
  ctx.moveTo(24, 118);
  ctx.lineTo(36, 72);
  ctx.lineTo(48, 118);
  ctx.closePath();
  ctx.fill();
  for (let i = 0; i < 6; i++) {
    ctx.fillStyle = i % 2 === 0 ? '#3949ab' : '#ffb300';
    ctx.fillRect(64 + 6 * i, 62, 6, 34);
  }
  ctx.strokeStyle = '#111';
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.moveTo(94, 94);
  ctx.lineTo(122, 120);
  ctx.moveTo(122, 94);
  ctx.lineTo(94, 120);
  ctx.stroke();
}

/** The boxes go on an SVG over the scene, so the scene's pixels stay the ops' input. */
function drawBoxes(svg: SVGSVGElement): void {
  for (const {box: [x1, y1, x2, y2], colour} of BOXES) {
    const rect = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    for (const [name, value] of [['x', x1], ['y', y1], ['width', x2 - x1], ['height', y2 - y1]] as const) {
      rect.setAttribute(name, String(value));
    }
    rect.setAttribute('stroke', colour);
    svg.append(rect);
  }
}

/** Values to pixels: rounded and clamped to 0..255, opaque. */
function putPixels(canvas: HTMLCanvasElement, values: Float32Array, height: number, width: number): void {
  canvas.width = width;
  canvas.height = height;
  const image = new ImageData(width, height);
  for (let p = 0; p < height * width; p++) {
    for (let c = 0; c < 3; c++) image.data[4 * p + c] = Math.min(Math.max(Math.round(values[3 * p + c]), 0), 255);
    image.data[4 * p + 3] = 255;
  }
  canvas.getContext('2d')!.putImageData(image, 0, 0);
}

let scenePixels: Float32Array;

async function render(stride: number, aligned: boolean): Promise<void> {
  const boxes = BOXES.map(b => b.box);
  const {features, align, pool} = tf.tidy(() => {
    const scene = tf.tensor4d(scenePixels, [1, SCENE, SCENE, 3]);
    const map = stride === 1 ? scene : tf.avgPool(scene, stride, stride, 'valid') as tf.Tensor4D;
    const boxTensor = tf.tensor2d(boxes, [boxes.length, 4]);
    const boxIndices = tf.zeros([boxes.length], 'int32');
    const spatialScale = 1 / stride;
    return {
      features: map,
      align: roiAlign(map, boxTensor, boxIndices, CROP, {spatialScale, samplingRatio: 2, aligned}),
      pool: roiPool(map, boxTensor, boxIndices, CROP, {spatialScale}),
    };
  });
  try {
    const [featureValues, alignValues, poolValues] =
        await Promise.all([features, align, pool].map(t => t.data() as Promise<Float32Array>));
    const side = SCENE / stride;
    putPixels(byId('features'), featureValues, side, side);
    const sceneCanvas = byId<HTMLCanvasElement>('scene');
    const grid = byId('crops');
    grid.replaceChildren();
    const cropSize = CROP * CROP * 3;
    BOXES.forEach(({box, colour}, k) => {
      const figure = document.createElement('figure');
      figure.className = 'crop';
      const reference = document.createElement('canvas');
      reference.width = reference.height = CROP_PIXELS;
      reference.getContext('2d')!.drawImage(
          sceneCanvas, box[0], box[1], box[2] - box[0], box[3] - box[1], 0, 0, CROP_PIXELS, CROP_PIXELS);
      figure.append(reference);
      for (const [op, values] of [['align', alignValues], ['pool', poolValues]] as const) {
        const canvas = document.createElement('canvas');
        canvas.dataset.op = op;
        canvas.dataset.box = box.join(',');
        canvas.title = op === 'align' ? 'RoIAlign' : 'RoIPool';
        putPixels(canvas, values.subarray(k * cropSize, (k + 1) * cropSize), CROP, CROP);
        figure.append(canvas);
      }
      const caption = document.createElement('figcaption');
      caption.innerHTML = `<span class="swatch" style="background:${colour}"></span> box ${k}: (${box.join(', ')})` +
          ' — scene · RoIAlign · RoIPool';
      figure.append(caption);
      grid.append(figure);
    });
    document.body.dataset.stride = String(stride);
    document.body.dataset.aligned = String(aligned);
  } finally {
    tf.dispose([features, align, pool]);
  }
}

async function main(): Promise<void> {
  await startBackend();
  const sceneCanvas = byId<HTMLCanvasElement>('scene');
  const ctx = sceneCanvas.getContext('2d', {willReadFrequently: true})!;
  drawScene(ctx);
  const rgba = ctx.getImageData(0, 0, SCENE, SCENE).data;
  scenePixels = new Float32Array(SCENE * SCENE * 3);
  for (let p = 0; p < SCENE * SCENE; p++) {
    for (let c = 0; c < 3; c++) scenePixels[3 * p + c] = rgba[4 * p + c];
  }
  drawBoxes(byId<HTMLElement>('boxes') as unknown as SVGSVGElement);
  const stride = byId<HTMLSelectElement>('stride');
  const aligned = byId<HTMLInputElement>('aligned');
  const update = latestOnly(() => render(Number(stride.value), aligned.checked));
  stride.addEventListener('change', update);
  aligned.addEventListener('change', update);
  update();
}

main().catch(showError);
