"""One colour per thing — model, cell, run — across every figure of the app.

A figure names its traces with labels a learner reads ("RNN (tanh)", "Vanilla RNN", "plain-56",
"run A: held-out loss"); `thing_of` reads which thing a label names, and `colour_of` gives that thing's
colour. Figures in `core.plots` colour every per-model, per-cell and per-run trace with `colour_of(name)`,
so the LSTM is the same blue on the gradient lab, the long-lag curves and the scaling chart.

How a label is read (lower-cased, "_" read as a space, a space put between Chinese and Latin letters or digits so
that "普通RNN" reads as "普通 rnn"; the first rule that matches wins):

0. a reference line, not a thing: a theoretical "bound", a baseline that "always answer"s; `REFERENCE` grey;
1. a training run: "run A" … (the Training lab's runs), whatever model the run trains, and the models
   a run leaves behind ("LeNet-5, lab run A"): they are that run, not the bundled LeNet-5;
2. a CNN of the model zoo, by its registry title or name: "LeNet-5", "Small VGG (shapes)", "AlexNet",
   "VGG-16", "GoogLeNet", "ResNet-18", "ResNet-50" (also "lenet5", "small_vgg", "resnet18" …); the era
   mini-zoo's "LeNet-style (eras)" … "ResNet-style (eras)" (also "era_lenet" …, and "LeNet 风格" …) before them;
3. a network of the depth experiment: "plain-N", "residual-N" or "ResNet-N" for a depth N that is not a
   zoo model (so "ResNet-56" is "residual-56"), in Chinese "普通-N" / "残差-N"; plain is orange, residual
   indigo, darker the deeper;
4. the two clipping runs: "no clipping" / "unclipped" (不裁剪), then "clipped …" (裁剪…);
5. the explicit softmax(QKᵀ)V attention of the scaling chart: any label with "explicit";
6. the GRU encoder–decoder with attention: "gru" and "attention" (注意力) without "without" (不带);
7. one word for a model family: "transformer" or "attention" (self-attention, the Transformer);
   "lstm"; "gru" (so the encoder–decoder *without* attention is a GRU); "rnn" ("Vanilla RNN",
   "RNN (relu)", "char_rnn"); "cnn" or "conv1d"; "mlp"; "logistic" (逻辑回归);
8. "actual": the true values a forecast is drawn against.

Model titles in Chinese (the catalogue's translations) read as their English titles do: the rules know their
Chinese words, and a test holds every catalogue title's colour the same in both languages.

A label none of these rules reads is its own thing and gets a stable colour of its own: a hue from the
MD5 of the lower-cased label (the same in every process, unlike Python's `hash`), at fixed saturation
and lightness, so "your series" is the same colour on every rerun and every page.

"""
from __future__ import annotations

import colorsys
import hashlib
import math
import re

REFERENCE = "#7f7f7f"  # bounds and baselines: not a model, so not a model's colour

# thing → colour. Recurrent cells and the other sequence models use d3's category10 (the RNN red: it is the
# one whose gradient vanishes or explodes); the zoo uses category20b/c, runs ColorBrewer's Dark2.
COLOURS: dict[str, str] = {
    "rnn": "#d62728",
    "lstm": "#1f77b4",
    "gru": "#2ca02c",
    "transformer": "#9467bd",
    "attention_explicit": "#e377c2",
    "gru_attention": "#17becf",
    "cnn": "#8c564b",
    "mlp": "#ff7f0e",
    "logistic": "#bcbd22",
    "lenet5": "#637939",
    "small_vgg": "#e7ba52",
    "alexnet": "#d6616b",
    "vgg16": "#8c6d31",
    "googlenet": "#7b4173",
    "resnet18": "#6b6ecf",
    "resnet50": "#393b79",
    "era_lenet": "#b5cf6b",  # the era mini-zoo: a lighter or darker shade of its era's full-size model
    "era_alexnet": "#e7969c",
    "era_vgg": "#bd9e39",
    "era_googlenet": "#a55194",
    "era_resnet": "#5254a3",
    "run A": "#1b9e77",
    "run B": "#d95f02",
    "run C": "#7570b3",
    "run D": "#e7298a",
    "unclipped": "#e6550d",
    "clipped": "#3182bd",
    "actual": "#333333",
    "reference": REFERENCE,
}

# Depth networks: a colour between a light and a dark shade, by log depth from DEPTH_RANGE[0] to [1].
# The depths the gradient lab offers (8, 20, 56) span the whole range, so any two of them differ clearly.
DEPTH_SHADES = {"plain": ("#fdae6b", "#8c2d04"), "residual": ("#9c9ede", "#1c1f5a")}
DEPTH_RANGE = (8, 56)

_ZOO = (
    *((f"era_{m}", rf"\b(era {m}|{m}-style)\b|\b{m} ?风格") for m in ("lenet", "alexnet", "vgg", "googlenet", "resnet")),
    ("lenet5", r"\blenet-? ?5\b"),
    ("small_vgg", r"\bsmall[ -]?vgg\b"),
    ("alexnet", r"\balexnet\b"),
    ("vgg16", r"\bvgg-? ?16\b"),
    ("googlenet", r"\bgooglenet\b"),
    ("resnet18", r"\bresnet-? ?18\b"),
    ("resnet50", r"\bresnet-? ?50\b"),
)
_FAMILIES = (
    ("transformer", r"\b(transformer|attention)\b"),
    ("lstm", r"\blstm\b"),
    ("gru", r"\bgru\b"),
    ("rnn", r"\brnn\b"),
    ("cnn", r"\b(cnn|conv1d)\b"),
    ("mlp", r"\bmlp\b"),
    ("logistic", r"\blogistic\b|逻辑回归"),
    ("actual", r"\bactual\b"),
)

_CJK_NEXT_TO_LATIN = re.compile(r"(?<=[\u4e00-\u9fff])(?=[a-z0-9])|(?<=[a-z0-9])(?=[\u4e00-\u9fff])")


def thing_of(label: str) -> str:
    """The thing a trace label names: a key of COLOURS, "plain-N"/"residual-N", or the label itself
    (lower-cased) when no rule of the module's docstring reads it."""
    text = _CJK_NEXT_TO_LATIN.sub(" ", label.lower().replace("_", " "))
    if re.search(r"\b(bound|always answer)\b", text):
        return "reference"
    if run := re.search(r"\brun ([a-z])\b", text):
        return f"run {run.group(1).upper()}"
    for thing, pattern in _ZOO:
        if re.search(pattern, text):
            return thing
    if depth := re.search(r"\b(plain|residual|resnet|普通|残差)[- ]?(\d+)\b", text):
        return f"{'plain' if depth.group(1) in ('plain', '普通') else 'residual'}-{int(depth.group(2))}"
    if re.search(r"\b(no clipping|unclipped)\b|不裁剪", text):
        return "unclipped"
    if re.search(r"\bclipped\b|裁剪", text):
        return "clipped"
    if re.search(r"\bexplicit\b", text):
        return "attention_explicit"
    if re.search(r"\bgru\b", text) and re.search(r"\battention\b|注意力", text) and not re.search(r"\bwithout\b|不带", text):
        return "gru_attention"
    text = re.sub(r"\bwithout attention\b", "", text)
    for thing, pattern in _FAMILIES:
        if re.search(pattern, text):
            return thing
    return text.strip()


def colour_of(label: str) -> str:
    """The colour ("#rrggbb") of the thing `label` names (see `thing_of`): the same label, or two labels
    naming the same thing, get the same colour in every figure."""
    thing = thing_of(label)
    if thing in COLOURS:
        return COLOURS[thing]
    if depth := re.fullmatch(r"(plain|residual)-(\d+)", thing):
        return _depth_colour(depth.group(1), int(depth.group(2)))
    return _hashed_colour(thing)


def _depth_colour(kind: str, depth: int) -> str:
    """`kind`'s shade for `depth` weight layers: light at DEPTH_RANGE[0] and below, dark at [1] and above."""
    low, high = (math.log(d) for d in DEPTH_RANGE)
    t = min(max((math.log(max(depth, 1)) - low) / (high - low), 0.0), 1.0)
    light, dark = (_rgb(c) for c in DEPTH_SHADES[kind])
    return _hex(tuple(round(a + t * (b - a)) for a, b in zip(light, dark)))


def _hashed_colour(thing: str) -> str:
    """A colour of its own for a thing outside the table: hue from the MD5 of its name."""
    hue = int.from_bytes(hashlib.md5(thing.encode()).digest()[:2], "big") / 65536
    r, g, b = colorsys.hls_to_rgb(hue, 0.42, 0.55)
    return _hex((round(255 * r), round(255 * g), round(255 * b)))


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _hex(rgb: tuple[int, ...]) -> str:
    return "#" + "".join(f"{v:02x}" for v in rgb)
