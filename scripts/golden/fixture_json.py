"""The fixture format the golden scripts write, in one place: tensors as
{"shape", "data"} with the data rounded to float32 (what the tests load), and
one compact JSON file per case, named after it."""

import json
import os

import numpy as np


def tensor_json(a):
    a = np.asarray(a)
    data = [float(np.float32(v)) for v in np.asarray(a, dtype=np.float64).reshape(-1)]
    return {"shape": list(a.shape), "data": data}


def write_fixtures(outdir, cases):
    """Writes each case to outdir/<name>.json; returns the names."""
    os.makedirs(outdir, exist_ok=True)
    for case in cases:
        with open(os.path.join(outdir, case['name'] + '.json'), 'w') as f:
            json.dump(case, f, separators=(',', ':'))
    return [case['name'] for case in cases]
