/**
 * The training page: trains the shapes detector of examples/shapes/ on the
 * backend of ?backend=cpu|webgl|webgpu through ?pool=align|pool, drawing the
 * loss and accuracy as it goes and held-out predictions at each evaluation.
 * `window.trainingResult` resolves to the run's TrainingResult with the
 * threshold verdict (the e2e test reads it); body[data-status] tells
 * running / done / error.
 */
import {Batch, Box, CLASS_NAMES, iou} from '../examples/shapes/data';
import {PoolKind} from '../examples/shapes/model';
import {passesThresholds} from '../examples/shapes/thresholds';
import {Evaluation, TrainingResult, defaultTrainConfig, summarize, train} from '../examples/shapes/train';
import {backendFromUrl, useBackend} from './lib/backend';

export type PageResult = TrainingResult & {ok: boolean, failures: string[]};

declare global {
  interface Window {
    trainingResult: Promise<PageResult>;
  }
}

const CLASS_COLOURS = ['#888', '#d62728', '#1f77b4', '#2ca02c'];
const SAMPLE_IMAGES = 14;
const SAMPLE_SCALE = 3;

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function poolFromUrl(): PoolKind {
  const requested = new URLSearchParams(location.search).get('pool') ?? 'align';
  if (requested !== 'align' && requested !== 'pool') throw new Error(`pool=${requested} in the URL: expected align or pool`);
  return requested;
}

function linkChoices(current: Record<string, string>) {
  document.querySelectorAll<HTMLAnchorElement>('.choices a').forEach(link => {
    const param = link.dataset.param!, value = link.dataset.value!;
    const query = new URLSearchParams(location.search);
    query.set(param, value);
    link.href = `?${query}`;
    link.classList.toggle('current', current[param] === value);
  });
}

/** A line chart of y over x on a canvas, axes from 0 to the given maxima. */
function drawChart(canvas: HTMLCanvasElement, points: Array<[number, number]>, xMax: number, yMax: number, label: (y: number) => string) {
  const context = canvas.getContext('2d')!;
  const {width, height} = canvas;
  const left = 44, bottom = 20, top = 8, right = 8;
  context.clearRect(0, 0, width, height);
  context.strokeStyle = '#ccc';
  context.fillStyle = '#555';
  context.font = '11px sans-serif';
  for (let i = 0; i <= 4; i++) {
    const y = top + (height - top - bottom) * i / 4;
    context.beginPath();
    context.moveTo(left, y);
    context.lineTo(width - right, y);
    context.stroke();
    context.fillText(label(yMax * (1 - i / 4)), 2, y + 4);
  }
  context.fillText('0', left, height - 5);
  context.fillText(`step ${xMax}`, width - right - 50, height - 5);
  context.strokeStyle = '#1f77b4';
  context.lineWidth = 1.5;
  context.beginPath();
  points.forEach(([x, y], i) => {
    const px = left + (width - left - right) * x / xMax;
    const py = top + (height - top - bottom) * (1 - Math.min(y, yMax) / yMax);
    if (i === 0) context.moveTo(px, py); else context.lineTo(px, py);
  });
  context.stroke();
}

function drawSamples(heldOut: Batch, evaluation: Evaluation) {
  const container = element<HTMLDivElement>('samples');
  const {imageSize: size, roisPerImage} = heldOut;
  const canvases = container.querySelectorAll('canvas');
  for (let b = 0; b < Math.min(SAMPLE_IMAGES, heldOut.size); b++) {
    const canvas = canvases[b] ?? container.appendChild(document.createElement('canvas'));
    canvas.width = canvas.height = size * SAMPLE_SCALE;
    const context = canvas.getContext('2d')!;
    const pixels = new ImageData(size, size);
    for (let i = 0; i < size * size; i++) {
      for (let c = 0; c < 3; c++) pixels.data[i * 4 + c] = Math.round(255 * heldOut.images[(b * size * size + i) * 3 + c]);
      pixels.data[i * 4 + 3] = 255;
    }
    const small = document.createElement('canvas');
    small.width = small.height = size;
    small.getContext('2d')!.putImageData(pixels, 0, 0);
    context.imageSmoothingEnabled = false;
    context.drawImage(small, 0, 0, size * SAMPLE_SCALE, size * SAMPLE_SCALE);
    const s = SAMPLE_SCALE;
    for (const k of detections(evaluation, b * roisPerImage, (b + 1) * roisPerImage)) {
      const label = evaluation.predictedLabels[k];
      const [x1, y1, x2, y2] = evaluation.refinedBoxes.subarray(k * 4, k * 4 + 4);
      context.strokeStyle = CLASS_COLOURS[label];
      context.lineWidth = 2;
      context.strokeRect(x1 * s, y1 * s, (x2 - x1) * s, (y2 - y1) * s);
      context.font = '11px sans-serif';
      const caption = `${CLASS_NAMES[label]} ${(100 * evaluation.scores[k]).toFixed(0)}%`;
      const captionY = Math.max(11, y1 * s - 2);
      // A light backing keeps the caption readable on any background colour.
      context.fillStyle = 'rgba(255, 255, 255, 0.8)';
      context.fillRect(x1 * s, captionY - 10, context.measureText(caption).width + 4, 13);
      context.fillStyle = CLASS_COLOURS[label];
      context.fillText(caption, x1 * s + 2, captionY);
    }
  }
}

/**
 * The RoIs in [from, to) the head calls a shape, most confident first, each
 * kept only if its refined box overlaps no kept one by IoU 0.5 or more
 * (greedy non-maximum suppression): several proposals cover each shape.
 */
function detections(evaluation: Evaluation, from: number, to: number): number[] {
  const box = (k: number) => Array.from(evaluation.refinedBoxes.subarray(k * 4, k * 4 + 4)) as Box;
  const candidates = [];
  for (let k = from; k < to; k++) if (evaluation.predictedLabels[k] > 0) candidates.push(k);
  candidates.sort((a, b) => evaluation.scores[b] - evaluation.scores[a]);
  const kept: number[] = [];
  for (const k of candidates) if (kept.every(j => iou(box(j), box(k)) < 0.5)) kept.push(k);
  return kept;
}

async function run(): Promise<PageResult> {
  const backend = backendFromUrl();
  const pool = poolFromUrl();
  linkChoices({backend, pool});
  element('pool-name').textContent = pool === 'align' ? 'RoIAlign' : 'RoIPool';
  const status = element('status');
  status.textContent = `starting the ${backend} backend`;
  await useBackend(backend);

  const config = defaultTrainConfig(pool);
  const losses: Array<[number, number]> = [], accuracies: Array<[number, number]> = [];
  let lossMax = 0;
  const progress = element<HTMLProgressElement>('progress');
  document.body.dataset.status = 'running';
  const {model, result, heldOut, evaluation} = await train(config, {
    onStep: async r => {
      losses.push([r.step, r.loss]);
      lossMax = Math.max(lossMax, r.loss);
      progress.value = r.step / r.steps;
      status.textContent = `step ${r.step} of ${r.steps} on ${backend}: loss ${r.loss.toFixed(3)} ` +
          `(class ${r.classLoss.toFixed(3)}, box ${r.boxLoss.toFixed(3)}), ${r.ms.toFixed(0)} ms per step`;
      drawChart(element('loss-chart'), losses, r.steps, lossMax, y => y.toFixed(2));
      // Lets the page paint: on cpu a step never yields to the event loop by itself.
      await new Promise(resolve => setTimeout(resolve, 0));
    },
    onEvaluation: (step, e, heldOut) => {
      accuracies.push([step, e.accuracy]);
      drawChart(element('accuracy-chart'), accuracies, config.steps, 1, y => `${(100 * y).toFixed(0)}%`);
      drawSamples(heldOut, e);
    },
  });
  drawSamples(heldOut, evaluation);
  model.dispose();
  const verdict = passesThresholds(result);
  element('summary').textContent = summarize(result) + (verdict.ok ? '' : `\nthresholds missed: ${verdict.failures.join('; ')}`);
  status.textContent = `done: ${result.steps} steps in ${result.seconds.toFixed(1)} s, ` +
      `held-out accuracy ${(100 * result.accuracy).toFixed(1)}%`;
  return {...result, ...verdict};
}

window.trainingResult = run();
window.trainingResult.then(() => {
  document.body.dataset.status = 'done';
}, error => {
  document.body.dataset.status = 'error';
  element('status').textContent = `failed: ${error}`;
  console.error(error);
});
