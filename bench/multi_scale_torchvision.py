#!/usr/bin/python3
"""torchvision's MultiScaleRoIAlign on the FPN workload of bench/workloads.mjs (FPN_WORKLOAD, C = 256, one
thread), for the number bench/multi_scale_bench.mjs records (TORCHVISION_FPN_MS). The boxes are seededBoxes(1000,
seed 1), regenerated here with the same Park-Miller generator; the features are random.

  /usr/bin/python3 bench/multi_scale_torchvision.py
"""
import time, statistics, numpy as np, torch
from collections import OrderedDict
from torchvision.ops import MultiScaleRoIAlign, roi_align
torch.set_num_threads(1)
def seeded_uniform(seed):
    s = seed % 2147483647
    if s <= 0: s += 2147483646
    state = [s]
    def r():
        state[0] = (state[0] * 16807) % 2147483647
        return (state[0] - 1) / 2147483646
    return r
def seeded_boxes(count, imageH=800, imageW=1088, minSide=16, seed=1):
    import math
    rnd = seeded_uniform(seed); out = []
    for _ in range(count):
        w = math.exp(math.log(minSide) + rnd() * math.log(imageW / minSide))
        h = math.exp(math.log(minSide) + rnd() * math.log(imageH / minSide))
        x1 = rnd() * (imageW - w); y1 = rnd() * (imageH - h)
        out.append([x1, y1, x1 + w, y1 + h])
    return out
C = 256
sizes = [(200, 272), (100, 136), (50, 68), (25, 34)]
g = torch.Generator().manual_seed(0)
feats = OrderedDict((f'p{i}', torch.randn(1, C, h, w, generator=g).requires_grad_(True)) for i, (h, w) in enumerate(sizes))
boxes = torch.tensor(seeded_boxes(1000), dtype=torch.float32)
pooler = MultiScaleRoIAlign(list(feats), 7, 2)
def med(f, n=10, warm=2):
    for _ in range(warm): f()
    ts = []
    for _ in range(n):
        t = time.perf_counter(); f(); ts.append((time.perf_counter() - t) * 1e3)
    return statistics.median(ts), min(ts), max(ts)
y = pooler(feats, [boxes], [(800, 1088)])
dy = torch.randn(y.shape, generator=g)
print('levels', torch.bincount(pooler.map_levels([boxes])).tolist())
with torch.no_grad():
    fwd = med(lambda: pooler(feats, [boxes], [(800, 1088)]))
def bwd():
    y = pooler(feats, [boxes], [(800, 1088)])
    t = time.perf_counter(); torch.autograd.grad(y, list(feats.values()), dy); return (time.perf_counter() - t) * 1e3
for _ in range(2): bwd()
bt = sorted(bwd() for _ in range(10))
x0 = feats['p0']
rois = torch.cat([torch.zeros(1000, 1), boxes], 1)
with torch.no_grad():
    one = med(lambda: roi_align(x0, rois, 7, 0.25, 2, False))
def bwd1():
    y = roi_align(x0, rois, 7, 0.25, 2, False)
    t = time.perf_counter(); torch.autograd.grad(y, [x0], dy); return (time.perf_counter() - t) * 1e3
for _ in range(2): bwd1()
b1 = sorted(bwd1() for _ in range(10))
print('torch', torch.__version__, 'threads', torch.get_num_threads())
print('pooler forward ms median/min/max', fwd)
print('pooler backward (dx all levels) ms median/min/max', (bt[5], bt[0], bt[-1]))
print('roi_align P2 forward', one)
print('roi_align P2 backward', (b1[5], b1[0], b1[-1]))
