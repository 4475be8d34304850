"""The video page's loader: one generated clip through both bundled video models, computed once per server."""
from __future__ import annotations

from dataclasses import fields

from core.data.video import make_clip
from core.probes.video import ClipView, inspect_clip
from ui import models
from ui.scheduling import heavy
from ui.shared_cache import shared


@shared(64)
@heavy
def clip_view(direction: str, shape: str, seed: int) -> ClipView:
    """The clip of `shape` moving `direction` drawn from `seed`, and what both models make of it (read-only arrays)."""
    gru, _ = models.model("cnn_gru", models.weights_key("cnn_gru", "video"), "video")
    averaged, _ = models.model("averaged_cnn", models.weights_key("averaged_cnn", "video"), "video")
    view = inspect_clip(gru, averaged, make_clip(direction, shape, seed))
    for field in fields(view):
        getattr(view, field.name).setflags(write=False)
    return view
