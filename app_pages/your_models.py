"""Your models: bring a state dict for one of our architectures; see every model this session owns."""
import math

import streamlit as st

from core.training.tasks import TASKS
from core.builder import CNN_KINDS, LENET_LIKE, BuildError, LayerSpec, plan_cnn, rnn_plan
from core.data.text import VOCAB
from core.i18n import N_, _
from core.markup import escape_markdown, inert
from core.models.catalogue import char_model_spec, get_spec, model_names, own_image_spec
from core.own_weights import MAX_WEIGHTS_BYTES, WeightsInputError, fit_char_model, fit_image_model, read_class_names, read_state_dict
from core.probes.costs import parameter_count
from core.weights import WeightsStatus
from ui import own_models, scheduling
from ui.links import linked


def layers_from_rows(rows: list[dict]) -> tuple[LayerSpec, ...]:
    """The editor's rows as layers; an empty cell takes the layer's default."""
    def number(row: dict, key: str, default: float) -> float:
        value = row.get(key)
        return default if value is None or (isinstance(value, float) and math.isnan(value)) else value

    return tuple(LayerSpec(str(row["kind"]), int(number(row, "size", 0)), int(number(row, "kernel", 3)),
                           int(number(row, "stride", 1)), int(number(row, "padding", 0)), float(number(row, "p", 0.5)))
                 for row in rows if row.get("kind"))


CHAR_ARCHS = {"char:rnn": N_("Character model: RNN"), "char:lstm": N_("Character model: LSTM"),
              "char:gru": N_("Character model: GRU")}
KINDS = ["CNN", "RNN"]
INPUTS = {"digits": N_("Digits: 1×32×32 in, 10 classes"), "shapes": N_("Shapes or your pictures: 3×64×64 in")}
EMBEDS, CELLS, HIDDENS = [0, 8, 16, 32, 64], ["rnn", "lstm", "gru"], [16, 32, 64, 128, 256, 512]

st.title(_("Your models"))
st.caption(_("Look inside your own network: upload the weights of one of the architectures below, and it joins the "
             "model pickers of the other pages, for you only, until you close the tab. Nothing is written to disk."))

st.subheader(_("Bring your weights"))
archs = model_names() + list(CHAR_ARCHS)
linked("ym_arch", "resnet18", archs)
arch = st.selectbox(_("Architecture"), archs, key="ym_arch",
                    format_func=lambda a: _(CHAR_ARCHS[a]) if a in CHAR_ARCHS else f"{_(get_spec(a).title)} ({get_spec(a).year})")
is_char = arch in CHAR_ARCHS
if is_char:
    st.caption(_("A state dict of `core.models.sequence.CharModel` over our {n}-symbol vocabulary (printable ASCII, tab "
                 "and newline): the hidden size is read from the weights.").format(n=len(VOCAB)))
else:
    spec = get_spec(arch)
    st.caption(_("A state dict of {model} as torchvision (or this project) defines it, with any number of classes: the "
                 "number is read from its last linear layer. Pictures are prepared as for the original ({h}×{w}, its "
                 "mean and std).").format(model=_(spec.title), h=spec.input_size[1], w=spec.input_size[2]))
c1, c2 = st.columns(2)
weights_file = c1.file_uploader(_("Weights (.safetensors, or a .pt/.pth state dict; up to {cap} MB)").format(
                                    cap=MAX_WEIGHTS_BYTES // 10**6),
                                type=["safetensors", "pt", "pth", "bin"], key="ym_weights")
names_file = None if is_char else c2.file_uploader(_("Class names (optional: one per line, UTF-8; up to 1 MB)"),
                                                   type=["txt"], key="ym_names")
label = c2.text_input(_("Call it"), "", max_chars=40, key="ym_label", placeholder=weights_file.name if weights_file else "")

if st.button(_("Load"), type="primary", key="ym_load", disabled=weights_file is None):
    device = scheduling.device_choice().device
    try:
        with st.spinner(_("Reading {name} …").format(name=weights_file.name)), scheduling.heavy_slot():
            state = read_state_dict(weights_file.getvalue(), weights_file.name)
            shown = inert((label.strip() or weights_file.name)[:40])
            name = own_models.new_name()
            if is_char:
                cell = arch.split(":")[1]
                net, hidden = fit_char_model(cell, state, len(VOCAB))
                spec = char_model_spec(name, _("{cell} character model: {name}").format(cell=cell.upper(), name=shown),
                                       shown, "charlm", cell, hidden, VOCAB, VOCAB,
                                       net.embed.weight.shape[1] if net.embed is not None else None, "own")
                detail = _("hidden size {hidden}").format(hidden=hidden)
            else:
                base = get_spec(arch)
                fitted = fit_image_model(base, state)
                classes = read_class_names(names_file.getvalue() if names_file else None, fitted.num_classes)
                spec = own_image_spec(base, name, f"{_(base.title)}: {shown}", classes, fitted.build,
                                      _("Your weights from {name}.").format(name=weights_file.name))
                net, detail = fitted.model, _("{n} classes").format(n=fitted.num_classes)
            status = WeightsStatus("own", _("Your weights from {name} ({detail}); this session only, never written to "
                                            "disk.").format(name=weights_file.name, detail=detail))
            own_models.register(own_models.OwnModel(name, spec, net.to(device).eval(), status))
    except WeightsInputError as err:
        st.error(f"**{escape_markdown(weights_file.name)}**: {escape_markdown(str(err))}")
    else:
        where = _("Hidden states and Gates") if is_char else _("Feature maps and Saliency")
        st.success(_("Loaded **{model}** ({detail}). Pick it (marked ★) on the {pages} pages.").format(
            model=escape_markdown(spec.title), detail=detail, pages=where))

st.subheader(_("This session's models"))
mine = own_models.session_models()
if not mine:
    st.info(_("None yet. Load weights above, or train a model in the Training lab."))
else:
    st.dataframe([{_("model"): own.spec.title, _("kind"): _("pictures") if own.kind == "image" else _("text"),
                   _("outputs"): len(own.spec.classes) if own.kind == "image" else len(own.spec.outputs),
                   _("parameters"): parameter_count(own.net), _("where it came from"): own.status.message}
                  for own in mine], hide_index=True, width="stretch")
    st.caption(_("At most {n} at a time: the oldest goes first. Other users never see them.").format(
        n=own_models.MAX_PER_SESSION))

st.subheader(_("Build a small network"))
st.caption(_("Write a network as a list of layers and see, as you edit, what each layer does to the shape and what it "
             "costs. Then train it in the Training lab; once trained it appears on the other pages like any model."))
linked("ym_kind", "CNN", KINDS)
kind = st.radio(_("Kind"), KINDS, horizontal=True, key="ym_kind")
if kind == "CNN":
    linked("ym_for", "digits", INPUTS)
    target = st.radio(_("For"), list(INPUTS), format_func=lambda t: _(INPUTS[t]), horizontal=True, key="ym_for")
    size, classes = TASKS[target].input_size, get_spec(TASKS[target].normalised_as).num_classes
    rows = [{"kind": layer.kind, "size": layer.size, "kernel": layer.kernel, "stride": layer.stride,
             "padding": layer.padding, "p": layer.p} for layer in own_models.built_cnn() or LENET_LIKE]
    edited = st.data_editor(
        rows, num_rows="dynamic", key="ym_layers", hide_index=True, width="stretch",
        column_config={
            "kind": st.column_config.SelectboxColumn(_("layer"), options=list(CNN_KINDS), required=True),
            "size": st.column_config.NumberColumn(_("channels / features"), min_value=0, max_value=4096, step=1),
            "kernel": st.column_config.NumberColumn(_("kernel"), min_value=1, max_value=11, step=1),
            "stride": st.column_config.NumberColumn(_("stride"), min_value=1, max_value=4, step=1),
            "padding": st.column_config.NumberColumn(_("padding"), min_value=0, max_value=5, step=1),
            "p": st.column_config.NumberColumn(_("dropout p"), min_value=0.0, max_value=0.95, step=0.05),
        })
    layers = layers_from_rows(edited)
    try:
        plan = plan_cnn(layers, size, classes)
        broken = None
    except BuildError as err:
        plan, broken = (plan_cnn(layers[:err.index - 1], size, classes)[:-1] if err.index > 1 else []), err
    st.dataframe([{"#": p.index, _("layer"): p.label, _("output"): "×".join(map(str, p.shape)),
                   _("parameters"): p.params, "FLOPs": p.flops} for p in plan], hide_index=True, width="stretch")
    if broken is not None:
        st.error(str(broken))
    else:
        st.caption(_("In all: {params:,} parameters, {flops:,} FLOPs per {size} picture (a multiply-add counts 2).").format(
            params=sum(p.params for p in plan), flops=sum(p.flops for p in plan), size="×".join(map(str, size))))
        if st.button(_("Use in the training lab"), key="ym_use_cnn"):
            own_models.keep_built_cnn(layers)
            st.success(_("In the Training lab, tick **Use the network you built** on either run (digits, shapes or your "
                         "pictures)."))
else:
    c1, c2, c3 = st.columns(3)
    linked("ym_embed", 32, EMBEDS)
    embed = c1.select_slider(_("Embedding"), EMBEDS, key="ym_embed", format_func=lambda e: _("one-hot") if e == 0 else str(e))
    linked("ym_cell", "lstm", CELLS)
    cell = c2.radio(_("Recurrent layer"), CELLS, horizontal=True, format_func=str.upper, key="ym_cell")
    linked("ym_hidden", 128, HIDDENS)
    hidden = c3.select_slider(_("Hidden size"), HIDDENS, key="ym_hidden")
    plan = rnn_plan(len(VOCAB), embed, cell, hidden)
    st.dataframe([{"#": p.index, _("layer"): p.label, _("output per step"): "×".join(map(str, p.shape[1:])),
                   _("parameters"): p.params, _("FLOPs per character"): p.flops} for p in plan], hide_index=True,
                 width="stretch")
    st.caption(_("In all: {params:,} parameters; {flops:,} FLOPs per character, one step after another. One recurrent "
                 "layer: the Hidden states and Gates pages trace it step by step.").format(
        params=sum(p.params for p in plan), flops=sum(p.flops for p in plan)))
    if st.button(_("Use in the training lab"), key="ym_use_rnn"):
        own_models.keep_built_rnn(embed, hidden)
        st.success(_("In the Training lab, tick **Use the sizes you chose** on a text task; each run keeps its own "
                     "cell."))
