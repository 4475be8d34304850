"""The monkey test: every page, every part, every option of every choice control, one after another.

For each page and each option of its mode switch (the "Part" segmented control, where it has one), a
fresh session walks every visible choice control (select box, radio, segmented control, pills, toggle,
checkbox) through all its options, in the order they appear, re-reading the page after each click
since a choice can show new controls (those are walked too). Any exception on screen fails the test.
A select box with more than `MANY` options (an ImageNet model's 1,000 classes) is tried on its first
few, middle and last options. Buttons are not pressed: training runs have their own tests.

An option is chosen the way the browser chooses it, by the label it shows: AppTest's `set_value` takes
the underlying value, which a test cannot know for a control whose labels come from a `format_func`.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from ui.catalogue import PAGES

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300
MANY = 12
KINDS = ("segmented_control", "pills", "radio", "selectbox", "toggle", "checkbox")


def choose(widget, label: str) -> None:
    """Make the next run see `widget` set to the option shown as `label`, as the browser sends it."""
    state = WidgetState()
    state.id = widget.id
    if widget.type == "button_group":
        state.string_array_value.data[:] = [label]
    else:
        state.string_value = label
    widget.__class__ = type(type(widget).__name__, (type(widget),), {"_widget_state": property(lambda _: state)})


def labels_to_try(options: list[str]) -> list[str]:
    if len(options) <= MANY:
        return options
    picks = sorted({0, 1, 2, 3, len(options) // 2, len(options) - 2, len(options) - 1})
    return [options[i] for i in picks]


def identity(widget) -> str:
    return widget.key or f"{widget.type}:{widget.label}"


def visible_choices(at: AppTest) -> list:
    return [w for kind in KINDS for w in getattr(at, kind) if not w.disabled]


def assert_clean(at: AppTest, what: str) -> None:
    assert not at.exception, f"{what}: {[e.value for e in at.exception]}"


def shown(widget) -> object:
    """What a choice control shows: its label for a select box, radio or segmented control, else its value."""
    if widget.type in ("toggle", "checkbox"):
        return widget.value
    if widget.type == "button_group":
        return widget.formatted_values[0] if widget.formatted_values else None
    return widget.options[widget.index] if widget.index is not None else None


def walk(at: AppTest, visited: set[str], page: str, depth: int = 0) -> None:
    """Walk every visible choice control not yet in `visited` through its options, ending on the one it had.

    Controls that an option reveals (an uploader's "Upload", a "custom" kernel's size) are walked while that
    option is chosen, up to `depth` 2. Each rerun must be free of exceptions and show the chosen option.
    """
    while True:
        pending = [w for w in visible_choices(at) if identity(w) not in visited]
        if not pending:
            return
        widget = pending[0]
        name = identity(widget)
        visited.add(name)
        original = shown(widget)
        if widget.type in ("toggle", "checkbox"):
            tries = [not original, original]
        else:
            tries = [o for o in labels_to_try(widget.options) if o != original] + [original]
        for option in tries:
            current = next((w for w in visible_choices(at) if identity(w) == name), None)
            if current is None:  # an earlier option of this control, or of one walked under it, hid it
                break
            if current.type in ("toggle", "checkbox"):
                current.set_value(option)
            else:
                choose(current, option)
            at.run()
            assert_clean(at, f"{page}: {name} = {option!r}")
            after = next((w for w in visible_choices(at) if identity(w) == name), None)
            assert after is None or shown(after) == option, f"{page}: {name} shows {shown(after)!r}, chosen {option!r}"
            if depth < 2 and option != original:
                walk(at, visited, page, depth + 1)


def cases() -> list:
    """Page × part, read from the pages' own source so a new part is walked without editing this file."""
    out = []
    for entry in PAGES:
        text = (ROOT / entry.path).read_text()
        start = text.find("PARTS = [")
        if start < 0:
            out.append(pytest.param(entry.path, None, id=Path(entry.path).stem))
            continue
        names = ast.literal_eval(text[start + len("PARTS = "):text.index("]", start) + 1])
        out += [pytest.param(entry.path, name, id=f"{Path(entry.path).stem}-{name}") for name in names]
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("path", "part"), cases())
def test_every_choice_of_every_page(path: str, part: str | None) -> None:
    at = AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT).run()
    assert_clean(at, f"{path}: opening")
    skip: set[str] = set()
    if part is not None:
        switch = at.segmented_control[0]
        skip.add(identity(switch))
        choose(switch, part)
        at.run()
        assert_clean(at, f"{path}: part {part}")
        assert shown(at.segmented_control[0]) == part
    walk(at, skip, f"{path} [{part}]")
