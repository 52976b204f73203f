#!/usr/bin/python3
"""torchvision fixtures for hostile input (test/hostile.spec.ts): NaN and +-Infinity in x (at corners read
with weight 0 among others), far boxes (coordinates above 1e4, scaled down onto the map) and edge-exact
boxes (samples exactly on -1, 0, H-1 and H).

  /usr/bin/python3 scripts/golden/hostile.py test/fixtures

Writes test/fixtures/hostile.json: {maps, cases}: the feature maps once each, by name, and a list of cases,
each {name, op, attrs, x (a map's name), boxes, boxIndices, y}, NHWC (x [N,H,W,C], y [K,outH,outW,C']),
tensors as {"shape", "base64"}: little-endian float32, which holds NaN and Infinity where JSON cannot. Every y is torchvision 0.14's (roi_align, ps_roi_align, roi_pool,
ps_roi_pool; Debian python3-torchvision).
"""
import base64, json, os, sys

import numpy as np
import torch
from torchvision.ops import ps_roi_align, ps_roi_pool, roi_align, roi_pool


def tensor_b64(a):
    a = np.ascontiguousarray(np.asarray(a, dtype='<f4'))
    return {'shape': list(a.shape), 'base64': base64.b64encode(a.tobytes()).decode('ascii')}


def run(op, x_nhwc, boxes, indices, out, scale, ratio=0, aligned=False):
    x = torch.tensor(x_nhwc, dtype=torch.float32).permute(0, 3, 1, 2).contiguous()
    rois = torch.tensor([[i] + list(b) for i, b in zip(indices, boxes)], dtype=torch.float32)
    if op == 'roiAlign':
        y = roi_align(x, rois, out, scale, ratio, aligned)
    elif op == 'psRoiAlign':
        y = ps_roi_align(x, rois, out, scale, ratio)
    elif op == 'roiPool':
        y = roi_pool(x, rois, out, scale)
    else:
        y = ps_roi_pool(x, rois, out, scale)
    return y.permute(0, 2, 3, 1).numpy()


MAPS = {}


def case(name, op, x, boxes, indices, out, scale, ratio=0, aligned=False):
    boxes = [[float(np.float32(v)) for v in b] for b in boxes]
    y = run(op, x, boxes, indices, out, scale, ratio, aligned)
    key = next((k for k, v in MAPS.items() if v is x), None)
    if key is None:
        key = f'map{len(MAPS)}'
        MAPS[key] = x
    return {'name': name, 'op': op,
            'attrs': {'outputSize': list(out), 'spatialScale': scale, 'samplingRatio': ratio, 'aligned': aligned},
            'x': key, 'boxes': tensor_b64(np.array(boxes, dtype=np.float32)), 'boxIndices': indices,
            'y': tensor_b64(y)}


def nonfinite_map(rng, channels):
    """[1,6,6,channels]: random values with Inf, -Inf and NaN at chosen pixels and channels."""
    x = rng.uniform(-1, 1, size=(1, 6, 6, channels)).astype(np.float32)
    x[0, 3, 3, 0] = np.inf        # reached by samples exactly on row or column 2 (weight 0)
    x[0, 5, 5, 0] = np.inf        # the last pixel: clamped samples read it with weights 1 and 0
    x[0, 2, 4, 1] = -np.inf
    x[0, 4, 2, 1] = np.inf        # with the -Inf above: NaN where a bin reads both
    x[0, 1, 1, 2 % channels] = np.nan
    x[0, 0, 5, 3 % channels] = np.inf
    return x


# Boxes whose samples sit on integers among others (a zero-weight corner shares a pixel with a nonzero
# one), past the last pixel (clamped), on both signs of infinity, and ordinary ones.
NONFINITE_BOXES = [
    [1.75, 1.75, 2.75, 2.75],   # ratio 2: samples at 2.0 and 2.5; pixel 3 has weights 0 and 0.5
    [2.0, 2.0, 4.0, 4.0],
    [4.2, 4.2, 5.2, 5.2],       # clamped to the last row and column
    [3.5, 3.5, 6.0, 6.0],
    [0.0, 0.0, 6.0, 6.0],
    [1.0, 1.0, 5.0, 5.0],
    [2.0, 1.5, 5.0, 4.5],
    [-0.5, -0.5, 1.5, 1.5],
    [3.0, 0.0, 6.0, 2.0],
    [4.75, -1.0, 6.0, 1.0],
]


def main(outdir):
    rng = np.random.default_rng(18)
    cases = []
    x = nonfinite_map(rng, 4)
    k = len(NONFINITE_BOXES)
    for ratio in (1, 2, 0):
        for aligned in (False, True):
            for out in ((1, 1), (2, 2)):
                cases.append(case(f'nonfinite_roialign_r{ratio}_{"aligned" if aligned else "unaligned"}_{out[0]}',
                                  'roiAlign', x, NONFINITE_BOXES, [0] * k, out, 1.0, ratio, aligned))
    shifted = [[v + 0.5 for v in b] for b in NONFINITE_BOXES]
    for ratio in (1, 2, 0):
        cases.append(case(f'nonfinite_roialign_shifted_r{ratio}', 'roiAlign', x, shifted, [0] * k, (1, 1), 1.0,
                          ratio, True))
    x_ps = nonfinite_map(rng, 8)   # 2 output channels at 2x2
    for ratio in (1, 2, 0):
        cases.append(case(f'nonfinite_psroialign_r{ratio}', 'psRoiAlign', x_ps, shifted, [0] * k, (2, 2), 1.0, ratio))
        cases.append(case(f'nonfinite_psroialign_unshifted_r{ratio}', 'psRoiAlign', x_ps, NONFINITE_BOXES, [0] * k,
                          (2, 2), 1.0, ratio))
    cases.append(case('nonfinite_roipool', 'roiPool', x, NONFINITE_BOXES, [0] * k, (2, 2), 1.0))
    cases.append(case('nonfinite_psroipool', 'psRoiPool', x_ps, NONFINITE_BOXES, [0] * k, (2, 2), 1.0))

    # Far boxes: image coordinates above 1e4, scaled down onto a 12x12 map (and some that stay off it).
    xf = rng.uniform(-1, 1, size=(2, 12, 12, 3)).astype(np.float32)
    far = []
    for scale in (1 / 1024, 1 / 1000, 1 / 2000):
        for _ in range(6):
            x1, y1 = rng.uniform(-1, 11) / scale, rng.uniform(-1, 11) / scale
            w, h = rng.uniform(0.5, 6) / scale, rng.uniform(0.5, 6) / scale
            far.append((scale, [x1, y1, x1 + w, y1 + h]))
    far_boxes = {}
    for scale, box in far:
        far_boxes.setdefault(scale, []).append(box)
    for scale, boxes in far_boxes.items():
        boxes = boxes + [[2.0e4, 3.0e4, 2.5e4, 3.5e4], [-3.0e4, 1.0e4, -2.0e4, 1.2e4]]
        idx = [i % 2 for i in range(len(boxes))]
        tag = str(round(1 / scale))
        for ratio in (0, 2, 3):
            for aligned in (False, True):
                cases.append(case(f'far_roialign_1over{tag}_r{ratio}_{"aligned" if aligned else "unaligned"}',
                                  'roiAlign', xf, boxes, idx, (2, 3), scale, ratio, aligned))
        cases.append(case(f'far_roipool_1over{tag}', 'roiPool', xf, boxes, idx, (2, 3), scale))
    # Edge-exact: one sample per bin, exactly on -1, 0, H-1 and H (and just inside and outside them).
    edge_boxes, H = [], 12
    for t in (-1.0, 0.0, H - 1.0, float(H), -1.0 - 2 ** -10, H + 2 ** -10, -1.0 + 2 ** -10, H - 2 ** -10):
        for half in (0.0, 0.5, 1.0):
            edge_boxes.append([t - half, t - half, t + half, t + half])
            edge_boxes.append([2.0 - half, t - half, 2.0 + half, t + half])
            edge_boxes.append([t - half, 5.0 - half, t + half, 5.0 + half])
    idx = [i % 2 for i in range(len(edge_boxes))]
    for ratio in (1, 2):
        cases.append(case(f'edge_roialign_r{ratio}_unaligned', 'roiAlign', xf, edge_boxes, idx, (1, 1), 1.0, ratio))
        shifted = [[v + 0.5 for v in b] for b in edge_boxes]
        cases.append(case(f'edge_roialign_r{ratio}_aligned', 'roiAlign', xf, shifted, idx, (1, 1), 1.0, ratio, True))
    xe = rng.uniform(-1, 1, size=(2, 12, 12, 4)).astype(np.float32)
    shifted = [[v + 0.5 for v in b] for b in edge_boxes]
    cases.append(case('edge_psroialign_r1', 'psRoiAlign', xe, shifted, idx, (2, 2), 1.0, 1))
    cases.append(case('edge_roipool', 'roiPool', xf, edge_boxes, idx, (1, 1), 1.0))
    cases.append(case('edge_psroipool', 'psRoiPool', xe, edge_boxes, idx, (2, 2), 1.0))
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, 'hostile.json'), 'w') as f:
        json.dump({'source': 'scripts/golden/hostile.py, torchvision 0.14',
                   'maps': {k: tensor_b64(v) for k, v in MAPS.items()}, 'cases': cases}, f, separators=(',', ':'))
    print(len(cases), 'cases', file=sys.stderr)


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'test/fixtures')
