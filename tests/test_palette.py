"""One colour per thing: how the palette reads labels, and that every page's figures agree on it."""
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import palette
from core.palette import colour_of, thing_of

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300  # importing torch and running every model of a page on 2 busy cores
HEX = re.compile(r"#[0-9a-f]{6}")


@pytest.mark.parametrize(("label", "thing"), [
    ("RNN (tanh)", "rnn"), ("RNN (relu)", "rnn"), ("Vanilla RNN", "rnn"), ("char_rnn", "rnn"),
    ("LSTM", "lstm"), ("GRU", "gru"), ("GRU encoder–decoder without attention", "gru"),
    ("GRU encoder–decoder with attention", "gru_attention"),
    ("Transformer encoder (1 block)", "transformer"), ("Transformer, one encoder and one decoder block", "transformer"),
    ("fused attention", "transformer"), ("explicit attention", "attention_explicit"),
    ("explicit attention's T × T weights (computed)", "attention_explicit"),
    ("1-D CNN", "cnn"), ("Conv1d × 4", "cnn"), ("MLP (one hidden layer)", "mlp"), ("Logistic regression", "logistic"),
    ("plain-56", "plain-56"), ("residual-20", "residual-20"), ("ResNet-56", "residual-56"),
    ("ResNet-18", "resnet18"), ("ResNet-50 (2015)", "resnet50"), ("LeNet-5 (untrained)", "lenet5"),
    ("Small VGG (shapes), features.3", "small_vgg"), ("VGG-16", "vgg16"), ("AlexNet", "alexnet"), ("GoogLeNet", "googlenet"),
    ("run A", "run A"), ("run B: held-out loss", "run B"), ("LeNet-5, lab run A", "run A"),
    ("no clipping", "unclipped"), ("clipped at 1.0", "clipped"), ("actual", "actual"),
    ("RNN bound (γ·σ_max)^(T−t)", "reference"), ("always answer 1: MSE 0.167", "reference"),
])
def test_labels_name_their_thing(label: str, thing: str) -> None:
    assert thing_of(label) == thing
    assert HEX.fullmatch(colour_of(label))


def test_things_shown_together_have_different_colours() -> None:
    together = [
        ["RNN", "LSTM", "GRU", "Transformer", "explicit attention", "1-D CNN", "MLP", "Logistic regression",
         "GRU encoder–decoder with attention"],
        ["LeNet-5", "Small VGG", "AlexNet", "VGG-16", "GoogLeNet", "ResNet-18", "ResNet-50"],
        ["run A", "run B", "run C", "run D", "actual"],
        [f"{kind}-{depth}" for kind in ("plain", "residual") for depth in (8, 20, 56)],
        ["no clipping", "clipped at 1.0", "always answer 1"],
    ]
    for labels in together:
        assert len({colour_of(label) for label in labels}) == len(labels), labels


def test_depth_darkens_and_stays_in_its_family() -> None:
    def lightness(colour: str) -> int:
        return sum(int(colour[i:i + 2], 16) for i in (1, 3, 5))

    for kind in ("plain", "residual"):
        shades = [lightness(colour_of(f"{kind}-{d}")) for d in (8, 20, 56)]
        assert shades[0] > shades[1] > shades[2]
    assert colour_of("plain-8") == palette.DEPTH_SHADES["plain"][0] and colour_of("residual-56") == palette.DEPTH_SHADES["residual"][1]


def test_a_name_outside_the_table_gets_the_same_colour_in_every_process() -> None:
    """Python's hash() changes between processes; the palette's colour for an unknown name must not."""
    code = "from core.palette import colour_of; print(colour_of('your series (standardised)'), colour_of('Your Series (standardised)'))"
    runs = {subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout.split()[0] for seed in ("1", "2")}
    assert runs == {colour_of("your series (standardised)")}
    assert colour_of("your series") != colour_of("another series")
    assert colour_of("your series") not in palette.COLOURS.values()


def named_colours(spec: dict) -> list[tuple[str, str]]:
    """(name, colour) of every named line of a plotly figure's JSON as the browser draws it: its line or marker
    colour, or, when it sets none, the template's colourway colour for its place among the traces (as plotly.js
    does); each bubble of a scatter coloured per point (its text is its name); each axis label ending in a
    coloured square (`plots.sequence_saliency`)."""
    found = []
    colourway = spec["layout"].get("template", {}).get("layout", {}).get("colorway", [])
    for index, trace in enumerate(spec["data"]):
        marker, line = trace.get("marker") or {}, trace.get("line") or {}
        colour = line.get("color") or marker.get("color")
        if colour is None and trace.get("type", "scatter") == "scatter" and colourway:
            colour = colourway[index % len(colourway)]
        if trace.get("name") and isinstance(colour, str):
            found.append((trace["name"], colour))
        if isinstance(marker.get("color"), list) and isinstance(trace.get("text"), list):
            found += [(text, c) for text, c in zip(trace["text"], marker["color"]) if isinstance(c, str)]
    for key, axis in spec["layout"].items():
        if key.startswith(("xaxis", "yaxis")):
            for text in axis.get("ticktext") or []:
                if square := re.fullmatch(r'(.*) <span style="color:(#[0-9a-f]{6})">■</span>', str(text)):
                    found.append((square.group(1), square.group(2)))
    return found


# Each page as it opens, then the parts that draw one trace per model, cell or run: (page, [(part key, part)]).
PAGE_STATES = [
    ("app_pages/gradients.py", [("gl_part", "Long lag"), ("gl_part", "Over depth")]),
    ("app_pages/sequence_compare.py", [("sc_part", "Parallelism")]),
    ("app_pages/rnn_compare.py", []),
    ("app_pages/attention.py", []),
    ("app_pages/convolution.py", [("cl_part", "Translation")]),
    ("app_pages/compare.py", []),
]


@pytest.mark.slow
def test_every_page_gives_a_thing_one_colour() -> None:
    """Before the palette the bundled long-lag curves drew the LSTM blue and the RNN green while the live gradient
    chart drew the RNN blue and the LSTM red, and plain-56 changed colour between the two depth charts."""
    seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # thing → colour → where
    for path, states in PAGE_STATES:
        at = AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT)
        for state in [None, *states]:
            if state is None:
                at.run()
            else:
                at.segmented_control(key=state[0]).set_value(state[1]).run()
            assert not at.exception, (path, state, [e.value for e in at.exception])
            for chart in at.get("plotly_chart"):
                spec = json.loads(chart.proto.spec)
                title = (spec["layout"].get("title") or {}).get("text", "")
                for name, colour in named_colours(spec):
                    seen[thing_of(name)][colour.lower()].add(f"{Path(path).stem}: {title} / {name}")
    split = {thing: dict(colours) for thing, colours in seen.items() if len(colours) > 1}
    assert not split, split
    # (ResNet-18 is on no page's first screen: it was seen only when an earlier test in the same process had
    # measured the zoo, whose chart the Compare page then draws, so the test depended on the order tests ran in)
    assert {"rnn", "lstm", "gru", "transformer", "attention_explicit", "cnn", "plain-56", "residual-56", "lenet5",
            "small_vgg"} <= set(seen)
    for thing in ("rnn", "lstm", "gru"):  # the same cell on several pages and figures, one colour
        (places,) = seen[thing].values()
        assert len({p.split(":")[0] for p in places}) >= 3, (thing, places)
    for thing, colours in seen.items():
        assert set(colours) == {colour_of(thing).lower()} or thing == "reference", (thing, colours)


def test_every_model_title_keeps_its_colour_in_chinese() -> None:
    """A figure names its traces with the catalogue's titles in the run's language: 'LeNet 风格' is the era LeNet."""
    from core.i18n import _, set_language
    from core.models.catalogue import CATALOGUE

    english = [(spec.title, spec.label) for spec in CATALOGUE]
    set_language("zh")
    try:
        chinese = [(_(title), _(label)) for title, label in english]
    finally:
        set_language("en")
    assert chinese != english
    for names, translated in zip(english, chinese):
        for name, shown in zip(names, translated):
            assert thing_of(shown) == thing_of(name), (name, shown)
