"""Runs exported ONNX models in ONNX Runtime for tests/onnx_runtime.rs.

Usage: python onnx_runtime_run.py MANIFEST.json

The manifest is a list of cases, each {"model": PATH, "inputs": {NAME: NPY},
"outputs": [NAME, ...], "dir": DIR}. For each case the model is run with the
inputs read from the .npy files, and output k is written to DIR/out{k}.npy; when
ONNX Runtime cannot load or run the model, its message goes to DIR/error.txt
instead, so that one bad model does not hide the results of the others.
"""

import json
import os
import sys

import numpy as np
import onnxruntime as ort


def run(case):
    options = ort.SessionOptions()
    # The test machine is shared: one thread per session is enough for these sizes.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(case["model"], options, providers=["CPUExecutionProvider"])
    feeds = {name: np.load(path) for name, path in case["inputs"].items()}
    results = session.run(case["outputs"], feeds)
    for k, value in enumerate(results):
        np.save(os.path.join(case["dir"], f"out{k}.npy"), np.asarray(value))


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    for case in cases:
        try:
            run(case)
        except Exception as e:  # noqa: BLE001 - every failure is reported per model
            with open(os.path.join(case["dir"], "error.txt"), "w") as f:
                f.write(f"{type(e).__name__}: {e}")
    print(f"onnxruntime {ort.__version__}: ran {len(cases)} models")


if __name__ == "__main__":
    main()
