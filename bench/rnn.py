"""Tracing cost: our LSTM (a Python loop over steps, every gate kept) vs torch.nn.LSTM on the same weights.

    python bench/rnn.py [--steps 500] [--hidden 128] [--repeats 10]

Both run in one process on the current device; prints the median times and the ratio (target ≤ 3 on CPU).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import median_seconds  # noqa: E402
from core.device import choose_device  # noqa: E402
from core.models.rnn import GRU, LSTM, RNN  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--input", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--device", default=None)
    args = parser.parse_args()
    device = choose_device(args.device).device
    x = torch.randn(1, args.steps, args.input, device=device)
    print(f"one sequence of {args.steps} steps, input {args.input}, hidden {args.hidden}, {device.type}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, median of {args.repeats}")
    for ours_cls, ref_cls in ((LSTM, torch.nn.LSTM), (GRU, torch.nn.GRU), (RNN, torch.nn.RNN)):
        torch.manual_seed(0)
        ours = ours_cls(args.input, args.hidden).to(device).eval()
        ref = ref_cls(args.input, args.hidden, batch_first=True).to(device).eval()
        ref.load_state_dict(ours.state_dict())
        with torch.inference_mode():
            t_ours = median_seconds(lambda: ours(x), args.repeats, device)
            t_ref = median_seconds(lambda: ref(x), args.repeats, device)
        ratio = t_ours / t_ref
        print(f"  {ours_cls.__name__:5s} ours (traced) {t_ours * 1000:8.2f} ms   torch.nn {t_ref * 1000:8.2f} ms   "
              f"ratio {ratio:5.2f}{'   (target ≤ 3)' if ours_cls is LSTM else ''}")
    torch.manual_seed(0)
    ref = torch.nn.LSTM(args.input, args.hidden, batch_first=True).to(device).eval()
    weights = (ref.weight_ih_l0, ref.weight_hh_l0, ref.bias_ih_l0, ref.bias_hh_l0)

    def one_fused_op_per_step() -> None:
        h = c = torch.zeros(1, args.hidden, device=device)
        for t in range(args.steps):
            h, c = torch.lstm_cell(x[:, t], (h, c), *weights)

    with torch.inference_mode():
        floor = median_seconds(one_fused_op_per_step, args.repeats, device)
        fused = median_seconds(lambda: ref(x), args.repeats, device)
    print(f"  floor of any Python step loop: one fused torch.lstm_cell per step {floor * 1000:8.2f} ms = "
          f"{floor / fused:5.2f} × torch.nn.LSTM (per-op dispatch from Python, not arithmetic, sets the cost)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
