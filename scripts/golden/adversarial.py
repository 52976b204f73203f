#!/usr/bin/python3
"""Adversarial-geometry fixtures from torchvision (Debian python3-torchvision): boxes whose every
discrete decision sits on a knife's edge, so that a backend whose float32 arithmetic differs from
torchvision's by one rounding gives a visibly different answer.

  /usr/bin/python3 scripts/golden/adversarial.py test/fixtures

- box sizes that are integer multiples of the output size, at several spatial scales: the bin
  size is then an integer, and ceil(binSize) (RoIAlign's adaptive grid) or floor / ceil of
  b * binSize (RoIPool's bin edges) flips if the division is one ulp off;
- sample positions exactly on -1, 0, H - 1 and H (and W - 1, W), where the outside test and the
  clamping decide;
- fixed samplingRatio 3, 5 and 7 with integer boxes, where (s + 0.5) * binSize / grid lands on
  whole pixels, and a division replaced by a multiplication with float32(1 / grid) is one ulp off
  (issue 18's repro: x = 1..9, box (0,0,6,6), output 1, samplingRatio 7 gives 2.1924198);
- far boxes: corners beyond 1e4 feature pixels, where each float32 rounding is worth 1e-3 pixel.

Same JSON as the other fixtures (test/fixtures/README.md), NHWC: x [N,H,W,C], boxes [K,4],
boxIndices [K], dy and y [K,PH,PW,C'], dx [N,H,W,C]. y and dx are torchvision's roi_align,
roi_pool and ps_roi_align forward and backward on float32 tensors; no box gradients (torchvision
has none).
"""
import sys

import numpy as np
import torch
import torchvision
from torchvision.ops import ps_roi_align, roi_align, roi_pool

from fixture_json import tensor_json, write_fixtures


def run_case(name, op, x_nhwc, boxes, bidx, out, scale, sr=0, aligned=False, seed=0):
    rng = np.random.default_rng(seed)
    x = torch.tensor(np.asarray(x_nhwc, np.float32).transpose(0, 3, 1, 2).copy(), requires_grad=True)
    rois = torch.tensor(np.concatenate([np.asarray(bidx, np.float32)[:, None],
                                        np.asarray(boxes, np.float32)], axis=1))
    if op == 'roiAlign':
        y = roi_align(x, rois, out, scale, sr, aligned)
    elif op == 'roiPool':
        y = roi_pool(x, rois, out, scale)
    else:
        y = ps_roi_align(x, rois, out, scale, sr)
    dy = torch.tensor(random_map(rng, y.shape).astype(np.float32))
    y.backward(dy)
    attrs = {"outputSize": list(out), "spatialScale": scale}
    if op != 'roiPool':
        attrs["samplingRatio"] = sr
    if op == 'roiAlign':
        attrs["aligned"] = aligned
        attrs["mode"] = "avg"
    return {
        "name": name, "op": op, "source": "torchvision %s %s" % (torchvision.__version__, {
            'roiAlign': 'roi_align', 'roiPool': 'roi_pool', 'psRoiAlign': 'ps_roi_align'}[op]),
        "attrs": attrs,
        "x": tensor_json(np.asarray(x_nhwc, np.float32)),
        "boxes": tensor_json(np.asarray(boxes, np.float32)),
        "boxIndices": [int(i) for i in bidx],
        "dy": tensor_json(dy.numpy().transpose(0, 2, 3, 1)),
        "y": tensor_json(y.detach().numpy().transpose(0, 2, 3, 1)),
        "dx": tensor_json(x.grad.numpy().transpose(0, 2, 3, 1)),
    }


def random_map(rng, shape):
    # Whole multiples of 1/8: exact in float32, short in JSON.
    return np.round(rng.uniform(-4, 4, shape) * 8) / 8


def multiples_boxes(pooled, scales, multiples, offset):
    """Boxes (in image units) whose feature-map size is m * pooled on both axes, at each scale,
    starting on whole feature pixels (and on half pixels for aligned boxes after the shift)."""
    boxes, bidx = [], []
    ph, pw = pooled
    for i, scale in enumerate(scales):
        for j, m in enumerate(multiples):
            y1 = (offset[0] - (i + j) % 3) / scale
            x1 = (offset[1] - (i + 2 * j) % 4) / scale
            boxes.append([x1, y1, x1 + m * pw / scale, y1 + m * ph / scale])
            bidx.append((i + j) % 2)
    return boxes, bidx


def cases():
    rng = np.random.default_rng(14)
    out = []
    # Issue 18's repro, verbatim.
    out.append(run_case("adversarial_issue18_repro", 'roiAlign', np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1),
                        [[0, 0, 6, 6]], [0], (1, 1), 1.0, sr=7))

    # Integer multiples of the output size, at four scales, adaptive grid and fixed ratios.
    x = random_map(rng, (2, 10, 13, 2))
    for aligned in (False, True):
        for scale in (1.0, 0.5, 0.25, 0.125):
            boxes, bidx = multiples_boxes((3, 5), [scale], [1, 2, 3, 7], (2, 3))
            tag = "%s_scale%g" % ("aligned" if aligned else "unaligned", scale)
            out.append(run_case("adversarial_multiples_%s" % tag, 'roiAlign', x, boxes, bidx, (3, 5), scale,
                                aligned=aligned, seed=len(out)))

    # Samples exactly on -1, 0, H - 1, H (rows) and -1, 0, W - 1, W (columns): one sample per bin
    # at the box's centre, and a 2 x 2 grid whose samples straddle the same lines.
    H, W = 5, 6
    x = random_map(rng, (1, H, W, 2))
    for aligned in (False, True):
        shift = 0.5 if aligned else 0.0
        boxes = []
        for py in (-1, 0, H - 1, H):
            for px in (-1, 0, W - 1, W):
                boxes.append([px - 1 + shift, py - 1 + shift, px + 1 + shift, py + 1 + shift])
        tag = "aligned" if aligned else "unaligned"
        out.append(run_case("adversarial_edges_%s" % tag, 'roiAlign', x, boxes, [0] * len(boxes), (1, 1), 1.0,
                            sr=1, aligned=aligned, seed=len(out)))
        # 2 x 2 bins of 2 x 2 samples over a box of 4 pixels: samples at start + 0.5, 1.5, 2.5, 3.5.
        boxes2 = [[b[0] - 1.5, b[1] - 1.5, b[2] + 0.5, b[3] + 0.5] for b in boxes]
        out.append(run_case("adversarial_edges_grid_%s" % tag, 'roiAlign', x, boxes2, [0] * len(boxes2), (2, 2),
                            1.0, sr=2, aligned=aligned, seed=len(out)))

    # Fixed sampling ratios 3, 5 and 7 with integer boxes: many positions land on whole pixels.
    x = random_map(rng, (1, 9, 11, 4))
    for sr in (3, 5, 7):
        for aligned in (False, True):
            boxes = []
            for k in range(12):
                x1 = int(rng.integers(-3, 9))
                y1 = int(rng.integers(-3, 7))
                w = int(rng.integers(1, 5)) * sr * (1 + k % 3)
                h = int(rng.integers(1, 5)) * sr * (1 + (k // 3) % 2)
                if k % 4 == 3:
                    w, h = int(rng.integers(1, 13)), int(rng.integers(1, 13))
                boxes.append([x1, y1, x1 + w, y1 + h])
            tag = "sr%d_%s" % (sr, "aligned" if aligned else "unaligned")
            out.append(run_case("adversarial_ratio_%s" % tag, 'roiAlign', x, boxes, [0] * 12, (2, 3), 1.0,
                                sr=sr, aligned=aligned, seed=len(out)))

    # Far boxes: corners at 1e4 and more feature pixels (image coordinates 16x that with
    # spatialScale 1/16), reaching into a small map from far away, so that only a few samples
    # are inside, each computed at that magnitude.
    x = random_map(rng, (1, 6, 7, 1))
    far = [
        [-12000.25, -3.0, 5.75, 4.0],
        [-16000.0, 1.5, 6.0, 5.5],
        [0.5, -10001.0, 6.5, 5.0],
        [-10240.0, -10240.0, 4.0, 5.0],
        [1.0, 2.0, 10007.0, 4.0],
        [10000.0, 10000.0, 10008.0, 10008.0],
    ]
    for sr, out_size in ((0, (16, 16)), (2, (2, 7)), (3, (2, 7)), (5, (3, 5)), (7, (1, 7))):
        for aligned in (False, True):
            # The adaptive grid of the box far on both axes would take 640 x 640 samples a bin.
            boxes = [[c * 16 for c in b] for i, b in enumerate(far) if sr > 0 or i != 3]
            tag = "sr%d_%s" % (sr, "aligned" if aligned else "unaligned")
            out.append(run_case("adversarial_far_%s" % tag, 'roiAlign', x, boxes, [0] * len(boxes), out_size,
                                1.0 / 16, sr=sr, aligned=aligned, seed=len(out)))

    # RoIPool: feature-map sizes (end - start + 1) that are integer multiples of the output size,
    # at four scales, and far boxes.
    x = random_map(rng, (2, 10, 13, 2))
    for scale in (1.0, 0.5, 0.25, 0.125):
        boxes, bidx = multiples_boxes((3, 5), [scale], [1, 2, 3, 7], (1, 2))
        # roi_pool's size counts the end pixel: end = start + m * pooled - 1.
        boxes = [[b[0], b[1], b[2] - 1 / scale, b[3] - 1 / scale] for b in boxes]
        out.append(run_case("adversarial_pool_multiples_scale%g" % scale, 'roiPool', x, boxes, bidx, (3, 5), scale,
                            seed=len(out)))
    x = random_map(rng, (1, 6, 7, 2))
    out.append(run_case("adversarial_pool_far", 'roiPool', x, [[c * 16 for c in b] for b in far], [0] * len(far),
                        (3, 7), 1.0 / 16, seed=len(out)))

    # psRoiAlign with fixed ratios on integer-multiple boxes.
    x = random_map(rng, (1, 8, 9, 8))
    for sr in (3, 5, 7):
        boxes = [[0, 0, 2 * sr, 2 * sr], [-1, 2, 4 * sr - 1, 2 + 2 * sr], [3, -2, 3 + 2 * sr, 6 * sr - 2],
                 [1.5, 1.5, 9.5, 8.5]]
        out.append(run_case("adversarial_psroialign_sr%d" % sr, 'psRoiAlign', x, boxes, [0] * len(boxes), (2, 2),
                            1.0, sr=sr, seed=len(out)))
    return out


def main(argv):
    # Grouped into a few files by kind, each {"cases": [...]}, rather than one file per case.
    all_cases = cases()
    groups = {}
    for case in all_cases:
        kind = case["name"].split("_")[1]
        groups.setdefault(kind, []).append(case)
    write_fixtures(argv[1], [{"name": "adversarial_" + kind, "cases": group} for kind, group in groups.items()])
    print("wrote %d cases in %d files: %s" % (len(all_cases), len(groups), ", ".join(groups)))
    print("issue 18 repro y =", all_cases[0]["y"]["data"])


if __name__ == '__main__':
    main(sys.argv)
