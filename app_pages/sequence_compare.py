"""CNN vs RNN vs attention on the same data (MNIST-1D), and how each scales with sequence length."""
import numpy as np
import streamlit as st

from core import plots
from core.data.mnist1d import CLASSES, LENGTH
from core.models.mnist1d import MNIST1D_MODELS
from core.probes.scaling import CONV_LAYERS, KINDS, attention_bytes
from core.train_mnist1d import mnist1d_run
from core.training.engine import RunPair
from core.training.limits import MNIST1D_PAGE
from ui import loaders
from ui.charts import chart
from ui.flow import end_page

PARTS = ["MNIST-1D", "Parallelism"]
KIND_TITLES = {"conv1d": f"Conv1d × {CONV_LAYERS}", "lstm": "LSTM", "gru": "GRU", "attention": "fused attention",
               "attention_explicit": "explicit attention"}
WEIGHTS_TITLE = "explicit attention's T × T weights (computed)"


def mnist1d_comparison() -> None:
    """Seven models on MNIST-1D: the bundled table, a retrain, one test sequence through every model."""
    results = loaders.bundled_curves("mnist1d_results.json")
    if results is None:
        st.warning("The bundled MNIST-1D results (assets/curves/mnist1d_results.json) are missing; "
                   "run `python -m core.train_mnist1d`.")
        end_page()
    with st.spinner("Generating MNIST-1D (offline, ≈ 4 s the first time) …"):
        data = loaders.mnist1d()
    st.markdown(
        "**MNIST-1D** (Greydanus 2020) turns each digit into a 1-D template of 40 numbers and then pads, scales, "
        "shears, shifts and adds noise, so the digit can sit anywhere in the sequence. It is small enough to "
        "train seven models here in minutes and hard enough to separate them: a model that only weighs "
        "positions (logistic regression) fails, one that looks for local shapes anywhere (a CNN) does well.")
    chart(st, plots.sequence_samples, data.x_test, data.y_test, CLASSES,
          title="One test sequence of each digit (the inputs every model gets)", key="sc_samples")

    device = loaders.device_choice()
    rows = []
    for name, spec in MNIST1D_MODELS.items():
        r = results["models"].get(name)
        if r is None:
            continue
        acc = 100 * np.asarray(r["accuracy"])
        here = loaders.mnist1d_costs(name, device.kind)
        rows.append({
            "model": spec.title, "family": spec.family,
            "test accuracy %": f"{acc.mean():.1f} ± {acc.std():.1f} (n = {len(acc)})",
            "paper %": "—" if spec.paper_accuracy is None else f"{spec.paper_accuracy:.0f}",
            "parameters": f"{r['params']:,}", "FLOPs / sequence": f"{r['flops']:,}",
            "sequential steps": spec.sequential_steps,
            "training s (bundled run)": f"{np.mean(r['train_seconds']):.0f}",
            f"latency here, ms ({device.kind})": f"{here['latency_ms']:.3f}",
        })
    text = st.column_config.TextColumn
    st.dataframe(rows, hide_index=True, width="stretch", column_config={  # short headers: nine columns fit the page
        "model": text(pinned=True),
        "test accuracy %": text("accuracy %", help="test accuracy, mean ± standard deviation over seeds"),
        "FLOPs / sequence": text("FLOPs", help="floating-point operations for one sequence"),
        "sequential steps": text("steps", help="operations that must run one after another for one sequence"),
        "training s (bundled run)": text("train s", help="seconds the bundled run trained"),
        f"latency here, ms ({device.kind})": text(f"ms ({device.kind})", help="latency of one sequence, measured now here"),
    })
    st.caption(f"Bundled runs: {results['training']}; {results['machine']}. Mean ± standard deviation over seeds; "
               "“paper” is Greydanus (2020), whose models differ in size. Latency is one sequence, measured now "
               "on this server. FLOPs of the recurrent models are counted by formula (torch's counter skips "
               "their fused kernels).")

    with st.expander("Retrain a model yourself (your runs stay in this browser session)"):
        c1, c2, c3 = st.columns([2, 1, 1])
        which = c1.selectbox("Model", list(MNIST1D_MODELS), key="sc_retrain_model",
                             format_func=lambda n: MNIST1D_MODELS[n].title)
        epochs = c2.slider("Epochs", 5, 150, 30, 5, key="sc_retrain_epochs")
        seed = c3.number_input("Seed", 0, 10_000, 7, key="sc_retrain_seed")
        retrains: list[RunPair] = st.session_state.setdefault("sc_retrains", [])  # this session's, oldest first
        busy = bool(retrains) and retrains[-1].running
        if st.button("Train", type="primary", key="sc_retrain_go", disabled=busy):
            run = mnist1d_run(which, int(seed), epochs, MNIST1D_PAGE)
            run.label = MNIST1D_MODELS[which].title
            retrains.append(RunPair([run], loaders.training_slot).start())
            st.rerun()
        if busy:
            st.fragment(retrain_progress, run_every=1.0)(retrains[-1])
        elif retrains and retrains[-1].runs[0].status == "capped":
            st.info(f"Stopped after {len(retrains[-1].runs[0].epochs)} epochs: a run here is capped at "
                    f"{MNIST1D_PAGE.max_seconds:.0f} s of training.")
        runs = [{"model": r.label, "seed": r.config.seed, "epochs": r.epochs[-1].epoch,
                 "test accuracy %": round(100 * r.epochs[-1].val_accuracy, 1), "seconds": round(r.epochs[-1].seconds, 1)}
                for pair in retrains if not pair.running for r in pair.runs if r.epochs]
        if runs:
            st.dataframe(runs, hide_index=True, width="stretch")

    st.subheader("One test sequence, every model")
    index = st.slider("Test sequence", 0, len(data.y_test) - 1, 3, key="sc_index")
    truth = int(data.y_test[index])
    seen = {name: loaders.mnist1d_inspect(name, index) for name in MNIST1D_MODELS if name in results["models"]}
    cols = st.columns(len(seen))
    for col, (name, out) in zip(cols, seen.items()):
        guess = int(out["probs"].argmax())
        col.metric(MNIST1D_MODELS[name].title.split(" (")[0], f"“{CLASSES[guess]}”",
                   f"{out['probs'][guess]:.0%}, " + ("right" if guess == truth else f"wrong: “{CLASSES[truth]}”"),
                   delta_color="normal" if guess == truth else "inverse")
    chart(st, plots.sequence_saliency, data.x_test[index], {n: o["saliency"] for n, o in seen.items()},
          {n: MNIST1D_MODELS[n].title.split(" (")[0] for n in seen},
          title=f"Test sequence {index} (a “{CLASSES[truth]}”) and, per model, gradient × input of its prediction",
          key="sc_saliency")
    st.caption("Red positions pushed the model towards its answer, blue ones away. The CNN's map follows the digit's "
               "shape wherever it sits; logistic regression weighs fixed positions.")

    recurrent = [n for n in ("rnn", "lstm", "gru") if n in seen]
    if recurrent:
        st.markdown("**What the recurrent models carried along the sequence** (hidden state h_t, units × positions)")
        positions = [str(t) if t % 10 == 0 else "" for t in range(LENGTH)]
        for col, name in zip(st.columns(len(recurrent)), recurrent):
            chart(col, plots.state_heatmap, seen[name]["states"], positions, title=MNIST1D_MODELS[name].title,
                  x_title="position", key=f"sc_states_{name}")
    if "transformer" in seen:
        weights = seen["transformer"]["attention"]
        chart(st, plots.attention_heads, weights, [str(t) for t in range(LENGTH)], [str(t) for t in range(LENGTH)],
              [f"head {h + 1}" for h in range(weights.shape[0])],
              title="The Transformer's attention: each position (row) over all 40 positions (columns), one step",
              query_title="position (attending)", key_title="position (attended to)", key="sc_heads")


def retrain_progress(retrain: RunPair) -> None:
    """The retrain's progress, redrawn every second, with Stop; a full rerun when it ends adds it to the table."""
    run = retrain.runs[0]
    if st.button("Stop", key="sc_retrain_stop"):
        retrain.stop()
        retrain.join(5)
    latest = f", test accuracy {run.epochs[-1].val_accuracy:.1%}" if run.epochs else ""
    st.progress(run.progress, f"{run.label}: epoch {len(run.epochs)} of {run.config.epochs}{latest}")
    if not retrain.running:
        st.rerun()


def parallelism() -> None:
    """Time and memory of Conv1d, LSTM, GRU and attention against sequence length, bundled or measured now."""
    st.markdown(
        "A recurrent layer must finish step t − 1 before step t, so one sequence takes T steps one after another. "
        "A stack of convolutions takes one step per layer, and self-attention one step per layer, whatever T — "
        "but attention compares every position with every other, T² pairs. Below, layers of the same width "
        "(64) read the same input; the figure shows where the parallel layers win and where attention's "
        "quadratic cost catches up.")
    bundled = loaders.bundled_curves("scaling_cpu.json")
    live = st.session_state.get("sc_scaling")
    c1, c2, c3 = st.columns([1, 1, 2])
    batch = c1.selectbox("Batch size", [1, 8, 32], key="sc_batch")
    longest = c2.selectbox("Longest sequence", [1024, 2048, 4096], index=2, key="sc_longest")
    device = loaders.device_choice()
    if c3.button(f"Measure on this server ({device.kind})", type="primary", key="sc_measure"):
        lengths = tuple(t for t in (16, 64, 256, 1024, 2048, 4096) if t <= longest)
        with st.spinner(f"Timing four layers at {len(lengths)} lengths, batch {batch} …"):
            live = {"batch": batch, "device": device.kind, "points": loaders.scaling_sweep(lengths, batch, device.kind)}
        st.session_state["sc_scaling"] = live
    shown = live or bundled
    if shown is None:
        st.info("Press *Measure* (the bundled measurements, assets/curves/scaling_cpu.json, are missing).")
        end_page()
    source = (f"measured now on this server ({shown['device']}, batch {shown['batch']})" if live
              else f"bundled: {shown['machine']}, batch {shown['batch']} (`{shown['command']}`)")
    points = shown["points"]
    untimed = [] if live else shown.get("untimed", {}).get("kinds", [])
    if untimed:
        source += f"; explicit attention's memory added by `{shown['untimed']['command']}`, not timed"

    def series(field: str, scale: float = 1.0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        out = {}
        for kind in KINDS:
            ok = [p for p in points if p["kind"] == kind and (p["seconds"] is not None or field == "peak_bytes" and kind in untimed)]
            if ok:
                out[KIND_TITLES[kind]] = (np.array([p["length"] for p in ok]), np.array([p[field] * scale for p in ok]))
        return out

    memory = series("peak_bytes", 1 / 2**20)
    lengths = np.array(sorted({p["length"] for p in points}))
    memory[WEIGHTS_TITLE] = (lengths, np.array([attention_bytes(shown["batch"], int(t)) for t in lengths]) / 2**20)
    at = {kind: {int(t): v for t, v in zip(*memory[title])} for kind, title in KIND_TITLES.items() if title in memory}
    both = [int(t) for t in lengths if all(int(t) in at.get(k, {}) for k in ("attention_explicit", "attention", "lstm"))]
    if both:
        t = both[-1]
        st.markdown(
            f"**At T = {t:,}, explicit attention needed {at['attention_explicit'][t]:,.1f} MiB** at its peak — its T × T "
            f"weights alone are {attention_bytes(shown['batch'], t) / 2**20:,.1f} MiB — **the LSTM "
            f"{at['lstm'][t]:,.1f} MiB.** Explicit attention is softmax(QKᵀ/√d)·V as the textbook writes it. PyTorch's "
            f"fused kernel computes the same output block by block and never stores the T × T weights: it needed "
            f"{at['attention'][t]:,.1f} MiB, on the LSTM's line, but its time still grows as T².")
    c1, c2 = st.columns(2)
    st.caption(f"Shown: {source}.")
    chart(c1, plots.scaling_chart, series("seconds", 1000), "forward time (ms)", "Time of one forward pass", key="sc_latency")
    chart(c2, plots.scaling_chart, memory, "peak tensor memory (MiB)", "Memory of the forward pass",
          computed=(WEIGHTS_TITLE,), key="sc_memory")
    def cell(point: dict) -> str:
        if point["seconds"] is None:
            if point["kind"] in untimed:
                return "not timed"
            return f"skipped (needs {point['peak_bytes'] / 2**30:.1f} GiB)"
        steps = point["steps"]
        return f"{steps:,} step{'s' if steps > 1 else ''}, {1000 * point['seconds']:.3g} ms"

    st.dataframe([{"layer": KIND_TITLES[kind], **{f"T = {p['length']}": cell(p) for p in points if p["kind"] == kind}}
                  for kind in KINDS], hide_index=True, width="stretch",
                 column_config={"layer": st.column_config.TextColumn(pinned=True)})
    st.caption("Sequential steps are counted by construction: T for LSTM and GRU, one per convolution, one for the "
               "attention layer. Both attention rows are the same layer with the same weights: explicit attention "
               "computes softmax(QKᵀ/√d)·V as written and holds the scores and the weights (4 heads × T × T numbers "
               "each) at once; fused attention (PyTorch's scaled-dot-product kernel) gives the same output without "
               "storing them. Memory is the peak of tensors the forward pass itself allocates (on a GPU, "
               "torch.cuda.max_memory_allocated); the dashed line is the weights' size from the formula "
               "batch × heads × T² × 4 bytes.")


st.title("CNN vs RNN vs attention")
st.caption("Where each architecture fits, how well it parallelises, how many parameters it needs and how it copes "
           "with long-range structure — measured on one dataset and one machine instead of claimed in a table.")
part = st.segmented_control("Part", PARTS, default=PARTS[0], key="sc_part") or PARTS[0]

VIEWS = {"MNIST-1D": mnist1d_comparison, "Parallelism": parallelism}
VIEWS[part]()
