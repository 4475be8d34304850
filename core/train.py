"""The commands that make the bundled weights and curves, each a seeded run of the training engine.

    python -m core.train lenet5      # LeNet-5 on scikit-learn's digits   → assets/weights/lenet5_digits.safetensors
    python -m core.train small_vgg   # Small VGG on synthetic shapes       → assets/weights/small_vgg_shapes.safetensors
    python -m core.train char_lstm   # character models (char_rnn, char_lstm, char_gru) on CPython source
    python -m core.train brackets_lstm quotes_lstm …   # long-dependency taggers
    python -m core.train all         # everything; `sequences` for the recurrent models only
    python -m core.train adding      # adding-problem curves of RNN, LSTM, GRU → assets/curves/adding_T100.json
    python -m core.train depth       # plain-20 / plain-56 / residual-56 on shapes → assets/curves/depth_shapes.json
    python -m core.train eras        # the five era CNNs × 3 seeds on textured shapes → assets/weights/era_*.safetensors
                                     #   (seed 0) and assets/curves/eras_results.json
    python -m core.train mnist1d     # seven MNIST-1D models × 3 seeds (python -m core.train_mnist1d)
    python -m core.train attention   # string-reversal encoder–decoders (python -m core.train_attention)
    python -m core.train video       # per-frame CNN + GRU vs the CNN on averaged frames (python -m core.train_video)
    python -m core.train poems       # RNN, LSTM, GRU on the Tang poems → assets/weights/poem_*.safetensors and
                                     #   assets/curves/poems_results.json (held-out bits per character vs unigram)

Every command trains through the engine (`core.training.engine`), the one loop the pages use too; progress
goes to callbacks, never to a UI.
"""
from __future__ import annotations

import argparse
import json
import math
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import torch
from torch import nn

from core.data.poems import SPLIT_SEED, bodies, poem_split, poem_vocab, unigram_bits, unigram_probs
from core.data.text import encode
from core.models.catalogue import ERA_MODELS, get_spec
from core.probes.recurrent import mean_score, run_sequence, surprisal_bits
from core.probes.costs import depth, forward_flops, forward_latency, parameter_count, weight_layers
from core.training.engine import EpochRecord, Run, RunConfig, evaluate, train
from core.training.limits import Limits
from core.training.tasks import (ADDING_BASELINE, ERAS_TEST_SEED, ERAS_TRAIN_SEED, SHAPES_TEST_SEED,
                                 SHAPES_TRAIN_SEED, TAGGING_TEST_LENGTH, TAGGING_TRAIN_LENGTH, AddingTask, CharTask,
                                 DepthTask, DigitsTask, ErasTask, PoemTask, ShapesTask, TaggingTask, Task)
from core.weights import ASSETS, bundled_path, load_model, read_metadata, save_bundled

SHAPES_TRAIN_SIZE = 12_000
SHAPES_TEST_SIZE = 1_000
REPORT_EVERY = 250  # steps between held-out evaluations of the sequence models


def fit(task: Task, config: RunConfig, on_epoch_end: Callable[[EpochRecord], None] | None = None,
        **run_options: object) -> Run:
    """Train `config` on `task` to the end with the engine; `on_epoch_end` hears each held-out evaluation."""
    run = Run(config, task=task, **run_options)
    if on_epoch_end is not None:
        run.add_callback("on_epoch_end", lambda r: on_epoch_end(r.epochs[-1]))
    return train(run)


def train_lenet5(seed: int = 0, on_epoch_end: Callable[[EpochRecord], None] | None = None) -> tuple[nn.Module, list[EpochRecord]]:
    """LeNet-5 on the digits' training split (AdamW, one-cycle, small shifts and turns), validated on the held-out split."""
    task = DigitsTask("digits", "digits", "digits", ("shift", "rotate"), shift=0.06, rotate=10.0)
    run = fit(task, RunConfig("digits", "adam", 3e-3, "onecycle", 64, 60, augment=("shift", "rotate"),
                              weight_decay=1e-4, seed=seed), on_epoch_end)
    return run.model, run.epochs


def train_small_vgg(seed: int = 0, on_epoch_end: Callable[[EpochRecord], None] | None = None) -> tuple[nn.Module, list[EpochRecord]]:
    """Small VGG on generated shapes (train seed 1), validated on shapes from seed 2."""
    task = ShapesTask("shapes", "shapes", "shapes", ("flip",), train=SHAPES_TRAIN_SIZE, val=SHAPES_TEST_SIZE)
    run = fit(task, RunConfig("shapes", "adam", 4e-3, "onecycle", 128, 10, dropout=0.2, batch_norm=True,
                              augment=("flip",), weight_decay=1e-4, seed=seed), on_epoch_end)
    return run.model, run.epochs


def train_char_model(cell: str, seed: int = 0, on_epoch_end: Callable[[EpochRecord], None] | None = None,
                     steps: int = 2500) -> tuple[nn.Module, list[EpochRecord]]:
    """A character language model on the bundled corpus (torch's fused cell): Adam, cosine decay, clipping at 1."""
    spec = get_spec(f"char_{cell}", "sequence")
    per = REPORT_EVERY if steps % REPORT_EVERY == 0 else steps
    task = CharTask("char", "text", "text", seq_len=128, epoch_steps=per, val_windows=None)
    run = fit(task, RunConfig("char", "adam", 3e-3, "cosine", 48, steps // per, clip=1.0, seed=seed, cell=cell,
                              hidden=spec.hidden_size, embed=spec.embed_dim or 0), on_epoch_end)
    return run.model, run.epochs


def train_task_model(kind: str, seed: int = 0, on_epoch_end: Callable[[EpochRecord], None] | None = None) -> tuple[nn.Module, list[EpochRecord]]:
    """The LSTM tagger of a long-dependency task (brackets, quotes), trained on length 60 and tested on length 200."""
    task = TaggingTask(kind, kind, kind, epoch_steps=REPORT_EVERY, kind=kind)
    run = fit(task, RunConfig(kind, "adam", 1e-2, "cosine", 64, 2000 // REPORT_EVERY, clip=1.0, seed=seed), on_epoch_end)
    return run.model, run.epochs


@dataclass(frozen=True)
class LiveAdding:
    """An adding-problem run the Gradient lab can afford live, per model (RMSprop, clip 1, batch 50).

    Measured on 2 shared CPU cores, seeds 0–2: the GRU falls below half the baseline MSE by step 200–250, the
    LSTM by 600–750, while the plain RNN stays at the baseline for 1,500 steps; 1,000 steps take 3–10 s a model.
    """

    length: int = 30
    hidden: int = 64
    lr: float = 3e-3
    steps: int = 1000


LIVE_ADDING = LiveAdding()


def adding_run(
    cell: str, length: int, *, hidden: int = 128, steps: int = 4000, lr: float = 1e-3, clip: float | None = 1.0,
    batch_size: int = 50, seed: int = 0, rho: float | None = None, eval_every: int = 100, optimizer: str = "rmsprop",
    time_budget_s: float | None = None,
) -> Run:
    """A recurrent model on the adding problem at sequence length `length`, ready for the engine to train.

    Held-out MSE (`run.epochs[k].val_loss`) every `eval_every` steps, on 1,000 sequences of its own. The run
    ends early when `time_budget_s` of compute runs out, or when the loss or gradient stops being finite
    (status 'diverged': the gradient exploded).
    """
    task = AddingTask("adding", "adding", "adding", epoch_steps=min(eval_every, steps), length=length, hidden=hidden,
                      rho=rho, val_size=1000, val_seed=10_000 + length)
    config = RunConfig("adding", optimizer, lr, "constant", batch_size, math.ceil(steps / task.epoch_steps),
                       clip=clip or 0.0, seed=seed, cell=cell)
    return Run(config, task=task, limits=Limits(max_seconds=time_budget_s))


def train_adding(cell: str, length: int, *, on_step: Callable[[Run], None] | None = None,
                 should_stop: Callable[[], bool] | None = None,
                 step_guard: Callable[[], AbstractContextManager] = nullcontext, **settings: object) -> Run:
    """`adding_run(cell, length, **settings)` trained to its end on this thread. Each step runs inside
    `step_guard()`: the app passes a heavy-work slot, so another session's Grad-CAM waits for at most the step
    in progress, not for the whole run. `on_step(run)` after every step, outside the guard."""
    run = adding_run(cell, length, **settings)
    if on_step is not None:
        run.add_callback("on_step_end", on_step)
    return train(run, should_stop, step_guard)


def bundle_adding_curves(length: int = 100, steps: int = 4000) -> None:
    """Full-length runs of RNN, LSTM and GRU on the adding problem, written to assets/curves/ as JSON."""
    out = {"length": length, "hidden": 128, "optimizer": "RMSprop lr 1e-3", "clip": 1.0, "lstm_forget_bias": 1.0, "batch": 50, "steps": steps,
           "baseline_mse": ADDING_BASELINE, "command": f"python -m core.train adding --length {length}", "runs": {}}
    for cell in ("lstm", "gru", "rnn"):
        run = train_adding(cell, length, steps=steps,
                           on_step=lambda r: print(f"  {cell} step {len(r.steps)} val {r.epochs[-1].val_loss:.4f}")
                           if len(r.steps) % 500 == 0 else None)
        out["runs"][cell] = {
            "step": [e.step for e in run.epochs],
            "val_mse": [round(e.val_loss, 6) for e in run.epochs],
            "seconds": round(run.compute_seconds, 1),
        }
    path = ASSETS / "curves" / f"adding_T{length}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1))
    print(f"wrote {path}")


def train_depth_comparison(steps: int = 150, seed: int = 0, size: int = 32,
                           configs: tuple[tuple[int, bool], ...] = ((20, False), (56, False), (56, True)),
                           on_step: Callable[[str, int, float], None] | None = None) -> dict[str, list[float]]:
    """Plain-20, plain-56 and residual-56 (ReLU, batch norm) trained with the same budget on shapes: loss per step.

    He et al. (2015) found the deeper plain network trains worse than the shallower one, and the
    residual one better than both.
    """
    losses: dict[str, list[float]] = {}
    for layers, residual in configs:
        label = f"{'residual' if residual else 'plain'}-{layers}"
        task = DepthTask(label, label, label, epoch_steps=steps, depth=layers, residual=residual, size=size)
        run = Run(RunConfig(label, "sgd", 0.05, "constant", 64, 1, weight_decay=1e-4, seed=seed), task=task)
        if on_step is not None:
            run.add_callback("on_step_end", lambda r, label=label: on_step(label, len(r.steps) - 1, r.steps[-1].loss))
        train(run)
        losses[label] = [round(s.loss, 5) for s in run.steps]
    return losses


def bundle_depth_curves(steps: int = 120) -> None:
    """Write the plain-vs-residual training curves to assets/curves/depth_shapes.json."""
    start = time.perf_counter()
    losses = train_depth_comparison(steps, on_step=lambda k, s, v: print(f"  {k} step {s} loss {v:.3f}") if s % 50 == 0 else None)
    out = {"steps": steps, "batch": 64, "input": "32×32 shapes (4,096, seed 1)", "optimizer": "SGD 0.05, momentum 0.9",
           "activation": "relu", "batch_norm": True, "seconds": round(time.perf_counter() - start),
           "command": "python -m core.train depth", "loss": losses}
    path = ASSETS / "curves" / "depth_shapes.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out))
    print(f"wrote {path}")


ERAS_TRAIN_SIZE = 5000
ERAS_TEST_SIZE = 1000
ERAS_SEEDS = (0, 1, 2)
ERAS_CONFIG = RunConfig("eras", "adam", 3e-3, "onecycle", 64, 12, weight_decay=1e-4)
"""One recipe for all five: the same data, steps, optimiser and schedule, so only the architecture differs."""
ERAS_RESULTS = ASSETS / "curves" / "eras_results.json"


def eras_task(name: str) -> ErasTask:
    """The textured-shapes task as the bundled era models were trained and measured on it, with model `name`."""
    return ErasTask("eras", "textured shapes", "textured shapes", model=name, train=ERAS_TRAIN_SIZE, val=ERAS_TEST_SIZE)


def bundle_eras(seeds: tuple[int, ...] = ERAS_SEEDS) -> dict:
    """Train the five era CNNs with one recipe for every seed; write seed 0's weights (with their facts) and
    every model's held-out accuracy per seed, costs and training seconds to assets/curves/eras_results.json."""
    config, task = ERAS_CONFIG, eras_task(ERA_MODELS[0])
    out = {
        "task": f"textured shapes, 32×32, {len(get_spec(ERA_MODELS[0]).classes)} classes (shape × fill texture): "
                f"{task.train:,} train (seed {ERAS_TRAIN_SEED}), {task.val:,} held out (seed {ERAS_TEST_SEED})",
        "training": "AdamW " + config.describe(task).split(" ", 1)[1].rsplit(", seed", 1)[0],
        "seeds": list(seeds),
        "machine": f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads",
        "command": "python -m core.train eras",
        "models": {},
    }
    for name in ERA_MODELS:
        spec = get_spec(name)
        accuracies, seconds = [], []
        for seed in seeds:
            run = fit(eras_task(name), replace(config, seed=seed))
            accuracies.append(round(run.epochs[-1].val_accuracy, 4))
            seconds.append(round(run.compute_seconds, 1))
            print(f"  {name} seed {seed}: held-out accuracy {accuracies[-1]:.4f} in {seconds[-1]:.0f} s", flush=True)
            if seed == seeds[0]:
                model = run.model.eval()
                save_bundled(model, bundled_path(spec), {
                    "model": name, "dataset": out["task"], "test_accuracy": f"{accuracies[-1]:.4f}",
                    "epochs": str(config.epochs), "seed": str(seed), "train_seconds": f"{seconds[-1]:.0f}",
                    "torch": torch.__version__, "command": "python -m core.train eras",
                })
        out["models"][name] = {
            "title": spec.title, "idea": spec.summary, "accuracy": accuracies, "train_seconds": seconds,
            "bundled_seed": seeds[0], "params": parameter_count(model), "flops": forward_flops(model, spec.input_size),
            "latency_ms": round(forward_latency(model, spec.input_size, repeats=50, warmup=5) * 1000, 3),
            "depth": depth(model), "weight_layers": weight_layers(model),
        }
    ERAS_RESULTS.parent.mkdir(parents=True, exist_ok=True)
    ERAS_RESULTS.write_text(json.dumps(out, indent=1, ensure_ascii=False))
    print(f"wrote {ERAS_RESULTS}")
    for name, r in out["models"].items():
        print(f"  {r['title']:24s} {100 * np.mean(r['accuracy']):5.1f} ± {100 * np.std(r['accuracy']):.1f}%  "
              f"{r['params']:6d} params  depth {r['depth']:2d}  {np.mean(r['train_seconds']):4.0f} s")
    return out


POEM_MODELS: tuple[str, ...] = ("poem_rnn", "poem_lstm", "poem_gru")
POEM_CONFIG = RunConfig("poems", "adam", 3e-3, "cosine", 32, 6, dropout=0.5, clip=1.0)
"""One recipe for the three poem models (cell aside): 6 × 250 steps of 32 windows of 64 characters; the
training poems are small (23,000 characters), so dropout 0.5 on the layer's input and output."""
POEM_RESULTS = ASSETS / "curves" / "poems_results.json"


@dataclass(frozen=True)
class PoemScore:
    """Bits per character of a model and of the unigram baseline on the same scored characters of a text."""

    model_bits: float
    unigram_bits: float
    scored: int  # characters predicted and scored (the read and the next one both in the vocabulary)
    unknown: int  # characters outside the vocabulary, shown as ⍰ and never scored
    characters: int

    @property
    def gain(self) -> float:
        """How many bits per character the model saves over the unigram baseline."""
        return self.unigram_bits - self.model_bits


def poem_score(model: nn.Module, text: str | None = None) -> PoemScore:
    """A traced poem model on `text` (the held-out poems by default), scored as the pages score it
    (`core.probes.recurrent.surprisal_bits`), beside the training poems' unigram frequencies on the same steps."""
    vocab = poem_vocab()
    train_poems, held_out = poem_split()
    encoded = encode(bodies(held_out) if text is None else text, vocab, limit=10**9)
    model_bits = surprisal_bits(run_sequence(model, encoded.ids), encoded.known)
    unigram = unigram_probs(encode(bodies(train_poems), vocab, limit=10**9).ids, len(vocab))
    baseline = unigram_bits(encoded.ids, unigram, encoded.known)
    score = mean_score(model_bits)
    return PoemScore(score.value, float(np.nanmean(baseline)), score.scored, encoded.unknown, len(encoded.ids))


def train_poem_model(cell: str, seed: int = 0, on_epoch_end: Callable[[EpochRecord], None] | None = None) -> Run:
    """A character model of the Tang poems with `POEM_CONFIG`, through the engine."""
    task = PoemTask("poems", "Tang poems", "Tang poems", seq_len=64, epoch_steps=REPORT_EVERY)
    spec = get_spec(f"poem_{cell}", "sequence")
    config = replace(POEM_CONFIG, seed=seed, cell=cell, hidden=spec.hidden_size, embed=spec.embed_dim or 0)
    return fit(task, config, on_epoch_end)


def bundle_poems(seed: int = 0, names: tuple[str, ...] = POEM_MODELS) -> dict:
    """Train the poem models `names` (RNN, LSTM and GRU by default) on the training poems and write each one's weights
    with its facts; then `write_poem_results`."""
    for name in names:
        spec = get_spec(name, "sequence")
        cpu = time.process_time()
        run = train_poem_model(spec.cell, seed, lambda r, name=name: print(
            f"  {name} step {r.step}: held-out {r.val_loss / math.log(2):.3f} bits/char ({r.seconds:.0f} s)", flush=True))
        traced = spec.build(traced=True)
        traced.load_state_dict(run.model.state_dict())
        score = poem_score(traced.eval())
        save_bundled(traced, bundled_path(spec), {
            "model": name, "dataset": f"{POEM_SPLIT}, {POEM_CORPUS}",
            "test_bits_per_char": f"{score.model_bits:.4f}", "unigram_bits_per_char": f"{score.unigram_bits:.4f}",
            "metric": f"held-out poems: {score.model_bits:.2f} bits/char (unigram {score.unigram_bits:.2f})",
            "steps": str(len(run.steps)), "seed": str(seed), "train_seconds": f"{run.compute_seconds:.0f}",
            "cpu_seconds": f"{time.process_time() - cpu:.0f}",
            "torch": torch.__version__, "command": f"python -m core.train poems --seed {seed}",
        })
        print(f"wrote {bundled_path(spec)}: {score.model_bits:.3f} bits/char, unigram {score.unigram_bits:.3f}", flush=True)
    return write_poem_results()


POEM_CORPUS = "唐诗三百首 from Debian fortunes-zh 2.98 (tang300), assets/corpus/tang300.txt"
POEM_SPLIT = f"{len(poem_split()[0])} training poems, {len(poem_split()[1])} held out (seed {SPLIT_SEED})"


def write_poem_results() -> dict:
    """Score every bundled poem model on the held-out poems against the unigram baseline (`poem_score`) and write
    the figures, with each file's training facts, to assets/curves/poems_results.json."""
    out = {
        "corpus": POEM_CORPUS, "split": POEM_SPLIT,
        "vocabulary": f"{len(poem_vocab()) - 1} symbols: newline and every character seen at least twice in the "
                      "training poems; the rest is unknown (⍰), never scored",
        "training": POEM_CONFIG.describe(PoemTask("poems", "", "")).split(", ", 1)[1] + ", 64-character windows",
        "command": "python -m core.train poems",
        "seconds": "train_seconds: wall-clock of the training steps, which counts the waits of a shared machine; "
                   "cpu_seconds: the training process's CPU time on one thread (null in files written before it was kept)",
        "models": {},
    }
    for name in POEM_MODELS:
        spec = get_spec(name, "sequence")
        if not bundled_path(spec).exists():
            continue
        model, _ = load_model(name, "cpu", "sequence")
        score, meta = poem_score(model), read_metadata(bundled_path(spec))
        out["models"][name] = {"title": spec.title, "bits_per_char": round(score.model_bits, 4),
                               "unigram_bits_per_char": round(score.unigram_bits, 4), "gain": round(score.gain, 4),
                               "scored": score.scored, "unknown": score.unknown, "characters": score.characters,
                               "params": parameter_count(model), "steps": int(meta["steps"]),
                               "train_seconds": float(meta["train_seconds"]),
                               "cpu_seconds": float(meta["cpu_seconds"]) if "cpu_seconds" in meta else None,
                               "torch": meta["torch"]}
    POEM_RESULTS.parent.mkdir(parents=True, exist_ok=True)
    POEM_RESULTS.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {POEM_RESULTS}")
    for name, r in out["models"].items():
        print(f"  {name:10s} {r['bits_per_char']:.3f} bits/char, unigram {r['unigram_bits_per_char']:.3f} "
              f"(gain {r['gain']:.2f}), {r['params']:,} parameters, {r['train_seconds']:.0f} s")
    return out


TRAINERS = {
    "lenet5": train_lenet5,
    "small_vgg": train_small_vgg,
    "char_rnn": lambda seed, cb: train_char_model("rnn", seed, cb),
    "char_lstm": lambda seed, cb: train_char_model("lstm", seed, cb),
    "char_gru": lambda seed, cb: train_char_model("gru", seed, cb),
    "brackets_lstm": lambda seed, cb: train_task_model("brackets", seed, cb),
    "quotes_lstm": lambda seed, cb: train_task_model("quotes", seed, cb),
}
DATASETS = {
    "lenet5": "scikit-learn digits, stratified 75/25 split (random_state=0)",
    "small_vgg": f"synthetic shapes: {SHAPES_TRAIN_SIZE} train (seed {SHAPES_TRAIN_SEED}), "
    f"{SHAPES_TEST_SIZE} held out (seed {SHAPES_TEST_SEED})",
    **{f"char_{c}": "CPython stdlib source (assets/corpus), first 90% train, last 10% held out" for c in ("rnn", "lstm", "gru")},
    "brackets_lstm": f"generated brackets, 8000 of length {TAGGING_TRAIN_LENGTH} (seed 98); 500 of length {TAGGING_TEST_LENGTH} held out (seed 99)",
    "quotes_lstm": f"generated quotes, 8000 of length {TAGGING_TRAIN_LENGTH} (seed 98); 500 of length {TAGGING_TEST_LENGTH} held out (seed 99)",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the bundled models and write their safetensors.")
    parser.add_argument("model", choices=[*TRAINERS, "all", "sequences", "adding", "depth", "eras", "mnist1d",
                                          "attention", "video", "poems"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--length", type=int, default=100, help="sequence length for `adding`")
    parser.add_argument("--only", action="append", choices=POEM_MODELS,
                        help="with `poems`: train only this model (repeatable); the results file scores all three")
    args = parser.parse_args(argv)
    if args.model == "adding":
        bundle_adding_curves(args.length)
        return 0
    if args.model == "depth":
        bundle_depth_curves()
        return 0
    if args.model == "eras":
        bundle_eras()
        return 0
    if args.model == "poems":
        torch.set_num_threads(1)  # small models: one core each, several can train side by side
        bundle_poems(args.seed, tuple(args.only or POEM_MODELS))
        return 0
    if args.model == "mnist1d":
        from core.train_mnist1d import main as mnist1d_main

        return mnist1d_main([])
    if args.model == "attention":
        from core.train_attention import main as attention_main

        return attention_main([])
    if args.model == "video":
        from core.train_video import main as video_main

        return video_main([])
    torch.set_num_threads(max(1, torch.get_num_threads()))
    names = {"all": list(TRAINERS), "sequences": [n for n in TRAINERS if n not in ("lenet5", "small_vgg")]}.get(
        args.model, [args.model])
    for name in names:
        print(f"training {name} (seed {args.seed})")
        model, reports = TRAINERS[name](
            args.seed,
            lambda r: print(f"  epoch {r.epoch:3d}  loss {r.train_loss:.4f}  held-out acc {r.val_accuracy:.4f}  {r.seconds:6.1f}s"),
        )
        final = reports[-1]
        extra: dict[str, str] = {}
        if name in ("lenet5", "small_vgg"):
            path = bundled_path(get_spec(name))
        else:
            path = bundled_path(get_spec(name, "sequence"))
            kind = name.split("_")[0]
            held_out = (CharTask("char", "text", "text", val_windows=None) if name.startswith("char_")
                        else TaggingTask(kind, kind, kind, kind=kind))
            loss, acc = evaluate(model, held_out)
            extra = {"test_loss_nats": f"{loss:.4f}", "test_bits_per_char": f"{loss / math.log(2):.4f}"}
            extra["metric"] = (f"held-out {loss / math.log(2):.2f} bits/char, next-char accuracy {acc:.1%}"
                               if name.startswith("char_") else f"held-out per-step accuracy {acc:.1%} at length {TAGGING_TEST_LENGTH}")
        save_bundled(model, path, {
            **extra,
            "model": name,
            "dataset": DATASETS[name],
            "test_accuracy": f"{final.val_accuracy:.4f}",
            "epochs": str(final.epoch),
            "seed": str(args.seed),
            "train_seconds": f"{final.seconds:.0f}",
            "torch": torch.__version__,
            "command": f"python -m core.train {name} --seed {args.seed}",
        })
        print(f"wrote {path} (held-out accuracy {final.val_accuracy:.4f}, {np.round(final.seconds)} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
