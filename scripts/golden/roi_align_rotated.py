#!/usr/bin/python3
"""Golden fixtures for roiAlignRotated: a float64 autograd reference of detectron2's ROIAlignRotated.

  /usr/bin/python3 scripts/golden/roi_align_rotated.py test/fixtures

torchvision has no rotated RoIAlign, so y, dx and dboxes all come from the reference below, which follows
detectron2's published definition (detectron2/layers/csrc/ROIAlignRotated): boxes (cx, cy, w, h, angle) with
the angle in degrees, counter-clockwise; the centre shifted by half a pixel; no minimum box size; bins laid out
from (-w/2, -h/2) in the box's frame; each sample rotated about the centre by
  y = yy cos - xx sin + cy,  x = yy sin + xx cos + cx;
a sample outside [-1, H] x [-1, W] reads 0 but counts; positions below 0 clamp to 0, corners at the last pixel
clamp there. mmcv's RoIAlignRotated(aligned=True) is the same with the angle in radians, and clockwise=True
negates it. The reference is checked against torchvision.ops.roi_align(aligned=True) on the same boxes turned
to angle 0 before anything is written.

Same JSON layout as the roiAlign fixtures (NHWC): x [N,H,W,C], boxes [K,5], boxIndices [K], dy, y
[K,PH,PW,C], dx [N,H,W,C], dboxes [K,5]. Values are float32 written as shortest round-trip decimals.
"""
import math, sys
import numpy as np
import torch
import torchvision
from torchvision.ops import roi_align

from fixture_json import tensor_json, write_fixtures

torch.set_default_dtype(torch.float64)


def corner_axis(pos, size):
    """One axis of a bilinear sample: (low, high, position used) or None outside; pos a 0-d tensor."""
    v = float(pos)
    if not (-1.0 <= v <= size):
        return None
    if v < 0:
        pos, v = torch.clamp(pos, min=0.0), 0.0
    low = int(v)
    if low >= size - 1:
        return size - 1, size - 1, torch.tensor(float(size - 1))
    return low, low + 1, pos


def sample(img, y, x):
    """img [H,W,C] float64; y, x 0-d tensors with grad. detectron2's bilinear interpolation."""
    H, W, C = img.shape
    ry, rx = corner_axis(y, H), corner_axis(x, W)
    if ry is None or rx is None:
        return torch.zeros(C)
    (y0, y1, y), (x0, x1, x) = ry, rx
    ly, lx = y - y0, x - x0
    hy, hx = 1 - ly, 1 - lx
    return hy * (hx * img[y0, x0] + lx * img[y0, x1]) + ly * (hx * img[y1, x0] + lx * img[y1, x1])


def reference(x, boxes, bidx, ph, pw, scale, sr, unit, clockwise):
    """x [N,H,W,C] and boxes [K,5] float64 with grad. Returns y [K,ph,pw,C]."""
    outs = []
    for k in range(boxes.shape[0]):
        img = x[int(bidx[k])]
        cx, cy, w, h, angle = boxes[k]
        cx, cy = cx * scale - 0.5, cy * scale - 0.5
        rw, rh = w * scale, h * scale
        theta = angle * (math.pi / 180.0 if unit == 'degrees' else 1.0)
        if clockwise:
            theta = -theta
        c, s = torch.cos(theta), torch.sin(theta)
        # the adaptive grid is decided in float32, as detectron2 does for float inputs
        gh = sr if sr > 0 else max(int(math.ceil(np.float32(np.float32(float(rh)) / np.float32(ph)))), 0)
        gw = sr if sr > 0 else max(int(math.ceil(np.float32(np.float32(float(rw)) / np.float32(pw)))), 0)
        count = max(gh * gw, 1)
        bh, bw = rh / ph, rw / pw
        rows = []
        for i in range(ph):
            cols = []
            for j in range(pw):
                total = torch.zeros(img.shape[2])
                for iy in range(gh):
                    yy = -rh / 2 + i * bh + (iy + 0.5) * bh / gh
                    for ix in range(gw):
                        xx = -rw / 2 + j * bw + (ix + 0.5) * bw / gw
                        total = total + sample(img, yy * c - xx * s + cy, yy * s + xx * c + cx)
                cols.append(total / count)
            rows.append(torch.stack(cols))
        outs.append(torch.stack(rows))
    return torch.stack(outs)


def check_against_torchvision(xf, boxes, bidx, ph, pw, scale, sr):
    """At angle 0 the reference must equal torchvision's aligned roi_align on the same box."""
    b0 = boxes.astype(np.float64).copy()
    b0[:, 4] = 0
    y0 = reference(torch.from_numpy(xf.astype(np.float64)), torch.from_numpy(b0), bidx, ph, pw, scale, sr,
                   'degrees', False).numpy()
    cx, cy, w, h = b0[:, 0], b0[:, 1], b0[:, 2], b0[:, 3]
    corners = np.stack([bidx, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1)
    xt = torch.from_numpy(xf.transpose(0, 3, 1, 2).astype(np.float64).copy())
    yt = roi_align(xt, torch.from_numpy(corners), (ph, pw), spatial_scale=scale, sampling_ratio=sr, aligned=True)
    err = np.abs(yt.numpy().transpose(0, 2, 3, 1) - y0).max()
    assert err < 1e-6, ('angle-0 reference differs from torchvision roi_align', err)


def make_case(name, N, H, W, C, boxes, bidx, ph, pw, scale=1.0, sr=0, unit='degrees', clockwise=False, seed=0,
              note=''):
    rng = np.random.default_rng(seed)
    xf = rng.standard_normal((N, H, W, C)).astype(np.float32)
    boxes = np.asarray(boxes, np.float32).reshape(-1, 5)
    bidx = np.asarray(bidx, np.int32)
    K = boxes.shape[0]
    dy = rng.standard_normal((K, ph, pw, C)).astype(np.float32)
    check_against_torchvision(xf, boxes, bidx, ph, pw, scale, sr)
    x64 = torch.from_numpy(xf.astype(np.float64)).requires_grad_(True)
    b64 = torch.from_numpy(boxes.astype(np.float64)).requires_grad_(True)
    y = reference(x64, b64, bidx, ph, pw, scale, sr, unit, clockwise)
    dx, dboxes = torch.autograd.grad(y, (x64, b64), torch.from_numpy(dy.astype(np.float64)), allow_unused=True)
    dx = torch.zeros_like(x64) if dx is None else dx
    dboxes = torch.zeros_like(b64) if dboxes is None else dboxes
    return {"name": name, "op": "roiAlignRotated", "note": note,
            "source": "float64 autograd reference of detectron2 ROIAlignRotated (checked against torchvision %s "
                      "roi_align at angle 0)" % torchvision.__version__,
            "attrs": {"outputSize": [ph, pw], "spatialScale": scale, "samplingRatio": sr, "angleUnit": unit,
                      "clockwise": clockwise},
            "x": tensor_json(xf), "boxes": tensor_json(boxes), "boxIndices": [int(v) for v in bidx],
            "dy": tensor_json(dy), "y": tensor_json(y.detach().numpy()), "dx": tensor_json(dx.numpy()),
            "dboxes": tensor_json(dboxes.numpy())}


def random_rotated_boxes(rng, K, N, img_h, img_w, unit):
    """Centres a little past the image edges, varied sizes (a few under a pixel), any angle."""
    cx = rng.uniform(-0.1 * img_w, 1.1 * img_w, K)
    cy = rng.uniform(-0.1 * img_h, 1.1 * img_h, K)
    w = np.exp(rng.uniform(math.log(0.5), math.log(img_w * 0.9), K))
    h = np.exp(rng.uniform(math.log(0.5), math.log(img_h * 0.9), K))
    angle = rng.uniform(-180.0, 180.0, K)
    if unit == 'radians':
        angle = angle * math.pi / 180.0
    return np.stack([cx, cy, w, h, angle], 1), rng.integers(0, N, K)


VARIANTS = [
    # (N, H, W, C, K, ph, pw, scale, sr, unit, clockwise)
    (1, 9, 11, 3, 5, 3, 4, 1.0, 2, 'degrees', False),
    (2, 9, 11, 2, 6, 2, 2, 1.0, 0, 'degrees', False),
    (2, 10, 8, 3, 5, 3, 3, 0.5, 0, 'degrees', False),
    (1, 7, 7, 2, 4, 2, 3, 0.25, 1, 'radians', False),
    (2, 8, 9, 2, 5, 2, 2, 1.0, 2, 'radians', True),
    (1, 8, 8, 2, 4, 3, 2, 1.0, 0, 'degrees', True),
]


def main(argv):
    made = []
    for i, (N, H, W, C, K, ph, pw, sc, sr, unit, cw) in enumerate(VARIANTS):
        rng = np.random.default_rng(300 + i)
        b, bi = random_rotated_boxes(rng, K, N, H / sc, W / sc, unit)
        made.append(make_case('roialignrotated_%d' % i, N, H, W, C, b, bi, ph, pw, sc, sr, unit, cw, seed=350 + i))
    names = write_fixtures(argv[1], made)
    print('wrote', ', '.join(names), 'to', argv[1])


if __name__ == '__main__':
    main(sys.argv)
