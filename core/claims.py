"""The article's comparison table and best practices, claim by claim, each with the verdict the app's own results give.

Every verdict and number is computed from the results the app bundles (assets/curves/*.json, among them
claim_runs.json, which `python -m core.claim_runs` measures for the claims no page's results test; the Training lab's
default pairs in core.lab and assets/curves/lab_default_pairs.json, which `bench/lab.py --defaults --save` writes);
nothing is typed in. `python -m core.claims` writes them all to assets/curves/claims.json, which the page "The
article, checked" and the README read; a test checks that the file equals what this module computes now.

The file is language-free: a claim's text, its verdict and section are keys or English message ids, and its numbers
are `Message`s (a template and its values) that the page renders in the reader's language.
"""
from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path

from core.history import read_curves
from core.i18n import N_, _, language
from core.lab import DEFAULT_PAIRS
from core.weights import ASSETS

COMMAND = "python -m core.claims"
RESULTS = "claims.json"
HOLDS, CAVEAT, FAILS, UNMEASURED = "holds", "caveat", "fails", "unmeasured"
VERDICTS = (HOLDS, CAVEAT, FAILS, UNMEASURED)
VERDICT_NAMES = {HOLDS: N_("holds"), CAVEAT: N_("holds with a caveat"), FAILS: N_("does not hold as stated"),
                 UNMEASURED: N_("not measured yet")}
TABLE, CNN_PRACTICE, RNN_PRACTICE = "table", "cnn", "rnn"
SECTIONS = {TABLE: N_("Comparison table"), CNN_PRACTICE: N_("Best practice: CNNs"),
            RNN_PRACTICE: N_("Best practice: RNNs")}
# The bundled results a verdict may read: key → file under assets/curves.
FILES: dict[str, str] = {"mnist1d": "mnist1d_results.json", "adding": "adding_T100.json",
                         "reverse": "reverse_by_length.json", "depth": "depth_shapes.json",
                         "eras": "eras_results.json", "scaling": "scaling_cpu.json",
                         "pairs": "lab_default_pairs.json", "runs": "claim_runs.json"}
ERA_NAMES = {"era_lenet": N_("LeNet-style"), "era_alexnet": N_("AlexNet-style"), "era_vgg": N_("VGG-style"),
             "era_googlenet": N_("GoogLeNet-style"), "era_resnet": N_("ResNet-style")}


@dataclass(frozen=True)
class Message:
    """A sentence with live numbers, kept language-free: its English template (the catalogue's message id) and the
    values of its placeholders; `names` maps a placeholder to a message id (a model's or task's name) translated
    when shown."""

    template: str
    values: dict = field(default_factory=dict)
    names: dict = field(default_factory=dict)

    def text(self) -> str:
        """The sentence in the current language, numbers filled in."""
        return _(self.template).format(**self.values, **{key: _(name) for key, name in self.names.items()})


def text(messages: tuple[Message, ...]) -> str:
    """Sentences in the current language, one after another (Chinese needs no space between them)."""
    return ("" if language() == "zh" else " ").join(message.text() for message in messages)


@dataclass(frozen=True)
class Claim:
    """One claim of the article in our words, the verdict the app's results give it, and where to see them.

    `section`, `claim`, `where` and the verdict are keys or English message ids: translate with `_` where shown."""

    key: str  # stable, language-free
    section: str  # a key of SECTIONS
    claim: str
    verdict: str  # one of VERDICTS
    number: tuple[Message, ...]  # the measured numbers behind the verdict (or what would measure it)
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


def _spread(values: list[float]) -> float:
    return statistics.pstdev(values)


def _source(*keys: str) -> str:
    return "; ".join(f"assets/curves/{FILES[key]}" for key in keys)


def _missing(key: str, section: str, claim: str, file: str, page: str, where: str) -> Claim:
    return Claim(key, section, claim, UNMEASURED,
                 (Message(N_("assets/curves/{file} is missing on this install."), {"file": FILES[file]}),),
                 page, where, _source(file))


def parallel(curves: dict) -> Claim:
    key, claim = "parallel", N_("A CNN computes all positions in parallel and is fast; an RNN must wait for the "
                                "previous step, so it is slow.")
    page, where = "app_pages/sequence_compare.py", N_("Part “Parallelism”, bundled CPU curves")
    scaling = curves["scaling"]
    if scaling is None:
        return _missing(key, TABLE, claim, "scaling", page, where)
    longest = max(p["length"] for p in scaling["points"])
    at = {p["kind"]: p for p in scaling["points"] if p["length"] == longest and p["seconds"] is not None}
    conv, lstm, attention = at["conv1d"], at["lstm"], at["attention"]
    verdict = HOLDS if conv["steps"] < lstm["steps"] and conv["seconds"] < lstm["seconds"] else FAILS
    caveat = attention["seconds"] > lstm["seconds"]
    if verdict == HOLDS and caveat:
        verdict = CAVEAT
    number = [Message(N_("At T = {length:,}: the Conv1d takes {conv_steps} sequential steps and {conv_ms:.1f} ms, the "
                         "LSTM {lstm_steps:,} steps and {lstm_ms:.1f} ms ({machine}, batch {batch})."),
                      {"length": longest, "conv_steps": conv["steps"], "conv_ms": conv["seconds"] * 1e3,
                       "lstm_steps": lstm["steps"], "lstm_ms": lstm["seconds"] * 1e3, "machine": scaling["machine"],
                       "batch": scaling["batch"]})]
    if caveat:
        number.append(Message(N_("But parallel is not always faster: self-attention needs 1 step yet takes "
                                 "{attention_ms:.0f} ms, {ratio:.1f}× the LSTM, since its work grows with T² and two "
                                 "CPU cores cannot run it all at once."),
                              {"attention_ms": attention["seconds"] * 1e3,
                               "ratio": attention["seconds"] / lstm["seconds"]}))
    return Claim(key, TABLE, claim, verdict, tuple(number), page, where, _source("scaling"))


def parameter_scale(curves: dict) -> Claim:
    key, claim = "parameter_scale", N_("Weight sharing keeps a CNN's parameters few, while an RNN has more "
                                       "parameters, because every time step updates them.")
    page, where = "app_pages/sequence_compare.py", N_("Part “MNIST-1D”: the results table")
    results = curves["mnist1d"]
    if results is None:
        return _missing(key, TABLE, claim, "mnist1d", page, where)
    models = results["models"]
    cnn = models["cnn"]["params"]
    recurrent = {name: models[name]["params"] for name in ("rnn", "lstm", "gru")}
    ratio = max(recurrent.values()) / cnn
    verdict = FAILS if ratio < 1.5 else HOLDS
    number = Message(N_("MNIST-1D, models sized alike: 1-D CNN {cnn:,} parameters; RNN {rnn:,}, LSTM {lstm:,}, GRU "
                        "{gru:,} (at most {ratio:.2f}× the CNN). An RNN reuses the same weights at every one of the "
                        "{steps} steps, as a CNN reuses its kernel at every position: neither grows with the "
                        "sequence's length. What grows with length is the RNN's sequential steps, not its parameters."),
                     {"cnn": cnn, **recurrent, "ratio": ratio, "steps": int(results["dataset"].split("length ")[-1])})
    return Claim(key, TABLE, claim, verdict, (number,), page, where, _source("mnist1d"))


def cnn_on_sequences(curves: dict) -> Claim:
    key, claim = "cnn_on_sequences", N_("A CNN does poorly on sequences; RNNs suit sequences.")
    page, where = "app_pages/sequence_compare.py", N_("Part “MNIST-1D”: the results table")
    results = curves["mnist1d"]
    if results is None:
        return _missing(key, TABLE, claim, "mnist1d", page, where)
    acc = {name: _mean(model["accuracy"]) for name, model in results["models"].items()}
    gated = max(acc["lstm"], acc["gru"])
    verdict = FAILS if acc["cnn"] >= gated else (CAVEAT if acc["cnn"] > acc["rnn"] else HOLDS)
    number = [Message(N_("MNIST-1D (sequences of 40 numbers), held-out accuracy over {seeds} seeds: LSTM {lstm:.1%}, "
                         "GRU {gru:.1%}, 1-D CNN {cnn:.1%}, plain RNN {rnn:.1%}."),
                      {"seeds": len(results["models"]["cnn"]["seeds"]),
                       **{name: acc[name] for name in ("lstm", "gru", "cnn", "rnn")}})]
    if verdict == CAVEAT:
        number.append(Message(N_("The gated RNNs win, but the 1-D CNN beats the plain RNN by far: a CNN is not poor on "
                                 "sequences.")))
    return Claim(key, TABLE, claim, verdict, tuple(number), page, where, _source("mnist1d"))


def gated_gradients(curves: dict) -> Claim:
    key, claim = "gated_gradients", N_("A plain RNN's gradients vanish or explode over many steps; LSTM and GRU ease "
                                       "the vanishing, so a value far back can still be learned.")
    page, where = "app_pages/gradients.py", N_("Part “Long lag”: the adding problem")
    adding = curves["adding"]
    if adding is None:
        return _missing(key, TABLE, claim, "adding", page, where)
    runs, base = adding["runs"], adding["baseline_mse"]
    rnn, lstm, gru = min(runs["rnn"]["val_mse"]), runs["lstm"]["val_mse"][-1], runs["gru"]["val_mse"][-1]
    verdict = HOLDS if rnn > 0.9 * base and max(lstm, gru) < 0.5 * base else FAILS
    number = Message(N_("Adding problem, T = {length}, {steps:,} steps: the plain RNN's best error (MSE) is {rnn:.3f}, "
                        "no better than the {base:.3f} of always answering 1; the LSTM ends at {lstm:.3f}, the GRU at "
                        "{gru:.3f}."),
                     {"length": adding["length"], "steps": adding["steps"], "rnn": rnn, "base": base, "lstm": lstm,
                      "gru": gru})
    return Claim(key, TABLE, claim, verdict, (number,), page, where, _source("adding"))


def variable_length(curves: dict) -> Claim:
    key, claim = "variable_length", N_("An RNN takes inputs and gives outputs of any length.")
    page, where = "app_pages/attention.py", N_("“Exact-match accuracy against input length”")
    reverse = curves["reverse"]
    if reverse is None:
        return _missing(key, TABLE, claim, "reverse", page, where)
    models = reverse["models"]
    gru, tf = models["gru_attention"], models["transformer"]
    lengths = sorted(int(n) for n in gru["by_length"])
    verdict = HOLDS if gru["exact_match"] > 0.9 else FAILS
    if verdict == HOLDS and tf["exact_match"] > 0.9:
        verdict = CAVEAT
    number = [Message(N_("One GRU encoder–decoder with attention reverses strings of {shortest} to {longest} letters, "
                         "whole answer right {exact:.1%} of the time."),
                      {"shortest": lengths[0], "longest": lengths[-1], "exact": gru["exact_match"]})]
    if verdict == CAVEAT:
        number.append(Message(N_("It is not the RNN's alone: a Transformer with no recurrence does the same lengths at "
                                 "{exact:.1%}."), {"exact": tf["exact_match"]}))
    return Claim(key, TABLE, claim, verdict, tuple(number), page, where, _source("reverse"))


def depth_for_hard_tasks(curves: dict) -> Claim:
    key, claim = "depth_for_hard_tasks", N_("Simple picture tasks need only a shallow network (LeNet, AlexNet); harder "
                                            "ones call for deeper ones (VGG, GoogLeNet, ResNet).")
    page, where = "app_pages/compare.py", N_("Opens on the five era CNNs")
    eras, depth = curves["eras"], curves["depth"]
    if eras is None:
        return _missing(key, CNN_PRACTICE, claim, "eras", page, where)
    acc = {name: _mean(model["accuracy"]) for name, model in eras["models"].items()}
    shallow = max(acc["era_lenet"], acc["era_alexnet"])
    deep = max(acc["era_vgg"], acc["era_googlenet"], acc["era_resnet"])
    verdict = HOLDS if deep > shallow else FAILS
    number = [Message(N_("Twelve classes of textured shapes, same recipe, {seeds} seeds: LeNet-style {lenet:.1%}, "
                         "AlexNet-style {alexnet:.1%}, VGG-style {vgg:.1%}, GoogLeNet-style {googlenet:.1%}, "
                         "ResNet-style {resnet:.1%}."),
                      {"seeds": len(eras["seeds"]), **{name.removeprefix("era_"): value for name, value in acc.items()}})]
    if verdict == HOLDS and depth is not None:
        final = {name: _mean(loss[-20:]) for name, loss in depth["loss"].items()}
        if final["plain-56"] > final["plain-20"]:
            verdict = CAVEAT
            number.append(Message(N_("Depth alone is not enough: a plain 56-layer CNN ends {steps} steps at loss "
                                     "{plain56:.2f}, worse than the 20-layer one's {plain20:.2f}."),
                                  {"steps": depth["steps"], "plain56": final["plain-56"], "plain20": final["plain-20"]}))
    return Claim(key, CNN_PRACTICE, claim, verdict, tuple(number), page, where, _source("eras", "depth"))


def residual(curves: dict) -> Claim:
    key, claim = "residual", N_("Residual connections overcome the vanishing gradient, so very deep networks train "
                                "and do better.")
    page, where = "app_pages/gradients.py", N_("Part “Over depth”: plain against residual")
    depth, eras = curves["depth"], curves["eras"]
    if depth is None:
        return _missing(key, CNN_PRACTICE, claim, "depth", page, where)
    final = {name: _mean(loss[-20:]) for name, loss in depth["loss"].items()}
    verdict = HOLDS if final["residual-56"] < final["plain-56"] else FAILS
    number = [Message(N_("Shapes, {steps} steps, mean loss over the last 20: plain-20 {plain20:.2f}, plain-56 "
                         "{plain56:.2f}, residual-56 {residual56:.2f}."),
                      {"steps": depth["steps"], "plain20": final["plain-20"], "plain56": final["plain-56"],
                       "residual56": final["residual-56"]})]
    if verdict == HOLDS and final["residual-56"] > final["plain-20"]:
        verdict = CAVEAT
        number.append(Message(N_("The shortcuts rescue the deep network from the plain one's fate, but in this short "
                                 "run it has not yet overtaken the shallower plain one; the app measures 56 layers, "
                                 "not thousands.")))
    if eras is not None:
        acc = {name: _mean(model["accuracy"]) for name, model in eras["models"].items()}
        best = max(acc, key=acc.get)
        number.append(Message(N_("On the era task the {best} CNN is best, {accuracy:.1%}."), {"accuracy": acc[best]},
                              {"best": ERA_NAMES[best]}))
    return Claim(key, CNN_PRACTICE, claim, verdict, tuple(number), page, where, _source("depth", "eras"))


def batch_norm(pairs: dict[str, PairResult]) -> Claim:
    key, claim = "batch_norm", N_("Batch normalisation speeds training up and makes it steadier.")
    page, where = "app_pages/training_lab.py", N_("Tasks “digits” and “shapes”: the pair they open on")
    if not pairs:
        return _missing(key, CNN_PRACTICE, claim, "pairs", page, where)
    digits, shapes = pairs["digits"], pairs["shapes"]
    beats = all(p.b - p.a > p.spread for p in (digits, shapes))
    verdict = CAVEAT if beats else FAILS
    number = [Message(N_("Digits: {digits_a:.1%} without, {digits_b:.1%} with batch norm after the same steps (gap "
                         "{digits_gap:.1f} points, seeds' spread ±{digits_spread:.1f}); shapes: {shapes_a:.1%} without, "
                         "{shapes_b:.1%} with batch norm after the same steps (gap {shapes_gap:.1f} points, seeds' "
                         "spread ±{shapes_spread:.1f})."),
                      {f"{task}_{k}": v for task, p in (("digits", digits), ("shapes", shapes)) for k, v in
                       (("a", p.a), ("b", p.b), ("gap", (p.b - p.a) * 100), ("spread", p.spread * 100))})]
    if beats:
        number.append(Message(N_("Faster, yes: further in the same number of steps, by more than chance.")))
        wider = tuple(task for task, p in (("digits", digits), ("shapes", shapes)) if p.b_spread > p.a_spread)
        tasks = {("digits",): N_("digits"), ("shapes",): N_("shapes"), ("digits", "shapes"): N_("digits and shapes")}
        number.append(Message(N_("Steadier, not always: on {tasks} the runs with batch norm spread more over seeds "
                                 "than those without."), {}, {"tasks": tasks[wider]}) if wider else
                      Message(N_("Steadier too: the runs with it spread less over seeds.")))
    return Claim(key, CNN_PRACTICE, claim, verdict, tuple(number), page, where,
                 f"core/lab.py DEFAULT_PAIRS; {_source('pairs')}")


def learning_rate(pairs: dict[str, PairResult]) -> Claim:
    key, claim = "learning_rate", N_("Adjusting the learning rate during training (a schedule) speeds up convergence.")
    page, where = "app_pages/training_lab.py", N_("Task “text”: the pair it opens on (learning rate 3e-4 vs 3e-3)")
    if not pairs:
        return _missing(key, RNN_PRACTICE, claim, "pairs", page, where)
    p = pairs["char"]
    verdict = CAVEAT if p.b - p.a > p.spread else FAILS
    number = Message(N_("Next character of Python, LSTM, 400 steps: learning rate 3e-4 reaches {a:.1%}, 3e-3 reaches "
                        "{b:.1%} (gap {gap:.1f} points, seeds' spread ±{spread:.1f}). The rate matters far beyond "
                        "chance; a schedule against a constant rate has not been measured."),
                     {"a": p.a, "b": p.b, "gap": (p.b - p.a) * 100, "spread": p.spread * 100})
    return Claim(key, RNN_PRACTICE, claim, verdict, (number,), page, where,
                 f"core/lab.py DEFAULT_PAIRS; {_source('pairs')}")


def gru_efficiency(curves: dict) -> Claim:
    key, claim = "gru_efficiency", N_("A GRU computes more efficiently than an LSTM and performs about as well on most "
                                      "tasks.")
    page, where = "app_pages/sequence_compare.py", N_("Part “MNIST-1D” table; part “Parallelism”")
    results, scaling = curves["mnist1d"], curves["scaling"]
    if results is None:
        return _missing(key, RNN_PRACTICE, claim, "mnist1d", page, where)
    gru, lstm = results["models"]["gru"], results["models"]["lstm"]
    gap = abs(_mean(gru["accuracy"]) - _mean(lstm["accuracy"]))
    spread = max(_spread(gru["accuracy"]), _spread(lstm["accuracy"]))
    slower = _mean(gru["train_seconds"]) / _mean(lstm["train_seconds"])
    comparable = gap <= 2 * spread + 0.005
    verdict = FAILS if slower > 1 else (HOLDS if comparable else CAVEAT)
    values = {"gru": _mean(gru["accuracy"]), "gru_params": gru["params"], "gru_flops": gru["flops"],
              "lstm": _mean(lstm["accuracy"]), "lstm_params": lstm["params"], "lstm_flops": lstm["flops"],
              "smaller": 1 - gru["params"] / lstm["params"], "slower": slower}
    number = [Message(N_("MNIST-1D: GRU {gru:.1%} with {gru_params:,} parameters and {gru_flops:,} FLOPs, LSTM "
                         "{lstm:.1%} with {lstm_params:,} and {lstm_flops:,}: as good, {smaller:.0%} smaller."), values)]
    if scaling is not None:
        longest = max(p["length"] for p in scaling["points"])
        at = {p["kind"]: p["seconds"] for p in scaling["points"] if p["length"] == longest}
        number.append(Message(N_("Yet the GRU took {slower:.1f}× the LSTM's time to train and {forward:.1f}× its "
                                 "forward time at T = {length:,}: fewer operations on paper, but PyTorch's LSTM kernel "
                                 "on CPU is the faster one here."),
                              {"slower": slower, "forward": at["gru"] / at["lstm"], "length": longest}))
    else:
        number.append(Message(N_("Yet the GRU took {slower:.1f}× the LSTM's time to train: fewer operations on paper, "
                                 "but PyTorch's LSTM kernel on CPU is the faster one here."), {"slower": slower}))
    return Claim(key, RNN_PRACTICE, claim, verdict, tuple(number), page, where, _source("mnist1d", "scaling"))


def attention(curves: dict) -> Claim:
    key, claim = "attention", N_("Adding attention to a sequence-to-sequence RNN improves how it handles long "
                                 "sequences.")
    page, where = "app_pages/attention.py", N_("“Exact-match accuracy against input length”")
    reverse = curves["reverse"]
    if reverse is None:
        return _missing(key, RNN_PRACTICE, claim, "reverse", page, where)
    with_, without = reverse["models"]["gru_attention"]["by_length"], reverse["models"]["gru_plain"]["by_length"]
    longest = max(with_, key=int)
    verdict = HOLDS if with_[longest] - without[longest] > 0.2 else FAILS
    number = Message(N_("Reversing {length} letters, whole answer right: {with_:.0%} with attention, {without:.0%} "
                        "without; at 4 letters both are near {short:.0%}."),
                     {"length": int(longest), "with_": with_[longest], "without": without[longest],
                      "short": min(with_["4"], without["4"])})
    return Claim(key, RNN_PRACTICE, claim, verdict, (number,), page, where, _source("reverse"))


def plain_rnn_short(pairs: dict[str, PairResult], curves: dict) -> Claim:
    key, claim = "plain_rnn_short", N_("A plain RNN suits short sequences; for long ones take an LSTM (or GRU).")
    page, where = "app_pages/training_lab.py", N_("Task “adding”: the pair it opens on (RNN vs GRU, T = 50)")
    if not pairs:
        return _missing(key, RNN_PRACTICE, claim, "pairs", page, where)
    p = pairs["adding"]
    verdict = HOLDS if p.b - p.a > p.spread else FAILS
    number = [Message(N_("Adding problem with the values up to 50 steps back: a plain RNN gets {a:.1%} of answers "
                         "within 0.04, a GRU {b:.1%} (seeds' spread ±{spread:.1f} points)."),
                      {"a": p.a, "b": p.b, "spread": p.spread * 100})]
    results = curves["mnist1d"]
    if verdict == HOLDS and results is not None:
        acc = {name: _mean(results["models"][name]["accuracy"]) for name in ("rnn", "lstm")}
        if acc["lstm"] - acc["rnn"] > 0.1:
            verdict = CAVEAT
            number.append(Message(N_("“Short” is shorter than one may think: on MNIST-1D's 40 steps the plain RNN "
                                     "reads {rnn:.1%}, the LSTM {lstm:.1%}."), acc))
    return Claim(key, RNN_PRACTICE, claim, verdict, tuple(number), page, where,
                 f"core/lab.py DEFAULT_PAIRS; {_source('pairs', 'mnist1d')}")


def _runs(curves: dict, part: str) -> dict | None:
    """One experiment of claim_runs.json, or None when the file is missing."""
    runs = curves["runs"]
    return None if runs is None else runs[part]


def _by_model(part: dict, metric: str) -> dict[str, float]:
    """Each model's mean over seeds of `metric`."""
    return {model: _mean([run[metric] for run in runs]) for model, runs in part["runs"].items()}


def long_range(curves: dict) -> Claim:
    key, claim = "long_range", N_("A CNN struggles to relate features far apart in a sequence (long-range "
                                  "dependencies) unless it is deep.")
    page, where = "app_pages/convolution.py", N_("The receptive field, layer by layer")
    reach = _runs(curves, "reach")
    if reach is None:
        return _missing(key, TABLE, claim, "runs", page, where)
    acc, distance, seeds = _by_model(reach, "accuracy"), reach["distance"], len(reach["runs"]["gru"])
    fields = {model: runs[0]["receptive_field"] for model, runs in reach["runs"].items()}
    short = [model for model in ("cnn1", "cnn3") if fields[model] <= distance]
    verdict = HOLDS if max(acc[m] for m in short) < 0.6 and acc["cnn6"] > 0.9 and acc["gru"] > 0.9 else FAILS
    values = {"distance": distance, "length": reach["length"], "seeds": seeds, "gru": acc["gru"],
              "edge": sum(run["accuracy"] > 0.9 for run in reach["runs"]["cnn4"]),
              **{f"rf{m[3:]}": fields[m] for m in ("cnn1", "cnn3", "cnn4", "cnn6")},
              **{m: acc[m] for m in ("cnn1", "cnn3", "cnn4", "cnn6")}}
    number = [Message(N_("Which of two events {distance} steps apart comes first, in sequences of {length} steps, "
                         "{seeds} seeds: CNNs of 1, 3, 4 and 6 layers (receptive fields of {rf1}, {rf3}, {rf4} and "
                         "{rf6} steps) score {cnn1:.0%}, {cnn3:.0%}, {cnn4:.0%} and {cnn6:.0%} (chance is about 50%); "
                         "the 4-layer one, whose field just spans both events, learns the order in {edge} of {seeds} "
                         "seeds; a GRU scores {gru:.0%}. A CNN is blind to what no single output sees."), values)]
    if verdict == HOLDS and acc["dilated3"] > 0.9:
        verdict = CAVEAT
        number.append(Message(N_("But depth is one way, not the only one: 3 dilated layers (dilation 1, 2, 4) see "
                                 "{rf} steps and score {accuracy:.0%}; it is the receptive field that counts."),
                              {"rf": fields["dilated3"], "accuracy": acc["dilated3"]}))
    return Claim(key, TABLE, claim, verdict, tuple(number), page, where, _source("runs"))


def receptive_depth(curves: dict) -> Claim:
    key, claim = "receptive_depth", N_("A CNN sees the whole input only by stacking more layers.")
    page, where = "app_pages/convolution.py", N_("The receptive field, layer by layer")
    reach = _runs(curves, "reach")
    if reach is None:
        return _missing(key, TABLE, claim, "runs", page, where)
    fields = {model: runs[0]["receptive_field"] for model, runs in reach["runs"].items()}
    acc = _by_model(reach, "accuracy")
    growth = fields["cnn4"] - fields["cnn3"]
    layers = -(-(reach["length"] - 1) // growth)  # layers of that kernel to see the whole sequence
    verdict = HOLDS if fields["cnn6"] < reach["length"] and acc["cnn3"] < 0.6 < 0.9 < acc["cnn6"] else FAILS
    number = [Message(N_("Each convolution of width 5 widens the receptive field by {growth} steps (1 layer: {rf1}, 6 "
                         "layers: {rf6}), so seeing all {length} steps of the order task takes {layers} such layers. "
                         "The accuracy follows the field, not the layer count as such: at chance with {rf3} steps, "
                         "{deep:.0%} with {rf6}, once the field spans the {distance} steps between the events."),
                      {"growth": growth, "rf1": fields["cnn1"], "rf3": fields["cnn3"], "rf6": fields["cnn6"],
                       "length": reach["length"], "layers": layers, "deep": acc["cnn6"], "distance": reach["distance"]})]
    if verdict == HOLDS and fields["dilated3"] > fields["cnn6"]:
        verdict = CAVEAT
        number.append(Message(N_("More layers is not the only way to widen it: dilation doubles the step at each layer, "
                                 "so 3 dilated layers see {rf} steps, more than 6 plain ones; pooling, strides and a "
                                 "fully-connected head (as in LeNet) see further still."), {"rf": fields["dilated3"]}))
    return Claim(key, TABLE, claim, verdict, tuple(number), page, where, _source("runs"))


def fixed_size(curves: dict) -> Claim:
    key, claim = "fixed_size", N_("A CNN expects inputs of one fixed size; an RNN takes sequences of any length.")
    page, where = "app_pages/hidden_states.py", N_("Type a text of any length")
    lengths = _runs(curves, "lengths")
    if lengths is None:
        return _missing(key, TABLE, claim, "runs", page, where)
    runs = lengths["runs"]
    acc = {model: {n: (None if seeds[0]["accuracy"][n] is None else _mean([run["accuracy"][n] for run in seeds]))
                   for n in seeds[0]["accuracy"]} for model, seeds in runs.items()}
    tested = list(acc["gru"])
    fixed = lengths["train_lengths"][1]
    refused = [n for n, ok in runs["cnn_pad"][0]["unpadded_runs"].items() if not ok]
    longest = tested[-1]
    verdict = (HOLDS if acc["gru"][longest] is not None and acc["cnn_pad"][longest] is None and
               str(fixed) not in refused else FAILS)
    values = {"low": lengths["train_lengths"][0], "high": fixed, "longest": int(longest), "fixed": fixed,
              **{f"gru{n}": acc["gru"][n] for n in tested}, **{f"pool{n}": acc["cnn_pool"][n] for n in tested},
              **{f"pad{n}": acc["cnn_pad"][n] for n in tested if acc["cnn_pad"][n] is not None}}
    number = [Message(N_("A bump hidden in noise, trained on lengths {low}–{high}, held-out accuracy at 10, 30 and 50 "
                         "steps: the GRU reads each length as it comes, {gru10:.0%}, {gru30:.0%}, {gru50:.0%}, and "
                         "{gru100:.0%} at {longest}, longer than any it trained on. A CNN whose fully-connected head "
                         "takes exactly {fixed} positions refuses every other length; padded with zeros to {fixed} it "
                         "scores {pad10:.0%}, {pad30:.0%}, {pad50:.0%}, and it cannot take {longest} at all."),
                      values)]
    if verdict == HOLDS and acc["cnn_pool"][longest] is not None:
        verdict = CAVEAT
        number.append(Message(N_("The fixed size is the head's, not the convolutions': the same CNN with global max "
                                 "pooling takes any length, {pool10:.0%}, {pool30:.0%}, {pool50:.0%}, and {pool100:.0%} "
                                 "at {longest}."), values))
    return Claim(key, TABLE, claim, verdict, tuple(number), page, where, _source("runs"))


def rnn_slow_on_long(curves: dict) -> Claim:
    key, claim = "rnn_slow_on_long", N_("RNNs on long sequences take long to train.")
    page, where = "app_pages/sequence_compare.py", N_("Part “Parallelism”")
    timing = _runs(curves, "time_by_length")
    if timing is None:
        return _missing(key, TABLE, claim, "runs", page, where)
    lengths, gru, cnn = timing["lengths"], timing["seconds"]["gru"], timing["seconds"]["cnn4"]
    stretch = lengths[-1] / lengths[0]
    verdict = HOLDS if gru[-1] / gru[0] > stretch / 2 and gru[-1] > cnn[-1] else FAILS
    number = Message(N_("One training step (batch 64) of the order task: from T = {short} to T = {long} ({stretch:.0f}× "
                        "longer) the GRU's step grows from {gru_short:.0f} to {gru_long:.0f} ms ({gru_ratio:.1f}×), "
                        "the 4-layer CNN's from {cnn_short:.0f} to {cnn_long:.0f} ms ({cnn_ratio:.1f}×). The GRU must "
                        "take the steps one after another, forward and backward; the CNN's work grows with T too, but "
                        "runs in a few wide operations."),
                     {"short": lengths[0], "long": lengths[-1], "stretch": stretch, "gru_short": gru[0] * 1e3,
                      "gru_long": gru[-1] * 1e3, "gru_ratio": gru[-1] / gru[0], "cnn_short": cnn[0] * 1e3,
                      "cnn_long": cnn[-1] * 1e3, "cnn_ratio": cnn[-1] / cnn[0]})
    return Claim(key, TABLE, claim, verdict, (number,), page, where, _source("runs"))


def _overfit(runs: list[dict]) -> dict[str, float]:
    """Means over seeds: training and held-out accuracy, their gap, held-out loss and its rise above its lowest."""
    return {"train": _mean([r["train_accuracy"] for r in runs]), "val": _mean([r["val_accuracy"] for r in runs]),
            "gap": _mean([r["train_accuracy"] - r["val_accuracy"] for r in runs]),
            "loss": _mean([r["val_loss"] for r in runs]), "rise": _mean([r["val_loss"] - r["best_val_loss"] for r in runs]),
            "spread": _spread([r["val_accuracy"] for r in runs])}


def dropout(curves: dict) -> Claim:
    key, claim = "dropout", N_("Dropout cuts overfitting, above all in large networks.")
    page, where = "app_pages/training_lab.py", N_("Task “digits”: dropout 0.5 in run B")
    part = _runs(curves, "overfitting")
    if part is None:
        return _missing(key, CNN_PRACTICE, claim, "runs", page, where)
    r = {variant: _overfit(runs) for variant, runs in part["runs"].items()}

    def narrows(a: str, b: str) -> bool:
        return r[a]["gap"] - r[b]["gap"] > max(r[a]["spread"], r[b]["spread"])

    small, large = narrows("plain", "dropout"), narrows("wide", "wide_dropout")
    verdict = HOLDS if small and large else (CAVEAT if large else FAILS)
    values = {"size": part["train_size"], "epochs": part["epochs"], "seeds": len(part["runs"]["plain"]),
              "spread": max(r[v]["spread"] for v in ("plain", "dropout", "wide", "wide_dropout")),
              "augment_cut": 1 - r["augment"]["loss"] / r["plain"]["loss"],
              "dropout_cut": 1 - r["dropout"]["loss"] / r["plain"]["loss"],
              **{f"{variant}_{k}": v for variant, m in r.items() for k, v in m.items()}}
    number = [Message(N_("{size} digit scans, {epochs} epochs, {seeds} seeds: LeNet-5 overfits, {plain_train:.0%} right "
                         "on its training scans and {plain_val:.1%} on held-out ones (gap {plain_gap:.1%}); with "
                         "dropout 0.5 the gap is {dropout_gap:.1%}. A wide MLP (0.8M parameters) overfits alike, gap "
                         "{wide_gap:.1%}; with dropout 0.5 after each hidden layer, {wide_dropout_gap:.1%}."), values)]
    if not (small and large):
        number.append(Message(N_("Here dropout narrows no gap by more than the seeds' spread (±{spread:.1%}), in the "
                                 "large network no more than in the small one. With so few scans the gap is what the "
                                 "scans do not show, and dropout adds nothing to them: it cuts the held-out loss by "
                                 "{dropout_cut:.0%}, while augmentation, which adds shifted and turned scans, cuts it "
                                 "by {augment_cut:.0%}."), values))
    return Claim(key, CNN_PRACTICE, claim, verdict, tuple(number), page, where, _source("runs"))


def augmentation(curves: dict) -> Claim:
    key, claim = "augmentation", N_("Augmenting the data (rotations, scaling, crops) helps the model generalise.")
    page, where = "app_pages/training_lab.py", N_("Task “digits”: augmentation shift + rotate in run B")
    part = _runs(curves, "overfitting")
    if part is None:
        return _missing(key, CNN_PRACTICE, claim, "runs", page, where)
    plain, augment = _overfit(part["runs"]["plain"]), _overfit(part["runs"]["augment"])
    better_acc = augment["val"] - plain["val"] > max(plain["spread"], augment["spread"])
    better_loss = augment["loss"] < plain["loss"]
    verdict = HOLDS if better_acc and better_loss else (CAVEAT if better_acc or better_loss else FAILS)
    number = [Message(N_("LeNet-5 on {size} digit scans, {epochs} epochs, {seeds} seeds: held-out accuracy {plain:.1%} "
                         "without augmentation, {augment:.1%} with random shifts and turns; held-out loss {plain_loss:.2f} "
                         "against {augment_loss:.2f}."),
                      {"size": part["train_size"], "epochs": part["epochs"], "seeds": len(part["runs"]["plain"]),
                       "plain": plain["val"], "augment": augment["val"], "plain_loss": plain["loss"],
                       "augment_loss": augment["loss"]})]
    if verdict == CAVEAT and better_loss:
        number.append(Message(N_("The augmented model is less often sure and wrong (a lower held-out loss), but it does "
                                 "not get more scans right by more than the seeds' spread (±{spread:.1%})."),
                              {"spread": max(plain["spread"], augment["spread"])}))
    return Claim(key, CNN_PRACTICE, claim, verdict, tuple(number), page, where, _source("runs"))


def gpu(curves: dict) -> Claim:
    key, claim = "gpu", N_("A GPU shortens training a great deal.")
    page, where = "app_pages/sequence_compare.py", N_("Part “Parallelism”")
    number = Message(N_("Not measured: the machine that made these results has no GPU. Timing the same training steps "
                        "on its CPU and on a GPU would measure it; `python bench/scaling.py --device cuda --save` times "
                        "the forward passes of the Parallelism part on one."))
    return Claim(key, CNN_PRACTICE, claim, UNMEASURED, (number,), page, where, "")


def clipping(curves: dict) -> Claim:
    key, claim = "clipping", N_("Gradient clipping keeps exploding gradients from wrecking training.")
    page, where = "app_pages/gradients.py", N_("Part “Clipping”, at its defaults")
    part = _runs(curves, "clipping")
    if part is None:
        return _missing(key, RNN_PRACTICE, claim, "runs", page, where)
    free, clipped = part["runs"]["free"], part["runs"]["clipped"]
    broke = [r for r in free if r["status"] == "diverged"]
    survived = [r for r in clipped if r["status"] == "done"]
    verdict = HOLDS if len(survived) == len(clipped) and len(broke) > len(free) / 2 else FAILS
    values = {"rho": part["rho"], "lr": part["lr"], "length": part["length"], "steps": part["steps"],
              "seeds": len(free), "broke": len(broke), "survived": len(survived),
              "broke_at": _mean([r["steps"] for r in broke]) if broke else 0,
              "threshold": part["threshold"], "loss": _mean([r["final_loss"] for r in survived]) if survived else 0,
              "baseline": 1 / 6}
    number = [Message(N_("The Gradient lab's exploding RNN (ρ = {rho}, SGD at {lr}, adding problem T = {length}), "
                         "{steps} steps, {seeds} seeds: without clipping {broke} of {seeds} runs overflowed (after "
                         "{broke_at:.0f} steps on average) and stopped; clipped at {threshold}, {survived} of {seeds} "
                         "ran all their steps."), values)]
    if verdict == HOLDS and values["loss"] > values["baseline"]:
        verdict = CAVEAT
        number.append(Message(N_("It keeps training alive, no more: the clipped runs end at a loss of {loss:.3f}, no "
                                 "better than the {baseline:.3f} of always answering 1; the plain RNN still does not "
                                 "learn the long lag."), values))
    return Claim(key, RNN_PRACTICE, claim, verdict, tuple(number), page, where, _source("runs"))


def mini_batches(curves: dict) -> Claim:
    key, claim = "mini_batches", N_("Mini-batches make training more efficient.")
    page, where = "app_pages/training_lab.py", N_("Task “digits”: batch size 1 in run A, 32 in run B")
    part = _runs(curves, "mini_batches")
    if part is None:
        return _missing(key, RNN_PRACTICE, claim, "runs", page, where)
    one, many = part["runs"]["1"], part["runs"]["32"]
    acc_one, acc_many = _mean([r["val_accuracy"] for r in one]), _mean([r["val_accuracy"] for r in many])
    spread = max(_spread([r["val_accuracy"] for r in one]), _spread([r["val_accuracy"] for r in many]))
    verdict = HOLDS if acc_many - acc_one > spread else FAILS
    number = Message(N_("LeNet-5 on the digit scans, {seconds:.0f} s of compute each, {seeds} seeds: one scan per step "
                        "gets through {one_examples:,.0f} scans and {one:.1%} held out; 32 per step gets through "
                        "{many_examples:,.0f} scans ({throughput:.0f}× as many) and {many:.1%}. A batch costs little "
                        "more than one example, because the arithmetic runs on whole matrices at once."),
                     {"seconds": part["seconds"], "seeds": len(one), "one": acc_one, "many": acc_many,
                      "one_examples": _mean([r["examples"] for r in one]),
                      "many_examples": _mean([r["examples"] for r in many]),
                      "throughput": _mean([r["examples"] for r in many]) / _mean([r["examples"] for r in one])})
    return Claim(key, RNN_PRACTICE, claim, verdict, (number,), page, where, _source("runs"))


def verdicts(assets: Path = ASSETS) -> list[Claim]:
    """Every claim, in the article's order, with the verdict its bundled results give now."""
    curves, pairs = read_sources(assets)
    return [parallel(curves), parameter_scale(curves), cnn_on_sequences(curves), long_range(curves),
            receptive_depth(curves), fixed_size(curves), gated_gradients(curves), variable_length(curves),
            rnn_slow_on_long(curves), depth_for_hard_tasks(curves), residual(curves), batch_norm(pairs),
            dropout(curves), augmentation(curves), gpu(curves), gru_efficiency(curves), plain_rnn_short(pairs, curves),
            learning_rate(pairs), clipping(curves), mini_batches(curves), attention(curves)]


def to_json(claims: list[Claim]) -> dict:
    """What claims.json holds: the command that wrote it and every claim, as plain JSON data."""
    return json.loads(json.dumps({"command": COMMAND, "claims": [asdict(claim) for claim in claims]}))


def from_json(claim: dict) -> Claim:
    """A claim as claims.json holds it."""
    return Claim(**{**claim, "number": tuple(Message(**message) for message in claim["number"])})


def read_claims(assets: Path = ASSETS) -> list[Claim] | None:
    """The claims as `python -m core.claims` last wrote them, or None if the file is missing."""
    results = read_curves(RESULTS, assets)
    return None if results is None else [from_json(claim) for claim in results["claims"]]


def main() -> None:
    path = ASSETS / "curves" / RESULTS
    path.write_text(json.dumps(to_json(verdicts()), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
