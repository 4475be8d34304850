"""Compare: one picture through two to four CNNs side by side, and the whole zoo measured on this device."""
import streamlit as st

from core import plots
from core.models.registry import get_spec, model_names
from core.probes.saliency import SaliencyError, default_cam_layer
from ui import loaders, own_models
from ui.charts import chart
from ui.widgets import model_label, picture_picker, predict, table, working

st.title("Compare architectures")
st.caption(
    "LeNet → AlexNet → VGG → GoogLeNet → ResNet: the same picture goes through each network you pick. "
    "Parameters, FLOPs and latency are measured here, on this machine, not copied from papers."
)

device = loaders.device_choice().kind
left, right = st.columns([1, 2], gap="large")
with left:
    options = model_names() + own_models.session_names("image")  # yours (★) last
    if "cmp_models" in st.session_state:  # a model of yours that has gone drops out of the choice
        st.session_state["cmp_models"] = [n for n in st.session_state["cmp_models"] if n in options]
    chosen = st.multiselect(
        "Models (two to four)", options, default=["small_vgg", "alexnet", "resnet18"], max_selections=4,
        key="cmp_models", format_func=model_label,
    )
    picture = picture_picker("imagenet", "cmp")
with right:
    st.markdown(
        "**Reading the columns.** *Weight layers* counts convolutions and fully-connected layers (ResNet's 1×1 "
        "shortcut convolutions included). *FLOPs* are those of one forward pass of one picture, counted by "
        "`torch.utils.flop_counter` (a multiply-add is 2). *Latency* is the median of three forward passes "
        f"on `{device}`. Grad-CAM is read at each model's last convolutional resolution, for its top-1 class."
    )
if len(chosen) < 2:
    st.info("Pick at least two models to compare.")
    st.stop()
if picture is None:
    st.info("Upload a picture, or switch back to a sample.")
    st.stop()

alpha = st.slider("Grad-CAM opacity", 0.0, 1.0, 0.5, 0.05, key="cmp_alpha")
columns = st.columns(len(chosen))
for column, name in zip(columns, chosen):
    spec = loaders.spec_of(name)
    with column:
        st.subheader(f"{spec.title}")
        st.caption(f"{spec.year}: {spec.summary}")
        p = predict(spec, picture, notice=False)
        if p.status.is_trained:
            st.caption(p.status.message)
        else:
            st.warning("Randomly initialised: its ImageNet weights are not cached, so the predictions mean "
                       "nothing (the costs below are real). The Feature maps page can download them.")
        chart(st, plots.top_k_bar, spec.classes, p.probs, 5, "Top-5", key=f"cmp_top5_{name}")
        top1 = int(p.probs.argmax())
        try:
            layer = default_cam_layer(loaders.cam_layers(name, p.weights))
            request = (name, p.weights, p.key, "Grad-CAM", top1, (("layer", layer),), p.prepared.tensor)
            with working(f"Grad-CAM for {spec.title} …", loaders.attribution.has(*request)):
                heat = loaders.attribution(*request)
        except SaliencyError as err:
            st.error(str(err))
        else:
            chart(st, plots.image_figure, plots.blend_heatmap(p.prepared.display, heat, alpha),
                  f"Grad-CAM at {layer}<br>“{spec.classes[top1]}”", height=300, key=f"cmp_cam_{name}")
        with st.spinner(f"Measuring {spec.title} on {device} …"):
            cost = loaders.costs(name, device)
        st.metric("Weight layers", cost["weight_layers"])
        st.metric("Parameters", f"{cost['params'] / 1e6:.2f} M" if cost["params"] >= 1e5 else f"{cost['params']:,}")
        st.metric("Forward FLOPs", f"{cost['flops'] / 1e9:.2f} G" if cost["flops"] >= 1e8 else f"{cost['flops'] / 1e6:.2f} M")
        st.metric(f"Latency on {device}", f"{cost['latency_s'] * 1000:.1f} ms")

st.subheader("The whole zoo, measured on this machine")
with st.spinner(f"Measuring all {len(model_names())} architectures on {device} (once per server) …"):
    rows = []
    zoo = loaders.zoo_costs(device)
    for name in model_names():
        spec, cost = get_spec(name), zoo[name]
        rows.append({
            "year": spec.year, "model": spec.title, "input": "×".join(map(str, spec.input_size)),
            "weight layers": cost["weight_layers"], "parameters (M)": round(cost["params"] / 1e6, 3),
            "forward GFLOPs": round(cost["flops"] / 1e9, 3), f"latency on {device} (ms)": round(cost["latency_s"] * 1000, 1),
        })  # what each introduced is prose, which a dataframe cuts off: it is under each model above and on Home
table(st, rows)
chart(st, plots.zoo_scatter, rows, device, key="cmp_zoo")
