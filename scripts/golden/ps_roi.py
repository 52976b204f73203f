#!/usr/bin/python3
"""Golden fixtures for psRoiAlign and psRoiPool (R-FCN), from torchvision (Debian python3-torchvision)
and float64 autograd references that follow torchvision's CPU kernels step by step.

  /usr/bin/python3 scripts/golden/ps_roi.py test/fixtures

Same JSON as the other fixtures (test/fixtures/README.md), NHWC: x [N,H,W,C], boxes [K,4], boxIndices [K],
dy and y [K,PH,PW,C/(PH*PW)], dx [N,H,W,C], and dboxes [K,4] for psRoiAlign.
psRoiAlign: y and dx from torchvision.ops.ps_roi_align; dboxes from the float64 reference (torchvision has no
box gradient), which must first reproduce torchvision's y and dx.
psRoiPool: y from torchvision.ops.ps_roi_pool; dx from the float64 reference of that forward. torchvision's own
backward clips bins to [0, size] where its forward clips to [0, size - 1], so its dx is not the forward's
derivative; the library follows the forward.
"""
import math, sys
import numpy as np
import torch
import torchvision
from torchvision.ops import ps_roi_align, ps_roi_pool

from fixture_json import tensor_json, write_fixtures

f32 = np.float32


def in_channel(c, i, j, ph, pw):
    return (c * ph + i) * pw + j


def bilinear(plane, y, x):
    """plane [H,W] float64 (grad); y, x 0-d tensors (grad). torchvision's bilinear_interpolate."""
    H, W = plane.shape
    yv, xv = float(y), float(x)
    if not (-1.0 <= yv <= H and -1.0 <= xv <= W):
        return torch.zeros((), dtype=plane.dtype)
    if yv <= 0:
        y, yv = torch.clamp(y, min=0.0), 0.0
    if xv <= 0:
        x, xv = torch.clamp(x, min=0.0), 0.0
    y0, x0 = int(yv), int(xv)
    if y0 >= H - 1:
        y0 = y1 = H - 1
        y = torch.tensor(float(y0), dtype=plane.dtype)
    else:
        y1 = y0 + 1
    if x0 >= W - 1:
        x0 = x1 = W - 1
        x = torch.tensor(float(x0), dtype=plane.dtype)
    else:
        x1 = x0 + 1
    ly, lx = y - y0, x - x0
    hy, hx = 1 - ly, 1 - lx
    return hy * hx * plane[y0, x0] + hy * lx * plane[y0, x1] + ly * hx * plane[y1, x0] + ly * lx * plane[y1, x1]


def ref_ps_roi_align(x, boxes, bidx, ph, pw, scale, sr):
    """x [N,H,W,C] float64 (grad), boxes [K,4] float64 (grad) -> [K,ph,pw,C/(ph*pw)]."""
    cout = x.shape[3] // (ph * pw)
    out = []
    for k in range(boxes.shape[0]):
        img = x[int(bidx[k])]
        x1, y1, x2, y2 = boxes[k] * scale - 0.5
        rw, rh = x2 - x1, y2 - y1
        bh, bw = rh / ph, rw / pw
        gh = sr if sr > 0 else int(math.ceil(float(rh) / ph))
        gw = sr if sr > 0 else int(math.ceil(float(rw) / pw))
        assert gh > 0 and gw > 0, 'a degenerate box: torchvision divides 0 by 0 there'
        rows = []
        for i in range(ph):
            cols = []
            for j in range(pw):
                chans = []
                for c in range(cout):
                    plane = img[:, :, in_channel(c, i, j, ph, pw)]
                    total = torch.zeros((), dtype=x.dtype)
                    for iy in range(gh):
                        yy = y1 + i * bh + (iy + 0.5) * bh / gh
                        for ix in range(gw):
                            total = total + bilinear(plane, yy, x1 + j * bw + (ix + 0.5) * bw / gw)
                    chans.append(total / (gh * gw))
                cols.append(torch.stack(chans))
            rows.append(torch.stack(cols))
        out.append(torch.stack(rows))
    return torch.stack(out)


def round_half_away(v):
    return int(math.copysign(math.floor(abs(v) + 0.5), v))


def ref_ps_roi_pool(x, boxes, bidx, ph, pw, scale):
    """x [N,H,W,C] float64 (grad) -> [K,ph,pw,C/(ph*pw)]: ps_roi_pool's forward, in float32 geometry."""
    N, H, W, C = x.shape
    cout = C // (ph * pw)
    out = torch.zeros((boxes.shape[0], ph, pw, cout), dtype=x.dtype)
    for k in range(boxes.shape[0]):
        start_w, start_h, end_w, end_h = [round_half_away(float(f32(f32(v) * f32(scale)))) for v in boxes[k]]
        bin_h = f32(max(end_h - start_h, 1)) / f32(ph)
        bin_w = f32(max(end_w - start_w, 1)) / f32(pw)
        for i in range(ph):
            h0 = min(max(math.floor(f32(i) * bin_h) + start_h, 0), H - 1)
            h1 = min(max(math.ceil(f32(i + 1) * bin_h) + start_h, 0), H - 1)
            for j in range(pw):
                w0 = min(max(math.floor(f32(j) * bin_w) + start_w, 0), W - 1)
                w1 = min(max(math.ceil(f32(j + 1) * bin_w) + start_w, 0), W - 1)
                if h1 <= h0 or w1 <= w0:
                    continue
                for c in range(cout):
                    patch = x[int(bidx[k]), h0:h1, w0:w1, in_channel(c, i, j, ph, pw)]
                    out[k, i, j, c] = patch.sum() / ((h1 - h0) * (w1 - w0))
    return out


def random_boxes(rng, K, N, img_h, img_w, spill=0.2):
    """Boxes of varied size, some spilling past the image edge."""
    w = np.exp(rng.uniform(math.log(0.5), math.log(img_w * 1.1), K))
    h = np.exp(rng.uniform(math.log(0.5), math.log(img_h * 1.1), K))
    x1 = rng.uniform(-spill * img_w, img_w * (1 + spill) - w)
    y1 = rng.uniform(-spill * img_h, img_h * (1 + spill) - h)
    return np.stack([x1, y1, x1 + w, y1 + h], 1), rng.integers(0, N, K)


def make_case(name, op, N, H, W, cout, K, ph, pw, scale, sr, seed):
    rng = np.random.default_rng(seed)
    C = cout * ph * pw
    xf = rng.standard_normal((N, H, W, C)).astype(f32)
    b, bi = random_boxes(rng, K, N, H / scale, W / scale)
    boxes = b.astype(f32)
    bidx = bi.astype(np.int32)
    dy = rng.standard_normal((K, ph, pw, cout)).astype(f32)
    rois = torch.from_numpy(np.concatenate([bidx[:, None].astype(f32), boxes], 1))
    xt = torch.from_numpy(xf.transpose(0, 3, 1, 2).copy()).requires_grad_(True)
    dyt = torch.from_numpy(dy.transpose(0, 3, 1, 2).copy())
    x64 = torch.from_numpy(xf.astype(np.float64)).requires_grad_(True)
    b64 = torch.from_numpy(boxes.astype(np.float64)).requires_grad_(True)
    dy64 = torch.from_numpy(dy.astype(np.float64))
    case = {"name": name, "op": op, "note": "",
            "attrs": {"outputSize": [ph, pw], "spatialScale": scale},
            "x": tensor_json(xf), "boxes": tensor_json(boxes), "boxIndices": [int(v) for v in bidx],
            "dy": tensor_json(dy)}
    if op == 'psRoiAlign':
        case["attrs"]["samplingRatio"] = sr
        y = ps_roi_align(xt, rois, (ph, pw), spatial_scale=scale, sampling_ratio=sr)
        (dx,) = torch.autograd.grad(y, xt, dyt)
        yn, dxn = y.detach().numpy().transpose(0, 2, 3, 1), dx.numpy().transpose(0, 2, 3, 1)
        yr = ref_ps_roi_align(x64, b64, bidx, ph, pw, scale, sr)
        dxr, dbr = torch.autograd.grad(yr, (x64, b64), dy64)
        # The reference must reproduce torchvision, or its box gradient means nothing.
        assert np.abs(yn - yr.detach().numpy()).max() < 1e-4, (name, 'y')
        assert np.abs(dxn - dxr.numpy()).max() < 1e-4, (name, 'dx')
        case["y"], case["dx"], case["dboxes"] = tensor_json(yn), tensor_json(dxn), tensor_json(dbr.numpy())
        case["source"] = "torchvision %s ps_roi_align; dboxes from float64 reference" % torchvision.__version__
    else:
        y = ps_roi_pool(xt, rois, (ph, pw), spatial_scale=scale)
        yn = y.detach().numpy().transpose(0, 2, 3, 1)
        yr = ref_ps_roi_pool(x64, b64.detach(), bidx, ph, pw, scale)
        (dxr,) = torch.autograd.grad(yr, (x64,), dy64)
        assert np.abs(yn - yr.detach().numpy()).max() < 1e-4, (name, 'y')
        case["y"], case["dx"] = tensor_json(yn), tensor_json(dxr.numpy())
        case["source"] = ("torchvision %s ps_roi_pool; dx from float64 reference of its forward"
                          % torchvision.__version__)
    return case


def cases():
    # (N, H, W, Cout, K, ph, pw, scale, samplingRatio)
    align = [(1, 8, 9, 2, 5, 2, 2, 1.0, 2), (2, 7, 6, 3, 6, 3, 2, 0.5, 0), (1, 6, 7, 1, 4, 3, 3, 0.25, 1)]
    pool = [(1, 8, 9, 2, 5, 2, 2, 1.0), (2, 7, 6, 3, 6, 3, 2, 0.5), (1, 10, 8, 1, 5, 3, 3, 0.25)]
    out = [make_case('psroialign_%d' % i, 'psRoiAlign', *v, seed=300 + i) for i, v in enumerate(align)]
    out += [make_case('psroipool_%d' % i, 'psRoiPool', *v, 0, seed=400 + i) for i, v in enumerate(pool)]
    return out


def main(argv):
    names = write_fixtures(argv[1], cases())
    print('wrote', len(names), 'fixtures to', argv[1])


if __name__ == '__main__':
    main(sys.argv)
