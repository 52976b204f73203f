/**
 * The cpu position-sensitive kernels' channel loops. A bin of psRoiAlign
 * reads the same pixels as RoIAlign's bin (roi_align_taps.ts), but output
 * channel c of bin (ph, pw) reads one input channel, first + c * bins, where
 * first = ph * outW + pw and bins = outH * outW (geometry psInputChannel).
 */
import {psInputChannel} from '../../src/geometry';
import type {AlignGeometry} from '../../src/geometry';
import {psAlignAsRoIAlign} from '../../src/kernel_names';
import type {PsRoIAlignAttrs} from '../../src/kernel_names';
import {alignGeometry} from './roi_align_samples';
import {zeroWeightNaN} from './roi_align_taps';
import type {BinPixels} from './roi_align_taps';

/** A bin's place in y / dy ([K,outH,outW,Cout]) and in x's channels. */
export interface PsBin {
  outOffset: number;
  firstChannel: number;
  /** Input channels between consecutive output channels: outH * outW. */
  stride: number;
  outChannels: number;
}

/** psRoiAlign's sampling: RoIAlign's, always aligned, always 'avg'. */
export function psAlignGeometry(xShape: number[], attrs: PsRoIAlignAttrs): AlignGeometry {
  return alignGeometry(xShape, psAlignAsRoIAlign(attrs));
}

/**
 * The PsBin of the bin whose offset in a [K,outH,outW,C] tensor (C the input
 * channels, as visitAlignBinPixels counts) is binOffset.
 */
export function psBinOf(binOffset: number, inChannels: number, g: AlignGeometry): PsBin {
  const binIndex = binOffset / inChannels;
  const stride = g.pooledHeight * g.pooledWidth;
  const outChannels = inChannels / stride;
  const inBox = binIndex % stride;
  const ph = Math.floor(inBox / g.pooledWidth);
  return {
    outOffset: binIndex * outChannels,
    firstChannel: psInputChannel(0, ph, inBox - ph * g.pooledWidth, g.pooledHeight, g.pooledWidth),
    stride,
    outChannels,
  };
}

/** out[outOffset + c] = sum over the bin's pixels of weight * x (channel c's input channel). */
export function psWeightedSum(x: Float32Array, bin: BinPixels, ps: PsBin, out: Float32Array): void {
  const {offset, weight, count} = bin;
  for (let c = 0; c < ps.outChannels; c++) {
    const channel = ps.firstChannel + c * ps.stride;
    let sum = 0;
    for (let i = 0; i < count; i++) sum += weight[i] * x[offset[i] + channel];
    out[ps.outOffset + c] = sum;
  }
  zeroWeightNaN(x, bin, ps.outChannels, out, ps.outOffset, ps.firstChannel, ps.stride);
}

/** dx (channel c's input channel) += weight * dy[outOffset + c] over the bin's pixels. */
export function psScatterWeighted(dx: Float32Array, bin: BinPixels, ps: PsBin, dy: Float32Array): void {
  const {offset, weight, count} = bin;
  for (let i = 0; i < count; i++) {
    const base = offset[i] + ps.firstChannel;
    for (let c = 0; c < ps.outChannels; c++) {
      dx[base + c * ps.stride] += weight[i] * dy[ps.outOffset + c];
    }
  }
}

/** dots[i] = sum over output channels of dy * x at the bin's pixel i. */
export function psPixelDots(
    x: Float32Array, bin: BinPixels, ps: PsBin, dy: Float32Array, dots: Float64Array): void {
  const {offset, count} = bin;
  for (let i = 0; i < count; i++) {
    const base = offset[i] + ps.firstChannel;
    let dot = 0;
    for (let c = 0; c < ps.outChannels; c++) dot += dy[ps.outOffset + c] * x[base + c * ps.stride];
    dots[i] = dot;
  }
}
