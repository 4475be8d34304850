"""CNN vs RNN vs attention on the same data (MNIST-1D), and how each scales with sequence length."""
import numpy as np
import streamlit as st

from core import plots
from core.data.mnist1d import CLASSES, LENGTH
from core.i18n import N_, _, ngettext
from core.models.catalogue import get_spec, model_names
from core.probes.scaling import CONV_LAYERS, KINDS, attention_bytes
from core.train_mnist1d import mnist1d_run
from core.training.engine import RunPair
from core.training.limits import MNIST1D_PAGE
from ui import beyond, models, scheduling
from ui.charts import chart
from ui.flow import end_page
from ui.language import in_session_language
from ui.links import linked

PARTS = ["MNIST-1D", "Parallelism"]  # language-free values; PART_NAMES are their labels
PART_NAMES = {"MNIST-1D": "MNIST-1D", "Parallelism": N_("Parallelism")}
KIND_TITLES = {"conv1d": f"Conv1d × {CONV_LAYERS}", "lstm": "LSTM", "gru": "GRU", "attention": N_("fused attention"),
               "attention_explicit": N_("explicit attention")}  # a curve's key (its colour) → its legend
WEIGHTS = "explicit_weights"  # the curve of the weights' size from the formula
WEIGHTS_TITLE = N_("explicit attention's T × T weights (computed)")
FAMILIES = {"dense": N_("dense"), "convolutional": N_("convolutional"), "recurrent": N_("recurrent"),
            "attention": N_("attention")}
BATCHES, LONGEST = [1, 8, 32], [1024, 2048, 4096]  # the Parallelism part's choices


def mnist1d_comparison() -> None:
    """Seven models on MNIST-1D: the bundled table, a retrain, one test sequence through every model."""
    results = models.bundled_curves("mnist1d_results.json")
    if results is None:
        st.warning(_("The bundled MNIST-1D results (assets/curves/mnist1d_results.json) are missing; "
                     "run `python -m core.train_mnist1d`."))
        end_page()
    with st.spinner(_("Generating MNIST-1D (offline, ≈ 4 s the first time) …")):
        data = beyond.mnist1d()
    st.markdown(_(
        "**MNIST-1D** (Greydanus 2020) turns each digit into a 1-D template of 40 numbers and then pads, scales, "
        "shears, shifts and adds noise, so the digit can sit anywhere in the sequence. It is small enough to "
        "train seven models here in minutes and hard enough to separate them: a model that only weighs "
        "positions (logistic regression) fails, one that looks for local shapes anywhere (a CNN) does well."))
    chart(st, plots.sequence_samples, data.x_test, data.y_test, CLASSES,
          title=_("One test sequence of each digit (the inputs every model gets)"), key="sc_samples")

    device = scheduling.device_choice()
    rows = []
    column = {"model": _("model"), "family": _("family"), "accuracy": _("test accuracy %"), "paper": _("paper %"),
              "params": _("parameters"), "flops": _("FLOPs / sequence"), "steps": _("sequential steps"),
              "train": _("training s (bundled run)"), "latency": _("latency here, ms ({device})").format(device=device.kind)}
    for name, spec in ((n, get_spec(n, "mnist1d")) for n in model_names("mnist1d")):
        r = results["models"].get(name)
        if r is None:
            continue
        acc = 100 * np.asarray(r["accuracy"])
        here = beyond.mnist1d_costs(name, device.kind)
        rows.append({
            column["model"]: _(spec.title), column["family"]: _(FAMILIES.get(spec.family, spec.family)),
            column["accuracy"]: f"{acc.mean():.1f} ± {acc.std():.1f} (n = {len(acc)})",
            column["paper"]: "—" if spec.paper_accuracy is None else f"{spec.paper_accuracy:.0f}",
            column["params"]: f"{r['params']:,}", column["flops"]: f"{r['flops']:,}",
            column["steps"]: _(spec.sequential_steps),
            column["train"]: f"{np.mean(r['train_seconds']):.0f}",
            column["latency"]: f"{here['latency_ms']:.3f}",
        })
    text = st.column_config.TextColumn
    st.dataframe(rows, hide_index=True, width="stretch", column_config={  # short headers: nine columns fit the page
        column["model"]: text(pinned=True),
        column["accuracy"]: text(_("accuracy %"), help=_("test accuracy, mean ± standard deviation over seeds")),
        column["flops"]: text("FLOPs", help=_("floating-point operations for one sequence")),
        column["steps"]: text(_("steps"), help=_("operations that must run one after another for one sequence")),
        column["train"]: text(_("train s"), help=_("seconds the bundled run trained")),
        column["latency"]: text(_("ms ({device})").format(device=device.kind),
                                help=_("latency of one sequence, measured now here")),
    })
    st.caption(_("Bundled runs: {training}; {machine}. Mean ± standard deviation over seeds; “paper” is Greydanus "
                 "(2020), whose models differ in size. Latency is one sequence, measured now on this server. FLOPs of "
                 "the recurrent models are counted by formula (torch's counter skips their fused kernels).").format(
        training=results["training"], machine=results["machine"]))

    with st.expander(_("Retrain a model yourself (your runs stay in this browser session)")):
        c1, c2, c3 = st.columns([2, 1, 1])
        names = model_names("mnist1d")
        linked("sc_retrain_model", "cnn", names)
        which = c1.selectbox(_("Model"), names, key="sc_retrain_model", format_func=lambda n: _(get_spec(n, "mnist1d").title))
        linked("sc_retrain_epochs", 30, lambda n: 5 <= n <= 150 and n % 5 == 0)
        epochs = c2.slider(_("Epochs"), 5, 150, step=5, key="sc_retrain_epochs")
        linked("sc_retrain_seed", 7, lambda n: 0 <= n <= 10_000)
        seed = c3.number_input(_("Seed"), 0, 10_000, key="sc_retrain_seed")
        retrains: list[RunPair] = st.session_state.setdefault("sc_retrains", [])  # this session's, oldest first
        busy = bool(retrains) and retrains[-1].running
        if st.button(_("Train"), type="primary", key="sc_retrain_go", disabled=busy):
            run = mnist1d_run(which, int(seed), epochs, MNIST1D_PAGE)
            run.label = which  # the model's name: its title is shown in the reader's language
            retrains.append(RunPair([run], scheduling.training_slot).start())
            st.rerun()
        if busy:
            st.fragment(in_session_language(retrain_progress), run_every=1.0)(retrains[-1])
        elif retrains and retrains[-1].runs[0].status == "capped":
            st.info(_("Stopped after {n} epochs: a run here is capped at {cap:.0f} s of training.").format(
                n=len(retrains[-1].runs[0].epochs), cap=MNIST1D_PAGE.max_seconds))
        runs = [{_("model"): _(get_spec(r.label, "mnist1d").title), _("seed"): r.config.seed,
                 _("epochs"): r.epochs[-1].epoch, _("test accuracy %"): round(100 * r.epochs[-1].val_accuracy, 1),
                 _("seconds"): round(r.epochs[-1].seconds, 1)}
                for pair in retrains if not pair.running for r in pair.runs if r.epochs]
        if runs:
            st.dataframe(runs, hide_index=True, width="stretch")

    st.subheader(_("One test sequence, every model"))
    linked("sc_index", 3, lambda i: 0 <= i < len(data.y_test))
    index = st.slider(_("Test sequence"), 0, len(data.y_test) - 1, key="sc_index")
    truth = int(data.y_test[index])
    seen = {name: beyond.mnist1d_inspect(name, index) for name in model_names("mnist1d") if name in results["models"]}
    cols = st.columns(len(seen))
    for col, (name, out) in zip(cols, seen.items()):
        guess = int(out["probs"].argmax())
        sure = out["probs"][guess]
        col.metric(_(get_spec(name, "mnist1d").label), f"“{CLASSES[guess]}”",
                   _("{p:.0%}, right").format(p=sure) if guess == truth
                   else _("{p:.0%}, wrong: “{truth}”").format(p=sure, truth=CLASSES[truth]),
                   delta_color="normal" if guess == truth else "inverse")
    chart(st, plots.sequence_saliency, data.x_test[index], {n: o["saliency"] for n, o in seen.items()},
          {n: _(get_spec(n, "mnist1d").label) for n in seen},
          title=_("Test sequence {index} (a “{digit}”) and, per model, gradient × input of its prediction").format(
              index=index, digit=CLASSES[truth]),
          key="sc_saliency")
    st.caption(_("Red positions pushed the model towards its answer, blue ones away. The CNN's map follows the digit's "
                 "shape wherever it sits; logistic regression weighs fixed positions."))

    recurrent = [n for n in ("rnn", "lstm", "gru") if n in seen]
    if recurrent:
        st.markdown(_("**What the recurrent models carried along the sequence** (hidden state h_t, units × positions)"))
        positions = [str(t) if t % 10 == 0 else "" for t in range(LENGTH)]
        for col, name in zip(st.columns(len(recurrent)), recurrent):
            chart(col, plots.state_heatmap, seen[name]["states"], positions, title=_(get_spec(name, "mnist1d").title),
                  x_title=_("position"), key=f"sc_states_{name}")
    if "transformer" in seen:
        weights = seen["transformer"]["attention"]
        chart(st, plots.attention_heads, weights, [str(t) for t in range(LENGTH)], [str(t) for t in range(LENGTH)],
              [_("head {n}").format(n=h + 1) for h in range(weights.shape[0])],
              title=_("The Transformer's attention: each position (row) over all 40 positions (columns), one step"),
              query_title=_("position (attending)"), key_title=_("position (attended to)"), key="sc_heads")


def retrain_progress(retrain: RunPair) -> None:
    """The retrain's progress, redrawn every second, with Stop; a full rerun when it ends adds it to the table."""
    run = retrain.runs[0]
    if st.button(_("Stop"), key="sc_retrain_stop"):
        retrain.stop()
        retrain.join(5)
    model = _(get_spec(run.label, "mnist1d").title)
    st.progress(run.progress, _("{model}: epoch {n} of {epochs}, test accuracy {accuracy:.1%}").format(
        model=model, n=len(run.epochs), epochs=run.config.epochs, accuracy=run.epochs[-1].val_accuracy) if run.epochs
        else _("{model}: epoch {n} of {epochs}").format(model=model, n=0, epochs=run.config.epochs))
    if not retrain.running:
        st.rerun()


def parallelism() -> None:
    """Time and memory of Conv1d, LSTM, GRU and attention against sequence length, bundled or measured now."""
    st.markdown(_(
        "A recurrent layer must finish step t − 1 before step t, so one sequence takes T steps one after another. "
        "A stack of convolutions takes one step per layer, and self-attention one step per layer, whatever T — "
        "but attention compares every position with every other, T² pairs. Below, layers of the same width "
        "(64) read the same input; the figure shows where the parallel layers win and where attention's "
        "quadratic cost catches up."))
    bundled = models.bundled_curves("scaling_cpu.json")
    live = st.session_state.get("sc_scaling")
    c1, c2, c3 = st.columns([1, 1, 2])
    linked("sc_batch", 1, BATCHES)
    batch = c1.selectbox(_("Batch size"), BATCHES, key="sc_batch")
    linked("sc_longest", 4096, LONGEST)
    longest = c2.selectbox(_("Longest sequence"), LONGEST, key="sc_longest")
    device = scheduling.device_choice()
    if c3.button(_("Measure on this server ({device})").format(device=device.kind), type="primary", key="sc_measure"):
        lengths = tuple(t for t in (16, 64, 256, 1024, 2048, 4096) if t <= longest)
        with st.spinner(_("Timing four layers at {n} lengths, batch {batch} …").format(n=len(lengths), batch=batch)):
            live = {"batch": batch, "device": device.kind, "points": beyond.scaling_sweep(lengths, batch, device.kind)}
        st.session_state["sc_scaling"] = live
    shown = live or bundled
    if shown is None:
        st.info(_("Press *Measure* (the bundled measurements, assets/curves/scaling_cpu.json, are missing)."))
        end_page()
    source = (_("measured now on this server ({device}, batch {batch})").format(device=shown["device"], batch=shown["batch"])
              if live else _("bundled: {machine}, batch {batch} (`{command}`)").format(
                  machine=shown["machine"], batch=shown["batch"], command=shown["command"]))
    points = shown["points"]
    untimed = [] if live else shown.get("untimed", {}).get("kinds", [])
    if untimed:
        source = _("{source}; explicit attention's memory added by `{command}`, not timed").format(
            source=source, command=shown["untimed"]["command"])

    def series(field: str, scale: float = 1.0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        out = {}
        for kind in KINDS:
            ok = [p for p in points if p["kind"] == kind and (p["seconds"] is not None or field == "peak_bytes" and kind in untimed)]
            if ok:
                out[kind] = (np.array([p["length"] for p in ok]), np.array([p[field] * scale for p in ok]))
        return out

    memory = series("peak_bytes", 1 / 2**20)
    lengths = np.array(sorted({p["length"] for p in points}))
    memory[WEIGHTS] = (lengths, np.array([attention_bytes(shown["batch"], int(t)) for t in lengths]) / 2**20)
    at = {kind: {int(t): v for t, v in zip(*memory[kind])} for kind in KIND_TITLES if kind in memory}
    both = [int(t) for t in lengths if all(int(t) in at.get(k, {}) for k in ("attention_explicit", "attention", "lstm"))]
    if both:
        t = both[-1]
        st.markdown(_(
            "**At T = {t:,}, explicit attention needed {explicit:,.1f} MiB** at its peak — its T × T weights alone are "
            "{weights:,.1f} MiB — **the LSTM {lstm:,.1f} MiB.** Explicit attention is softmax(QKᵀ/√d)·V as the "
            "textbook writes it. PyTorch's fused kernel computes the same output block by block and never stores the "
            "T × T weights: it needed {fused:,.1f} MiB, on the LSTM's line, but its time still grows as T².").format(
            t=t, explicit=at["attention_explicit"][t], weights=attention_bytes(shown["batch"], t) / 2**20,
            lstm=at["lstm"][t], fused=at["attention"][t]))
    c1, c2 = st.columns(2)
    st.caption(_("Shown: {source}.").format(source=source))
    names = {kind: _(title) for kind, title in KIND_TITLES.items()} | {WEIGHTS: _(WEIGHTS_TITLE)}
    chart(c1, plots.scaling_chart, series("seconds", 1000), _("forward time (ms)"), _("Time of one forward pass"),
          names=names, key="sc_latency")
    chart(c2, plots.scaling_chart, memory, _("peak tensor memory (MiB)"), _("Memory of the forward pass"),
          computed=(WEIGHTS,), names=names, key="sc_memory")

    def cell(point: dict) -> str:
        if point["seconds"] is None:
            if point["kind"] in untimed:
                return _("not timed")
            return _("skipped (needs {size:.1f} GiB)").format(size=point["peak_bytes"] / 2**30)
        steps = point["steps"]
        return ngettext("{n:,} step, {ms:.3g} ms", "{n:,} steps, {ms:.3g} ms", steps).format(
            n=steps, ms=1000 * point["seconds"])

    layer = _("layer")
    st.dataframe([{layer: names[kind], **{f"T = {p['length']}": cell(p) for p in points if p["kind"] == kind}}
                  for kind in KINDS], hide_index=True, width="stretch",
                 column_config={layer: st.column_config.TextColumn(pinned=True)})
    st.caption(_("Sequential steps are counted by construction: T for LSTM and GRU, one per convolution, one for the "
                 "attention layer. Both attention rows are the same layer with the same weights: explicit attention "
                 "computes softmax(QKᵀ/√d)·V as written and holds the scores and the weights (4 heads × T × T numbers "
                 "each) at once; fused attention (PyTorch's scaled-dot-product kernel) gives the same output without "
                 "storing them. Memory is the peak of tensors the forward pass itself allocates (on a GPU, "
                 "torch.cuda.max_memory_allocated); the dashed line is the weights' size from the formula "
                 "batch × heads × T² × 4 bytes."))


st.title(_("CNN vs RNN vs attention"))
st.caption(_("Where each architecture fits, how well it parallelises, how many parameters it needs and how it copes "
             "with long-range structure — measured on one dataset and one machine instead of claimed in a table."))
linked("sc_part", PARTS[0], PARTS)
part = st.segmented_control(_("Part"), PARTS, format_func=lambda p: _(PART_NAMES[p]), key="sc_part") or PARTS[0]

VIEWS = {"MNIST-1D": mnist1d_comparison, "Parallelism": parallelism}
VIEWS[part]()
