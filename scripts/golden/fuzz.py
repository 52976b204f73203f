#!/usr/bin/python3
"""Seeded random cases for roiAlign ('avg' unaligned and aligned, 'max'), roiPool, psRoiAlign and
psRoiPool, as an outside fuzzer draws them: maps up to 12x12, C up to 70, far, huge, reversed,
edge-exact and unreadable boxes, NCHW and [K,5] boxes.

  /usr/bin/python3 scripts/golden/fuzz.py test/fixtures

The inputs are not stored: test/fuzz_cases.ts draws the same cases from the same seeds with the same
generator (mulberry32, and the same draws in the same order), and this script stores only each case's
output, as base64 of little-endian float32 in torchvision's NCHW layout ([K,C,outH,outW]), with a
digest of the inputs so that a generator that drifts fails loudly rather than comparing other cases.

Where the numbers come from: torchvision 0.14 (Debian python3-torchvision) for roi_align, roi_pool,
ps_roi_align and ps_roi_pool. 'max' mode (mmcv's; torchvision has none) comes from a numpy reference
below that places samples with torchvision's float32 arithmetic and reduces in float64.
The package's own rules where torchvision has no answer or would loop for hours:
- an adaptive grid past MAX_SAMPLES_PER_BIN_AXIS (1024) samples per bin and axis, or not finite,
  makes the box unreadable: 0 (src/limits.ts);
- a psRoiAlign box whose grid has no samples gives 0 (torchvision divides 0 by 0).
"""
import base64, json, math, os, sys, warnings

import numpy as np
import torch
from torchvision.ops import ps_roi_align, ps_roi_pool, roi_align, roi_pool

f32 = np.float32
MAX_SAMPLES_PER_BIN_AXIS = 1024
OPS = ['avg', 'aligned', 'max', 'pool', 'psalign', 'pspool']
CASES = 200
M32 = 0xffffffff


def imul(a, b):
    return (a * b) & M32


def case_seed(op_index, i):
    return imul(0x9E3779B9, op_index * 100000 + i + 1)


class Rng:
    """mulberry32, as test/harness.ts seededRandom."""

    def __init__(self, seed):
        self.a = seed & M32

    def next(self):
        self.a = (self.a + 0x6D2B79F5) & M32
        t = self.a
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296

    def int(self, lo, hi):
        return lo + math.floor(self.next() * (hi - lo + 1))

    def pick(self, options):
        return options[self.int(0, len(options) - 1)]


def gen_coord_pair(r, extent):
    """Two coordinates in [-extent/2, 1.5 extent], in eighths of an image pixel."""
    a = r.int(math.floor(-extent * 4), math.ceil(extent * 12)) / 8
    b = r.int(math.floor(-extent * 4), math.ceil(extent * 12)) / 8
    return a, b


def gen_axis(r, kind, size, scale, shift, adaptive):
    """One axis (start, end) of a box of `kind` on an axis of `size` feature pixels."""
    extent = size / scale
    if kind == 4:
        a, b = gen_coord_pair(r, extent)
        return max(a, b), min(a, b)
    if kind == 5:
        # A sample exactly on -1, 0, size - 1 or size (with one bin and one sample, or the bins'
        # edges on them otherwise).
        t = r.pick([-1, 0, size - 1, size])
        h = r.pick([0, 0.5, 1, 2, 4])
        return (t - h + shift) / scale, (t + h + shift) / scale
    if kind == 6:
        sign = r.pick([-1, 1])
        start = sign * (10000 + r.int(0, 40000) / 4)
        return start, start + r.int(0, 64) / 8
    if kind == 7:
        return -r.int(16, 400) / 4, extent + r.int(16, 400) / 4
    if kind == 8 and adaptive:
        a, _ = gen_coord_pair(r, extent)
        return a, r.pick([1e30, 3e38, 1e6])
    if kind == 8:
        sign = r.pick([-1, 1])
        start = sign * (10000 + r.int(0, 40000) / 4)
        return start, start + r.int(0, 64) / 8
    a, b = gen_coord_pair(r, extent)
    return min(a, b), max(a, b)


def gen_case(op, i):
    r = Rng(case_seed(OPS.index(op), i))
    n = r.int(1, 2)
    height = r.int(1, 12)
    width = r.int(1, 12)
    out_h = r.int(1, 3)
    out_w = r.int(1, 3)
    wide = r.next() < 0.08
    ps = op in ('psalign', 'pspool')
    if ps:
        cout = r.int(1, max(1, 70 // (out_h * out_w))) if wide else r.int(1, 2)
        channels = cout * out_h * out_w
    else:
        channels = r.int(9, 70) if wide else r.int(1, 4)
    k_boxes = 1 if wide else r.int(1, 4)
    scale = r.pick([1, 0.5, 0.25, 2])
    ratio = r.pick([0, 0, 0, 1, 2, 3, 4])
    aligned_draw = r.next() < 0.5
    aligned = {'avg': False, 'aligned': True, 'max': aligned_draw, 'psalign': True}.get(op, False)
    nchw = r.next() < 0.5
    five = r.next() < 0.5
    align_family = op in ('avg', 'aligned', 'max', 'psalign')
    adaptive = align_family and ratio == 0
    shift = 0.5 if aligned else 0
    boxes, indices = [], []
    for _ in range(k_boxes):
        kind = r.int(0, 9)
        x1, x2 = gen_axis(r, kind, width, scale, shift, adaptive)
        y1, y2 = gen_axis(r, kind, height, scale, shift, adaptive)
        boxes.append([x1, y1, x2, y2])
        indices.append(r.int(0, n - 1))
    x = [r.int(-(1 << 20), 1 << 20) / (1 << 20) for _ in range(n * channels * height * width)]
    return dict(op=op, n=n, height=height, width=width, out_h=out_h, out_w=out_w, channels=channels,
                scale=scale, ratio=ratio, aligned=aligned, nchw=nchw, five=five,
                boxes=boxes, indices=indices, x=x)


def digest(case):
    """A sum of the inputs in a fixed order, as test/fuzz_cases.ts inputDigest."""
    total = 0.0
    for box in case['boxes']:
        for v in box:
            v = float(f32(v))
            if math.isfinite(v):
                total += v
    for i, v in enumerate(case['x']):
        total += v * ((i % 7) + 1)
    return total


def unreadable_grid(start, end, pooled, scale, aligned, ratio):
    """src/geometry.ts binGrid: True when the adaptive grid passes the cap or is not finite."""
    if ratio > 0:
        return ratio > MAX_SAMPLES_PER_BIN_AXIS
    with np.errstate(over='ignore', invalid='ignore'):
        offset = f32(0.5 if aligned else 0)
        s = f32(f32(f32(start) * f32(scale)) - offset)
        e = f32(f32(f32(end) * f32(scale)) - offset)
        size = f32(e - s)
        if not aligned and size < 1:
            size = f32(1)
        bin_size = f32(size / f32(pooled))
    return not (math.ceil(bin_size) <= MAX_SAMPLES_PER_BIN_AXIS) if math.isfinite(bin_size) else True


def axis_corners(pos, size):
    """torchvision's bilinear_interpolate along one axis, for float32 positions `pos`:
    (inside, low, high, low weight, high weight), the weights float32."""
    pos = np.asarray(pos, dtype=f32)
    inside = (pos >= -1) & (pos <= size)
    p = np.maximum(pos, f32(0))
    low = np.floor(p).astype(np.int64)
    clamped = low >= size - 1
    low = np.where(clamped, size - 1, low)
    high = np.where(clamped, size - 1, low + 1)
    p = np.where(clamped, low.astype(f32), p).astype(f32)
    frac = (p - low.astype(f32)).astype(f32)
    low, high = np.clip(low, 0, size - 1), np.clip(high, 0, size - 1)
    return inside, low, high, (f32(1) - frac).astype(f32), frac


def ref_roi_align_max(x, box, index, out_h, out_w, scale, ratio, aligned):
    """mmcv's max mode on one box: the largest sample of each bin, outside samples 0, an empty bin 0.
    Positions in torchvision's float32 order, weights float32 (w = hy * hx), each sample's sum in
    float64 rounded to float32. x [N,C,H,W] float64 -> [C,out_h,out_w]."""
    img = x[index]
    channels, height, width = img.shape
    offset = f32(0.5 if aligned else 0)
    sc = f32(scale)
    x1, y1, x2, y2 = [f32(f32(f32(v) * sc) - offset) for v in box]
    roi_w, roi_h = f32(x2 - x1), f32(y2 - y1)
    if not aligned:
        roi_w, roi_h = max(roi_w, f32(1)), max(roi_h, f32(1))
    bin_h, bin_w = f32(roi_h / f32(out_h)), f32(roi_w / f32(out_w))
    grid_h = ratio if ratio > 0 else max(math.ceil(bin_h), 0)
    grid_w = ratio if ratio > 0 else max(math.ceil(bin_w), 0)
    out = np.zeros((channels, out_h, out_w))
    if grid_h == 0 or grid_w == 0:
        return out

    def positions(start, bin_size, bin_index, grid):
        steps = (np.arange(grid, dtype=f32) + f32(0.5)).astype(f32)
        return (f32(start + f32(f32(bin_index) * bin_size)) + ((steps * bin_size).astype(f32) / f32(grid)).astype(f32)).astype(f32)

    for ph in range(out_h):
        ry, ylo, yhi, wy0, wy1 = axis_corners(positions(y1, bin_h, ph, grid_h), height)
        for pw in range(out_w):
            rx, xlo, xhi, wx0, wx1 = axis_corners(positions(x1, bin_w, pw, grid_w), width)
            best = None
            for iy in range(grid_h):
                w00 = (wy0[iy] * wx0).astype(f32).astype(np.float64)
                w01 = (wy0[iy] * wx1).astype(f32).astype(np.float64)
                w10 = (wy1[iy] * wx0).astype(f32).astype(np.float64)
                w11 = (wy1[iy] * wx1).astype(f32).astype(np.float64)
                v = (w00 * img[:, ylo[iy], xlo] + w01 * img[:, ylo[iy], xhi] +
                     w10 * img[:, yhi[iy], xlo] + w11 * img[:, yhi[iy], xhi]).astype(f32).astype(np.float64)
                v = np.where(rx & ry[iy], v, 0.0)
                row_best = v.max(axis=1)
                best = row_best if best is None else np.maximum(best, row_best)
            out[:, ph, pw] = best
    return out


def run_case(case):
    """The case's output, [K,C',outH,outW] float32, C' = C or C / (outH * outW)."""
    op = case['op']
    x = torch.tensor(case['x'], dtype=torch.float32).reshape(
        case['n'], case['channels'], case['height'], case['width'])
    out_h, out_w, scale, ratio, aligned = case['out_h'], case['out_w'], case['scale'], case['ratio'], case['aligned']
    cout = case['channels'] // (out_h * out_w) if op in ('psalign', 'pspool') else case['channels']
    outs = []
    for box, index in zip(case['boxes'], case['indices']):
        row = torch.tensor([[index] + [float(f32(v)) for v in box]], dtype=torch.float32)
        x1, y1, x2, y2 = box
        if op in ('avg', 'aligned', 'max', 'psalign') and (
                unreadable_grid(y1, y2, out_h, scale, aligned, ratio) or
                unreadable_grid(x1, x2, out_w, scale, aligned, ratio)):
            outs.append(np.zeros((cout, out_h, out_w)))
        elif op in ('avg', 'aligned'):
            outs.append(roi_align(x, row, (out_h, out_w), scale, ratio, aligned)[0].numpy())
        elif op == 'max':
            outs.append(ref_roi_align_max(x.double().numpy(), box, index, out_h, out_w, scale, ratio, aligned))
        elif op == 'pool':
            outs.append(roi_pool(x, row, (out_h, out_w), scale)[0].numpy())
        elif op == 'psalign':
            y = ps_roi_align(x, row, (out_h, out_w), scale, ratio)[0].numpy()
            if not np.all(np.isfinite(y)):
                # A grid without samples: torchvision divides 0 by 0; the package gives 0.
                y = np.zeros_like(y)
            outs.append(y)
        else:
            outs.append(ps_roi_pool(x, row, (out_h, out_w), scale)[0].numpy())
    return np.stack(outs).astype('<f4')


def main(outdir):
    warnings.simplefilter('ignore')
    result = {'generator': 'scripts/golden/fuzz.py; inputs drawn again by test/fuzz_cases.ts',
              'cases': CASES, 'ops': {}}
    for op in OPS:
        outputs, digests = [], []
        for i in range(CASES):
            case = gen_case(op, i)
            outputs.append(base64.b64encode(run_case(case).tobytes()).decode('ascii'))
            digests.append(digest(case))
        result['ops'][op] = {'digests': digests, 'outputs': outputs}
        print(op, 'done', file=sys.stderr)
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, 'fuzz.json'), 'w') as f:
        json.dump(result, f, separators=(',', ':'))


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'test/fixtures')
