"""Compare: two to four CNNs side by side, each on a picture of its own world (or one picture for all), and the
whole zoo measured on this device."""
from dataclasses import dataclass

import numpy as np
import streamlit as st

from core import plots
from core.markup import escape_label, escape_markdown
from core.models.catalogue import ERA_MODELS, ModelSpec, get_spec, model_names
from core.probes.saliency import SaliencyError, default_cam_layer
from core.weights import WeightsStatus
from ui import models, own_models, scheduling, vision
from ui.charts import chart
from ui.widgets import model_label, pictures_picker, predict, table, working
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
        return f"{np.mean(per_seed):.1%} ± {np.std(per_seed) * 100:.1f} points ({len(per_seed)} seeds) held out"
    if status.source == "bundled" and "test_accuracy" in status.metadata:
        return f"{float(status.metadata['test_accuracy']):.1%} held out"
    if status.source == "imagenet" and spec.torchvision_weights is not None:
        return f"{spec.torchvision_weights.meta['_metrics']['ImageNet-1K']['acc@1']:.1f}% ImageNet top-1 (torchvision)"
    return None


def lesson(columns: list[Column], device: str) -> str:
    """One sentence: what the extra parameters and FLOPs of the largest model cost against the smallest, with the
    answers each gave."""
    small, large = min(columns, key=lambda c: c.params), max(columns, key=lambda c: c.params)
    answers = "; ".join(f"{c.title} {c.answer}" + (f" ({c.accuracy})" if c.accuracy else "") for c in columns)
    params, flops = large.params / small.params, large.flops / max(small.flops, 1.0)
    why = (" — a convolution reuses its weights at every position, so compute grows with the picture and the "
           "layers' resolution, not with the parameters" if flops > 2 * params else "")
    trained = [c for c in columns if c.seeds_accuracy]
    eras = ""
    if len(trained) >= 2:
        best = max(trained, key=lambda c: np.mean(c.seeds_accuracy))
        worst = min(trained, key=lambda c: np.mean(c.seeds_accuracy))
        spread = max(np.std(c.seeds_accuracy) for c in trained) * 100
        gap = (np.mean(best.seeds_accuracy) - np.mean(worst.seeds_accuracy)) * 100
        eras = (f"Trained the same way on the same task, {best.title} reaches {np.mean(best.seeds_accuracy):.1%} "
                f"held out and {worst.title} {np.mean(worst.seeds_accuracy):.1%}: {gap:.1f} points apart, against a "
                f"spread over seeds of at most ±{spread:.1f}, so the architecture, not the luck of the seed, made "
                "the difference. ")
    return (f"**The lesson:** {eras}{large.title} has {params:.1f}× the parameters of {small.title} "
            f"({large.params:,} against {small.params:,}) and needs {flops:.1f}× its FLOPs{why}: "
            f"{large.latency_s * 1000:.1f} ms against {small.latency_s * 1000:.1f} ms a picture on {device}. "
            f"What each answered: {answers}.")

st.title("Compare architectures")
st.caption(
    "LeNet → AlexNet → VGG → GoogLeNet → ResNet: it opens on five small networks, one per era, each built around "
    "its era's idea and trained by this project the same way on the same task — twelve textured shapes, where the "
    "answer needs both the outline (a large receptive field) and the fill's fine texture (full-resolution detail). "
    "Each network you pick reads a picture of the world it was trained on (or one picture for all). Parameters, "
    "FLOPs and latency are measured here, on this machine, not copied from papers."
)
lesson_slot = st.empty()

device = scheduling.device_choice().kind
left, right = st.columns([1, 2], gap="large")
with left:
    options = model_names() + own_models.session_names("image")  # yours (★) last
    if "cmp_models" in st.session_state:  # a model of yours that has gone drops out of the choice
        st.session_state["cmp_models"] = [n for n in st.session_state["cmp_models"] if n in options]
    chosen = st.multiselect(
        "Models (two to five)", options, default=list(ERA_MODELS), max_selections=5,
        key="cmp_models", format_func=model_label,
    )
    pictures = pictures_picker("imagenet", "cmp")
with right:
    st.markdown(
        "**Reading the columns.** *Depth* is the number of weight layers on the longest path from input to "
        "output (an Inception block's parallel branches count once); *weight layers* counts every convolution and "
        "fully-connected layer (ResNet's 1×1 shortcut convolutions included). *Accuracy* is held out, measured by "
        "the training script: for the era models the mean ± standard deviation over three seeds. *FLOPs* are those of one forward pass of one picture, counted by "
        "`torch.utils.flop_counter` (a multiply-add is 2). *Latency* is the median of three forward passes "
        f"on `{device}`. Grad-CAM is read at each model's last convolutional resolution, for its top-1 class."
    )
if len(chosen) < 2:
    st.info("Pick at least two models to compare.")
    end_page()
if pictures is None:
    st.info("Upload a picture, or switch back to a sample.")
    end_page()

alpha = st.slider("Grad-CAM opacity", 0.0, 1.0, 0.5, 0.05, key="cmp_alpha")
era_results = models.bundled_curves("eras_results.json")
measured: list[Column] = []
columns = st.columns(len(chosen))
for column, name in zip(columns, chosen):
    spec = models.spec_of(name)
    with column:
        st.subheader(f"{spec.title}")
        st.caption(f"{spec.year}: {spec.summary}")
        p = predict(spec, pictures.for_model(spec), notice=False)
        meaningless = "" if p.status.is_trained else " — random weights: meaningless"
        if p.status.is_trained:
            st.caption(p.status.message)
        else:
            st.warning("Randomly initialised: its ImageNet weights are not cached, so the predictions mean "
                       "nothing (the costs below are real). The Feature maps page can download them.")
        chart(st, plots.image_figure, p.prepared.display, f"What it reads ({spec.input_size[2]}×{spec.input_size[1]})",
              height=200, key=f"cmp_input_{name}")
        chart(st, plots.top_k_bar, spec.classes, p.probs, 5, f"Top-5{meaningless}", key=f"cmp_top5_{name}")
        if p.world_note:
            st.warning(p.world_note)
        top1 = int(p.probs.argmax())
        try:
            layer = default_cam_layer(vision.cam_layers(name, p.weights))
            request = (name, p.weights, p.key, "Grad-CAM", top1, (("layer", layer),), p.prepared.tensor)
            with working(f"Grad-CAM for {spec.title} …", vision.attribution.has(*request)):
                heat = vision.attribution(*request)
        except SaliencyError as err:
            st.error(str(err))
        else:
            chart(st, plots.image_figure, plots.blend_heatmap(p.prepared.display, heat, alpha),
                  f"Grad-CAM at {layer}<br>“{escape_label(spec.classes[top1])}”{meaningless}", height=300, key=f"cmp_cam_{name}")
        with st.spinner(f"Measuring {spec.title} on {device} …"):
            cost = models.costs(name, device)
        st.metric("Depth", cost["depth"], help="Weight layers on the longest path from input to output.")
        st.metric("Weight layers", cost["weight_layers"])
        st.metric("Parameters", f"{cost['params'] / 1e6:.2f} M" if cost["params"] >= 1e5 else f"{cost['params']:,}")
        st.metric("Forward FLOPs", f"{cost['flops'] / 1e9:.2f} G" if cost["flops"] >= 1e8 else f"{cost['flops'] / 1e6:.2f} M")
        st.metric(f"Latency on {device}", f"{cost['latency_s'] * 1000:.1f} ms")
        per_seed = seeds_accuracy(spec, p.status, era_results)
        held_out = accuracy(spec, p.status, per_seed)
        shown = f"{np.mean(per_seed):.1%} ± {np.std(per_seed) * 100:.1f}" if per_seed else held_out  # fits a column
        st.metric("Accuracy", shown or "—", help="On pictures of its own world it never trained on: measured by "
                  "this project's training script (bundled models; for the era models the mean ± standard deviation "
                  "over three seeds, in points) or as torchvision reports it (ImageNet weights).")
        trained_s = (np.mean(era_results["models"][name]["train_seconds"]) if per_seed
                     else float(p.status.metadata.get("train_seconds", "nan")))
        st.metric("Training time", f"{trained_s:.0f} s" if np.isfinite(trained_s) else "—",
                  help="Compute seconds of the training script's run (the mean over seeds for the era models), on "
                       "the machine that made the bundled weights; torchvision's ImageNet training is not ours.")
        st.metric("Confidence in its answer", f"{p.probs[top1]:.1%}" + ("" if p.status.is_trained else " (random)"))
        if not p.status.is_trained:
            answer = "has random weights, so its answer means nothing"
        elif p.world_note:
            answer = f"was shown a picture outside its world, so “{escape_markdown(spec.classes[top1])}” means nothing"
        else:
            answer = f"said “{escape_markdown(spec.classes[top1])}” at {p.probs[top1]:.1%}"
        measured.append(Column(spec.title, int(cost["params"]), cost["flops"], cost["latency_s"], answer, held_out,
                               per_seed))
lesson_slot.markdown(lesson(measured, device))

st.subheader("The whole zoo, measured on this machine")
names = model_names()
zoo = None
if models.zoo_costs.has(device):
    zoo = models.zoo_costs(device)
elif st.button(f"Measure the latency of all {len(names)} architectures on {device}", key="cmp_zoo_go",
               help="Seconds the first time on a small CPU (VGG-16 alone takes about two); then kept for everyone."):
    bar = st.progress(0.0)
    st.button("Stop", key="cmp_zoo_stop")  # a click reruns the page, which ends the measuring; what was done is kept
    zoo = models.zoo_costs(device, lambda k, name: bar.progress(k / len(names), f"Measuring {get_spec(name).title} …"))
    bar.empty()
rows = []
for name in names:
    spec, cost = get_spec(name), (zoo[name] if zoo is not None else models.size(name))
    rows.append({
        "year": spec.year, "model": spec.title, "input": "×".join(map(str, spec.input_size)),
        "depth": cost["depth"], "weight layers": cost["weight_layers"], "parameters (M)": round(cost["params"] / 1e6, 3),
        "forward GFLOPs": round(cost["flops"] / 1e9, 3),
        f"latency on {device} (ms)": round(cost["latency_s"] * 1000, 1) if zoo is not None else None,
    })  # what each introduced is prose, which a dataframe cuts off: it is under each model above and on Home
table(st, rows)
if zoo is not None:
    chart(st, plots.zoo_scatter, rows, device, key="cmp_zoo")
else:
    st.caption("Sizes and FLOPs are counted without building the networks' weights; their latency is measured on "
               "request (the button above), once for everyone on this server.")
