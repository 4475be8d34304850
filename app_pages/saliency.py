"""Saliency: which parts of the picture made the model choose a class — Grad-CAM and its family."""
import io

import numpy as np
import streamlit as st

from core import plots
from core.i18n import N_, _, language
from core.markup import escape_label, escape_markdown
from core.probes.saliency import SIGNED_METHODS, STOPPABLE_METHODS, AttributionStopped, SaliencyError, suggestion
from ui import vision
from ui.charts import chart
from ui.links import linked
from ui.widgets import class_label, input_and_top5, linked_value, model_picker, picture_picker, predict, working
from ui.flow import end_page
from ui.scheduling import session_watch

METHODS = {"Grad-CAM": "Grad-CAM", "Guided Grad-CAM": N_("Guided Grad-CAM"),
           "Integrated gradients": N_("Integrated gradients"), "Gradient saliency": N_("Gradient saliency"),
           "Occlusion": N_("Occlusion")}  # core.probes.saliency.METHODS' names → the label a learner reads
EXPLAIN = {
    "Grad-CAM": N_("Weights each feature map of a layer by how much the class score rises when that map rises "
                   "(its mean gradient), sums them and keeps the positive part (a ReLU, by definition): a coarse map "
                   "of *where* the evidence for the class is, never negative."),
    "Guided Grad-CAM": N_("Grad-CAM multiplied by guided backpropagation (gradients with negative paths through ReLUs "
                          "blocked): sharp edges, but only inside the regions Grad-CAM found; shown as a magnitude."),
    "Integrated gradients": N_("Adds up the gradient along a straight path from a baseline picture to yours; the "
                               "pixel attributions, with their sign, sum to the score difference between the two: "
                               "positive pixels raised the class score, negative ones lowered it."),
    "Gradient saliency": N_("The gradient of the class score with respect to each pixel: positive where brightening "
                            "the pixel a little would raise the score, negative where it would lower it. A slope, "
                            "not a share of the evidence."),
    "Occlusion": N_("Greys out one window at a time and records how much the class score drops (negative where it "
                    "rises: that part spoke against the class): slow, but it asks the model directly and needs no "
                    "gradient."),
}
BASELINES = {"zeros": N_("dataset mean (zeros after normalisation)"), "min": N_("darkest value (black)"),
             "blur": N_("a blurred copy")}

st.title(_("Saliency"))
st.caption(_("Which parts of the picture made the model say this class? Five ways of asking, computed with captum "
             "(Grad-CAM from the layer's own output and gradient, checked equal to captum's)."))

left, right = st.columns([1, 2], gap="large")
with left:
    spec = model_picker("sal_model", default="small_vgg")
    picture = picture_picker(spec.input_kind, "sal")
if picture is None:
    right.info(_("Upload a picture, or switch back to a sample."))
    end_page()

p = predict(spec, picture)
with right:
    input_and_top5(p, "sal")

order = [int(i) for i in np.argsort(-p.probs)]
linked_value("sal_target", order[0], order, about=p.key)  # a new picture opens on its own top-1 class
c1, c2 = st.columns([1, 1])
target = c1.selectbox(
    _("Explain the class (type to search all {count})").format(count=spec.num_classes), order, key="sal_target",
    format_func=lambda i: f"{class_label(spec, i)} — {p.probs[i]:.1%}",
)
linked("sal_method", "Grad-CAM", METHODS)
method = c2.radio(_("Method"), list(METHODS), horizontal=True, key="sal_method", format_func=lambda m: _(METHODS[m]))
st.caption(_(EXPLAIN[method]))
name = _(METHODS[method])  # the method as the learner reads it
shown_class = class_label(spec, target)

params: dict[str, object] = {}
c1, c2, c3 = st.columns(3)
if method in ("Grad-CAM", "Guided Grad-CAM"):
    layers = vision.cam_layers(spec.name, p.weights)
    try:
        default, why = suggestion(layers)
    except SaliencyError as err:
        st.error(str(err))
        end_page()
    names = [layer.name for layer in layers]
    shapes = {layer.name: "×".join(map(str, layer.shape)) for layer in layers}
    linked_value("sal_layer", default, names, about=spec.name)  # each model opens on its own suggested layer
    params["layer"] = c1.selectbox(
        _("Layer (default: the suggested one)"), names, key="sal_layer",
        format_func=lambda n: f"{n} — {shapes[n]}" + (_(" (suggested)") if n == default else ""),
    )
    c1.caption(why)
elif method == "Integrated gradients":
    linked("sal_steps", 32, range(4, 129))
    params["steps"] = c1.slider(_("Steps along the path"), 4, 128, key="sal_steps")
    linked("sal_baseline", "zeros", BASELINES)
    params["baseline"] = c2.selectbox(_("Baseline"), list(BASELINES), key="sal_baseline",
                                      format_func=lambda b: _(BASELINES[b]))
elif method == "Occlusion":
    side = spec.input_size[1]
    linked_value("sal_window", max(2, side // 8), range(2, side // 2 + 1), about=spec.name)
    params["window"] = c1.slider(_("Window (pixels)"), 2, side // 2, key="sal_window")
    linked_value("sal_stride", max(1, int(params["window"]) // 2), range(1, int(params["window"]) + 1),
                 about=spec.name)
    params["stride"] = c2.slider(_("Stride (pixels)"), 1, int(params["window"]), key="sal_stride")
linked("sal_alpha", 0.5, lambda a: 0.0 <= a <= 1.0)
alpha = c3.slider(_("Overlay opacity"), 0.0, 1.0, step=0.05, key="sal_alpha")

request = (spec.name, p.weights, p.key, method, int(target), tuple(sorted(params.items())), p.prepared.tensor)
label = _("{method} for “{label}”").format(method=name, label=shown_class)


def stop_request() -> None:
    st.session_state["sal_stopped"] = request[:-1]


def with_progress_and_stop() -> np.ndarray:
    """The map, with a progress bar and a Stop button while it is computed (integrated gradients and occlusion
    take seconds on an ImageNet model). A stopped request stays stopped, with nothing cached, until *Compute*."""
    box = st.empty()
    with box.container():
        if st.session_state.get("sal_stopped") == request[:-1]:
            st.info(_("Stopped: {what} was not computed. Change a setting, or press *Compute* to run it.").format(
                what=label))
            if not st.button(_("Compute"), key="sal_resume"):
                end_page()
        bar = st.progress(0.0, _("Computing {what} …").format(what=label))
        st.button(_("Stop"), key="sal_stop", on_click=stop_request)
        connected = session_watch()

        def show(fraction: float) -> bool:
            bar.progress(fraction, _("Computing {what} … {done:.0%}").format(what=label, done=fraction))
            return connected()  # a click on Stop interrupts this run at the bar's next update; a closed tab ends it

        try:
            heat = vision.attribution(*request, show)
        except SaliencyError:
            box.empty()  # refused before it started (over the server's budget): no progress bar beside the sentence
            raise
    box.empty()
    st.session_state.pop("sal_stopped", None)
    return heat


try:
    if method in STOPPABLE_METHODS and not vision.attribution.has(*request):
        heat = with_progress_and_stop()
    else:
        with working(_("Computing {what} …").format(what=label), vision.attribution.has(*request)):
            heat = vision.attribution(*request)
except SaliencyError as err:
    st.error(str(err))
    end_page()
except AttributionStopped:  # the tab was closed: nobody is left to show it to
    end_page()

if method in ("Grad-CAM", "Guided Grad-CAM"):
    with st.expander(_("Which layers can Grad-CAM read?")):
        notes = vision.cam_notes(spec.name, p.weights, language())
        st.caption(_("{usable} of {count} modules qualify: Grad-CAM needs a map with a layout (height × width above "
                     "1×1) from a module that runs once per forward pass.").format(
            usable=sum(n.usable for n in notes), count=len(notes)))
        st.dataframe(vision.cam_notes_table(spec.name, p.weights, default, language()), hide_index=True,
                     width="stretch")

signed = method in SIGNED_METHODS
c1, c2 = st.columns(2)
chart(c1, plots.channel_heatmap, heat,
      (_("{method} map for “{label}” (signed, class-score units)") if signed else
       _("{method} map for “{label}” (scaled to 0–1)")).format(method=name, label=escape_label(shown_class)),
      key="sal_map", signed=signed)
chart(c2, plots.image_figure, plots.blend_heatmap(p.prepared.display, heat, alpha, signed=signed),
      _("Overlaid on the input: red for, blue against") if signed else _("Overlaid on the input"), height=340,
      key="sal_overlay")
if method == "Gradient saliency":
    st.caption(_("Signed map, colour scale centred on 0 (range {low:.3g} to {high:.3g}): **red** where brightening a "
                 "pixel would raise the score of “{label}”, **blue** where it would lower it. On the overlay the "
                 "colour is as strong as the slope.").format(low=heat.min(), high=heat.max(),
                                                              label=escape_markdown(shown_class)))
elif signed:
    st.caption(_("Signed map, colour scale centred on 0 (range {low:.3g} to {high:.3g}): **red** is evidence *for* "
                 "“{label}”, **blue** evidence *against* it, white neither. On the overlay the colour is as strong as "
                 "the evidence. Ask for a class the picture does not show and the object itself turns blue: it is why "
                 "the model says *not* that class.").format(low=heat.min(), high=heat.max(),
                                                            label=escape_markdown(shown_class)))
elif method == "Grad-CAM":
    st.caption(_("Grad-CAM is non-negative by definition (it keeps the positive part through a ReLU), scaled to "
                 "0–1: bright where the evidence for the class is; it cannot show evidence against it."))
else:
    st.caption(_("Guided Grad-CAM is shown as a magnitude, scaled to 0–1: the size of guided backpropagation inside "
                 "Grad-CAM's (non-negative) regions; it cannot show evidence against the class."))
if not heat.any():
    st.info(_("The map is all zeros: nothing here moves the score of this class."))



def npy_bytes() -> bytes:
    buf = io.BytesIO()
    np.save(buf, heat)
    return buf.getvalue()


stem = f"{spec.name}_{method.lower().replace(' ', '_').replace('-', '')}_{spec.classes[target]}".replace("/", "_")
d1, d2 = st.columns([1, 1, 3])[:2]
# Callables: the files are made only when a button is pressed, not on every rerun.
d1.download_button(_("Map as PNG"), lambda: plots.png_bytes(plots.colorize(heat, signed=signed)), f"{stem}.png",
                   "image/png", key="sal_png")
d2.download_button(_("Map as NumPy (.npy)"), npy_bytes, f"{stem}.npy", "application/octet-stream", key="sal_npy")
