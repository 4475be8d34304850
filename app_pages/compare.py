"""Compare: two to four CNNs side by side, each on a picture of its own world (or one picture for all), and the
whole zoo measured on this device."""
from dataclasses import dataclass

import numpy as np
import streamlit as st

from core import plots
from core.i18n import _
from core.markup import escape_label, escape_markdown
from core.models.catalogue import ERA_MODELS, ModelSpec, get_spec, model_names
from core.probes.saliency import SaliencyError, default_cam_layer
from core.weights import WeightsStatus
from ui import models, own_models, scheduling, vision
from ui.charts import chart
from ui.links import linked
from ui.widgets import class_label, class_labels, linked_list, model_label, pictures_picker, predict, table, working
from ui.flow import end_page


@dataclass(frozen=True)
class Column:
    """What one column measured: enough for the page's one-sentence lesson."""

    title: str
    params: int
    flops: float
    latency_s: float
    answer: str  # "“3” at 99.8%", or why the answer means nothing
    accuracy: str | None  # the weights' accuracy on held-out pictures, with where it comes from
    seeds_accuracy: list[float] | None = None  # held-out accuracy of each seed, where the recipe ran several


def seeds_accuracy(spec: ModelSpec, status: WeightsStatus, results: dict | None) -> list[float] | None:
    """Held-out accuracy per seed from `python -m core.train eras` (its results JSON), for a bundled era model."""
    if status.source != "bundled" or results is None or spec.name not in results["models"]:
        return None
    return results["models"][spec.name]["accuracy"]


def accuracy(spec: ModelSpec, status: WeightsStatus, per_seed: list[float] | None = None) -> str | None:
    """Held-out accuracy of the loaded weights: the mean ± spread over seeds where the training script ran
    several, else what it measured for the bundled seed, or as torchvision reports it (ImageNet-1K top-1) for
    ImageNet weights; None when there is none to give."""
    if per_seed:
        return _("{mean:.1%} ± {spread:.1f} points ({seeds} seeds) held out").format(
            mean=np.mean(per_seed), spread=np.std(per_seed) * 100, seeds=len(per_seed))
    if status.source == "bundled" and "test_accuracy" in status.metadata:
        return _("{accuracy:.1%} held out").format(accuracy=float(status.metadata["test_accuracy"]))
    if status.source == "imagenet" and spec.torchvision_weights is not None:
        return _("{accuracy:.1f}% ImageNet top-1 (torchvision)").format(
            accuracy=spec.torchvision_weights.meta["_metrics"]["ImageNet-1K"]["acc@1"])
    return None


def lesson(columns: list[Column], device: str) -> str:
    """One sentence: what the extra parameters and FLOPs of the largest model cost against the smallest, with the
    answers each gave."""
    small, large = min(columns, key=lambda c: c.params), max(columns, key=lambda c: c.params)
    answers = _("; ").join(_("{model} {answer}").format(model=c.title, answer=c.answer)
                           + (_(" ({accuracy})").format(accuracy=c.accuracy) if c.accuracy else "") for c in columns)
    params, flops = large.params / small.params, large.flops / max(small.flops, 1.0)
    why = (_(" — a convolution reuses its weights at every position, so compute grows with the picture and the "
             "layers' resolution, not with the parameters") if flops > 2 * params else "")
    trained = [c for c in columns if c.seeds_accuracy]
    eras = ""
    if len(trained) >= 2:
        best = max(trained, key=lambda c: np.mean(c.seeds_accuracy))
        worst = min(trained, key=lambda c: np.mean(c.seeds_accuracy))
        spread = max(np.std(c.seeds_accuracy) for c in trained) * 100
        gap = (np.mean(best.seeds_accuracy) - np.mean(worst.seeds_accuracy)) * 100
        eras = _("Trained the same way on the same task, {best} reaches {best_accuracy:.1%} held out and {worst} "
                 "{worst_accuracy:.1%}: {gap:.1f} points apart, against a spread over seeds of at most ±{spread:.1f}, "
                 "so the architecture, not the luck of the seed, made the difference. ").format(
            best=best.title, best_accuracy=np.mean(best.seeds_accuracy), worst=worst.title,
            worst_accuracy=np.mean(worst.seeds_accuracy), gap=gap, spread=spread)
    return _("**The lesson:** {eras}{large} has {params:.1f}× the parameters of {small} ({large_params:,} against "
             "{small_params:,}) and needs {flops:.1f}× its FLOPs{why}: {large_ms:.1f} ms against {small_ms:.1f} ms a "
             "picture on {device}. What each answered: {answers}.").format(
        eras=eras, large=large.title, params=params, small=small.title, large_params=large.params,
        small_params=small.params, flops=flops, why=why, large_ms=large.latency_s * 1000,
        small_ms=small.latency_s * 1000, device=device, answers=answers)

st.title(_("Compare architectures"))
st.caption(_(
    "LeNet → AlexNet → VGG → GoogLeNet → ResNet: it opens on five small networks, one per era, each built around "
    "its era's idea and trained by this project the same way on the same task — twelve textured shapes, where the "
    "answer needs both the outline (a large receptive field) and the fill's fine texture (full-resolution detail). "
    "Each network you pick reads a picture of the world it was trained on (or one picture for all). Parameters, "
    "FLOPs and latency are measured here, on this machine, not copied from papers."
))
lesson_slot = st.empty()

device = scheduling.device_choice().kind
left, right = st.columns([1, 2], gap="large")
with left:
    options = model_names() + own_models.session_names("image")  # yours (★) last
    linked_list("cmp_models", list(ERA_MODELS), options, most=5)  # a model of yours that has gone drops out
    chosen = st.multiselect(_("Models (two to five)"), options, max_selections=5, key="cmp_models",
                            format_func=model_label)
    pictures = pictures_picker("imagenet", "cmp")
with right:
    st.markdown(_(
        "**Reading the columns.** *Depth* is the number of weight layers on the longest path from input to "
        "output (an Inception block's parallel branches count once); *weight layers* counts every convolution and "
        "fully-connected layer (ResNet's 1×1 shortcut convolutions included). *Accuracy* is held out, measured by "
        "the training script: for the era models the mean ± standard deviation over three seeds. *FLOPs* are those "
        "of one forward pass of one picture, counted by `torch.utils.flop_counter` (a multiply-add is 2). *Latency* "
        "is the median of three forward passes on `{device}`. Grad-CAM is read at each model's last convolutional "
        "resolution, for its top-1 class."
    ).format(device=device))
if len(chosen) < 2:
    st.info(_("Pick at least two models to compare."))
    end_page()
if pictures is None:
    st.info(_("Upload a picture, or switch back to a sample."))
    end_page()

linked("cmp_alpha", 0.5, lambda a: 0.0 <= a <= 1.0)
alpha = st.slider(_("Grad-CAM opacity"), 0.0, 1.0, step=0.05, key="cmp_alpha")
era_results = models.bundled_curves("eras_results.json")
measured: list[Column] = []


def keep_drawn_columns() -> None:
    """Stop: compare only the models whose columns are drawn already (at least two), so the run ends sooner."""
    drawn = st.session_state.get("cmp_ready", [])
    st.session_state["cmp_models"] = (drawn if len(drawn) >= 2 else st.session_state["cmp_models"][:2])


first_sight = st.session_state.get("cmp_drawn") != chosen  # new columns: each loaded, explained and timed (seconds)
progress = stop = None
if first_sight:
    st.session_state["cmp_ready"] = []
    progress = st.progress(0.0, _("Preparing {count} columns: each model is loaded, explained with Grad-CAM and timed "
                                  "on {device} …").format(count=len(chosen), device=device))
    stop = st.empty()
    if len(chosen) > 2:
        stop.button(_("Stop: keep the columns drawn so far"), key="cmp_stop", on_click=keep_drawn_columns)
columns = st.columns(len(chosen))
for done, (column, name) in enumerate(zip(columns, chosen)):
    spec = models.spec_of(name)
    if progress is not None:
        progress.progress(done / len(chosen), _("Preparing column {k} of {n}: {model} …").format(
            k=done + 1, n=len(chosen), model=_(spec.title)))
    with column:
        title = _(spec.title)
        st.subheader(title)
        st.caption(_("{year}: {summary}").format(year=spec.year, summary=_(spec.summary)))
        p = predict(spec, pictures.for_model(spec), notice=False)
        if p.status.is_trained:
            st.caption(p.status.message)
        else:
            st.warning(_("Randomly initialised: its ImageNet weights are not cached, so the predictions mean "
                         "nothing (the costs below are real). The Feature maps page can download them."))
        chart(st, plots.image_figure, p.prepared.display, _("What it reads ({width}×{height})").format(
            width=spec.input_size[2], height=spec.input_size[1]), height=200, key=f"cmp_input_{name}")
        chart(st, plots.top_k_bar, class_labels(spec), p.probs, 5,
              _("Top-5") if p.status.is_trained else _("Top-5 — random weights: meaningless"), key=f"cmp_top5_{name}")
        if p.world_note:
            st.warning(p.world_note)
        top1 = int(p.probs.argmax())
        top1_label = class_label(spec, top1)
        try:
            layer = default_cam_layer(vision.cam_layers(name, p.weights))
            request = (name, p.weights, p.key, "Grad-CAM", top1, (("layer", layer),), p.prepared.tensor)
            with working(_("Grad-CAM for {model} …").format(model=title), vision.attribution.has(*request)):
                heat = vision.attribution(*request)
        except SaliencyError as err:
            st.error(str(err))
        else:
            cam_title = (_("Grad-CAM at {layer}<br>“{label}”") if p.status.is_trained else
                         _("Grad-CAM at {layer}<br>“{label}” — random weights: meaningless"))
            chart(st, plots.image_figure, plots.blend_heatmap(p.prepared.display, heat, alpha),
                  cam_title.format(layer=layer, label=escape_label(top1_label)), height=300, key=f"cmp_cam_{name}")
        with st.spinner(_("Measuring {model} on {device} …").format(model=title, device=device)):
            cost = models.costs(name, device)
        st.metric(_("Depth"), cost["depth"], help=_("Weight layers on the longest path from input to output."))
        st.metric(_("Weight layers"), cost["weight_layers"])
        st.metric(_("Parameters"), f"{cost['params'] / 1e6:.2f} M" if cost["params"] >= 1e5 else f"{cost['params']:,}")
        st.metric(_("Forward FLOPs"), f"{cost['flops'] / 1e9:.2f} G" if cost["flops"] >= 1e8 else f"{cost['flops'] / 1e6:.2f} M")
        st.metric(_("Latency on {device}").format(device=device), f"{cost['latency_s'] * 1000:.1f} ms")
        per_seed = seeds_accuracy(spec, p.status, era_results)
        held_out = accuracy(spec, p.status, per_seed)
        shown = f"{np.mean(per_seed):.1%} ± {np.std(per_seed) * 100:.1f}" if per_seed else held_out  # fits a column
        st.metric(_("Accuracy"), shown or "—", help=_(
            "On pictures of its own world it never trained on: measured by this project's training script (bundled "
            "models; for the era models the mean ± standard deviation over three seeds, in points) or as torchvision "
            "reports it (ImageNet weights)."))
        trained_s = (np.mean(era_results["models"][name]["train_seconds"]) if per_seed
                     else float(p.status.metadata.get("train_seconds", "nan")))
        st.metric(_("Training time"), f"{trained_s:.0f} s" if np.isfinite(trained_s) else "—",
                  help=_("Compute seconds of the training script's run (the mean over seeds for the era models), on "
                         "the machine that made the bundled weights; torchvision's ImageNet training is not ours."))
        confidence = f"{p.probs[top1]:.1%}"
        st.metric(_("Confidence in its answer"),
                  confidence if p.status.is_trained else _("{confidence} (random)").format(confidence=confidence))
        if not p.status.is_trained:
            answer = _("has random weights, so its answer means nothing")
        elif p.world_note:
            answer = _("was shown a picture outside its world, so “{label}” means nothing").format(
                label=escape_markdown(top1_label))
        else:
            answer = _("said “{label}” at {prob:.1%}").format(label=escape_markdown(top1_label), prob=p.probs[top1])
        measured.append(Column(title, int(cost["params"]), cost["flops"], cost["latency_s"], answer, held_out,
                               per_seed))
    if first_sight:
        st.session_state["cmp_ready"].append(name)
if progress is not None:
    progress.empty()
    stop.empty()
st.session_state["cmp_drawn"] = list(chosen)
lesson_slot.markdown(lesson(measured, device))

st.subheader(_("The whole zoo, measured on this machine"))
names = model_names()
zoo = None
if models.zoo_costs.has(device):
    zoo = models.zoo_costs(device)
elif st.button(_("Measure the latency of all {count} architectures on {device}").format(count=len(names), device=device),
               key="cmp_zoo_go",
               help=_("Seconds the first time on a small CPU (VGG-16 alone takes about two); then kept for everyone.")):
    bar = st.progress(0.0)
    st.button(_("Stop"), key="cmp_zoo_stop")  # a click reruns the page, which ends the measuring; what was done is kept
    zoo = models.zoo_costs(device, lambda k, name: bar.progress(
        k / len(names), _("Measuring {model} …").format(model=_(get_spec(name).title))))
    bar.empty()
latency = f"latency on {device} (ms)"
rows = []
for name in names:
    spec, cost = get_spec(name), (zoo[name] if zoo is not None else models.size(name))
    rows.append({
        "year": spec.year, "model": spec.title, "input": "×".join(map(str, spec.input_size)),
        "depth": cost["depth"], "weight layers": cost["weight_layers"], "parameters (M)": round(cost["params"] / 1e6, 3),
        "forward GFLOPs": round(cost["flops"] / 1e9, 3),
        latency: round(cost["latency_s"] * 1000, 1) if zoo is not None else None,
    })  # what each introduced is prose, which a dataframe cuts off: it is under each model above and on Home
headers = {"year": _("year"), "model": _("model"), "input": _("input"), "depth": _("depth"),
           "weight layers": _("weight layers"), "parameters (M)": _("parameters (M)"),
           "forward GFLOPs": _("forward GFLOPs"), latency: _("latency on {device} (ms)").format(device=device)}
table(st, [{headers[k]: _(v) if k == "model" else v for k, v in row.items()} for row in rows])
if zoo is not None:
    chart(st, plots.zoo_scatter, rows, device, key="cmp_zoo")
else:
    st.caption(_("Sizes and FLOPs are counted without building the networks' weights; their latency is measured on "
                 "request (the button above), once for everyone on this server."))
