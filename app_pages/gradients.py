"""Gradient lab: gradients that vanish or explode, over time in recurrent networks and over depth in CNNs."""
import numpy as np
import streamlit as st

from core import plots
from core.probes.gradients import (first_exploded_step, first_layer_share, first_underflowed_step, power_of_ten,
                                   underflowed_layers)
from core.train import LIVE_ADDING, adding_run, train_adding
from core.training.engine import Run, RunPair, first_step_below, history_arrays
from core.training.limits import GRADIENT_LAB
from core.training.tasks import ADDING_BASELINE
from ui import loaders
from ui.charts import chart
from ui.sequences import EXAMPLES
from ui.flow import end_page

PARTS = ["Over time", "Clipping", "Long lag", "Over depth"]
CLIP_STEPS = 600  # the clipping runs' longest


def say_what_is_not_drawn(series: dict[str, np.ndarray]) -> None:
    """One note per curve of ‖∂L/∂h_t‖ that leaves the log axis: overflowed to inf/NaN, or underflowed to 0."""
    for label, norms in series.items():
        exploded = first_exploded_step(norms)
        if exploded is not None:
            st.error(f"{label}: the gradient exploded (overflowed to inf/NaN) at step {exploded}; "
                     "those steps are not plotted.")
        underflowed = first_underflowed_step(norms)
        if underflowed is not None:
            st.warning(f"{label}: the gradient fell below float32's smallest number (about 10⁻⁴⁵) and became "
                       f"exactly 0 at t ≤ {underflowed}, so its line stops at t = {underflowed + 1} (0 has no place "
                       "on a log axis).")


def over_time() -> None:
    """‖∂L/∂h_t‖ of an untrained RNN, LSTM and GRU against t with the Pascanu bound, then of the trained character models."""
    st.markdown("L reads the last state h_T. Going back, ∂L/∂h_t picks up a factor W_hhᵀ·diag(φ′) per step, so "
                "for a vanilla RNN its size is bounded by (γ·σ_max(W_hh))^(T−t) (Pascanu, Mikolov & Bengio 2013). "
                "LSTM and GRU add a path through a gate that can stay near 1: the LSTM's cell is multiplied by its "
                "forget gate, c_t = f_t·c_(t−1) + …, the GRU's state by its update gate, h_t = z_t·h_(t−1) + (1 − z_t)·n_t.")
    st.caption("σ_max(W): W's largest singular value, the most W stretches any vector. γ: the largest slope of φ "
               "(1 for tanh and ReLU). Orthogonal init: W_hh = ρ·Q, with Q orthogonal (it turns vectors without "
               "stretching them), so every singular value of W_hh is ρ.")
    c1, c2, c3, c4 = st.columns(4)
    steps = c1.slider("Sequence length T", 10, 500, 200, 10, key="gl_T")
    hidden = c2.select_slider("Hidden size", [8, 16, 32, 64, 128, 256], 64, key="gl_hidden")
    kind = c3.radio("Recurrent init", ["orthogonal", "gaussian"], horizontal=True, key="gl_kind",
                    help="orthogonal: W_hh = ρ·Q with Q orthogonal; gaussian: entries N(0, σ²/H)")
    scale = c4.slider("ρ (orthogonal) or σ (gaussian)", 0.5, 1.5, 0.9, 0.05, key="gl_scale")
    c1, c2, c3, c4 = st.columns(4)
    nonlinearity = c1.radio("RNN nonlinearity", ["tanh", "relu", "identity"], horizontal=True, key="gl_phi")
    input_scale = c2.slider("Input scale", 0.0, 3.0, 1.0, 0.1, key="gl_in")
    forget_bias = c3.slider("LSTM forget-gate bias", -2.0, 5.0, 1.0, 0.5, key="gl_fb",
                            help="f = σ(… + b): the share of c_(t−1) kept, about σ(b) at the start. 1 is the usual choice.")
    update_bias = c4.slider("GRU update-gate bias", -2.0, 5.0, 2.0, 0.5, key="gl_ub",
                            help="z = σ(… + b): the share of h_(t−1) kept, about σ(b) at the start.")
    st.caption("With both gate biases at 0 the gates start near σ(0) = 0.5 and pass on about half of the old state "
               "per step: untrained, an LSTM or GRU then loses its gradient faster than an RNN at the default ρ = 0.9."
               " Training (below), or a bias that starts the gate near 1, keeps the path open.")
    rnn_label = f"RNN ({nonlinearity})"
    labels = {"rnn": rnn_label, "lstm": "LSTM", "gru": "GRU"}
    gate_bias = {"rnn": 0.0, "lstm": forget_bias, "gru": update_bias}
    series, bound, sigmas = {}, None, {}
    with st.spinner("Back-propagating through time …"):
        for cell, label in labels.items():
            norms, sigma, b = loaders.grad_norms_at_init(cell, steps, hidden, kind, scale, nonlinearity, input_scale,
                                                         gate_bias[cell])
            series[label], sigmas[label] = norms, sigma
            if b is not None:
                bound = b
    say_what_is_not_drawn(series)
    kept = {label: power_of_ten(norms[0]) for label, norms in series.items()}
    st.markdown(f"**Untrained, {steps - 1} steps back from the loss the gradient is {kept[rnn_label]} times its size "
                f"at the loss for the {rnn_label}, {kept['LSTM']} for the LSTM and {kept['GRU']} for the GRU.**")
    for label, bias, gate in (("LSTM", forget_bias, "forget"), ("GRU", update_bias, "update")):
        if np.isfinite(series[label][0]) and np.isfinite(series[rnn_label][0]) and series[label][0] <= series[rnn_label][0]:
            st.info(f"Here the {label} keeps no more than the RNN: its {gate} gate starts near σ({bias:g}) = "
                    f"{1 / (1 + np.exp(-bias)):.2f}, so each step passes on only that share of the old state. "
                    "Raise its bias to open the gate.")
    chart(st, plots.grad_norm_chart, series, bound, "At initialisation, on the same random input", key="gl_time")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("σ_max(W_hh) of the RNN", f"{sigmas[rnn_label]:.3f}",
              "explodes if > 1 (bound grows)" if sigmas[rnn_label] > 1 else "bound shrinks every step", delta_color="off")
    for col, label in ((c2, rnn_label), (c3, "LSTM"), (c4, "GRU")):
        first = series[label][0]
        col.metric(f"{label}: ‖∂L/∂h_0‖", f"{first:.2e}" if np.isfinite(first) else "exploded")

    st.subheader("The bundled character models, after training")
    text = EXAMPLES["charlm"]["A Python function"]
    trained = {n.split("_")[1].upper(): loaders.grad_norms_trained(n, text) for n in ("char_rnn", "char_lstm", "char_gru")}
    chart(st, plots.grad_norm_chart, trained, None, f"Trained character models on a {len(text)}-character Python snippet",
          key="gl_trained")
    say_what_is_not_drawn(trained)
    gated_keep_more = trained["LSTM"][0] > trained["RNN"][0] and trained["GRU"][0] > trained["RNN"][0]
    st.markdown(f"Trained, {len(text) - 1} characters back the gradient is {power_of_ten(trained['RNN'][0])} times its "
                f"size at the loss for the RNN, {power_of_ten(trained['LSTM'][0])} for the LSTM and "
                f"{power_of_ten(trained['GRU'][0])} for the GRU" + (": the gated paths carry more of it back."
                                                                   if gated_keep_more else "."))


def clipping() -> None:
    """The same exploding RNN trained twice on the adding problem, without and with gradient clipping."""
    st.markdown("Train the same vanilla RNN twice on the adding problem (see *Long lag*; always answering 1 scores "
                f"MSE {ADDING_BASELINE:.3f}), with its recurrent matrix started at ρ·Q (ρ > 1 makes gradients explode), "
                "once without and once with clipping the gradient's global norm: a gradient longer than the "
                "threshold is scaled down to that length before the step.")
    st.caption("ρ·Q: an orthogonal matrix Q (it turns vectors without stretching them) times ρ, so every singular "
               "value of W_hh is ρ.")
    c1, c2, c3, c4 = st.columns(4)
    rho = c1.slider("ρ", 0.8, 3.0, 1.8, 0.1, key="gl_clip_rho")
    threshold = c2.slider("Clip threshold", 0.1, 10.0, 1.0, 0.1, key="gl_clip_thr")
    steps = c3.slider("Steps", 50, CLIP_STEPS, 200, 50, key="gl_clip_steps")
    length = c4.slider("Sequence length", 10, 100, 50, 10, key="gl_clip_T")
    settings = {"ρ": rho, "clip threshold": threshold, "steps": steps, "T": length}
    if st.button("Train both runs", type="primary", key="gl_clip_go") or "gl_clip_runs" not in st.session_state:
        runs = {}
        bar = st.progress(0.0, "waiting for a free slot …")
        for k, (label, clip) in enumerate((("no clipping", None), (f"clipped at {threshold}", threshold))):
            runs[label] = train_adding(
                "rnn", length, hidden=64, steps=steps, lr=0.05, clip=clip, rho=rho, optimizer="sgd",
                eval_every=steps, time_budget_s=GRADIENT_LAB.max_seconds / 2, step_guard=loaders.training_slot,
                on_step=lambda r, k=k: bar.progress((k + len(r.steps) / steps) / 2, f"run {k + 1} of 2, step {len(r.steps)}"),
            ).steps
        bar.empty()
        st.session_state["gl_clip_runs"] = (settings, runs)
    ran, runs = st.session_state["gl_clip_runs"]
    if ran != settings:
        st.info("The runs below used " + ", ".join(f"{k} = {v}" for k, v in ran.items())
                + ": press *Train both runs* to train with the settings above.")

    def outcome(history: list) -> str:
        last = history[-1]
        if not np.isfinite(last.loss) or not np.isfinite(last.grad_norm):
            return f"the gradient overflowed at step {last.step} and training broke off"
        ran_all = "all" if last.step == ran["steps"] else f"only {last.step} of {ran['steps']} (the time ran out)"
        return (f"{ran_all} steps ran, the gradient norm before clipping peaked at "
                f"{power_of_ten(max(r.grad_norm for r in history))}, and the loss ended at {last.loss:.3f}")

    (free_label, free), (clip_label, clipped) = runs.items()
    alive = not np.isfinite(free[-1].loss * free[-1].grad_norm) and np.isfinite(clipped[-1].loss * clipped[-1].grad_norm)
    st.markdown(f"**Without clipping, {outcome(free)}; {clip_label}, {outcome(clipped)}.**"
                + (" Clipping kept training alive." if alive else "")
                + f" It bounds each step; it does not by itself teach the RNN the long lag (MSE {ADDING_BASELINE:.3f} "
                "is what always answering 1 scores).")
    arrays = {k: history_arrays(h) for k, h in runs.items()}
    losses = {k: (a["step"], a["loss"]) for k, a in arrays.items()}
    norms = {k: (a["step"], a["grad_norm"]) for k, a in arrays.items()}
    c1, c2 = st.columns(2)
    chart(c1, plots.training_curves, losses, "training MSE (log)", ADDING_BASELINE, "Loss per step",
          key="gl_clip_loss")
    chart(c2, plots.training_curves, norms, "gradient norm before clipping (log)", None, "Gradient norm per step",
          key="gl_clip_norm")


def long_lag() -> None:
    """The adding problem: the bundled long runs, then the learner's own short ones."""
    st.markdown("The adding problem: T numbers, two of them marked, one in each half; the answer is their sum. "
                "To solve it a network must keep a number for up to T steps. Always answering 1 scores MSE 1/6 ≈ 0.167.")
    curves = loaders.bundled_curves("adding_T100.json")
    if curves is None:
        st.warning("The bundled curves (assets/curves/adding_T100.json) are missing; run `python -m core.train adding`.")
    else:
        runs = {cell.upper(): (np.array(r["step"]), np.array(r["val_mse"])) for cell, r in curves["runs"].items()}
        chart(st, plots.training_curves, runs, "held-out MSE (log)", ADDING_BASELINE, f"Bundled runs: T = {curves['length']}, hidden {curves['hidden']}, "
                                              f"{curves['optimizer']}, clip {curves['clip']}, {curves['steps']} steps", key="gl_lag_bundled")
        broke = {cell: first_step_below(*run, ADDING_BASELINE / 2) for cell, run in runs.items()}
        st.markdown(f"At T = {curves['length']}, " + ", ".join(
            f"the {cell} " + (f"fell below half the baseline at step {broke[cell]:,}" if broke[cell] else "never left the baseline")
            + f" (last MSE {runs[cell][1][-1]:.3f})" for cell in runs) + ".")
        st.caption("Made by `" + curves["command"] + "`: " + ", ".join(
            f"{cell.upper()} {r['seconds']:.0f} s" for cell, r in curves["runs"].items()) + " on 2 CPU cores.")
    st.subheader("Train them yourself")
    st.caption(f"A shorter lag, so that a gated model learns within seconds: hidden {LIVE_ADDING.hidden}, RMSprop "
               f"learning rate {LIVE_ADDING.lr:g}, clip 1, batch 50, at most {GRADIENT_LAB.max_seconds:.0f} s of training for all models together.")
    c1, c2, c3 = st.columns(3)
    length = c1.slider("T", 10, 200, LIVE_ADDING.length, 10, key="gl_lag_T")
    steps = c2.slider("Steps per model", 50, GRADIENT_LAB.max_steps, LIVE_ADDING.steps, 50, key="gl_lag_steps")
    cells = c3.multiselect("Models", ["rnn", "lstm", "gru"], ["rnn", "lstm", "gru"], format_func=str.upper,
                           key="gl_lag_cells")
    settings = {"T": length, "steps": steps}
    lag: tuple[dict, dict[str, Run], RunPair] | None = st.session_state.get("gl_lag_runs")
    busy = lag is not None and lag[2].running
    if st.button("Train", type="primary", key="gl_lag_go", disabled=busy or not cells):
        share = GRADIENT_LAB.max_seconds / len(cells)  # the models train in turn, a step each, on a budget each
        results = {cell.upper(): adding_run(cell, length, hidden=LIVE_ADDING.hidden, steps=steps, lr=LIVE_ADDING.lr,
                                            clip=1.0, eval_every=25, time_budget_s=share) for cell in cells}
        st.session_state["gl_lag_runs"] = (settings, results, RunPair(list(results.values()), loaders.training_slot).start())
        st.rerun()
    if lag is None:
        return
    if busy:
        st.fragment(lag_progress, run_every=1.0)(lag)
        return
    ran, results, pair = lag
    if ran != settings:
        st.info(f"The runs below used T = {ran['T']} and {ran['steps']} steps: press *Train* to train with the "
                "settings above.")
    arrays = {k: history_arrays(r.steps, r.epochs) for k, r in results.items()}
    runs = {k: (a["epoch_step"], a["val_loss"]) for k, a in arrays.items()}
    short = [f"{k} stopped at step {len(r.steps)}" for k, r in results.items() if len(r.steps) < ran["steps"]]
    if any(r.status == "stopped" for r in results.values()):
        st.caption("Stopped: the curves below are what was trained until then.")
    elif short:
        st.caption("Out of time: " + ", ".join(short) + f" ({GRADIENT_LAB.max_seconds:.0f} s of training are shared by the models of one run; "
                   "other people's work on this server slows it down).")
    final = {k: v[-1] for k, (_, v) in runs.items() if len(v)}
    if final:
        learned = [k for k in ("LSTM", "GRU") if final.get(k, np.inf) < ADDING_BASELINE / 2]
        lesson = f"**Held-out MSE at the end, T = {ran['T']}: " + ", ".join(f"{k} {v:.3f}" for k, v in final.items())
        lesson += f" (always answering 1: {ADDING_BASELINE:.3f}).**"
        rnn = final.get("RNN")
        if learned:
            lesson += f" The {' and the '.join(learned)} learned to carry a marked number across the sequence"
            if rnn is not None:
                lesson += ("; the RNN still answers about the mean." if rnn > 0.8 * ADDING_BASELINE else
                           "; at this lag the RNN learns it too." if rnn < ADDING_BASELINE / 2 else
                           "; the RNN has only begun to.")
            else:
                lesson += "."
        elif min(final.values()) > ADDING_BASELINE / 2:
            lesson += " No model has left the baseline yet: give it more steps or a shorter T."
        st.markdown(lesson)
    chart(st, plots.training_curves, runs, "held-out MSE (log)", ADDING_BASELINE, f"Your runs at T = {ran['T']}",
          key="gl_lag_live")


def lag_progress(lag: tuple[dict, dict[str, Run], RunPair]) -> None:
    """The live long-lag runs' progress, redrawn every second, with Stop; a full rerun when they end shows the curves."""
    ran, results, pair = lag
    if st.button("Stop", key="gl_lag_stop"):
        pair.stop()
        pair.join(5)
    for label, run in results.items():
        st.progress(run.progress, f"{label}: step {len(run.steps)} of {ran['steps']}, {run.compute_seconds:.1f} s")
    if not pair.running:
        st.rerun()


def over_depth() -> None:
    """Per-layer gradient norms of a plain and a residual CNN stack, and the bundled training curves."""
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
        end_page()
    series, zero_layers, first_share = {}, {}, {}
    with st.spinner("One forward and backward pass per network …"):
        for depth in depths:
            for residual in (False, True):
                grads = loaders.depth_grads(depth, residual, activation, batch_norm, train_steps)
                label = f"{'residual' if residual else 'plain'}-{depth}"
                values = np.array([v for _, v in grads])
                zero_layers[label] = underflowed_layers(values)
                first_share[label] = first_layer_share(values)
                series[label] = (np.arange(1, len(values) + 1), np.where(values > 0, values, np.nan))
    residual_keeps_more = all(first_share[f"residual-{d}"] > 10 * first_share[f"plain-{d}"] for d in depths)
    when = "At initialisation" if not train_steps else f"After {train_steps} SGD steps"
    st.markdown(f"**{when}, the first layer's weights get this share of the last layer's gradient: "
                + "; ".join(f"{label} {power_of_ten(share)}" for label, share in first_share.items())
                + ".**" + (" Through the plain stack the gradient shrinks layer by layer; the identity path of the "
                          "residual stack carries it down." if residual_keeps_more else ""))
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


st.title("Gradient lab")
st.caption("Backpropagation multiplies one Jacobian per step (or per layer): the matrix of derivatives of each "
           "number a step puts out with respect to each number it takes in, such as ∂h_t/∂h_(t−1). Multiply many numbers "
           "below 1 and the gradient vanishes; above 1 and it explodes. Here you can measure both.")
part = st.segmented_control("Part", PARTS, default=PARTS[0], key="gl_part") or PARTS[0]

VIEWS = {"Over time": over_time, "Clipping": clipping, "Long lag": long_lag, "Over depth": over_depth}
VIEWS[part]()
