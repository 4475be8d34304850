"""Feature maps: a picture goes through a CNN; see the prediction, every layer's shape and its activation maps."""
import streamlit as st

from core import plots
from core.probes.activations import first_conv_kernels, rank_channels
from core.probes.saliency import SaliencyError, suggestion
from ui import loaders
from ui.charts import chart
from ui.widgets import input_and_top5, model_picker, picture_picker, predict, working
from ui.flow import end_page

st.title("Feature maps")
st.caption(
    "A convolution layer slides each of its kernels over the whole input: one kernel, one feature map. "
    "Bright means the pattern that kernel looks for is present at that place."
)

left, right = st.columns([1, 2], gap="large")
with left:
    spec = model_picker("fm_model")
    picture = picture_picker(spec.input_kind, "fm")

if picture is None:
    right.info("Upload a picture, or switch back to a sample.")
    end_page()

p = predict(spec, picture)
net, weights, prepared, key = p.net, p.weights, p.prepared, p.key
with right:
    input_and_top5(p, "fm")

table = loaders.layers(spec.name, weights)
spatial = [layer for layer in table if layer.is_spatial and min(layer.shape[1:]) >= 1]
with st.expander(f"All {len(table)} layers and their output shapes", expanded=False):
    st.dataframe(loaders.layer_table(spec.name, weights), hide_index=True, width="stretch")

st.subheader("Activation maps")
conv = first_conv_kernels(net)
names = [layer.name for layer in spatial]
try:
    suggested, why = suggestion(loaders.cam_layers(spec.name, weights))
except SaliencyError:
    suggested, why = None, "This model has no convolution with a spatial output."
own = loaders.weights_key(spec.name) == "own"
# Bundled and zoo models open on the first convolution (edges first); a model you brought opens where
# Grad-CAM would read it, the layer people ask about for a custom network.
first = conv[0] if conv and conv[0] in names else names[0]
inside = [n for n in names if suggested and (n == suggested or n.startswith(f"{suggested}."))]  # a block's last node
default = names.index(inside[-1] if own and inside else first)
c1, c2, c3 = st.columns([2, 1, 1])
layer_name = c1.selectbox(
    "Layer", names, index=default, key=f"fm_layer_{spec.name}",
    format_func=lambda n: f"{n} — {next(l.op for l in spatial if l.name == n)} "
                          f"{' × '.join(map(str, next(l.shape for l in spatial if l.name == n)))}",
)
c1.caption(f"Layers run from the input (edges, colours) to the output (parts, objects). {why}")
info = next(layer for layer in spatial if layer.name == layer_name)
channels_total = info.shape[0]
mode = c2.radio("Show", ["All channels", "Top-k by mean activation"], key="fm_mode",
                index=0 if channels_total <= 64 else 1,
                help="Top-k: the k channels whose maps have the highest mean value on this picture, i.e. the "
                     "kernels that respond most to it, strongest first.")
per_channel = c3.toggle("Scale each map on its own", value=True, key="fm_scale",
                        help="On: every map uses its full colour range. Off: one scale for the layer, so strong channels stand out.")

request = (spec.name, layer_name, key, weights, prepared.tensor)
with working(f"Running {spec.title} up to {layer_name} …", loaders.layer_maps.has(*request)):
    maps = loaders.layer_maps(*request)
if mode == "All channels":
    shown = list(range(channels_total))
else:
    k = st.slider("k", 1, min(64, channels_total), min(16, channels_total), key="fm_k")
    shown = rank_channels(maps, k)
means = maps.reshape(channels_total, -1).mean(axis=1)
silent = int((maps.reshape(channels_total, -1).max(axis=1) <= 0).sum())
st.markdown(f"**{layer_name} turns the {'×'.join(map(str, spec.input_size))} input into {channels_total} maps of "
            f"{maps.shape[1]}×{maps.shape[2]}, one per kernel. On this picture channel {int(means.argmax())} responds "
            f"most (mean {means.max():.3g}); {silent} of {channels_total} stay at or below 0 everywhere.**")
chart(st, plots.feature_grid, maps, shown, per_channel_scale=per_channel,
      title=f"{layer_name}: {len(shown)} of {channels_total} channels ({maps.shape[1]}×{maps.shape[2]} each)",
      key="fm_grid")

st.subheader("One channel, large")
c1, c2 = st.columns([1, 1])
channel = c1.number_input("Channel", 0, channels_total - 1, int(shown[0]), key=f"fm_channel_{spec.name}_{layer_name}")
alpha = c2.slider("Overlay opacity", 0.0, 1.0, 0.6, 0.05, key="fm_alpha")
one = maps[int(channel)]
signed = bool(one.min() < 0)  # a convolution's output before its ReLU: keep the sign
c1, c2 = st.columns(2)
chart(c1, plots.channel_heatmap, one, f"{layer_name}, channel {channel}: min {one.min():.3g}, max {one.max():.3g}",
      signed=signed, key="fm_channel_map")
chart(c2, plots.image_figure, plots.blend_heatmap(prepared.display, one, alpha, signed=signed), "Overlaid on the input",
      height=340, key="fm_overlay")
if signed:
    st.caption("This map has negative values (a convolution's output before its ReLU): red where the kernel's pattern "
               "is present, blue where its opposite is, white at 0.")

if conv is not None:
    conv_name, weights_np = conv
    o, i, kh, kw = weights_np.shape
    with st.expander(f"Learned kernels of the first convolution, {conv_name} ({o} kernels, {i}×{kh}×{kw} each)",
                     expanded=layer_name == conv_name):
        st.caption(
            "Each tile is one kernel: the pattern its feature map responds to. "
            + ("Colours show the weights on red, green and blue (grey = 0)." if i == 3
               else "Red is a positive weight, blue a negative one.")
        )
        chart(st, plots.kernel_grid, weights_np, key="fm_kernels")
