"""Forward latency, peak memory and sequential steps against sequence length: Conv1d stack, LSTM, GRU, attention.

    python bench/scaling.py [--batch 1] [--device cuda] [--save]
    python bench/scaling.py --memory-only --kinds attention_explicit --save

Every layer has width 64 and reads the same random (batch, T, 64) input on one device, in one process.
Prints a table and, for each layer, how its time grows from T = 256 to T = 4096 (×16 in length): a
recurrent layer's time grows about linearly (T steps one after another), attention's faster than
linearly once its T × T matrix dominates. Attention runs twice with the same weights: through the fused
kernel, which never stores the T × T weights, and written out as softmax(QKᵀ/√d)·V, which holds them; the
last lines compare their peak memory at the longest T with the LSTM's. `--save` writes assets/curves/scaling_cpu.json (or
scaling_cuda.json), which the "CNN vs RNN vs attention" page shows until a user measures live.

`--memory-only` sizes the given kinds without timing them (peak memory is the same on a busy machine, time
is not) and merges them into the saved file, which then names them under "untimed" with this command.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.device import choose_device  # noqa: E402
from core.probes.scaling import KINDS, sweep  # noqa: E402
from core.weights import ASSETS  # noqa: E402

LENGTHS = [16, 64, 256, 1024, 2048, 4096]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--device", default=None)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--save", action="store_true")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--memory-only", action="store_true", help="size without timing; --save merges into the file")
    args = parser.parse_args()
    device = choose_device(args.device).device
    repeats = 0 if args.memory_only else args.repeats
    points = sweep(LENGTHS, batch=args.batch, device=device, repeats=repeats, kinds=tuple(args.kinds))
    name = torch.cuda.get_device_name(0) if device.type == "cuda" else f"{os.cpu_count()} CPU cores"
    print(f"batch {args.batch}, width 64, {device.type} ({name}), torch {torch.__version__}, median of {args.repeats}")
    print(f"{'layer':18s} {'T':>6s} {'ms':>10s} {'peak MiB':>9s} {'sequential steps':>17s}")
    for p in points:
        ms = ("not timed" if args.memory_only else "skipped") if p.seconds is None else f"{1000 * p.seconds:10.3f}"
        print(f"{p.kind:18s} {p.length:6d} {ms:>10s} {p.peak_bytes / 2**20:9.2f} {p.steps:17d}")
    for kind in args.kinds:
        t = {p.length: p.seconds for p in points if p.kind == kind}
        if t.get(256) and t.get(4096):
            print(f"{kind:18s} time at T = 4096 / time at T = 256: {t[4096] / t[256]:6.1f}× (length ×16)")
    longest = max(LENGTHS)
    for p in points:
        if p.length == longest and p.kind in ("attention_explicit", "attention", "lstm"):
            print(f"{p.kind:18s} peak memory at T = {longest}: {p.peak_bytes / 2**20:8.2f} MiB")
    if args.save:
        path = ASSETS / "curves" / f"scaling_{device.type}.json"
        machine = f"{name}, torch {torch.__version__}"
        if args.memory_only:
            saved = json.loads(path.read_text())
            kept = [p for p in saved["points"] if p["kind"] not in args.kinds]
            saved.update(points=kept + [asdict(p) for p in points], untimed={
                "kinds": args.kinds, "machine": machine,
                "command": f"python bench/scaling.py --batch {args.batch} --memory-only --kinds {' '.join(args.kinds)} --save"})
        else:
            saved = {"batch": args.batch, "device": device.type, "machine": machine,
                     "command": f"python bench/scaling.py --batch {args.batch} --save", "points": [asdict(p) for p in points]}
        path.write_text(json.dumps(saved, indent=1))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
