/**
 * The explainer: one box on an 8x8 feature map, pooled by RoIPool and by
 * RoIAlign. The outputs and gradients come from the package's ops on the
 * chosen backend; the drawings of bins and samples come from the package's
 * geometry (src/geometry.ts), the same code the cpu kernels run.
 *
 * Hooks for the e2e tests: body[data-state] ('busy' | 'ready' | 'error'),
 * the canvases' data-geometry (what they draw, as JSON),
 * body[data-box], [data-out-size], [data-sampling-ratio], [data-aligned],
 * [data-mode] and [data-selected] (the settings of the numbers on display), the canvases'
 * data-cell / data-pad (pixels per cell, margin), and data-value on every
 * number cell of the output, gradient and feature-map tables.
 */
import * as tf from '@tensorflow/tfjs';

import {alignAxisFrame, alignAxisSamples, AlignAxisParams, alignBinStart, alignSamplePosition, AxisSamples, poolBoxBins, PoolBoxBins} from '../src/geometry';
import {roiAlign, roiPool} from '../src/index';
import type {RoIAlignMode} from '../src/index';

import {byId, latestOnly, showError, startBackend} from './lib/page';

const SIZE = 8;
/** Canvas pixels per feature-map cell, and the margin that shows samples just outside the map. */
const CELL = 56;
const PAD = 40;
/** Box corners snap to 1/8 of a cell: exact in float32, and fine enough to drag. */
const SNAP = 8;

type Box = [number, number, number, number];

interface Settings {
  values: Float32Array;
  box: Box;
  outSize: number;
  samplingRatio: number;
  aligned: boolean;
  mode: RoIAlignMode;
  /** The output cell [i, j] whose gradient is shown. */
  selected: [number, number];
}

interface Results {
  settings: Settings;
  align: Float32Array;
  pool: Float32Array;
  alignDx: Float32Array;
  alignDBox: Float32Array;
  poolDx: Float32Array;
  /** Per RoIPool bin, the flat index of the cell its gradient reaches, or -1 for an empty bin. */
  poolMaxCell: Int32Array;
}

const settings: Settings = {
  values: defaultValues(),
  box: [1.25, 1.5, 5.75, 6.25],
  outSize: 2,
  samplingRatio: 2,
  aligned: false,
  mode: 'avg',
  selected: [0, 0],
};

function defaultValues(): Float32Array {
  return Float32Array.from({length: SIZE * SIZE}, (_, i) => i);
}

function snap(v: number): number {
  return Math.round(v * SNAP) / SNAP;
}

function snapshot(s: Settings): Settings {
  return {...s, values: s.values.slice(), box: [...s.box] as Box, selected: [...s.selected] as [number, number]};
}

/** Everything on display, from the package's ops; tensors read with await data() (webgpu allows nothing else). */
async function compute(s: Settings): Promise<Results> {
  const n = s.outSize;
  const bins = n * n;
  const outputs = tf.tidy(() => {
    const x = tf.tensor4d(s.values, [1, SIZE, SIZE, 1]);
    const boxes = tf.tensor2d([s.box], [1, 4]);
    const boxIndices = tf.tensor1d([0], 'int32');
    const alignOptions = {samplingRatio: s.samplingRatio, aligned: s.aligned, mode: s.mode};
    const dyBuffer = tf.buffer([1, n, n, 1], 'float32');
    dyBuffer.set(1, 0, s.selected[0], s.selected[1], 0);
    const dy = dyBuffer.toTensor();
    const [alignDx, alignDBox] = tf.grads(
        (xt: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(roiAlign(xt as tf.Tensor4D, b as tf.Tensor2D, boxIndices, n, alignOptions), dy)))(
        [x, boxes]);
    const poolDx = tf.grad(xt => tf.sum(tf.mul(roiPool(xt as tf.Tensor4D, boxes, boxIndices, n), dy)))(x);
    // Each bin's max cell, as the gradient shows it: one copy of the map per
    // bin, the box on each, and dy = 1 at that copy's bin only.
    const copies = tf.tile(x, [bins, 1, 1, 1]);
    const perBinDx = tf.grad(
        xt => tf.sum(tf.mul(
            roiPool(xt as tf.Tensor4D, tf.tile(boxes, [bins, 1]), tf.range(0, bins, 1, 'int32'), n),
            tf.reshape(tf.eye(bins), [bins, n, n, 1]))))(copies);
    return {
      align: roiAlign(x, boxes, boxIndices, n, alignOptions),
      pool: roiPool(x, boxes, boxIndices, n),
      alignDx, alignDBox, poolDx, perBinDx,
    };
  });
  try {
    const [align, pool, alignDx, alignDBox, poolDx, perBinDx] = await Promise.all(
        [outputs.align, outputs.pool, outputs.alignDx, outputs.alignDBox, outputs.poolDx, outputs.perBinDx].map(
            t => t.data() as Promise<Float32Array>));
    const poolMaxCell = new Int32Array(bins).fill(-1);
    for (let b = 0; b < bins; b++) {
      for (let cell = 0; cell < SIZE * SIZE; cell++) {
        if (perBinDx[b * SIZE * SIZE + cell] !== 0) poolMaxCell[b] = cell;
      }
    }
    return {settings: s, align, pool, alignDx, alignDBox, poolDx, poolMaxCell};
  } finally {
    tf.dispose(outputs);
  }
}

// ---- geometry for the drawings, from src/geometry.ts ----

interface AlignAxisPicture {
  params: AlignAxisParams;
  frame: ReturnType<typeof alignAxisFrame>;
  samples: AxisSamples;
  /** Sample positions before clamping, bin-major, in sampling coordinates. */
  positions: number[];
  /** The outSize + 1 bin edges, in sampling coordinates. */
  binEdges: number[];
}

function alignAxisPicture(s: Settings, start: number, end: number): AlignAxisPicture {
  const params: AlignAxisParams = {
    start, end, pooled: s.outSize, size: SIZE, spatialScale: 1, samplingRatio: s.samplingRatio, aligned: s.aligned,
  };
  const frame = alignAxisFrame(params);
  const positions: number[] = [];
  const binEdges: number[] = [];
  for (let bin = 0; bin < s.outSize; bin++) {
    const binStart = alignBinStart(frame.roiStart, frame.binSize, bin);
    binEdges.push(binStart);
    for (let k = 0; k < frame.grid; k++) positions.push(alignSamplePosition(binStart, frame.binSize, frame.grid, k));
  }
  binEdges.push(binEdges[s.outSize - 1] + frame.binSize);
  return {params, frame, samples: alignAxisSamples(params), positions, binEdges};
}

function poolPicture(s: Settings): PoolBoxBins|null {
  return poolBoxBins(
      {height: SIZE, width: SIZE, batch: 1, pooledHeight: s.outSize, pooledWidth: s.outSize, spatialScale: 1},
      s.box, [0], 0);
}

// ---- drawing ----

/** Sampling position p reads cell p exactly; cell i is drawn over [i, i+1), so its centre is i + 0.5. */
const px = (u: number) => PAD + u * CELL;
const samplePx = (position: number) => px(position + 0.5);

function valueRange(values: ArrayLike<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  return [lo, hi];
}

function valueColour(v: number, [lo, hi]: [number, number]): string {
  const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
  return `hsl(210, 60%, ${Math.round(96 - 46 * t)}%)`;
}

function formatValue(v: number, digits = 2): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(digits);
}

function prepareCanvas(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const side = 2 * PAD + SIZE * CELL;
  const ratio = window.devicePixelRatio || 1;
  if (canvas.width !== side * ratio) {
    canvas.width = canvas.height = side * ratio;
    canvas.style.width = canvas.style.height = `${side}px`;
    canvas.dataset.cell = String(CELL);
    canvas.dataset.pad = String(PAD);
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, side, side);
  return ctx;
}

function drawMap(ctx: CanvasRenderingContext2D, values: Float32Array): void {
  const range = valueRange(values);
  ctx.font = '13px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (let h = 0; h < SIZE; h++) {
    for (let w = 0; w < SIZE; w++) {
      const v = values[h * SIZE + w];
      ctx.fillStyle = valueColour(v, range);
      ctx.fillRect(px(w), px(h), CELL, CELL);
      ctx.fillStyle = '#333';
      ctx.fillText(formatValue(v, 1), px(w + 0.5), px(h + 0.5));
    }
  }
  ctx.strokeStyle = 'rgba(0,0,0,0.25)';
  ctx.lineWidth = 1;
  for (let i = 0; i <= SIZE; i++) {
    line(ctx, px(i), px(0), px(i), px(SIZE));
    line(ctx, px(0), px(i), px(SIZE), px(i));
  }
  ctx.fillStyle = '#888';
  ctx.font = '11px system-ui, sans-serif';
  for (let i = 0; i < SIZE; i++) {
    ctx.fillText(String(i), px(i + 0.5), PAD / 2);
    ctx.fillText(String(i), PAD / 2, px(i + 0.5));
  }
}

function line(ctx: CanvasRenderingContext2D, x1: number, y1: number, x2: number, y2: number): void {
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
}

function drawUserBox(ctx: CanvasRenderingContext2D, box: Box): void {
  const [x1, y1, x2, y2] = box;
  ctx.save();
  ctx.setLineDash([6, 4]);
  ctx.strokeStyle = '#1a237e';
  ctx.lineWidth = 2;
  ctx.strokeRect(px(x1), px(y1), px(x2) - px(x1), px(y2) - px(y1));
  ctx.setLineDash([]);
  ctx.fillStyle = '#1a237e';
  for (const [cx, cy] of [[x1, y1], [x2, y1], [x1, y2], [x2, y2]]) ctx.fillRect(px(cx) - 4, px(cy) - 4, 8, 8);
  ctx.restore();
}

function drawPool(r: Results): void {
  const s = r.settings;
  const ctx = prepareCanvas(byId<HTMLCanvasElement>('pool-canvas'));
  drawMap(ctx, s.values);
  const bins = poolPicture(s);
  ctx.canvas.dataset.geometry = JSON.stringify(bins === null ? null : {
    binsX: Array.from(bins.x.start, (start, j) => [start, bins.x.end[j]]),
    binsY: Array.from(bins.y.start, (start, i) => [start, bins.y.end[i]]),
    maxCells: Array.from(r.poolMaxCell),
  });
  if (bins !== null) {
    const n = s.outSize;
    let left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const [y0, y1, x0, x1] = [bins.y.start[i], bins.y.end[i], bins.x.start[j], bins.x.end[j]];
        if (y1 <= y0 || x1 <= x0) continue;
        left = Math.min(left, x0), top = Math.min(top, y0), right = Math.max(right, x1), bottom = Math.max(bottom, y1);
        const selected = i === s.selected[0] && j === s.selected[1];
        // Neighbouring bins can share cells, so each is inset a little to stay visible.
        const inset = 3 + 2 * ((i + j) % 2);
        ctx.fillStyle = selected ? 'rgba(255, 193, 7, 0.35)' : 'rgba(255, 152, 0, 0.08)';
        ctx.fillRect(px(x0) + inset, px(y0) + inset, px(x1) - px(x0) - 2 * inset, px(y1) - px(y0) - 2 * inset);
        ctx.strokeStyle = '#e65100';
        ctx.lineWidth = selected ? 2.5 : 1.5;
        ctx.strokeRect(px(x0) + inset, px(y0) + inset, px(x1) - px(x0) - 2 * inset, px(y1) - px(y0) - 2 * inset);
      }
    }
    if (right > left) {
      ctx.strokeStyle = '#bf360c';
      ctx.lineWidth = 3;
      ctx.strokeRect(px(left), px(top), px(right) - px(left), px(bottom) - px(top));
    }
    for (let b = 0; b < n * n; b++) {
      const cell = r.poolMaxCell[b];
      if (cell < 0) continue;
      const selected = b === s.selected[0] * n + s.selected[1];
      const h = Math.floor(cell / SIZE), w = cell % SIZE;
      ctx.strokeStyle = '#c62828';
      ctx.lineWidth = selected ? 4 : 2;
      ctx.beginPath();
      ctx.arc(px(w + 0.5), px(h + 0.5), CELL * (selected ? 0.36 : 0.3), 0, 2 * Math.PI);
      ctx.stroke();
    }
  }
  drawUserBox(ctx, s.box);
}

function drawAlign(r: Results): void {
  const s = r.settings;
  const ctx = prepareCanvas(byId<HTMLCanvasElement>('align-canvas'));
  drawMap(ctx, s.values);
  const ys = alignAxisPicture(s, s.box[1], s.box[3]);
  const xs = alignAxisPicture(s, s.box[0], s.box[2]);
  const n = s.outSize;
  const [si, sj] = s.selected;

  const edge = (axis: AlignAxisPicture, b: number) => samplePx(axis.binEdges[b]);
  ctx.fillStyle = 'rgba(255, 235, 59, 0.35)';
  ctx.fillRect(edge(xs, sj), edge(ys, si), edge(xs, sj + 1) - edge(xs, sj), edge(ys, si + 1) - edge(ys, si));
  ctx.strokeStyle = '#2e7d32';
  ctx.lineWidth = 1.5;
  for (let b = 0; b <= n; b++) {
    line(ctx, edge(xs, b), edge(ys, 0), edge(xs, b), edge(ys, n));
    line(ctx, edge(xs, 0), edge(ys, b), edge(xs, n), edge(ys, b));
  }

  const gy = ys.frame.grid, gx = xs.frame.grid;
  const labels: Array<[string, number, number]> = [];
  // Every sample's four neighbours, faintly; the selected bin's with their weights.
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const selected = i === si && j === sj;
        if ((pass === 1) !== selected) continue;
        for (let a = i * gy; a < (i + 1) * gy; a++) {
          for (let c = j * gx; c < (j + 1) * gx; c++) {
            if (!ys.samples.inside[a] || !xs.samples.inside[c]) continue;
            for (const [h, wy] of [[ys.samples.low[a], ys.samples.lowWeight[a]], [ys.samples.high[a], ys.samples.highWeight[a]]]) {
              for (const [w, wx] of [[xs.samples.low[c], xs.samples.lowWeight[c]], [xs.samples.high[c], xs.samples.highWeight[c]]]) {
                const weight = wy * wx;
                if (weight === 0) continue;
                const [sx, sy] = [samplePx(xs.positions[c]), samplePx(ys.positions[a])];
                const [cx, cy] = [px(w + 0.5), px(h + 0.5)];
                ctx.strokeStyle = selected ? `rgba(123, 31, 162, ${0.3 + 0.7 * weight})` : `rgba(46, 125, 50, ${0.35 * weight})`;
                ctx.lineWidth = selected ? 1 + 3 * weight : 1;
                line(ctx, sx, sy, cx, cy);
                if (selected) labels.push([weight.toFixed(2), sx + 0.6 * (cx - sx), sy + 0.6 * (cy - sy)]);
              }
            }
          }
        }
      }
    }
  }
  for (let a = 0; a < ys.positions.length; a++) {
    for (let c = 0; c < xs.positions.length; c++) {
      const inside = ys.samples.inside[a] && xs.samples.inside[c];
      ctx.beginPath();
      ctx.arc(samplePx(xs.positions[c]), samplePx(ys.positions[a]), 4, 0, 2 * Math.PI);
      if (inside) {
        ctx.fillStyle = '#1b5e20';
        ctx.fill();
      } else {
        ctx.strokeStyle = '#c62828';
        ctx.lineWidth = 1.5;
        ctx.stroke();
      }
    }
  }
  // Weights last, on a light ground, so that the map's numbers do not hide them.
  ctx.font = '10px system-ui, sans-serif';
  for (const [text, x, y] of labels) {
    const width = ctx.measureText(text).width + 4;
    ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
    ctx.fillRect(x - width / 2, y - 6, width, 12);
    ctx.fillStyle = '#4a148c';
    ctx.fillText(text, x, y);
  }
  drawUserBox(ctx, s.box);
  ctx.canvas.dataset.geometry = JSON.stringify({
    binEdgesX: xs.binEdges, binEdgesY: ys.binEdges, samplesX: xs.positions, samplesY: ys.positions,
    insideX: Array.from(xs.samples.inside.subarray(0, xs.positions.length)),
    insideY: Array.from(ys.samples.inside.subarray(0, ys.positions.length)),
  });
  fillSamplesTable(ys, xs, si, sj);
}

function fillSamplesTable(ys: AlignAxisPicture, xs: AlignAxisPicture, i: number, j: number): void {
  const table = byId<HTMLTableElement>('samples');
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const title of ['sample (y, x)', 'neighbour (row, col): weight']) head.insertCell().textContent = title;
  const body = table.createTBody();
  const gy = ys.frame.grid, gx = xs.frame.grid;
  for (let a = i * gy; a < (i + 1) * gy; a++) {
    for (let c = j * gx; c < (j + 1) * gx; c++) {
      const row = body.insertRow();
      row.insertCell().textContent = `(${ys.positions[a].toFixed(3)}, ${xs.positions[c].toFixed(3)})`;
      const cell = row.insertCell();
      if (!ys.samples.inside[a] || !xs.samples.inside[c]) {
        cell.textContent = 'outside the map: reads 0';
        continue;
      }
      const parts: string[] = [];
      for (const [h, wy] of [[ys.samples.low[a], ys.samples.lowWeight[a]], [ys.samples.high[a], ys.samples.highWeight[a]]]) {
        for (const [w, wx] of [[xs.samples.low[c], xs.samples.lowWeight[c]], [xs.samples.high[c], xs.samples.highWeight[c]]]) {
          parts.push(`(${h}, ${w}): ${(wy * wx).toFixed(4)}`);
        }
      }
      cell.textContent = parts.join('   ');
    }
  }
  if (gy * gx === 0) body.insertRow().insertCell().textContent = 'no samples: the bin is 0';
}

// ---- tables ----

function fillGrid(
    table: HTMLTableElement, rows: number, cols: number, values: ArrayLike<number>,
    format: (v: number) => string, colour: (v: number) => string,
    onPick?: (i: number, j: number) => void, picked?: [number, number]): void {
  table.replaceChildren();
  const body = table.createTBody();
  for (let i = 0; i < rows; i++) {
    const row = body.insertRow();
    for (let j = 0; j < cols; j++) {
      const v = values[i * cols + j];
      const cell = row.insertCell();
      cell.dataset.i = String(i);
      cell.dataset.j = String(j);
      cell.dataset.value = String(v);
      cell.textContent = format(v);
      cell.style.background = colour(v);
      if (picked !== undefined && picked[0] === i && picked[1] === j) cell.classList.add('picked');
      if (onPick !== undefined) cell.addEventListener('click', () => onPick(i, j));
    }
  }
}

function gradientColour(values: ArrayLike<number>): (v: number) => string {
  let peak = 0;
  for (let i = 0; i < values.length; i++) peak = Math.max(peak, Math.abs(values[i]));
  return v => v === 0 || peak === 0 ? '' : `rgba(${v > 0 ? '123, 31, 162' : '198, 40, 40'}, ${0.15 + 0.7 * Math.abs(v) / peak})`;
}

function render(r: Results): void {
  const s = r.settings;
  const n = s.outSize;
  drawPool(r);
  drawAlign(r);
  const pick = (i: number, j: number) => {
    settings.selected = [i, j];
    requestCompute();
  };
  const range = valueRange(s.values);
  const colour = (v: number) => valueColour(v, range);
  fillGrid(byId('pool-output'), n, n, r.pool, v => formatValue(v), colour, pick, s.selected);
  fillGrid(byId('align-output'), n, n, r.align, v => formatValue(v), colour, pick, s.selected);
  const gradText = (v: number) => v === 0 ? '·' : formatValue(v, 3);
  fillGrid(byId('pool-grad'), SIZE, SIZE, r.poolDx, gradText, gradientColour(r.poolDx));
  fillGrid(byId('align-grad'), SIZE, SIZE, r.alignDx, gradText, gradientColour(r.alignDx));
  const boxGrad = byId('align-box-grad');
  boxGrad.textContent = Array.from(r.alignDBox, v => v.toFixed(3)).join(', ');
  boxGrad.dataset.value = JSON.stringify(Array.from(r.alignDBox));
  byId('selected-cell').textContent = `row ${s.selected[0]}, column ${s.selected[1]}`;
  Object.assign(document.body.dataset, {
    box: s.box.join(','),
    outSize: String(n),
    samplingRatio: String(s.samplingRatio),
    aligned: String(s.aligned),
    mode: s.mode,
    selected: s.selected.join(','),
  });
}

// ---- controls ----

const requestCompute = latestOnly(async () => {
  showControls();
  const results = await compute(snapshot(settings));
  render(results);
});

const BOX_FIELDS = ['box-x1', 'box-y1', 'box-x2', 'box-y2'];

function showControls(): void {
  BOX_FIELDS.forEach((id, k) => byId<HTMLInputElement>(id).value = String(settings.box[k]));
}

function fillEditor(): void {
  const table = byId<HTMLTableElement>('feature-map');
  table.replaceChildren();
  const body = table.createTBody();
  for (let h = 0; h < SIZE; h++) {
    const row = body.insertRow();
    for (let w = 0; w < SIZE; w++) {
      const input = document.createElement('input');
      input.type = 'number';
      input.step = 'any';
      input.value = String(settings.values[h * SIZE + w]);
      input.id = `map-${h}-${w}`;
      input.addEventListener('change', () => {
        const v = Number(input.value);
        if (!Number.isFinite(v)) return;
        settings.values[h * SIZE + w] = v;
        requestCompute();
      });
      row.insertCell().append(input);
    }
  }
}

function setBox(box: Box): void {
  const clamp = (v: number) => Math.min(Math.max(snap(v), 0), SIZE);
  const [x1, y1, x2, y2] = box.map(clamp);
  settings.box = [Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2)];
  requestCompute();
}

/** Pointer position in feature-map cells. */
function mapPoint(canvas: HTMLCanvasElement, event: PointerEvent): [number, number] {
  const rect = canvas.getBoundingClientRect();
  return [(event.clientX - rect.left - PAD) / CELL, (event.clientY - rect.top - PAD) / CELL];
}

/** Drag inside the box to move it, a corner to resize it, elsewhere to draw a new one. */
function attachDrag(canvas: HTMLCanvasElement): void {
  let drag: ((u: number, v: number) => void)|null = null;
  canvas.addEventListener('pointerdown', event => {
    const [u, v] = mapPoint(canvas, event);
    const [x1, y1, x2, y2] = settings.box;
    const reach = 10 / CELL;
    const near = (a: number, b: number) => Math.abs(a - b) <= reach;
    const cornerX = near(u, x1) ? 0 : near(u, x2) ? 2 : -1;
    const cornerY = near(v, y1) ? 1 : near(v, y2) ? 3 : -1;
    if (cornerX >= 0 && cornerY >= 0) {
      const anchorX = settings.box[2 - cornerX], anchorY = settings.box[4 - cornerY];
      drag = (pu, pv) => setBox([anchorX, anchorY, pu, pv]);
    } else if (u > x1 && u < x2 && v > y1 && v < y2) {
      const start = [...settings.box] as Box;
      const width = x2 - x1, height = y2 - y1;
      drag = (pu, pv) => {
        const left = Math.min(Math.max(snap(start[0] + pu - u), 0), SIZE - width);
        const top = Math.min(Math.max(snap(start[1] + pv - v), 0), SIZE - height);
        setBox([left, top, left + width, top + height]);
      };
    } else {
      drag = (pu, pv) => setBox([u, v, pu, pv]);
    }
    canvas.setPointerCapture(event.pointerId);
    event.preventDefault();
  });
  canvas.addEventListener('pointermove', event => {
    if (drag !== null) drag(...mapPoint(canvas, event));
  });
  const end = () => drag = null;
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
}

function attachControls(): void {
  const outSize = byId<HTMLSelectElement>('output-size');
  outSize.addEventListener('change', () => {
    settings.outSize = Number(outSize.value);
    settings.selected = [Math.min(settings.selected[0], settings.outSize - 1), Math.min(settings.selected[1], settings.outSize - 1)];
    requestCompute();
  });
  const ratio = byId<HTMLInputElement>('sampling-ratio');
  ratio.addEventListener('change', () => {
    const v = Math.round(Number(ratio.value));
    settings.samplingRatio = Number.isFinite(v) ? Math.min(Math.max(v, 0), 8) : 0;
    ratio.value = String(settings.samplingRatio);
    requestCompute();
  });
  const aligned = byId<HTMLInputElement>('aligned');
  aligned.addEventListener('change', () => {
    settings.aligned = aligned.checked;
    requestCompute();
  });
  const mode = byId<HTMLSelectElement>('mode');
  mode.addEventListener('change', () => {
    settings.mode = mode.value as RoIAlignMode;
    requestCompute();
  });
  for (const id of BOX_FIELDS) {
    byId<HTMLInputElement>(id).addEventListener('change', () => {
      const box = BOX_FIELDS.map(f => Number(byId<HTMLInputElement>(f).value));
      if (box.every(Number.isFinite)) setBox(box as Box);
    });
  }
  byId('reset-map').addEventListener('click', () => {
    settings.values = defaultValues();
    fillEditor();
    requestCompute();
  });
  byId('random-map').addEventListener('click', () => {
    settings.values = Float32Array.from({length: SIZE * SIZE}, () => Math.floor(Math.random() * 100));
    fillEditor();
    requestCompute();
  });
  attachDrag(byId('pool-canvas'));
  attachDrag(byId('align-canvas'));
}

async function main(): Promise<void> {
  await startBackend();
  // The form's state survives a reload with another backend.
  settings.outSize = Number(byId<HTMLSelectElement>('output-size').value);
  settings.samplingRatio = Number(byId<HTMLInputElement>('sampling-ratio').value);
  settings.aligned = byId<HTMLInputElement>('aligned').checked;
  settings.mode = byId<HTMLSelectElement>('mode').value as RoIAlignMode;
  fillEditor();
  attachControls();
  requestCompute();
}

main().catch(showError);
