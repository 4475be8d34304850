#!/usr/bin/env bash
# The GPU checks, in one run of a few minutes on a CUDA machine:
#   bash bench/gpu.sh            (from the repository root, after ./explorer.sh has made .venv)
# Prints the device, runs the tests that touch models with EXPLORER_DEVICE=cuda (they fail, not skip,
# when CUDA is missing), then the saliency, RNN, sequence-length scaling and training-lab benchmarks on the GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
export EXPLORER_DEVICE=cuda EXPLORER_REQUIRE_CUDA=1
"$PY" - <<'PY'
import torch
assert torch.cuda.is_available(), "bench/gpu.sh needs a CUDA device"
print("device:", torch.cuda.get_device_name(0), "| torch", torch.__version__, "| CUDA", torch.version.cuda)
PY
"$PY" -m pytest -q -p no:cacheprovider tests/test_device.py tests/test_models.py tests/test_saliency.py \
    tests/test_rnn.py tests/test_sequences.py tests/test_gradients.py tests/test_concurrency.py tests/test_lab.py
"$PY" bench/saliency.py --device cuda
"$PY" bench/rnn.py --device cuda
if [ -f bench/scaling.py ]; then "$PY" bench/scaling.py --device cuda; fi
# The training lab on the GPU: its bookkeeping against a bare loop, and the same code the page runs.
"$PY" bench/lab.py --device cuda --skip-comparisons
