"""The article's comparison table and best practices, claim by claim, each with the verdict the app's own results give.

Every verdict and number is computed from the results the app bundles (assets/curves/*.json, the Training lab's
default pairs in core.lab and assets/curves/lab_default_pairs.json, which `bench/lab.py --defaults --save` writes);
nothing is typed in. `python -m core.claims`
writes them all to assets/curves/claims.json, which the page "The article, checked" and the README read; a test checks
that the file equals what this module computes now. A claim no bundled result can test says so, with what would.
"""
from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path

from core.history import read_curves
from core.lab import DEFAULT_PAIRS
from core.weights import ASSETS

COMMAND = "python -m core.claims"
RESULTS = "claims.json"
HOLDS, CAVEAT, FAILS, UNMEASURED = "holds", "holds with a caveat", "does not hold as stated", "not measured yet"
VERDICTS = (HOLDS, CAVEAT, FAILS, UNMEASURED)
# The bundled results a verdict may read: key → file under assets/curves.
FILES: dict[str, str] = {"mnist1d": "mnist1d_results.json", "adding": "adding_T100.json",
                         "reverse": "reverse_by_length.json", "depth": "depth_shapes.json",
                         "eras": "eras_results.json", "scaling": "scaling_cpu.json",
                         "pairs": "lab_default_pairs.json"}


@dataclass(frozen=True)
class Claim:
    """One claim of the article in our words, the verdict the app's results give it, and where to see them."""

    section: str  # the part of the article it comes from
    claim: str
    verdict: str  # one of VERDICTS
    number: str  # the measured numbers behind the verdict, in a sentence (or what would measure it)
    page: str  # a page of ui.catalogue, by its path
    where: str  # the part or setting of that page to look at
    source: str  # the file(s) the numbers come from


@dataclass(frozen=True)
class PairResult:
    """One Training-lab default pair as measured over seeds: each run's held-out mean and standard deviation, and
    the larger spread core.lab quotes for the pair."""

    a: float
    a_spread: float
    b: float
    b_spread: float
    spread: float


def read_pairs(assets: Path = ASSETS) -> dict[str, PairResult]:
    """The default pairs' measured means and deviations (assets/curves/lab_default_pairs.json), with the spread
    core.lab keeps for each; empty where the file is missing."""
    measured = read_curves(FILES["pairs"], assets)
    if measured is None:
        return {}
    return {key: PairResult(m["a_mean"], m["a_std"], m["b_mean"], m["b_std"], DEFAULT_PAIRS[key].spread)
            for key, m in measured["pairs"].items()}


def read_sources(assets: Path = ASSETS) -> tuple[dict[str, dict | None], dict[str, PairResult]]:
    """Every bundled result a verdict reads: the curves files (None where missing) and the lab's default pairs."""
    return {key: read_curves(file, assets) for key, file in FILES.items()}, read_pairs(assets)


def _mean(values: list[float]) -> float:
    return statistics.fmean(values)


def _missing(section: str, claim: str, key: str, page: str, where: str) -> Claim:
    return Claim(section, claim, UNMEASURED, f"assets/curves/{FILES[key]} is missing on this install.", page, where,
                 f"assets/curves/{FILES[key]}")


TABLE = "Comparison table"
CNN_PRACTICE = "Best practice: CNNs"
RNN_PRACTICE = "Best practice: RNNs"


def parallel(curves: dict) -> Claim:
    claim = ("A CNN computes all positions in parallel and is fast; an RNN must wait for the previous step, "
             "so it is slow.")
    page, where = "app_pages/sequence_compare.py", "Part “Parallelism”, bundled CPU curves"
    scaling = curves["scaling"]
    if scaling is None:
        return _missing(TABLE, claim, "scaling", page, where)
    longest = max(p["length"] for p in scaling["points"])
    at = {p["kind"]: p for p in scaling["points"] if p["length"] == longest and p["seconds"] is not None}
    conv, lstm, attention = at["conv1d"], at["lstm"], at["attention"]
    verdict = HOLDS if conv["steps"] < lstm["steps"] and conv["seconds"] < lstm["seconds"] else FAILS
    caveat = attention["seconds"] > lstm["seconds"]
    if verdict == HOLDS and caveat:
        verdict = CAVEAT
    number = (f"At T = {longest:,}: the Conv1d takes {conv['steps']} sequential steps and {conv['seconds'] * 1e3:.1f} ms, "
              f"the LSTM {lstm['steps']:,} steps and {lstm['seconds'] * 1e3:.1f} ms ({scaling['machine']}, batch "
              f"{scaling['batch']}).")
    if caveat:
        number += (f" But parallel is not always faster: self-attention needs 1 step yet takes "
                   f"{attention['seconds'] * 1e3:.0f} ms, {attention['seconds'] / lstm['seconds']:.1f}× the LSTM, "
                   "since its work grows with T² and two CPU cores cannot run it all at once.")
    return Claim(TABLE, claim, verdict, number, page, where, f"assets/curves/{FILES['scaling']}")


def parameter_scale(curves: dict) -> Claim:
    claim = ("Weight sharing keeps a CNN's parameters few, while an RNN has more parameters, because every time step "
             "updates them.")
    page, where = "app_pages/sequence_compare.py", "Part “MNIST-1D”: the results table"
    results = curves["mnist1d"]
    if results is None:
        return _missing(TABLE, claim, "mnist1d", page, where)
    models = results["models"]
    cnn = models["cnn"]["params"]
    recurrent = {name: models[name]["params"] for name in ("rnn", "lstm", "gru")}
    ratio = max(recurrent.values()) / cnn
    verdict = FAILS if ratio < 1.5 else HOLDS
    number = (f"MNIST-1D, models sized alike: 1-D CNN {cnn:,} parameters; RNN {recurrent['rnn']:,}, LSTM "
              f"{recurrent['lstm']:,}, GRU {recurrent['gru']:,} (at most {ratio:.2f}× the CNN). An RNN reuses the same "
              f"weights at every one of the {results['dataset'].split('length ')[-1]} steps, as a CNN reuses its kernel "
              "at every position: neither grows with the sequence's length. What grows with length is the RNN's "
              "sequential steps, not its parameters.")
    return Claim(TABLE, claim, verdict, number, page, where, f"assets/curves/{FILES['mnist1d']}")


def cnn_on_sequences(curves: dict) -> Claim:
    claim = "A CNN is made for fixed-size inputs and does poorly on sequences; RNNs suit sequences."
    page, where = "app_pages/sequence_compare.py", "Part “MNIST-1D”: the results table"
    results = curves["mnist1d"]
    if results is None:
        return _missing(TABLE, claim, "mnist1d", page, where)
    acc = {name: _mean(model["accuracy"]) for name, model in results["models"].items()}
    gated = max(acc["lstm"], acc["gru"])
    verdict = FAILS if acc["cnn"] >= gated else (CAVEAT if acc["cnn"] > acc["rnn"] else HOLDS)
    number = (f"MNIST-1D (sequences of 40 numbers), held-out accuracy over {len(results['models']['cnn']['seeds'])} "
              f"seeds: LSTM {acc['lstm']:.1%}, GRU {acc['gru']:.1%}, 1-D CNN {acc['cnn']:.1%}, plain RNN "
              f"{acc['rnn']:.1%}.")
    if verdict == CAVEAT:
        number += " The gated RNNs win, but the 1-D CNN beats the plain RNN by far: a CNN is not poor on sequences."
    return Claim(TABLE, claim, verdict, number, page, where, f"assets/curves/{FILES['mnist1d']}")


def gated_gradients(curves: dict) -> Claim:
    claim = ("A plain RNN's gradients vanish or explode over many steps; LSTM and GRU ease the vanishing, so a "
             "value far back can still be learned.")
    page, where = "app_pages/gradients.py", "Part “Long lag”: the adding problem"
    adding = curves["adding"]
    if adding is None:
        return _missing(TABLE, claim, "adding", page, where)
    runs, base = adding["runs"], adding["baseline_mse"]
    rnn, lstm, gru = min(runs["rnn"]["val_mse"]), runs["lstm"]["val_mse"][-1], runs["gru"]["val_mse"][-1]
    verdict = HOLDS if rnn > 0.9 * base and max(lstm, gru) < 0.5 * base else FAILS
    number = (f"Adding problem, T = {adding['length']}, {adding['steps']:,} steps: the plain RNN's best error (MSE) "
              f"is {rnn:.3f}, no better than the {base:.3f} of always answering 1; the LSTM ends at {lstm:.3f}, "
              f"the GRU at {gru:.3f}.")
    return Claim(TABLE, claim, verdict, number, page, where, f"assets/curves/{FILES['adding']}")


def variable_length(curves: dict) -> Claim:
    claim = "An RNN takes inputs and gives outputs of any length."
    page, where = "app_pages/attention.py", "“Exact-match accuracy against input length”"
    reverse = curves["reverse"]
    if reverse is None:
        return _missing(TABLE, claim, "reverse", page, where)
    models = reverse["models"]
    gru, tf = models["gru_attention"], models["transformer"]
    lengths = sorted(int(n) for n in gru["by_length"])
    verdict = HOLDS if gru["exact_match"] > 0.9 else FAILS
    if verdict == HOLDS and tf["exact_match"] > 0.9:
        verdict = CAVEAT
    number = (f"One GRU encoder–decoder with attention reverses strings of {lengths[0]} to {lengths[-1]} letters, "
              f"whole answer right {gru['exact_match']:.1%} of the time.")
    if verdict == CAVEAT:
        number += (f" It is not the RNN's alone: a Transformer with no recurrence does the same lengths at "
                   f"{tf['exact_match']:.1%}.")
    return Claim(TABLE, claim, verdict, number, page, where, f"assets/curves/{FILES['reverse']}")


def depth_for_hard_tasks(curves: dict) -> Claim:
    claim = ("Simple picture tasks need only a shallow network (LeNet, AlexNet); harder ones call for deeper ones "
             "(VGG, GoogLeNet, ResNet).")
    page, where = "app_pages/compare.py", "Opens on the five era CNNs"
    eras, depth = curves["eras"], curves["depth"]
    if eras is None:
        return _missing(CNN_PRACTICE, claim, "eras", page, where)
    acc = {name: _mean(model["accuracy"]) for name, model in eras["models"].items()}
    shallow = max(acc["era_lenet"], acc["era_alexnet"])
    deep = max(acc["era_vgg"], acc["era_googlenet"], acc["era_resnet"])
    verdict = HOLDS if deep > shallow else FAILS
    number = (f"Twelve classes of textured shapes, same recipe, {len(eras['seeds'])} seeds: LeNet-style "
              f"{acc['era_lenet']:.1%}, AlexNet-style {acc['era_alexnet']:.1%}, VGG-style {acc['era_vgg']:.1%}, "
              f"GoogLeNet-style {acc['era_googlenet']:.1%}, ResNet-style {acc['era_resnet']:.1%}.")
    if verdict == HOLDS and depth is not None:
        final = {name: _mean(loss[-20:]) for name, loss in depth["loss"].items()}
        if final["plain-56"] > final["plain-20"]:
            verdict = CAVEAT
            number += (f" Depth alone is not enough: a plain 56-layer CNN ends {depth['steps']} steps at loss "
                       f"{final['plain-56']:.2f}, worse than the 20-layer one's {final['plain-20']:.2f}.")
    return Claim(CNN_PRACTICE, claim, verdict, number, page, where,
                 f"assets/curves/{FILES['eras']}; assets/curves/{FILES['depth']}")


def residual(curves: dict) -> Claim:
    claim = "Residual connections overcome the vanishing gradient, so very deep networks train and do better."
    page, where = "app_pages/gradients.py", "Part “Over depth”: plain against residual"
    depth, eras = curves["depth"], curves["eras"]
    if depth is None:
        return _missing(CNN_PRACTICE, claim, "depth", page, where)
    final = {name: _mean(loss[-20:]) for name, loss in depth["loss"].items()}
    verdict = HOLDS if final["residual-56"] < final["plain-56"] else FAILS
    number = (f"Shapes, {depth['steps']} steps, mean loss over the last 20: plain-20 {final['plain-20']:.2f}, "
              f"plain-56 {final['plain-56']:.2f}, residual-56 {final['residual-56']:.2f}.")
    if verdict == HOLDS and final["residual-56"] > final["plain-20"]:
        verdict = CAVEAT
        number += (" The shortcuts rescue the deep network from the plain one's fate, but in this short run it has "
                   "not yet overtaken the shallower plain one; the app measures 56 layers, not thousands.")
    if eras is not None:
        acc = {model["title"].split(" (")[0]: _mean(model["accuracy"]) for model in eras["models"].values()}
        best = max(acc, key=acc.get)
        number += f" On the era task the {best} CNN is best, {acc[best]:.1%}."
    return Claim(CNN_PRACTICE, claim, verdict, number, page, where,
                 f"assets/curves/{FILES['depth']}; assets/curves/{FILES['eras']}")


def batch_norm(pairs: dict[str, PairResult]) -> Claim:
    claim = "Batch normalisation speeds training up and makes it steadier."
    page, where = "app_pages/training_lab.py", "Tasks “digits” and “shapes”: the pair they open on"
    if not pairs:
        return _missing(CNN_PRACTICE, claim, "pairs", page, where)
    results = {task: pairs[task] for task in ("digits", "shapes")}
    beats = all(p.b - p.a > p.spread for p in results.values())
    verdict = CAVEAT if beats else FAILS
    number = "; ".join(f"{task}: {p.a:.1%} without, {p.b:.1%} with batch norm after the same steps "
                       f"(gap {(p.b - p.a) * 100:.1f} points, seeds' spread ±{p.spread * 100:.1f})"
                       for task, p in results.items()) + "."
    if beats:
        number += " Faster, yes: further in the same number of steps, by more than chance."
        wider = [task for task, p in results.items() if p.b_spread > p.a_spread]
        number += (f" Steadier, not always: on {' and '.join(wider)} the runs with batch norm spread more over seeds "
                   "than those without." if wider else " Steadier too: the runs with it spread less over seeds.")
    return Claim(CNN_PRACTICE, claim, verdict, number, page, where, f"core/lab.py DEFAULT_PAIRS; assets/curves/{FILES['pairs']}")


def learning_rate(pairs: dict[str, PairResult]) -> Claim:
    claim = "Adjusting the learning rate during training (a schedule) speeds up convergence."
    page, where = "app_pages/training_lab.py", "Task “text”: the pair it opens on (learning rate 3e-4 vs 3e-3)"
    if not pairs:
        return _missing(RNN_PRACTICE, claim, "pairs", page, where)
    p = pairs["char"]
    verdict = CAVEAT if p.b - p.a > p.spread else FAILS
    number = (f"Next character of Python, LSTM, 400 steps: learning rate 3e-4 reaches {p.a:.1%}, 3e-3 reaches "
              f"{p.b:.1%} (gap {(p.b - p.a) * 100:.1f} points, seeds' spread ±{p.spread * 100:.1f}). The rate "
              "matters far beyond chance; a schedule against a constant rate has not been measured.")
    return Claim(RNN_PRACTICE, claim, verdict, number, page, where, f"core/lab.py DEFAULT_PAIRS; assets/curves/{FILES['pairs']}")


def gru_efficiency(curves: dict) -> Claim:
    claim = "A GRU computes more efficiently than an LSTM and performs about as well on most tasks."
    page, where = "app_pages/sequence_compare.py", "Part “MNIST-1D” table; part “Parallelism”"
    results, scaling = curves["mnist1d"], curves["scaling"]
    if results is None:
        return _missing(RNN_PRACTICE, claim, "mnist1d", page, where)
    gru, lstm = results["models"]["gru"], results["models"]["lstm"]
    gap = abs(_mean(gru["accuracy"]) - _mean(lstm["accuracy"]))
    spread = max(statistics.pstdev(gru["accuracy"]), statistics.pstdev(lstm["accuracy"]))
    slower = _mean(gru["train_seconds"]) / _mean(lstm["train_seconds"])
    comparable = gap <= 2 * spread + 0.005
    verdict = FAILS if slower > 1 else (HOLDS if comparable else CAVEAT)
    number = (f"MNIST-1D: GRU {_mean(gru['accuracy']):.1%} with {gru['params']:,} parameters and {gru['flops']:,} "
              f"FLOPs, LSTM {_mean(lstm['accuracy']):.1%} with {lstm['params']:,} and {lstm['flops']:,}: as good, "
              f"{1 - gru['params'] / lstm['params']:.0%} smaller. Yet the GRU took {slower:.1f}× the LSTM's time to train")
    if scaling is not None:
        longest = max(p["length"] for p in scaling["points"])
        at = {p["kind"]: p["seconds"] for p in scaling["points"] if p["length"] == longest}
        number += f" and {at['gru'] / at['lstm']:.1f}× its forward time at T = {longest:,}"
    number += ": fewer operations on paper, but PyTorch's LSTM kernel on CPU is the faster one here."
    return Claim(RNN_PRACTICE, claim, verdict, number, page, where,
                 f"assets/curves/{FILES['mnist1d']}; assets/curves/{FILES['scaling']}")


def attention(curves: dict) -> Claim:
    claim = "Adding attention to a sequence-to-sequence RNN improves how it handles long sequences."
    page, where = "app_pages/attention.py", "“Exact-match accuracy against input length”"
    reverse = curves["reverse"]
    if reverse is None:
        return _missing(RNN_PRACTICE, claim, "reverse", page, where)
    with_, without = reverse["models"]["gru_attention"]["by_length"], reverse["models"]["gru_plain"]["by_length"]
    longest = max(with_, key=int)
    verdict = HOLDS if with_[longest] - without[longest] > 0.2 else FAILS
    number = (f"Reversing {longest} letters, whole answer right: {with_[longest]:.0%} with attention, "
              f"{without[longest]:.0%} without; at 4 letters both are near {min(with_['4'], without['4']):.0%}.")
    return Claim(RNN_PRACTICE, claim, verdict, number, page, where, f"assets/curves/{FILES['reverse']}")


def plain_rnn_short(pairs: dict[str, PairResult], curves: dict) -> Claim:
    claim = "A plain RNN suits short sequences; for long ones take an LSTM (or GRU)."
    page, where = "app_pages/training_lab.py", "Task “adding”: the pair it opens on (RNN vs GRU, T = 50)"
    if not pairs:
        return _missing(RNN_PRACTICE, claim, "pairs", page, where)
    p = pairs["adding"]
    verdict = HOLDS if p.b - p.a > p.spread else FAILS
    number = (f"Adding problem with the values up to 50 steps back: a plain RNN gets {p.a:.1%} of answers within 0.04, "
              f"a GRU {p.b:.1%} (seeds' spread ±{p.spread * 100:.1f} points).")
    results = curves["mnist1d"]
    if verdict == HOLDS and results is not None:
        acc = {name: _mean(results["models"][name]["accuracy"]) for name in ("rnn", "lstm")}
        if acc["lstm"] - acc["rnn"] > 0.1:
            verdict = CAVEAT
            number += (f" “Short” is shorter than one may think: on MNIST-1D's 40 steps the plain RNN reads "
                       f"{acc['rnn']:.1%}, the LSTM {acc['lstm']:.1%}.")
    return Claim(RNN_PRACTICE, claim, verdict, number, page, where,
                 f"core/lab.py DEFAULT_PAIRS; assets/curves/{FILES['pairs']}; assets/curves/{FILES['mnist1d']}")


# Claims no bundled result tests yet: (section, claim, page, what would measure it).
UNTESTED: tuple[tuple[str, str, str, str], ...] = (
    (TABLE, "A CNN struggles to relate features far apart in a sequence (long-range dependencies).",
     "app_pages/sequence_compare.py",
     "The adding problem at growing T for a 1-D CNN of fixed depth beside the LSTM, seeds 0–2."),
    (TABLE, "A CNN sees the whole input only by stacking more layers.", "app_pages/convolution.py",
     "The Convolution lab computes receptive fields per layer; no results file ties them to accuracy yet."),
    (TABLE, "RNNs on long sequences take long to train.", "app_pages/gradients.py",
     "Training time against T for the adding problem, one results file over several lengths."),
    (CNN_PRACTICE, "Dropout cuts overfitting, above all in large networks.", "app_pages/training_lab.py",
     "A lab pair with dropout 0 vs 0.5 on digits, seeds 0–2, comparing the train–held-out gap."),
    (CNN_PRACTICE, "Augmenting the data (rotations, scaling, crops) helps the model generalise.",
     "app_pages/training_lab.py", "A lab pair with augmentation off vs shift+rotate on shapes, seeds 0–2."),
    (CNN_PRACTICE, "A GPU shortens training a great deal.", "app_pages/sequence_compare.py",
     "bench/scaling.py on a GPU, saved beside scaling_cpu.json."),
    (RNN_PRACTICE, "Gradient clipping keeps exploding gradients from wrecking training.", "app_pages/gradients.py",
     "The Gradient lab's clipping part, run over seeds and saved as a results file."),
    (RNN_PRACTICE, "Mini-batches make training more efficient.", "app_pages/training_lab.py",
     "A lab pair with batch size 1 vs 32 at equal time, seeds 0–2."),
)


def untested() -> list[Claim]:
    """The claims no bundled result can test, each with what would measure it."""
    return [Claim(section, claim, UNMEASURED, f"What would measure it: {how}", page, "", "")
            for section, claim, page, how in UNTESTED]


def verdicts(assets: Path = ASSETS) -> list[Claim]:
    """Every claim, in the article's order, with the verdict its bundled results give now."""
    curves, pairs = read_sources(assets)
    return [parallel(curves), parameter_scale(curves), cnn_on_sequences(curves), gated_gradients(curves),
            variable_length(curves), depth_for_hard_tasks(curves), residual(curves), batch_norm(pairs),
            gru_efficiency(curves), plain_rnn_short(pairs, curves), learning_rate(pairs), attention(curves)] + untested()


def to_json(claims: list[Claim]) -> dict:
    """What claims.json holds: the command that wrote it and every claim."""
    return {"command": COMMAND, "claims": [asdict(claim) for claim in claims]}


def read_claims(assets: Path = ASSETS) -> list[Claim] | None:
    """The claims as `python -m core.claims` last wrote them, or None if the file is missing."""
    results = read_curves(RESULTS, assets)
    return None if results is None else [Claim(**claim) for claim in results["claims"]]


def main() -> None:
    path = ASSETS / "curves" / RESULTS
    path.write_text(json.dumps(to_json(verdicts()), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
