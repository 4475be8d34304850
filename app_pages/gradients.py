"""Gradient lab: gradients that vanish or explode, over time in recurrent networks and over depth in CNNs."""
import numpy as np
import streamlit as st

from core import plots
from core.probes.gradients import first_exploded_step
from core.train import ADDING_BASELINE, train_adding
from ui import loaders
from ui.charts import chart
from ui.sequences import EXAMPLES

PARTS = ["Over time", "Clipping", "Long lag", "Over depth"]
MAX_STEPS, MAX_SECONDS = 600, 45

st.title("Gradient lab")
st.caption("Backpropagation multiplies one Jacobian per step (or per layer). Multiply many numbers below 1 and the "
           "gradient vanishes; above 1 and it explodes. Here you can measure both.")
part = st.segmented_control("Part", PARTS, default=PARTS[0], key="gl_part") or PARTS[0]

if part == "Over time":
    st.markdown("L reads the last state h_T. Going back, ∂L/∂h_t picks up a factor W_hhᵀ·diag(φ′) per step, so "
                "for a vanilla RNN its size is bounded by (γ·σ_max(W_hh))^(T−t) (Pascanu, Mikolov & Bengio 2013; "
                "γ bounds |φ′|, 1 for tanh and ReLU). LSTM and GRU add a path through gates that can stay near 1.")
    c1, c2, c3, c4 = st.columns(4)
    steps = c1.slider("Sequence length T", 10, 500, 200, 10, key="gl_T")
    hidden = c2.select_slider("Hidden size", [8, 16, 32, 64, 128, 256], 64, key="gl_hidden")
    kind = c3.radio("Recurrent init", ["orthogonal", "gaussian"], horizontal=True, key="gl_kind",
                    help="orthogonal: W_hh = ρ·Q with Q orthogonal; gaussian: entries N(0, σ²/H)")
    scale = c4.slider("ρ (orthogonal) or σ (gaussian)", 0.5, 1.5, 0.9, 0.05, key="gl_scale")
    c1, c2, c3, _ = st.columns(4)
    nonlinearity = c1.radio("RNN nonlinearity", ["tanh", "relu", "identity"], horizontal=True, key="gl_phi")
    input_scale = c2.slider("Input scale", 0.0, 3.0, 1.0, 0.1, key="gl_in")
    forget_bias = c3.slider("LSTM forget-gate bias", -2.0, 5.0, 1.0, 0.5, key="gl_fb")
    series, bound, sigmas = {}, None, {}
    with st.spinner("Back-propagating through time …"):
        for cell in ("rnn", "lstm", "gru"):
            norms, sigma, b = loaders.grad_norms_at_init(cell, steps, hidden, kind, scale, nonlinearity, input_scale, forget_bias)
            label = {"rnn": f"RNN ({nonlinearity})", "lstm": "LSTM", "gru": "GRU"}[cell]
            series[label], sigmas[label] = norms, sigma
            if b is not None:
                bound = b
            exploded = first_exploded_step(norms)
            if exploded is not None:
                st.error(f"{label}: the gradient exploded (overflowed to inf/NaN) at step {exploded}; "
                         "those steps are not plotted.")
    chart(st, plots.grad_norm_chart, series, bound, "At initialisation, on the same random input", key="gl_time")
    c1, c2, c3 = st.columns(3)
    rnn_label = f"RNN ({nonlinearity})"
    c1.metric("σ_max(W_hh) of the RNN", f"{sigmas[rnn_label]:.3f}",
              "explodes if > 1 (bound grows)" if sigmas[rnn_label] > 1 else "bound shrinks every step", delta_color="off")
    for col, label in ((c2, rnn_label), (c3, "LSTM")):
        first = series[label][0]
        col.metric(f"{label}: ‖∂L/∂h_0‖", f"{first:.2e}" if np.isfinite(first) else "exploded")

    st.subheader("The bundled character models, after training")
    text = EXAMPLES["charlm"]["A Python function"]
    trained = {n: loaders.grad_norms_trained(n, text) for n in ("char_rnn", "char_lstm", "char_gru")}
    chart(st, plots.grad_norm_chart, {k.split("_")[1].upper(): v for k, v in trained.items()}, None,
          f"Trained character models on a {len(text)}-character Python snippet", key="gl_trained")

elif part == "Clipping":
    st.markdown("Train the same vanilla RNN twice on the adding problem, with its recurrent matrix started at ρ·Q "
                "(ρ > 1 makes gradients explode), once without and once with clipping the gradient's global norm.")
    c1, c2, c3, c4 = st.columns(4)
    rho = c1.slider("ρ", 0.8, 3.0, 1.8, 0.1, key="gl_clip_rho")
    threshold = c2.slider("Clip threshold", 0.1, 10.0, 1.0, 0.1, key="gl_clip_thr")
    steps = c3.slider("Steps", 50, MAX_STEPS, 200, 50, key="gl_clip_steps")
    length = c4.slider("Sequence length", 10, 100, 50, 10, key="gl_clip_T")
    if st.button("Train both runs", type="primary", key="gl_clip_go"):
        runs = {}
        bar = st.progress(0.0, "waiting for a free slot …")
        for k, (label, clip) in enumerate((("no clipping", None), (f"clipped at {threshold}", threshold))):
            runs[label] = train_adding(
                "rnn", length, hidden=64, steps=steps, lr=0.05, clip=clip, rho=rho, optimizer="sgd",
                eval_every=steps, time_budget_s=MAX_SECONDS / 2, step_guard=loaders.training_slot,
                on_step=lambda r, k=k: bar.progress((k + r.step / steps) / 2, f"run {k + 1} of 2, step {r.step}"),
            )
        bar.empty()
        st.session_state["gl_clip_runs"] = runs
    runs = st.session_state.get("gl_clip_runs")
    if runs:
        for label, history in runs.items():
            if not np.isfinite(history[-1].loss) or not np.isfinite(history[-1].grad_norm):
                st.error(f"{label}: the gradient exploded at step {history[-1].step} (loss or norm became inf/NaN); "
                         "training stopped there.")
        losses = {k: (np.array([r.step for r in h]), np.array([r.loss for r in h])) for k, h in runs.items()}
        norms = {k: (np.array([r.step for r in h]), np.array([r.grad_norm for r in h])) for k, h in runs.items()}
        c1, c2 = st.columns(2)
        chart(c1, plots.training_curves, losses, "training MSE (log)", ADDING_BASELINE, "Loss per step",
              key="gl_clip_loss")
        chart(c2, plots.training_curves, norms, "gradient norm before clipping (log)", None, "Gradient norm per step",
              key="gl_clip_norm")
    else:
        st.info(f"Press *Train both runs* (at most {MAX_STEPS} steps and {MAX_SECONDS} s in all).")

elif part == "Long lag":
    st.markdown("The adding problem: T numbers, two of them marked, one in each half; the answer is their sum. "
                "To solve it a network must keep a number for up to T steps. Always answering 1 scores MSE 1/6 ≈ 0.167.")
    curves = loaders.bundled_curves("adding_T100.json")
    if curves is None:
        st.warning("The bundled curves (assets/curves/adding_T100.json) are missing; run `python -m core.train adding`.")
    else:
        runs = {cell.upper(): (np.array(r["step"]), np.array(r["val_mse"])) for cell, r in curves["runs"].items()}
        chart(st, plots.training_curves, runs, "held-out MSE (log)", ADDING_BASELINE, f"Bundled runs: T = {curves['length']}, hidden {curves['hidden']}, "
                                              f"{curves['optimizer']}, clip {curves['clip']}, {curves['steps']} steps", key="gl_lag_bundled")
        st.caption("Made by `" + curves["command"] + "`: " + ", ".join(
            f"{cell.upper()} {r['seconds']:.0f} s" for cell, r in curves["runs"].items()) + " on 2 CPU cores.")
    st.subheader("Train them yourself")
    c1, c2, c3 = st.columns(3)
    length = c1.slider("T", 10, 200, 50, 10, key="gl_lag_T")
    steps = c2.slider("Steps per model", 50, MAX_STEPS, 300, 50, key="gl_lag_steps")
    cells = c3.multiselect("Models", ["rnn", "lstm", "gru"], ["rnn", "lstm", "gru"], key="gl_lag_cells")
    b1, b2, _ = st.columns([1, 1, 4])
    go, stop = b1.button("Train", type="primary", key="gl_lag_go"), b2.button("Stop", key="gl_lag_stop")
    if stop and "gl_lag_runs" in st.session_state:
        st.caption("Stopped: the curves below are what was trained until then.")
    if go and cells:
        bar = st.progress(0.0, "starting …")
        results: dict[str, list] = {}
        st.session_state["gl_lag_runs"] = (length, results)  # filled step by step, so Stop keeps what was done

        def record(r, k: int) -> None:
            results.setdefault(cells[k].upper(), []).append(r)
            bar.progress((k + r.step / steps) / len(cells), f"{cells[k].upper()}: step {r.step}")

        for k, cell in enumerate(cells):
            train_adding(cell, length, hidden=64, steps=steps, lr=1e-3, clip=1.0, eval_every=25,
                         time_budget_s=MAX_SECONDS / len(cells), step_guard=loaders.training_slot,
                         on_step=lambda r, k=k: record(r, k))
        bar.empty()
    if "gl_lag_runs" in st.session_state:
        length, results = st.session_state["gl_lag_runs"]
        runs = {k: (np.array([r.step for r in h if np.isfinite(r.val_mse)]), np.array([r.val_mse for r in h if np.isfinite(r.val_mse)]))
                for k, h in results.items()}
        chart(st, plots.training_curves, runs, "held-out MSE (log)", ADDING_BASELINE, f"Your runs at T = {length}",
              key="gl_lag_live")

else:
    st.markdown("The same question over depth: a plain stack of convolutions against the same stack with residual "
                "connections (x + F(x)), whose identity path lets the gradient reach early layers undiminished "
                "(He et al. 2015). Each point is the gradient norm of one layer's weights, on a batch of 64 shapes.")
    c1, c2, c3, c4 = st.columns(4)
    depths = c1.multiselect("Depths (weight layers)", [8, 20, 56], [20, 56], key="gl_depths")
    activation = c2.radio("Activation", ["relu", "sigmoid"], horizontal=True, key="gl_act")
    batch_norm = c3.toggle("Batch norm", value=False, key="gl_bn")
    train_steps = c4.select_slider("After SGD steps", [0, 5, 20], 0, key="gl_train_steps")
    if not depths:
        st.info("Pick at least one depth.")
        st.stop()
    series = {}
    zero_layers = {}
    with st.spinner("One forward and backward pass per network …"):
        for depth in depths:
            for residual in (False, True):
                grads = loaders.depth_grads(depth, residual, activation, batch_norm, train_steps)
                label = f"{'residual' if residual else 'plain'}-{depth}"
                values = np.array([v for _, v in grads])
                zero_layers[label] = int((values == 0).sum())
                series[label] = (np.arange(1, len(values) + 1), np.where(values > 0, values, np.nan))
    st.plotly_chart(plots.training_curves(series, "‖∂L/∂W‖ (log)", None,
                                          f"Per-layer gradient norms, {activation}{', batch norm' if batch_norm else ''}, "
                                          f"{'at initialisation' if not train_steps else f'after {train_steps} steps'}")
                    .update_xaxes(title="layer (1 = first, next to the input)"),
                    width="stretch", theme=None, key="gl_depth")
    lost = [f"{k}: {v} layers" for k, v in zero_layers.items() if v]
    if lost:
        st.warning("Gradient exactly 0 (underflowed, not drawn) in " + "; ".join(lost) + ".")

    st.subheader("Does the deeper plain network train worse?")
    curves = loaders.bundled_curves("depth_shapes.json")
    if curves is None:
        st.warning("The bundled curves (assets/curves/depth_shapes.json) are missing; run `python -m core.train depth`.")
    else:
        window = 10
        smooth = {k: (np.arange(window, len(v) + 1), np.convolve(v, np.ones(window) / window, mode="valid"))
                  for k, v in curves["loss"].items()}
        chart(st, plots.training_curves, smooth, f"training loss (moving mean of {window})", None, f"Same budget for each: {curves['steps']} steps of {curves['optimizer']}, "
                                              f"batch {curves['batch']}, {curves['input']}, ReLU + batch norm", log_y=False, key="gl_depth_train")
        final = {k: float(np.mean(v[-20:])) for k, v in curves["loss"].items()}
        st.caption(f"Made by `{curves['command']}` in {curves['seconds']} s on 2 CPU cores. Mean loss over the last 20 "
                   "steps: " + ", ".join(f"{k} {v:.2f}" for k, v in final.items()) + ". He et al. (2015) saw the 56-layer "
                   "plain network train worse than the 20-layer one, and the residual one train best — over far longer runs.")
