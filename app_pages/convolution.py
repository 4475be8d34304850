"""Convolution lab: the operation step by step, pooling, weight sharing, receptive fields, translation."""
import numpy as np
import streamlit as st

from core import plots
from core.markup import escape_markdown
from core.data.preprocess import prepare_image
from core.i18n import N_, _
from core.models.catalogue import model_names
from core.probes import convolution as conv
from core.probes.saliency import default_cam_layer
from core.probes.receptive_field import centre_unit_box
from core.probes.translation import ShiftError, sweep_shifts
from ui import models, own_models, vision
from ui.charts import chart
from ui.links import linked
from ui.widgets import (class_label, linked_list, linked_value, model_label, picture_picker, pictures_picker, table,
                        world_note)
from ui.flow import end_page

PARTS = ["Convolution", "Pooling", "Weight sharing", "Receptive field", "Translation"]
PART_LABELS = {"Convolution": N_("Convolution"), "Pooling": N_("Pooling"), "Weight sharing": N_("Weight sharing"),
               "Receptive field": N_("Receptive field"), "Translation": N_("Translation")}
SOURCES = {"Small matrix": N_("Small matrix"), "Picture (gray)": N_("Picture (gray)")}
POOLS = {"max": N_("max"), "avg": N_("avg")}
CUSTOM = N_("custom")  # the kernel you type, after the presets
WEIGHTS = {"bundled": N_("bundled"), "imagenet": N_("imagenet"), "own": N_("own")}  # core.weights.SOURCES, as read
KERNELS = [*conv.KERNEL_PRESETS, CUSTOM]
DEFAULT_MATRIX = np.array([[0, 0, 0, 0, 0, 0, 0],
                           [0, 1, 1, 1, 1, 1, 0],
                           [0, 1, 3, 3, 3, 1, 0],
                           [0, 1, 3, 9, 3, 1, 0],
                           [0, 1, 3, 3, 3, 1, 0],
                           [0, 1, 1, 1, 1, 1, 0],
                           [0, 0, 0, 0, 0, 0, 0]], dtype=float)


def input_matrix() -> np.ndarray:
    """The lab's input: an editable small matrix or a picture in gray, at most 48×48."""
    linked("cl_input_kind", "Small matrix", SOURCES)
    source = st.radio(_("Input"), list(SOURCES), horizontal=True, key="cl_input_kind",
                      format_func=lambda s: _(SOURCES[s]))
    if source == "Small matrix":
        edited = st.data_editor(DEFAULT_MATRIX.astype(float), key="cl_matrix", width="stretch")
        try:
            return conv.parse_kernel(np.asarray(edited).tolist(), grid="input")
        except conv.ConvolutionError as err:
            st.error(str(err))
            end_page()
    picture = picture_picker("shapes", "cl")
    if picture is None:
        st.info(_("Upload a picture, or switch back to a sample."))
        end_page()
    return vision.gray_thumbnail(picture, picture.digest, 48)


def remember(key: str, value: object) -> None:
    st.session_state[f"cl_last_{key}"] = value


def last(key: str) -> object | None:
    return st.session_state.get(f"cl_last_{key}")


def convolution() -> None:
    """The operation: a kernel sliding over the input, the output-size formula, one output value worked out."""
    st.markdown(_("A kernel slides over the input; at each position it multiplies the cells under it by its weights "
                  "and adds them up. That sum is one value of the feature map."))
    left, right = st.columns([1, 1], gap="large")
    with left:
        x = input_matrix()
    with right:
        linked("cl_preset", KERNELS[4], KERNELS)
        preset = st.selectbox(_("Kernel"), KERNELS, key="cl_preset", format_func=_)
        if preset == CUSTOM:
            linked("cl_ksize", 3, range(1, 8))
            size = st.select_slider(_("Kernel size"), [1, 2, 3, 4, 5, 6, 7], key="cl_ksize")
            grid = st.data_editor(np.eye(size), key=f"cl_kernel_{size}", width="stretch")
            try:
                kernel = conv.parse_kernel(np.asarray(grid, dtype=object).tolist())
            except conv.ConvolutionError as err:
                st.error(str(err))
                kernel = last("kernel")
                if kernel is None:
                    end_page()
                st.caption(_("Showing the last valid kernel."))
        else:
            kernel = conv.KERNEL_PRESETS[preset]
        c1, c2, c3 = st.columns(3)
        for key, default, high in (("cl_stride", 1, 8), ("cl_padding", 0, 8), ("cl_dilation", 1, 4)):
            linked(key, default, range(-2, high + 1))  # values that give no output are allowed: the page says why
        stride = int(c1.number_input(_("Stride S"), -2, 8, key="cl_stride"))
        padding = int(c2.number_input(_("Padding P"), -2, 8, key="cl_padding"))
        dilation = int(c3.number_input(_("Dilation D"), -2, 4, key="cl_dilation"))
    try:
        if padding < 0:
            raise conv.ConvolutionError(_("Padding cannot be negative."))
        out = conv.conv2d(x, kernel, stride, padding, dilation)
        remember("kernel", kernel)
        remember("conv", (x, kernel, stride, padding, dilation, out))
    except conv.ConvolutionError as err:
        st.error(str(err))
        previous = last("conv")
        if previous is None:
            end_page()
        st.caption(_("Showing the last valid result."))
        x, kernel, stride, padding, dilation, out = previous
    w, kw = x.shape[1], kernel.shape[1]
    oh, ow = out.shape
    st.latex(rf"W_{{out}} = \left\lfloor \frac{{W + 2P - D(K-1) - 1}}{{S}} \right\rfloor + 1 = "
             rf"\left\lfloor \frac{{{w} + 2\cdot{padding} - {dilation}\cdot({kw}-1) - 1}}{{{stride}}} \right\rfloor + 1 = {ow}"
             rf"\qquad H_{{out}} = {oh}")
    linked_value("cl_position", 0, range(oh * ow))
    position = st.slider(_("Kernel position (slide it over the input)"), 0, oh * ow - 1, key="cl_position")
    i, j = divmod(position, ow)
    step = conv.conv_step(x, kernel, i, j, stride, padding, dilation)
    padded = np.pad(x, padding)
    cells = [(int(r), int(c)) for r in step.rows for c in step.cols]
    c1, c2 = st.columns(2)
    title = (_("Input padded ({height}×{width}): the window for output ({i}, {j})") if padding else
             _("Input ({height}×{width}): the window for output ({i}, {j})"))
    chart(c1, plots.matrix_heatmap, padded, title=title.format(height=padded.shape[0], width=padded.shape[1], i=i, j=j),
          cells=cells, key="cl_input")
    chart(c2, plots.matrix_heatmap, out, title=_("Feature map ({height}×{width})").format(height=oh, width=ow),
          cells=[(i, j)], colorscale="RdBu", reversescale=True, zmid=0.0, key="cl_output")
    c1, c2, c3 = st.columns(3)
    chart(c1, plots.matrix_heatmap, step.patch, title=_("Patch under the kernel"), key="cl_patch")
    chart(c2, plots.matrix_heatmap, kernel, title=_("Kernel"), colorscale="RdBu", reversescale=True, zmid=0.0,
          key="cl_kernel_fig")
    chart(c3, plots.matrix_heatmap, step.products, title=_("Patch ⊙ kernel"), colorscale="RdBu", reversescale=True,
          zmid=0.0, key="cl_products")
    terms = [f"{p:.2f}×{k:.2f}" for p, k in zip(step.patch.ravel(), kernel.ravel())]
    more = len(terms) - 12
    shown = " + ".join(terms[:12]) + (_(" + … ({count} more)").format(count=more) if more > 0 else "")
    st.markdown(f"**output[{i}, {j}]** = {shown} = **{step.value:.4f}**")


def pooling() -> None:
    """Max or average pooling of the input, one output cell worked out."""
    st.markdown(_("Pooling shrinks a map: each output keeps the largest (max) or the mean (average) of a window. "
                  "Max pooling passes on *whether* a feature is present, not exactly where."))
    left, right = st.columns([1, 1], gap="large")
    with left:
        x = input_matrix()
    with right:
        linked("cl_pool_mode", "max", POOLS)
        mode = st.radio(_("Pooling"), list(POOLS), horizontal=True, key="cl_pool_mode", format_func=lambda m: _(POOLS[m]))
        c1, c2 = st.columns(2)
        linked("cl_pool_k", 2, range(1, 9))
        linked("cl_pool_s", 2, range(-2, 9))
        k = int(c1.number_input(_("Window"), 1, 8, key="cl_pool_k"))
        s = int(c2.number_input(_("Stride"), -2, 8, key="cl_pool_s"))
    try:
        pooled = conv.pool2d(x, k, s, mode)
        remember("pool", (x, k, s, mode, pooled))
    except conv.ConvolutionError as err:
        st.error(str(err))
        previous = last("pool")
        if previous is None:
            end_page()
        st.caption(_("Showing the last valid result."))
        x, k, s, mode, pooled = previous
    oh, ow = pooled.output.shape
    linked_value("cl_pool_pos", 0, range(oh * ow))
    position = st.slider(_("Output cell"), 0, oh * ow - 1, key="cl_pool_pos")
    i, j = divmod(position, ow)
    window = [(i * s + a, j * s + b) for a in range(k) for b in range(k)]
    win = None
    if pooled.winners is not None:
        win = divmod(int(pooled.winners[i, j]), x.shape[1])
    c1, c2 = st.columns(2)
    title = _("Input: window of output ({i}, {j}), winner in red") if win else _("Input: window of output ({i}, {j})")
    chart(c1, plots.matrix_heatmap, x, title=title.format(i=i, j=j), cells=window, winner=win, key="cl_pool_in")
    pooled_title = _("max pooled ({height}×{width})") if mode == "max" else _("avg pooled ({height}×{width})")
    chart(c2, plots.matrix_heatmap, pooled.output, title=pooled_title.format(height=oh, width=ow), cells=[(i, j)],
          key="cl_pool_out")
    values = [x[r, c] for r, c in window]
    if mode == "max":
        st.markdown(_("{formula}, from input cell {cell}.").format(
            formula=f"**output[{i}, {j}]** = max({', '.join(f'{v:.2f}' for v in values)}) = **{pooled.output[i, j]:.3f}**",
            cell=win))
    else:
        st.markdown(f"**output[{i}, {j}]** = mean({', '.join(f'{v:.2f}' for v in values)}) = **{pooled.output[i, j]:.3f}**")


def weight_sharing() -> None:
    """Parameters of a convolution against a locally connected and a fully connected layer."""
    st.markdown(_("A convolution uses the **same** small kernel at every position (local connection + weight "
                  "sharing). Compare it with a locally connected layer (a separate kernel at every position) and a "
                  "fully connected layer, all mapping the same input to an output of the same size."))
    c1, c2, c3, c4 = st.columns(4)
    for key, default, low, high in (("cl_ws_cin", 3, 1, 512), ("cl_ws_side", 32, 1, 512), ("cl_ws_cout", 16, 1, 512),
                                    ("cl_ws_k", 3, 1, 11)):
        linked(key, default, range(low, high + 1))
    cin = int(c1.number_input(_("Input channels"), 1, 512, key="cl_ws_cin"))
    side = int(c2.number_input(_("Input height = width"), 1, 512, key="cl_ws_side"))
    cout = int(c3.number_input(_("Output channels (kernels)"), 1, 512, key="cl_ws_cout"))
    k = int(c4.number_input(_("Kernel size"), 1, 11, key="cl_ws_k"))
    c1, c2 = st.columns(4)[:2]
    linked("cl_ws_s", 1, range(1, 9))
    linked("cl_ws_p", k // 2, range(0, 9))
    s = int(c1.number_input(_("Stride"), 1, 8, key="cl_ws_s"))
    p = int(c2.number_input(_("Padding"), 0, 8, key="cl_ws_p"))
    try:
        counts = conv.parameter_counts(cin, side, side, cout, k, s, p)
    except conv.ConvolutionError as err:
        st.error(str(err))
        end_page()
    o = conv.output_size(side, k, s, p)
    c1, c2, c3 = st.columns(3)
    c1.metric(_("Convolution (shared)"), f"{counts.conv:,}",
              help=_("{out} × ({cin}·{k}·{k}) weights + {out} biases").format(out=cout, cin=cin, k=k))
    times = _("{ratio:,.0f}× the convolution")
    c2.metric(_("Locally connected (no sharing)"), f"{counts.locally_connected:,}",
              times.format(ratio=counts.locally_connected / counts.conv), delta_color="off")
    c3.metric(_("Fully connected"), f"{counts.fully_connected:,}", times.format(ratio=counts.fully_connected / counts.conv),
              delta_color="off")
    chart(st, plots.counts_bar, [_("convolution"), _("locally connected"), _("fully connected")],
          [counts.conv, counts.locally_connected, counts.fully_connected], f"{cin}×{side}×{side} → {cout}×{o}×{o}",
          key="cl_ws_bar")
    st.caption(_("Sharing saves a factor {saved:,} (one kernel instead of one per output position); local connection "
                 "saves the rest: each output looks at {cin}·{k}·{k} inputs instead of all {inputs:,}.").format(
        saved=o * o, cin=cin, k=k, inputs=cin * side * side))


def receptive_field() -> None:
    """Theoretical field per layer of a model, and the effective field of one unit."""
    st.markdown(_("Each unit sees a square of the input, its **receptive field**. Every convolution or pooling "
                  "layer widens it, and strides multiply how fast it grows, until late layers see the whole picture. "
                  "The *effective* field — where the gradient of one unit actually lands — is much smaller and "
                  "concentrated in the middle (Luo et al. 2016)."))
    names = model_names() + own_models.session_names("image")
    linked_value("cl_rf_model", "small_vgg", names)
    name = st.selectbox(_("Model"), names, key="cl_rf_model", format_func=model_label)
    spec = models.spec_of(name)
    kept = [f for f in models.fields(name) if f.op in ("Conv2d", "MaxPool2d", "AvgPool2d", "add", "cat")
             or f.op.startswith("Adaptive")]
    chart(st, plots.field_chart, [f.name for f in kept], [f.r for f in kept], [f.j for f in kept],
          spec.input_size[1], _("{model}: theoretical field and jump after each conv/pool/merge").format(
              model=_(spec.title)), key="cl_rf_chart")
    with st.expander(_("Every layer: field r, jump j and the centre of the first unit (start), in input pixels")):
        table(st, [{_("layer"): f.name, _("op"): f.op,
                    _("field r"): _("global") if not np.isfinite(f.r) else str(int(f.r)),
                    _("jump j"): f.j, _("start"): f.start} for f in models.fields(name)])
    weights = models.weights_key(name)
    spatial = vision.cam_layers(name, weights)
    layer_names = [layer.name for layer in spatial]
    by_name = {f.name: f for f in models.fields(name)}
    candidates = [n for n in layer_names if n in by_name]
    default = default_cam_layer(spatial)
    linked_value("cl_rf_layer", default if default in candidates else candidates[-1], candidates, about=name)
    layer = st.selectbox(_("Layer whose centre unit we follow"), candidates, key="cl_rf_layer")
    info = by_name[layer]
    status = models.model(name, weights)[1]
    with st.spinner(_("Back-propagating one unit to the input …")):
        untrained = vision.effective_field(name, weights, layer, False)
        trained = vision.effective_field(name, weights, layer, True) if status.is_trained else None
    shape = next(s.shape for s in spatial if s.name == layer)
    box = centre_unit_box(info, shape, spec.input_size[1])
    where = dict(layer=layer, row=shape[1] // 2, column=shape[2] // 2, height=shape[1], width=shape[2])
    if np.isfinite(info.r):
        st.caption(_("Theoretical field of {layer}: {side}×{side} pixels (blue box), centred on the unit at ({row}, "
                     "{column}) of its {height}×{width} map. Input: fixed random noise.").format(side=int(info.r), **where))
    else:  # after a global pooling every unit sees the whole input
        st.caption(_("Theoretical field of {layer}: the whole input (blue box): a global pooling lets every unit see "
                     "all of it, here the unit at ({row}, {column}) of its {height}×{width} map. Input: fixed random "
                     "noise.").format(**where))
    c1, c2 = st.columns(2)
    chart(c1, plots.field_map, untrained, box, _("Untrained (random initialisation)"), key="cl_rf_untrained")
    if trained is not None:
        chart(c2, plots.field_map, trained, box, _("Trained ({source} weights)").format(source=_(WEIGHTS.get(status.source, status.source))),
              key="cl_rf_trained")
    else:
        c2.info(_("No trained weights for this architecture on this machine (ImageNet weights are not cached); "
                  "pick LeNet-5 or the Small VGG, or download the weights on the Feature maps page."))


def translation() -> None:
    """Shift a picture: does each model's prediction hold, and do its maps move along?"""
    st.markdown(_("Shift the picture sideways and watch two things: does the **prediction** hold (invariance), and "
                  "do a layer's **maps** just move along (equivariance)? Convolution is equivariant to shifts by "
                  "multiples of a layer's stride; strides and pooling break it in between (Azulay & Weiss 2019)."))
    left, right = st.columns([1, 2], gap="large")
    with left:
        options = model_names() + own_models.session_names("image")
        linked_list("cl_tr_models", ["lenet5", "small_vgg"], options)
        chosen = st.multiselect(_("Models (two or more)"), options, key="cl_tr_models", format_func=model_label)
        pictures = pictures_picker("shapes", "cl_tr")
        linked("cl_tr_span", 25, range(5, 46, 5))
        span = st.slider(_("Sweep up to ± (% of the width)"), 5, 45, step=5, key="cl_tr_span")
        linked("cl_tr_dx", 10, range(-45, 46))
        dx = st.slider(_("Show the picture shifted by (% of the width)"), -45, 45, key="cl_tr_dx")
    if len(chosen) < 2 or pictures is None:
        right.info(_("Pick at least two models and a picture."))
        end_page()
    prob_series, corr_series = {}, {}
    with right:
        cols = st.columns(len(chosen))
        for col, name in zip(cols, chosen):
            spec = models.spec_of(name)
            weights = models.weights_key(name)
            status = models.model(name, weights)[1]
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
            label = _(spec.title) if status.is_trained else _("{model} (untrained)").format(model=_(spec.title))
            prob_series[label] = (result.shifts / width * 100, result.target_prob)
            corr_series[f"{label}, {layer}"] = (result.shifts / width * 100, result.map_correlation)
            chart(col, plots.image_figure, shown, _("{model}: shifted {dx}%").format(model=_(spec.title), dx=dx),
                  height=220, key=f"cl_tr_img_{name}")
            col.caption(_("Predicts **{label}** ({prob:.0%}); unshifted: **{unshifted}**.").format(
                label=escape_markdown(class_label(spec, top1)), prob=prob,
                unshifted=escape_markdown(class_label(spec, result.target))))
            key = f"{picture.digest}:{name}"
            note = world_note(spec, picture, weights, key, prepared.tensor,
                              vision.probabilities(name, key, weights, prepared.tensor))
            if note:
                col.warning(note)
    chart(st, plots.shift_chart, prob_series, _("probability of the unshifted top-1 class"),
          _("Invariance: does the prediction survive the shift?"), key="cl_tr_prob")
    chart(st, plots.shift_chart, corr_series, _("correlation with the moved unshifted maps"),
          _("Equivariance at each model's last conv resolution: 1 = the maps just moved"), y_range=(-0.2, 1.02),
          key="cl_tr_corr")


st.title(_("Convolution lab"))
st.caption(_("The operations a CNN is built from, computed in front of you, and the properties they give it."))
linked("cl_part", PARTS[0], PARTS)
part = st.segmented_control(_("Part"), PARTS, key="cl_part", format_func=lambda p: _(PART_LABELS[p])) or PARTS[0]
VIEWS = {"Convolution": convolution, "Pooling": pooling, "Weight sharing": weight_sharing,
         "Receptive field": receptive_field, "Translation": translation}
VIEWS[part]()
