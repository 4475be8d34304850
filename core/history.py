"""The article's history of CNNs and RNNs, each step tied to the page that shows its idea and the number measured there.

Nothing measured is typed in here: `read_measurements` reads the results the app bundles (assets/curves/*.json and
the bundled weights' metadata), the caller adds the architectures' sizes measured by core.probes.costs, and
`timeline` turns them into rows. A result that is missing says so in its row, with the command that makes it.
"""
from __future__ import annotations

import json
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.i18n import N_, _
from core.models.catalogue import get_spec
from core.weights import ASSETS, read_metadata

# The bundled results a row may read: file under assets/curves and the command that writes it.
CURVES: dict[str, tuple[str, str]] = {
    "mnist1d": ("mnist1d_results.json", "python -m core.train_mnist1d"),
    "adding": ("adding_T100.json", "python -m core.train adding"),
    "reverse": ("reverse_by_length.json", "python -m core.train_attention"),
    "depth": ("depth_shapes.json", "python -m core.train depth"),
    "eras": ("eras_results.json", "python -m core.train eras"),
}
# Bundled weights whose metadata holds a held-out score: registry name → which registry (image or sequence).
WEIGHTS: dict[str, str] = {"lenet5": "image", "small_vgg": "image", "char_rnn": "sequence"}
# Architectures the app has only with random (or downloadable ImageNet) weights: their size is what it measures.
SIZED: tuple[str, ...] = ("alexnet", "vgg16", "googlenet")


@dataclass(frozen=True)
class Measurements:
    """What the app has measured, as read from its bundled files; None where a file is missing."""

    curves: Mapping[str, dict | None]  # key of CURVES → the parsed JSON
    metadata: Mapping[str, Mapping[str, str] | None]  # key of WEIGHTS → the safetensors metadata
    sizes: Mapping[str, Mapping[str, float]]  # name in SIZED → {"params": …, "flops": …} (core.probes.costs)


@dataclass(frozen=True)
class Milestone:
    """One step of the history: when, which model, the idea it brought, where the app shows it, what it measured."""

    year: str  # "1997", or "1989 / 1998" where the article gives two
    model: str
    idea: str
    page: str  # a page of ui.catalogue, by its path
    where: str  # the part or setting of that page to look at, in words
    measured: str  # one sentence with the number, read from `source`
    source: str  # the file the number comes from (or the probe that measured it)


@dataclass(frozen=True)
class Application:
    """One row of the article's table of uses: a kind of data, the network it usually gets, and the page that shows it.
    Its texts are English message ids, translated where they are shown."""

    data: str
    network: str
    page: str
    where: str
    shows: str


def read_curves(file: str, assets: Path = ASSETS) -> dict | None:
    """The JSON of assets/curves/FILE, or None if it is missing."""
    path = assets / "curves" / file
    return json.loads(path.read_text()) if path.exists() else None


def weights_file(name: str, assets: Path = ASSETS) -> Path:
    """The bundled safetensors file of registry model `name` (an image model or a sequence model)."""
    spec = get_spec(name, WEIGHTS[name])
    return assets / "weights" / spec.bundled_file


def read_measurements(sizes: Mapping[str, Mapping[str, float]], assets: Path = ASSETS) -> Measurements:
    """Read every bundled result the timeline quotes; `sizes` are the SIZED architectures' measured costs."""
    metadata = {name: read_metadata(weights_file(name, assets)) if weights_file(name, assets).exists() else None
                for name in WEIGHTS}
    return Measurements({key: read_curves(file, assets) for key, (file, _command) in CURVES.items()}, metadata, sizes)


def _missing(key: str) -> str:
    file, command = CURVES[key]
    return _("Not measured on this install: assets/curves/{file} is missing (`{command}` makes it).").format(
        file=file, command=command)


def _missing_weights(name: str) -> str:
    return _("Not measured on this install: {file} is missing (`{command}` makes it).").format(
        file=weights_file(name).name, command=f"python -m core.train {name}")


def _millions(n: float) -> str:
    return f"{n / 1e6:.1f} M"


def _giga(n: float) -> str:
    return f"{n / 1e9:.2f} G"


def _mean_accuracy(model: dict) -> float:
    return sum(model["accuracy"]) / len(model["accuracy"])


def rnn_measured(m: Measurements) -> str:
    meta = m.metadata["char_rnn"]
    if not meta or "test_accuracy" not in meta:
        return _missing_weights("char_rnn")
    return _("The bundled character RNN guesses the next character of held-out Python source right {accuracy:.1%} "
             "of the time ({bits:.2f} bits a character).").format(accuracy=float(meta["test_accuracy"]),
                                                                   bits=float(meta["test_bits_per_char"]))


def lenet_measured(m: Measurements) -> str:
    meta = m.metadata["lenet5"]
    if not meta or "test_accuracy" not in meta:
        return _missing_weights("lenet5")
    return _("The bundled LeNet-5 reads {accuracy:.1%} of held-out handwritten digits right.").format(
        accuracy=float(meta["test_accuracy"]))


def lstm_measured(m: Measurements) -> str:
    curves = m.curves["adding"]
    if curves is None:
        return _missing("adding")
    lstm, rnn = curves["runs"]["lstm"]["val_mse"], curves["runs"]["rnn"]["val_mse"]
    return _("Adding problem, T = {length}: after {steps:,} steps the LSTM's error (MSE) is {lstm:.3f}; the plain "
             "RNN's best is {rnn:.3f}, hardly below the {baseline:.3f} of always answering 1.").format(
        length=curves["length"], steps=curves["steps"], lstm=lstm[-1], rnn=min(rnn), baseline=curves["baseline_mse"])


def size_measured(m: Measurements, name: str) -> str:
    size = m.sizes.get(name)
    if size is None:
        return _("{model}'s size was not measured.").format(model=_(get_spec(name).title))
    return _("{model}: {params} parameters, {flops}FLOPs a picture").format(
        model=_(get_spec(name).title), params=_millions(size["params"]), flops=_giga(size["flops"]))


def era_measured(m: Measurements, name: str) -> str:
    """The era CNN `name`'s held-out accuracy on the eras task (mean and spread over its seeds), beside the
    LeNet-style one's: the same task, the same recipe, one idea apart."""
    results = m.curves["eras"]
    if results is None:
        return " " + _missing("eras")
    era, first = results["models"][name], results["models"]["era_lenet"]
    spread = statistics.pstdev(era["accuracy"])  # as the Compare page quotes it
    return " " + _("On one task for all five eras (the Compare page), the {era} CNN reads {accuracy:.1%} ± "
                   "{spread:.1%} of held-out pictures right over {seeds} seeds, the LeNet-style one {first:.1%}.").format(
        era=_(era["title"].split(" (")[0]), accuracy=_mean_accuracy(era), spread=spread, seeds=len(era["accuracy"]),
        first=_mean_accuracy(first))


def alexnet_measured(m: Measurements) -> str:
    return (size_measured(m, "alexnet") + _(" (measured here; its weights are random unless ImageNet's are downloaded).")
            + era_measured(m, "era_alexnet"))


def vgg_measured(m: Measurements) -> str:
    meta = m.metadata["small_vgg"]
    small = (_("; the bundled small VGG, same recipe, reads {accuracy:.1%} of held-out shapes right").format(
        accuracy=float(meta["test_accuracy"])) if meta and "test_accuracy" in meta else "")
    return size_measured(m, "vgg16") + small + _(".") + era_measured(m, "era_vgg")


def googlenet_measured(m: Measurements) -> str:
    google, vgg = m.sizes.get("googlenet"), m.sizes.get("vgg16")
    ratio = _(", 1/{ratio:.0f} of VGG-16's parameters").format(ratio=vgg["params"] / google["params"]) \
        if google and vgg else ""
    return size_measured(m, "googlenet") + ratio + _(".") + era_measured(m, "era_googlenet")


def gru_measured(m: Measurements) -> str:
    results = m.curves["mnist1d"]
    if results is None:
        return _missing("mnist1d")
    gru, lstm = results["models"]["gru"], results["models"]["lstm"]
    return _("MNIST-1D, mean of {seeds} seeds: GRU {gru:.1%} with {gru_params:,} parameters, LSTM {lstm:.1%} with "
             "{lstm_params:,}.").format(seeds=len(gru["accuracy"]), gru=_mean_accuracy(gru), gru_params=gru["params"],
                                        lstm=_mean_accuracy(lstm), lstm_params=lstm["params"])


def _by_length(model: dict) -> tuple[int, float]:
    longest = max(model["by_length"], key=int)
    return int(longest), model["by_length"][longest]


def attention_measured(m: Measurements) -> str:
    results = m.curves["reverse"]
    if results is None:
        return _missing("reverse")
    with_, without = results["models"]["gru_attention"], results["models"]["gru_plain"]
    length, hit = _by_length(with_)
    miss = _by_length(without)[1]
    return _("Reversing {length} letters, whole answer right: {hit:.0%} with attention, {miss:.0%} without "
             "(all lengths: {all_hit:.1%} against {all_miss:.1%}).").format(
        length=length, hit=hit, miss=miss, all_hit=with_["exact_match"], all_miss=without["exact_match"])


def resnet_measured(m: Measurements) -> str:
    curves = m.curves["depth"]
    if curves is None:
        return _missing("depth")
    final = {name: sum(loss[-20:]) / len(loss[-20:]) for name, loss in curves["loss"].items()}
    return (_("Same {steps} training steps on shapes, loss over the last 20: plain-20 {plain20:.2f}, plain-56 "
              "{plain56:.2f} (deeper, worse), residual-56 {residual56:.2f}.").format(
        steps=curves["steps"], plain20=final["plain-20"], plain56=final["plain-56"], residual56=final["residual-56"])
            + era_measured(m, "era_resnet"))


def transformer_measured(m: Measurements) -> str:
    results = m.curves["reverse"]
    if results is None:
        return _missing("reverse")
    tf, gru = results["models"]["transformer"], results["models"]["gru_attention"]
    return _("Reversal, whole answer right: {tf:.1%} with {tf_params:,} parameters, against the attention GRU's "
             "{gru:.1%} with {gru_params:,}.").format(tf=tf["exact_match"], tf_params=tf["params"],
                                                     gru=gru["exact_match"], gru_params=gru["params"])


def timeline(m: Measurements) -> list[Milestone]:
    """The article's dates in order, each with the number the app measured for it."""
    curve = {key: f"assets/curves/{file}" for key, (file, _command) in CURVES.items()}
    weights = {name: f"assets/weights/{weights_file(name).name}" for name in WEIGHTS}
    costs = _("core.probes.costs, measured on this machine")
    char_rnn = _(get_spec("char_rnn", "sequence").title)
    return [
        Milestone("1986", _("RNN (Rumelhart et al.)"),
                  _("A hidden state carried from step to step, updated by the same weights at every step."),
                  "app_pages/hidden_states.py", _("Model “{model}”; the heatmap “h_t over time”").format(model=char_rnn),
                  rnn_measured(m), weights["char_rnn"]),
        Milestone("1989 / 1998", "LeNet / LeNet-5",
                  _("Small kernels slide over the picture with shared weights; pooling shrinks the maps."),
                  "app_pages/feature_maps.py", _("LeNet-5 on a digit (the page opens on it)"),
                  lenet_measured(m), weights["lenet5"]),
        Milestone("1997", "LSTM",
                  _("A memory cell behind input, forget and output gates, so a value can survive many steps."),
                  "app_pages/gradients.py", _("Part “Long lag”: the adding problem"),
                  lstm_measured(m), curve["adding"]),
        Milestone("2012", "AlexNet",
                  _("Much deeper and wider, with ReLU and dropout, trained on GPUs: won ImageNet."),
                  "app_pages/compare.py", _("Pick AlexNet; the table “The whole zoo”"),
                  alexnet_measured(m), f"{costs}; {curve['eras']}"),
        Milestone("2014", "VGG",
                  _("Depth from nothing but stacked 3×3 convolutions."),
                  "app_pages/compare.py", _("Pick VGG-16 or the small VGG"),
                  vgg_measured(m), f"{costs}; {weights['small_vgg']}; {curve['eras']}"),
        Milestone("2014", "GoogLeNet",
                  _("Inception modules: 1×1, 3×3 and 5×5 convolutions side by side, cheap thanks to 1×1 reductions."),
                  "app_pages/compare.py", _("Pick GoogLeNet; the table “The whole zoo”"),
                  googlenet_measured(m), f"{costs}; {curve['eras']}"),
        Milestone("2014", _("GRU (Cho et al.)"),
                  _("Two gates (update, reset) and no separate cell: the LSTM's memory, simpler."),
                  "app_pages/sequence_compare.py", _("Part “MNIST-1D”: the results table"),
                  gru_measured(m), curve["mnist1d"]),
        Milestone("2014", _("Attention (Bahdanau et al.)"),
                  _("At each output step the decoder weighs every input step, instead of one summary vector."),
                  "app_pages/attention.py", _("“Exact-match accuracy against input length”"),
                  attention_measured(m), curve["reverse"]),
        Milestone("2015", "ResNet",
                  _("Shortcuts add each block's input to its output, so the gradient reaches the first layers."),
                  "app_pages/gradients.py", _("Part “Over depth”: plain against residual"),
                  resnet_measured(m), f"{curve['depth']}; {curve['eras']}"),
        Milestone("2017", "Transformer",
                  _("Attention only, no recurrence: every position is processed at once."),
                  "app_pages/attention.py", _("“The same task in a Transformer”"),
                  transformer_measured(m), curve["reverse"]),
    ]


def lesson(m: Measurements) -> str:
    """One sentence: two of the timeline's fixes, each with its measured number."""
    adding, reverse = m.curves["adding"], m.curves["reverse"]
    if adding is None or reverse is None:
        return _("Each step of the history fixed what the one before could not; the rows below say what the app "
                 "measured.")
    lstm, rnn = adding["runs"]["lstm"]["val_mse"], adding["runs"]["rnn"]["val_mse"]
    length, miss = _by_length(reverse["models"]["gru_plain"])
    hit = _by_length(reverse["models"]["gru_attention"])[1]
    return _("**The lesson:** each step fixed what the one before could not — on the adding problem the plain RNN's "
             "error never gets below {rnn:.3f} while the LSTM's falls to {lstm:.3f}, and an encoder–decoder reverses "
             "{length} letters {miss:.0%} of the time without attention and {hit:.0%} with it.").format(
        rnn=min(rnn), lstm=lstm[-1], length=length, miss=miss, hit=hit)


APPLICATIONS: tuple[Application, ...] = (
    Application(N_("Pictures: what is in them (classification)"), "CNN", "app_pages/feature_maps.py",
                N_("Any sample picture"),
                N_("Each layer's feature maps: edges first, then larger parts, then the top-5 answer.")),
    Application(N_("Pictures: where the object is (detection, segmentation)"), "CNN", "app_pages/saliency.py",
                N_("Grad-CAM, for any class"),
                N_("A heat map over the region that made the model choose the class. The app draws no boxes or "
                   "masks: the map is the nearest it comes.")),
    Application(N_("Text: writing it, one character after another"), N_("RNN (LSTM, GRU)"), "app_pages/hidden_states.py",
                N_("A character model, any text you type"),
                N_("The hidden state at every character and the model's guess for the next one.")),
    Application(N_("Series over time: forecasting the next value"), "RNN", "app_pages/training_lab.py",
                N_("Task “Your series (next value)”, with a CSV of numbers"),
                N_("An RNN, LSTM or GRU (or, to compare, a 1-D CNN) trained live on your series, scored by R² on "
                   "its last part.")),
    Application(N_("Signals, as in speech: a sequence of numbers to classify"), "RNN", "app_pages/sequence_compare.py",
                N_("Part “MNIST-1D”"),
                N_("RNN, LSTM and GRU beside a 1-D CNN and a Transformer on the same sequences: accuracy, "
                   "parameters, FLOPs and sequential steps.")),
    Application(N_("Video: what happens over the frames"), N_("CNN per frame, then an RNN over the frames"),
                "app_pages/video.py", N_("Any direction and shape"),
                N_("A shape moving left, right, up or down: a CNN with a GRU over the frames tells the direction, the "
                   "same CNN on the averaged frames cannot (the two streaks are the same).")),
    Application(N_("Translation: one sequence into another"), N_("RNN encoder–decoder with attention"),
                "app_pages/attention.py", N_("Type a word"),
                N_("A stand-in task (writing the word backwards) and where the decoder looks at each output step.")),
)
