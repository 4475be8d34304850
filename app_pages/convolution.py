"""Convolution lab: the operation step by step, pooling, weight sharing, receptive fields, translation."""
import numpy as np
import streamlit as st

from core import plots
from core.markup import escape_markdown
from core.data.preprocess import prepare_image
from core.models.catalogue import model_names
from core.probes import convolution as conv
from core.probes.saliency import default_cam_layer
from core.probes.receptive_field import centre_unit_box
from core.probes.translation import ShiftError, sweep_shifts
from ui import models, own_models, vision
from ui.charts import chart
from ui.widgets import model_label, picture_picker, pictures_picker, table, world_note
from ui.flow import end_page

PARTS = ["Convolution", "Pooling", "Weight sharing", "Receptive field", "Translation"]
DEFAULT_MATRIX = np.array([[0, 0, 0, 0, 0, 0, 0],
                           [0, 1, 1, 1, 1, 1, 0],
                           [0, 1, 3, 3, 3, 1, 0],
                           [0, 1, 3, 9, 3, 1, 0],
                           [0, 1, 3, 3, 3, 1, 0],
                           [0, 1, 1, 1, 1, 1, 0],
                           [0, 0, 0, 0, 0, 0, 0]], dtype=float)


def input_matrix() -> np.ndarray:
    """The lab's input: an editable small matrix or a picture in gray, at most 48×48."""
    source = st.radio("Input", ["Small matrix", "Picture (gray)"], horizontal=True, key="cl_input_kind")
    if source == "Small matrix":
        edited = st.data_editor(DEFAULT_MATRIX.astype(float), key="cl_matrix", width="stretch")
        try:
            return conv.parse_kernel(np.asarray(edited).tolist())
        except conv.ConvolutionError as err:
            st.error(str(err).replace("Kernel cell", "Input cell"))
            end_page()
    picture = picture_picker("shapes", "cl")
    if picture is None:
        st.info("Upload a picture, or switch back to a sample.")
        end_page()
    return vision.gray_thumbnail(picture, picture.digest, 48)


def remember(key: str, value: object) -> None:
    st.session_state[f"cl_last_{key}"] = value


def last(key: str) -> object | None:
    return st.session_state.get(f"cl_last_{key}")


def convolution() -> None:
    """The operation: a kernel sliding over the input, the output-size formula, one output value worked out."""
    st.markdown("A kernel slides over the input; at each position it multiplies the cells under it by its weights "
                "and adds them up. That sum is one value of the feature map.")
    left, right = st.columns([1, 1], gap="large")
    with left:
        x = input_matrix()
    with right:
        preset = st.selectbox("Kernel", [*conv.KERNEL_PRESETS, "custom"], index=4, key="cl_preset")
        if preset == "custom":
            size = st.select_slider("Kernel size", [1, 2, 3, 4, 5, 6, 7], 3, key="cl_ksize")
            grid = st.data_editor(np.eye(size), key=f"cl_kernel_{size}", width="stretch")
            try:
                kernel = conv.parse_kernel(np.asarray(grid, dtype=object).tolist())
            except conv.ConvolutionError as err:
                st.error(str(err))
                kernel = last("kernel")
                if kernel is None:
                    end_page()
                st.caption("Showing the last valid kernel.")
        else:
            kernel = conv.KERNEL_PRESETS[preset]
        c1, c2, c3 = st.columns(3)
        stride = int(c1.number_input("Stride S", -2, 8, 1, key="cl_stride"))
        padding = int(c2.number_input("Padding P", -2, 8, 0, key="cl_padding"))
        dilation = int(c3.number_input("Dilation D", -2, 4, 1, key="cl_dilation"))
    try:
        if padding < 0:
            raise conv.ConvolutionError("Padding cannot be negative.")
        out = conv.conv2d(x, kernel, stride, padding, dilation)
        remember("kernel", kernel)
        remember("conv", (x, kernel, stride, padding, dilation, out))
    except conv.ConvolutionError as err:
        st.error(str(err))
        previous = last("conv")
        if previous is None:
            end_page()
        st.caption("Showing the last valid result.")
        x, kernel, stride, padding, dilation, out = previous
    w, kw = x.shape[1], kernel.shape[1]
    oh, ow = out.shape
    st.latex(rf"W_{{out}} = \left\lfloor \frac{{W + 2P - D(K-1) - 1}}{{S}} \right\rfloor + 1 = "
             rf"\left\lfloor \frac{{{w} + 2\cdot{padding} - {dilation}\cdot({kw}-1) - 1}}{{{stride}}} \right\rfloor + 1 = {ow}"
             rf"\qquad H_{{out}} = {oh}")
    position = st.slider("Kernel position (slide it over the input)", 0, oh * ow - 1, 0, key="cl_position")
    i, j = divmod(position, ow)
    step = conv.conv_step(x, kernel, i, j, stride, padding, dilation)
    padded = np.pad(x, padding)
    cells = [(int(r), int(c)) for r in step.rows for c in step.cols]
    c1, c2 = st.columns(2)
    chart(c1, plots.matrix_heatmap, padded, title=f"Input {'padded ' if padding else ''}({padded.shape[0]}×{padded.shape[1]}): "
                                         f"the window for output ({i}, {j})", cells=cells, key="cl_input")
    chart(c2, plots.matrix_heatmap, out, title=f"Feature map ({oh}×{ow})", cells=[(i, j)], colorscale="RdBu",
          reversescale=True, zmid=0.0, key="cl_output")
    c1, c2, c3 = st.columns(3)
    chart(c1, plots.matrix_heatmap, step.patch, title="Patch under the kernel", key="cl_patch")
    chart(c2, plots.matrix_heatmap, kernel, title="Kernel", colorscale="RdBu", reversescale=True, zmid=0.0,
          key="cl_kernel_fig")
    chart(c3, plots.matrix_heatmap, step.products, title="Patch ⊙ kernel", colorscale="RdBu", reversescale=True,
          zmid=0.0, key="cl_products")
    terms = [f"{p:.2f}×{k:.2f}" for p, k in zip(step.patch.ravel(), kernel.ravel())]
    shown = " + ".join(terms[:12]) + (f" + … ({len(terms) - 12} more)" if len(terms) > 12 else "")
    st.markdown(f"**output[{i}, {j}]** = {shown} = **{step.value:.4f}**")


def pooling() -> None:
    """Max or average pooling of the input, one output cell worked out."""
    st.markdown("Pooling shrinks a map: each output keeps the largest (max) or the mean (average) of a window. "
                "Max pooling passes on *whether* a feature is present, not exactly where.")
    left, right = st.columns([1, 1], gap="large")
    with left:
        x = input_matrix()
    with right:
        mode = st.radio("Pooling", ["max", "avg"], horizontal=True, key="cl_pool_mode")
        c1, c2 = st.columns(2)
        k = int(c1.number_input("Window", 1, 8, 2, key="cl_pool_k"))
        s = int(c2.number_input("Stride", -2, 8, 2, key="cl_pool_s"))
    try:
        pooled = conv.pool2d(x, k, s, mode)
        remember("pool", (x, k, s, mode, pooled))
    except conv.ConvolutionError as err:
        st.error(str(err))
        previous = last("pool")
        if previous is None:
            end_page()
        st.caption("Showing the last valid result.")
        x, k, s, mode, pooled = previous
    oh, ow = pooled.output.shape
    position = st.slider("Output cell", 0, oh * ow - 1, 0, key="cl_pool_pos")
    i, j = divmod(position, ow)
    window = [(i * s + a, j * s + b) for a in range(k) for b in range(k)]
    win = None
    if pooled.winners is not None:
        win = divmod(int(pooled.winners[i, j]), x.shape[1])
    c1, c2 = st.columns(2)
    chart(c1, plots.matrix_heatmap, x,
          title=f"Input: window of output ({i}, {j})" + (", winner in red" if win else ""), cells=window, winner=win,
          key="cl_pool_in")
    chart(c2, plots.matrix_heatmap, pooled.output, title=f"{mode} pooled ({oh}×{ow})", cells=[(i, j)],
          key="cl_pool_out")
    values = [x[r, c] for r, c in window]
    if mode == "max":
        st.markdown(f"**output[{i}, {j}]** = max({', '.join(f'{v:.2f}' for v in values)}) = **{pooled.output[i, j]:.3f}**, "
                    f"from input cell {win}.")
    else:
        st.markdown(f"**output[{i}, {j}]** = mean({', '.join(f'{v:.2f}' for v in values)}) = **{pooled.output[i, j]:.3f}**")


def weight_sharing() -> None:
    """Parameters of a convolution against a locally connected and a fully connected layer."""
    st.markdown("A convolution uses the **same** small kernel at every position (local connection + weight sharing). "
                "Compare it with a locally connected layer (a separate kernel at every position) and a fully "
                "connected layer, all mapping the same input to an output of the same size.")
    c1, c2, c3, c4 = st.columns(4)
    cin = int(c1.number_input("Input channels", 1, 512, 3, key="cl_ws_cin"))
    side = int(c2.number_input("Input height = width", 1, 512, 32, key="cl_ws_side"))
    cout = int(c3.number_input("Output channels (kernels)", 1, 512, 16, key="cl_ws_cout"))
    k = int(c4.number_input("Kernel size", 1, 11, 3, key="cl_ws_k"))
    c1, c2, _, _ = st.columns(4)
    s = int(c1.number_input("Stride", 1, 8, 1, key="cl_ws_s"))
    p = int(c2.number_input("Padding", 0, 8, k // 2, key="cl_ws_p"))
    try:
        counts = conv.parameter_counts(cin, side, side, cout, k, s, p)
    except conv.ConvolutionError as err:
        st.error(str(err))
        end_page()
    o = conv.output_size(side, k, s, p)
    c1, c2, c3 = st.columns(3)
    c1.metric("Convolution (shared)", f"{counts.conv:,}", help=f"{cout} × ({cin}·{k}·{k}) weights + {cout} biases")
    c2.metric("Locally connected (no sharing)", f"{counts.locally_connected:,}",
              f"{counts.locally_connected / counts.conv:,.0f}× the convolution", delta_color="off")
    c3.metric("Fully connected", f"{counts.fully_connected:,}", f"{counts.fully_connected / counts.conv:,.0f}× the convolution",
              delta_color="off")
    chart(st, plots.counts_bar, ["convolution", "locally connected", "fully connected"],
          [counts.conv, counts.locally_connected, counts.fully_connected], f"{cin}×{side}×{side} → {cout}×{o}×{o}",
          key="cl_ws_bar")
    st.caption(f"Sharing saves a factor {o * o:,} (one kernel instead of one per output position); local connection saves "
               f"the rest: each output looks at {cin}·{k}·{k} inputs instead of all {cin * side * side:,}.")


def receptive_field() -> None:
    """Theoretical field per layer of a model, and the effective field of one unit."""
    st.markdown("Each unit sees a square of the input, its **receptive field**. Every convolution or pooling layer "
                "widens it, and strides multiply how fast it grows, until late layers see the whole picture. The "
                "*effective* field — where the gradient of one unit actually lands — is much smaller and "
                "concentrated in the middle (Luo et al. 2016).")
    names = model_names() + own_models.session_names("image")
    if st.session_state.get("cl_rf_model") not in (None, *names):
        del st.session_state["cl_rf_model"]
    name = st.selectbox("Model", names, index=names.index("small_vgg"), key="cl_rf_model",
                        format_func=model_label)
    spec = models.spec_of(name)
    kept = [f for f in models.fields(name) if f.op in ("Conv2d", "MaxPool2d", "AvgPool2d", "add", "cat")
             or f.op.startswith("Adaptive")]
    chart(st, plots.field_chart, [f.name for f in kept], [f.r for f in kept], [f.j for f in kept],
          spec.input_size[1], f"{spec.title}: theoretical field and jump after each conv/pool/merge",
          key="cl_rf_chart")
    with st.expander("Every layer: field r, jump j and the centre of the first unit (start), in input pixels"):
        table(st, [{"layer": f.name, "op": f.op, "field r": "global" if not np.isfinite(f.r) else str(int(f.r)),
                    "jump j": f.j, "start": f.start} for f in models.fields(name)])
    weights = models.weights_key(name)
    spatial = vision.cam_layers(name, weights)
    layer_names = [layer.name for layer in spatial]
    by_name = {f.name: f for f in models.fields(name)}
    candidates = [n for n in layer_names if n in by_name]
    default = default_cam_layer(spatial)
    layer = st.selectbox("Layer whose centre unit we follow", candidates,
                         index=candidates.index(default) if default in candidates else len(candidates) - 1, key=f"cl_rf_layer_{name}")
    info = by_name[layer]
    _, status = models.model(name, weights)
    with st.spinner("Back-propagating one unit to the input …"):
        untrained = vision.effective_field(name, weights, layer, False)
        trained = vision.effective_field(name, weights, layer, True) if status.is_trained else None
    shape = next(s.shape for s in spatial if s.name == layer)
    box = centre_unit_box(info, shape, spec.input_size[1])
    if np.isfinite(info.r):
        field_text = f"{int(info.r)}×{int(info.r)} pixels (blue box), centred on the unit at"
    else:  # after a global pooling every unit sees the whole input
        field_text = "the whole input (blue box): a global pooling lets every unit see all of it, here the unit at"
    st.caption(f"Theoretical field of {layer}: {field_text} ({shape[1] // 2}, {shape[2] // 2}) of its "
               f"{shape[1]}×{shape[2]} map. Input: fixed random noise.")
    c1, c2 = st.columns(2)
    chart(c1, plots.field_map, untrained, box, "Untrained (random initialisation)", key="cl_rf_untrained")
    if trained is not None:
        chart(c2, plots.field_map, trained, box, f"Trained ({status.source} weights)", key="cl_rf_trained")
    else:
        c2.info("No trained weights for this architecture on this machine (ImageNet weights are not cached); "
                "pick LeNet-5 or the Small VGG, or download the weights on the Feature maps page.")


def translation() -> None:
    """Shift a picture: does each model's prediction hold, and do its maps move along?"""
    st.markdown("Shift the picture sideways and watch two things: does the **prediction** hold (invariance), and do "
                "a layer's **maps** just move along (equivariance)? Convolution is equivariant to shifts by multiples "
                "of a layer's stride; strides and pooling break it in between (Azulay & Weiss 2019).")
    left, right = st.columns([1, 2], gap="large")
    with left:
        options = model_names() + own_models.session_names("image")
        if "cl_tr_models" in st.session_state:
            st.session_state["cl_tr_models"] = [n for n in st.session_state["cl_tr_models"] if n in options]
        chosen = st.multiselect("Models (two or more)", options, default=["lenet5", "small_vgg"],
                                key="cl_tr_models", format_func=model_label)
        pictures = pictures_picker("shapes", "cl_tr")
        span = st.slider("Sweep up to ± (% of the width)", 5, 45, 25, 5, key="cl_tr_span")
        dx = st.slider("Show the picture shifted by (% of the width)", -45, 45, 10, key="cl_tr_dx")
    if len(chosen) < 2 or pictures is None:
        right.info("Pick at least two models and a picture.")
        end_page()
    prob_series, corr_series = {}, {}
    with right:
        cols = st.columns(len(chosen))
        for col, name in zip(cols, chosen):
            spec = models.spec_of(name)
            weights = models.weights_key(name)
            _, status = models.model(name, weights)
            picture = pictures.for_model(spec)
            prepared = prepare_image(picture.pixels, spec.preprocessing)
            width = spec.input_size[2]
            shifts = sweep_shifts(span, width)
            layer = default_cam_layer(vision.cam_layers(name, weights))
            field = {f.name: f for f in models.fields(name)}.get(layer)
            jump = int(field.j) if field is not None else 1
            try:
                result = vision.sweep(name, weights, f"{picture.digest}:{name}", layer, shifts, jump, prepared.tensor)
                shown, top1, prob = vision.shifted_view(name, weights, f"{picture.digest}:{name}",
                                                         int(round(dx / 100 * width)), prepared.tensor)
            except ShiftError as err:
                col.error(str(err))
                continue
            label = f"{spec.title}{'' if status.is_trained else ' (untrained)'}"
            prob_series[label] = (result.shifts / width * 100, result.target_prob)
            corr_series[f"{label}, {layer}"] = (result.shifts / width * 100, result.map_correlation)
            chart(col, plots.image_figure, shown, f"{spec.title}: shifted {dx}%", height=220, key=f"cl_tr_img_{name}")
            col.caption(f"Predicts **{escape_markdown(spec.classes[top1])}** ({prob:.0%}); unshifted: "
                        f"**{escape_markdown(spec.classes[result.target])}**.")
            key = f"{picture.digest}:{name}"
            note = world_note(spec, picture, weights, key, prepared.tensor,
                              vision.probabilities(name, key, weights, prepared.tensor))
            if note:
                col.warning(note)
    chart(st, plots.shift_chart, prob_series, "probability of the unshifted top-1 class",
          "Invariance: does the prediction survive the shift?", key="cl_tr_prob")
    chart(st, plots.shift_chart, corr_series, "correlation with the moved unshifted maps",
          "Equivariance at each model's last conv resolution: 1 = the maps just moved", y_range=(-0.2, 1.02),
          key="cl_tr_corr")


st.title("Convolution lab")
st.caption("The operations a CNN is built from, computed in front of you, and the properties they give it.")
part = st.segmented_control("Part", PARTS, default=PARTS[0], key="cl_part") or PARTS[0]
VIEWS = {"Convolution": convolution, "Pooling": pooling, "Weight sharing": weight_sharing,
         "Receptive field": receptive_field, "Translation": translation}
VIEWS[part]()
