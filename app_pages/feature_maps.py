"""Feature maps: a picture goes through a CNN; see the prediction, every layer's shape and its activation maps."""
import streamlit as st

from core import plots
from core.i18n import N_, _, language
from core.probes.activations import first_conv_kernels, rank_channels
from core.probes.saliency import SaliencyError, suggestion
from ui import models, vision
from ui.charts import chart
from ui.links import linked
from ui.widgets import input_and_top5, linked_value, model_picker, picture_picker, predict, working
from ui.flow import end_page

MODES = {"All channels": N_("All channels"), "Top-k by mean activation": N_("Top-k by mean activation")}

st.title(_("Feature maps"))
st.caption(_(
    "A convolution layer slides each of its kernels over the whole input: one kernel, one feature map. "
    "Bright means the pattern that kernel looks for is present at that place."
))

left, right = st.columns([1, 2], gap="large")
with left:
    spec = model_picker("fm_model")
    picture = picture_picker(spec.input_kind, "fm")

if picture is None:
    right.info(_("Upload a picture, or switch back to a sample."))
    end_page()

p = predict(spec, picture)
net, weights, prepared, key = p.net, p.weights, p.prepared, p.key
with right:
    input_and_top5(p, "fm")

table = models.layers(spec.name, weights)
spatial = [layer for layer in table if layer.is_spatial and min(layer.shape[1:]) >= 1]
with st.expander(_("All {count} layers and their output shapes").format(count=len(table)), expanded=False):
    st.dataframe(models.layer_table(spec.name, weights, language()), hide_index=True, width="stretch")

st.subheader(_("Activation maps"))
conv = first_conv_kernels(net)
names = [layer.name for layer in spatial]
try:
    suggested, why = suggestion(vision.cam_layers(spec.name, weights))
except SaliencyError:
    suggested, why = None, _("This model has no convolution with a spatial output.")
own = models.weights_key(spec.name) == "own"
# Bundled and zoo models open on the first convolution (edges first); a model you brought opens where
# Grad-CAM would read it, the layer people ask about for a custom network.
first = conv[0] if conv and conv[0] in names else names[0]
inside = [n for n in names if suggested and (n == suggested or n.startswith(f"{suggested}."))]  # a block's last node
default = inside[-1] if own and inside else first
c1, c2, c3 = st.columns([2, 1, 1])
linked_value("fm_layer", default, names, about=spec.name)  # each model opens on its own default layer
layer_name = c1.selectbox(
    _("Layer"), names, key="fm_layer",
    format_func=lambda n: f"{n} — {next(l.op for l in spatial if l.name == n)} "
                          f"{' × '.join(map(str, next(l.shape for l in spatial if l.name == n)))}",
)
c1.caption(_("Layers run from the input (edges, colours) to the output (parts, objects). {why}").format(why=why))
info = next(layer for layer in spatial if layer.name == layer_name)
channels_total = info.shape[0]
linked("fm_mode", "All channels" if channels_total <= 64 else "Top-k by mean activation", MODES)
mode = c2.radio(_("Show"), list(MODES), key="fm_mode", format_func=lambda m: _(MODES[m]),
                help=_("Top-k: the k channels whose maps have the highest mean value on this picture, i.e. the "
                       "kernels that respond most to it, strongest first."))
linked("fm_scale", True)
per_channel = c3.toggle(_("Scale each map on its own"), key="fm_scale",
                        help=_("On: every map uses its full colour range. Off: one scale for the layer, so strong "
                               "channels stand out."))

request = (spec.name, layer_name, key, weights, prepared.tensor)
with working(_("Running {model} up to {layer} …").format(model=_(spec.title), layer=layer_name),
             vision.layer_maps.has(*request)):
    maps = vision.layer_maps(*request)
if mode == "All channels":
    shown = list(range(channels_total))
else:
    most = min(64, channels_total)
    linked_value("fm_k", min(16, channels_total), range(1, most + 1))
    k = st.slider("k", 1, most, key="fm_k")
    shown = rank_channels(maps, k)
means = maps.reshape(channels_total, -1).mean(axis=1)
silent = int((maps.reshape(channels_total, -1).max(axis=1) <= 0).sum())
st.markdown(_("**{layer} turns the {input} input into {channels} maps of {height}×{width}, one per kernel. On this "
              "picture channel {strongest} responds most (mean {mean:.3g}); {silent} of {channels} stay at or below 0 "
              "everywhere.**").format(
    layer=layer_name, input="×".join(map(str, spec.input_size)), channels=channels_total, height=maps.shape[1],
    width=maps.shape[2], strongest=int(means.argmax()), mean=means.max(), silent=silent))
chart(st, plots.feature_grid, maps, shown, per_channel_scale=per_channel,
      title=_("{layer}: {shown} of {channels} channels ({height}×{width} each)").format(
          layer=layer_name, shown=len(shown), channels=channels_total, height=maps.shape[1], width=maps.shape[2]),
      key="fm_grid")

st.subheader(_("One channel, large"))
c1, c2 = st.columns([1, 1])
linked_value("fm_channel", int(shown[0]), range(channels_total), about=(spec.name, layer_name))
channel = c1.number_input(_("Channel"), 0, channels_total - 1, key="fm_channel")
linked("fm_alpha", 0.6, lambda a: 0.0 <= a <= 1.0)
alpha = c2.slider(_("Overlay opacity"), 0.0, 1.0, step=0.05, key="fm_alpha")
one = maps[int(channel)]
signed = bool(one.min() < 0)  # a convolution's output before its ReLU: keep the sign
c1, c2 = st.columns(2)
chart(c1, plots.channel_heatmap, one, _("{layer}, channel {channel}: min {low:.3g}, max {high:.3g}").format(
    layer=layer_name, channel=channel, low=one.min(), high=one.max()), signed=signed, key="fm_channel_map")
chart(c2, plots.image_figure, plots.blend_heatmap(prepared.display, one, alpha, signed=signed),
      _("Overlaid on the input"), height=340, key="fm_overlay")
if signed:
    st.caption(_("This map has negative values (a convolution's output before its ReLU): red where the kernel's "
                 "pattern is present, blue where its opposite is, white at 0."))

if conv is not None:
    conv_name, weights_np = conv
    o, i, kh, kw = weights_np.shape
    with st.expander(_("Learned kernels of the first convolution, {layer} ({count} kernels, {depth}×{height}×{width} "
                       "each)").format(layer=conv_name, count=o, depth=i, height=kh, width=kw),
                     expanded=layer_name == conv_name):
        st.caption(_("Each tile is one kernel: the pattern its feature map responds to. Colours show the weights on "
                     "red, green and blue (grey = 0).") if i == 3 else
                   _("Each tile is one kernel: the pattern its feature map responds to. Red is a positive weight, "
                     "blue a negative one."))
        chart(st, plots.kernel_grid, weights_np, key="fm_kernels")
