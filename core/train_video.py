"""Train the two video models on the same generated clips and measure them the same way.

    python -m core.train_video                   # both models, seeds 0 1 2 → assets/weights/video_*.safetensors
                                                 #   (seed 0) and assets/curves/video_results.json
    python -m core.train video                   # the same
    python -m core.train_video cnn_gru --seeds 0

One recipe for both (AdamW, one-cycle, batch 64, `EPOCHS` passes over 4,000 clips), so only what the model
sees differs: every frame in order (CNN + GRU) or their mean (the same CNN on the averaged frames). Reported
per model: held-out accuracy per seed, how often it gets the axis of motion right (horizontal or vertical),
parameters and training seconds. Training runs on one thread, niced, to keep the machine usable.
"""
from __future__ import annotations

import argparse
import json
import os
from dataclasses import replace

import numpy as np
import torch

from core.data.video import DIRECTIONS, FRAMES, SIZE, axis_of
from core.models.catalogue import get_spec, model_names
from core.probes.costs import parameter_count
from core.training.engine import Run, RunConfig, predict, train
from core.training.tasks import VIDEO_TEST_SEED, VIDEO_TRAIN_SEED, VideoTask, video_tensors
from core.weights import ASSETS, bundled_path, save_bundled

EPOCHS = 4
SEEDS = (0, 1, 2)
CONFIG = RunConfig("video", "adam", 3e-3, "onecycle", 64, EPOCHS, weight_decay=1e-4)
"""One recipe for both models: the same clips, steps, optimiser and schedule."""
RESULTS = ASSETS / "curves" / "video_results.json"
COMMAND = "python -m core.train video"


def video_task(name: str) -> VideoTask:
    """The clips task as the bundled video models were trained and measured on it, with model `name`."""
    return VideoTask("video", "clips", "clips", model=name)


def held_out_scores(model: torch.nn.Module, task: VideoTask) -> dict[str, float]:
    """Held-out accuracy of the direction and of its axis (horizontal or vertical) alone."""
    x, y = video_tensors(task.val, VIDEO_TEST_SEED)  # the task's held-out clips, without its training clips
    pred = predict(model, task, x).argmax(1)
    return {"accuracy": float((pred == y).float().mean()),
            "axis_accuracy": float((axis_of(pred) == axis_of(y)).float().mean())}


def video_run(name: str, seed: int = 0, epochs: int = EPOCHS) -> Run:
    """Model `name` from seed `seed`, ready for the engine."""
    return Run(replace(CONFIG, seed=seed, epochs=epochs), task=video_task(name))


def bundle(names: list[str], seeds: tuple[int, ...] = SEEDS, epochs: int = EPOCHS) -> dict:
    """Train `names` for every seed; write seed 0's weights (with their facts) and every model's measurements to
    RESULTS (other models' entries kept); return the results."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"models": {}}
    task = video_task(names[0])
    results.update({
        "task": f"direction of motion ({', '.join(DIRECTIONS)}) of one shape in clips of {FRAMES} noisy {SIZE}×{SIZE} "
                f"frames: {task.train:,} train (seed {VIDEO_TRAIN_SEED}), {task.val:,} held out (seed {VIDEO_TEST_SEED})",
        "training": f"AdamW lr {CONFIG.lr:g}, one-cycle, batch {CONFIG.batch_size}, {epochs} epochs, "
                    f"weight decay {CONFIG.weight_decay:g}",
        "seeds": list(seeds),
        "machine": f"{os.cpu_count()} CPU cores, torch {torch.__version__}, {torch.get_num_threads()} thread(s)",
        "command": COMMAND,
    })
    for name in names:
        spec = get_spec(name, "video")
        scores, seconds = [], []
        for seed in seeds:
            run = train(video_run(name, seed, epochs))
            scores.append(held_out_scores(run.model, video_task(name)))
            seconds.append(round(run.compute_seconds, 1))
            print(f"  {name:13s} seed {seed}: held-out accuracy {scores[-1]['accuracy']:.4f} "
                  f"(axis {scores[-1]['axis_accuracy']:.4f}) in {seconds[-1]:.0f} s", flush=True)
            if seed == seeds[0]:
                model = run.model.eval()
                save_bundled(model, bundled_path(spec), {
                    "model": name, "dataset": results["task"], "test_accuracy": f"{scores[-1]['accuracy']:.4f}",
                    "epochs": str(epochs), "seed": str(seed), "train_seconds": f"{seconds[-1]:.0f}",
                    "torch": torch.__version__, "command": COMMAND,
                })
        results["models"][name] = {
            "title": spec.title, "accuracy": [round(s["accuracy"], 4) for s in scores],
            "axis_accuracy": [round(s["axis_accuracy"], 4) for s in scores], "train_seconds": seconds,
            "bundled_seed": seeds[0], "params": parameter_count(model),
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help=f"any of {', '.join(model_names('video'))} (default: both)")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args(argv)
    unknown = [m for m in args.models if m not in model_names("video")]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(model_names('video'))}")
    torch.set_num_threads(1)
    if hasattr(os, "nice"):
        os.nice(10)
    results = bundle(args.models or model_names("video"), tuple(args.seeds), args.epochs)
    print(f"wrote {RESULTS}")
    for name, r in results["models"].items():
        print(f"  {r['title']:28s} {100 * np.mean(r['accuracy']):5.1f} ± {100 * np.std(r['accuracy']):.1f}%  "
              f"(axis {100 * np.mean(r['axis_accuracy']):5.1f}%)  {r['params']:6d} params  "
              f"{np.mean(r['train_seconds']):4.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
