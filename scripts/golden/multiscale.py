#!/usr/bin/python3
"""Golden fixtures for multiScaleRoiAlign, from torchvision.ops.MultiScaleRoIAlign itself (Debian's
python3-torchvision, 0.14.1).

  /usr/bin/python3 scripts/golden/multiscale.py test/fixtures

The conventions of ../shared/tools/golden.py: NHWC, float32 values written as shortest round-trip decimals.
  x: one tensor per level [N,H,W,C], finest first; boxes [K,4] (x1,y1,x2,y2) in image coordinates; boxIndices [K];
  dy [K,PH,PW,C] (upstream gradient); y [K,PH,PW,C]; dx: one tensor per level, the gradient of sum(dy * y);
  levels [K]: the level index torchvision gave each box (0 = x[0]); null where it has none (a negative area: its
  level is NaN, and the box pools 0).
  attrs: outputSize [PH,PW], imageSize [h,w] (the largest of the images, what torchvision infers the scales from),
  samplingRatio, canonicalScale, canonicalLevel.
torchvision takes the boxes as one list per image, so the boxes of image 0 come first, then those of image 1.
"""
import math
import sys
from collections import OrderedDict

import numpy as np
import torch
import torchvision
from torchvision.ops import MultiScaleRoIAlign
from torchvision.ops.poolers import LevelMapper

from fixture_json import tensor_json, write_fixtures


def exact_level(box, first_level, last_level, canonical_scale, canonical_level):
    """The level of the FPN formula in float64, clamped; None for a negative area (torchvision gets NaN)."""
    area = (float(box[2]) - float(box[0])) * (float(box[3]) - float(box[1]))
    if area < 0:
        return None
    if area == 0:
        return first_level
    level = math.floor(canonical_level + math.log2(math.sqrt(area) / canonical_scale) + 1e-6)
    return min(max(level, first_level), last_level)


def make_case(name, image_sizes, level_sizes, channels, boxes_per_image, output_size, sampling_ratio,
              canonical_scale=224, canonical_level=4, seed=0, note='', near_boundaries=False):
    rng = np.random.default_rng(seed)
    num_images = len(image_sizes)
    names = ['p%d' % i for i in range(len(level_sizes))]
    features_nhwc = [rng.standard_normal((num_images, h, w, channels)).astype(np.float32) for h, w in level_sizes]
    features = OrderedDict(
        (n, torch.from_numpy(f.transpose(0, 3, 1, 2).copy()).requires_grad_(True)) for n, f in zip(names, features_nhwc))
    box_lists = [torch.tensor(np.asarray(b, np.float32).reshape(-1, 4)) for b in boxes_per_image]
    pooler = MultiScaleRoIAlign(names, list(output_size), sampling_ratio,
                                canonical_scale=canonical_scale, canonical_level=canonical_level)
    y = pooler(features, box_lists, [tuple(s) for s in image_sizes])
    dy = rng.standard_normal(y.shape).astype(np.float32)  # NCHW, as y
    dx = torch.autograd.grad(y, list(features.values()), torch.from_numpy(dy), allow_unused=True)
    dx = [torch.zeros_like(f) if g is None else g for f, g in zip(features.values(), dx)]

    boxes = torch.cat(box_lists).numpy()
    first_level = int(round(-math.log2(pooler.scales[0])))
    if len(level_sizes) > 1:
        areas = torchvision.ops.box_area(torch.from_numpy(boxes)).numpy()
        levels = [None if not a >= 0 else level for a, level in zip(areas, pooler.map_levels(box_lists).tolist())]
        # Away from the level boundaries the float64 formula agrees with torchvision's float32 one; the boundary
        # cases sit within an ulp of them on purpose.
        for k, box in enumerate(boxes):
            if near_boundaries:
                break
            level = exact_level(box, first_level, first_level + len(level_sizes) - 1, canonical_scale,
                                canonical_level)
            assert level is not None and level - first_level == levels[k], (name, k, box, level, levels[k])
    else:
        levels = [0] * len(boxes)
    image_size = [max(s[0] for s in image_sizes), max(s[1] for s in image_sizes)]
    return {
        "name": name, "op": "multiScaleRoiAlign", "note": note,
        "source": "torchvision %s MultiScaleRoIAlign" % torchvision.__version__,
        "attrs": {"outputSize": list(output_size), "imageSize": image_size, "samplingRatio": sampling_ratio,
                  "canonicalScale": canonical_scale, "canonicalLevel": canonical_level},
        "x": [tensor_json(f) for f in features_nhwc],
        "boxes": tensor_json(boxes),
        "boxIndices": [i for i, b in enumerate(box_lists) for _ in range(len(b))],
        "levels": levels,
        "dy": tensor_json(dy.transpose(0, 2, 3, 1)),
        "y": tensor_json(y.detach().numpy().transpose(0, 2, 3, 1)),
        "dx": [tensor_json(g.numpy().transpose(0, 2, 3, 1)) for g in dx],
    }


def float32_of_bits(b):
    return float(np.array([b], np.uint32).view(np.float32)[0])


def bits_of_float32(v):
    return int(np.array([v], np.float32).view(np.uint32)[0])


def torchvision_thresholds(canonical_scale, canonical_level, first_level, num_levels):
    """The least float32 area of each level after the first, by bisection over the float32 bit patterns with
    torchvision's own LevelMapper (its float32 sqrt, log2 and sums), on boxes (0, 0, 1, area)."""
    mapper = LevelMapper(first_level, first_level + num_levels - 1, canonical_scale, canonical_level)

    def level_of(area):
        box = torch.tensor([[0.0, 0.0, 1.0, area]], dtype=torch.float32)
        return int(mapper([box])[0]) + first_level

    thresholds = []
    for level in range(first_level + 1, first_level + num_levels):
        low, high = 0, 0x7f800000  # level_of(low) < level <= level_of(high)
        while high - low > 1:
            mid = (low + high) // 2
            if level_of(float32_of_bits(mid)) >= level:
                high = mid
            else:
                low = mid
        thresholds.append(float32_of_bits(high))
    return thresholds


def box_of_area(area, x1, y1):
    """A box near a square whose float32 area, as torchvision's box_area computes it, is exactly `area`:
    a power-of-two width and the height area / width, both exact, from corner (x1, y1): integers, with
    -height < y1 <= 0 so that y1 + height keeps every bit of the height."""
    width = 2.0 ** round(math.log2(math.sqrt(area)))
    height = float(np.float32(area / width))
    box = np.array([x1, y1, x1 + width, y1 + height], np.float32)
    got = torchvision.ops.box_area(torch.from_numpy(box[None]))[0].item()
    assert got == area, (area, box, got)
    return [float(v) for v in box]


def around_thresholds(thresholds, corners):
    """For each threshold t: boxes of area one float32 below t, t, and one above, at the given corners."""
    boxes = []
    for t, (x1, y1) in zip(thresholds, corners):
        bits = bits_of_float32(t)
        boxes += [box_of_area(float32_of_bits(b), x1, y1) for b in (bits - 1, bits, bits + 1)]
    return boxes


def thresholds_case():
    configs = [(224, 4, 2, 4), (224, 4, 4, 3), (56, 4, 2, 4), (16, 4, 2, 4), (16, 3, 1, 3), (8, 3, 2, 3),
               (100, 4, 2, 5), (7, 2, 0, 4), (1000, 5, 3, 3), (32, 3, 2, 3)]
    return {
        "name": "multiscale_thresholds", "op": "levelThresholds",
        "source": "torchvision %s LevelMapper, bisection over float32 areas" % torchvision.__version__,
        "note": "the least float32 box area of each level after the first",
        "configs": [{"canonicalScale": s0, "canonicalLevel": k0, "firstLevel": first, "numLevels": n,
                     "thresholds": torchvision_thresholds(s0, k0, first, n)} for s0, k0, first, n in configs],
    }


def square(cx, cy, side):
    return [cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2]


def cases():
    return [
        # Four levels 2..5 of a 64x64 image, canonicalScale 56: level = floor(4 + log2(sqrt(area) / 56)).
        make_case('multiscale_four_levels', [(64, 60), (56, 64)], [(16, 16), (8, 8), (4, 4), (2, 2)], 3, [
            [[10, 12, 13, 16],             # sqrt(area) ~3.5: level 0 of the formula, clamped up to 2
             [3, 5, 3, 30],                # zero area: log2(0) = -inf, clamped up to 2
             [20, 20, 34, 34],             # 14 x 14 exactly: level 2 only through the 1e-6
             square(30, 30, 20),           # level 2
             [4, 8, 31.9, 36],             # just under 28 x 28: level 2
             [30, 2, 58, 30],              # 28 x 28 exactly: level 3
             [10, 30, 50, 60]],            # level 3
            [[2, 3, 62, 55],               # just under 56 x 56: level 3
             [-20, -10, 80, 80],           # level 4, spilling past the image
             [-30, -30, 90, 90],           # 120 x 120: level 5
             [-150, -120, 200, 210],       # sqrt(area) 340: level 6, clamped down to 5
             [8, 9, 20, 15]]],             # level 1, clamped up to 2
            (2, 3), 2, canonical_scale=56, canonical_level=4, seed=1,
            note='every level, both clamps, boxes exactly at level boundaries'),
        # torchvision's defaults (224, level 4), levels 4..6 of a 250 x 256 image: heights 16, 8, 4 are not
        # exact fractions of 250, the scales are the nearest powers of two.
        make_case('multiscale_default_canonical', [(250, 256)], [(16, 16), (8, 8), (4, 4)], 2, [
            [[10, 20, 110, 100],           # level 3, clamped up to 4
             [16, 16, 239, 240],           # just under 224 x 224, clamped up to 4
             [0, 0, 224, 224],             # 224 x 224 exactly: level 4
             [-30, 10, 270, 260],          # level 4
             [-100, -100, 348, 348],       # 448 x 448 exactly: level 5
             [-300, -200, 600, 700],       # level 6
             [-1000, -900, 1200, 1300]]],  # level 7, clamped down to 6
            (2, 2), 0, seed=2, note='torchvision defaults, adaptive sampling, clamps at both ends'),
        # One level: torchvision pools every box from it directly, whatever its size, even an inverted box.
        make_case('multiscale_one_level', [(32, 32), (30, 32)], [(8, 8)], 2, [
            [[1, 2, 20, 25], [12, 8, 5, 30]],
            [[-4, 3, 40, 28]]],
            (2, 2), 2, seed=3, note='a single level: roi_align with the inferred scale'),
        # Three levels 1..3 of a 30 x 40 image (ceil-sized maps 15x20, 8x10, 4x5), canonicalScale 16, level 3.
        make_case('multiscale_ceil_sizes', [(30, 38), (28, 40)], [(15, 20), (8, 10), (4, 5)], 2, [
            [[2, 3, 5, 6], [1, 1, 13, 12], [5, 2, 37, 26]],
            [[20, 4, 30, 20], [0, 0, 40, 30], [-10, -10, 3, 2.5]]],
            (3, 2), 1, canonical_scale=16, canonical_level=3, seed=4, note='feature maps of rounded-up sizes'),
        # Levels 2..5 of 64 x 64 images, canonicalScale 16: a box one float32 area below, at and above each
        # torchvision threshold, zero and negative areas (-0 too), boxes on every level in both images.
        make_case('multiscale_level_boundaries', [(64, 64), (60, 64)], [(16, 16), (8, 8), (4, 4), (2, 2)], 3, [
            around_thresholds(torchvision_thresholds(16, 4, 2, 4), [(20, -2), (10, -4), (-4, -6)]) + [
                [3, 5, 3, 30],             # zero area: log2(0) = -inf, level 2
                [5, 20, 5, 4],             # 0 * -16 = -0: level 2, as +0
                [30, 4, 10, 20]],          # negative area: no level, pools 0
            [[4, 6, 9, 12], [8, 8, 20, 22], [10, 2, 40, 30], [-4, 0, 50, 60], [20, 30, 12, 40]] +
            around_thresholds(torchvision_thresholds(16, 4, 2, 4)[1:2], [(30, -8)])],
            (2, 2), 2, canonical_scale=16, canonical_level=4, seed=5, near_boundaries=True,
            note='level boundaries to the float32 ulp, zero and negative areas, a batch of 2 on every level'),
        # torchvision's defaults, levels 4..6 of a 256 x 256 image: boxes an ulp around 448^2 and 896^2.
        make_case('multiscale_default_boundaries', [(256, 256)], [(16, 16), (8, 8), (4, 4)], 2, [
            around_thresholds(torchvision_thresholds(224, 4, 4, 3), [(-100, -90), (-380, -400)])],
            (2, 2), 2, seed=6, near_boundaries=True, note='torchvision defaults, boxes an ulp around the thresholds'),
        # 40 channels (the GPU programs' four-channel path), a batch of 2, three levels.
        make_case('multiscale_forty_channels', [(24, 24), (20, 24)], [(6, 6), (3, 3), (2, 2)], 40, [
            # Off the pixel grid, so that no sample sits on a kink of the bilinear patches, where central
            # differences (the box gradient's reference) average two slopes.
            [[1.3, 2.2, 6.1, 8.7], [2.6, 3.1, 14.3, 15.4], [-2.2, 0.4, 22.3, 23.1]],
            [[10.2, 12.3, 13.1, 16.6], [4.4, 0.3, 18.1, 13.2], [0.3, 1.2, 23.6, 20.1], [6.2, 6.1, 9.3, 7.4]]],
            (2, 2), 2, canonical_scale=8, canonical_level=3, seed=7, note='C = 40, a batch of 2 across all levels'),
    ]


def main(argv):
    torch.set_num_threads(1)
    written = cases()
    write_fixtures(argv[1], written + [thresholds_case()])
    for case in written:
        print(case['name'], 'levels', case['levels'])
    print('wrote', len(written), 'fixtures to', argv[1])


if __name__ == '__main__':
    main(sys.argv)
