"""Gradient lab: gradients that vanish or explode, over time in recurrent networks and over depth in CNNs."""
import numpy as np
import streamlit as st

from core import plots
from core.i18n import N_, _, language, ngettext
from core.probes.gradients import (first_exploded_step, first_layer_share, first_underflowed_step, power_of_ten,
                                   underflowed_layers)
from core.train import LIVE_ADDING, adding_run, train_adding
from core.training.engine import Run, RunPair, first_step_below, history_arrays
from core.training.limits import GRADIENT_LAB
from core.training.tasks import ADDING_BASELINE
from ui import gradient_lab, models, scheduling
from ui.charts import chart
from ui.gradient_lab import linked_slider
from ui.language import in_session_language
from ui.links import linked
from ui.sequences import EXAMPLES
from ui.flow import end_page

PARTS = ["Over time", "Clipping", "Long lag", "Over depth"]  # message ids, shown through `_`
CLIP_STEPS = 600  # the clipping runs' longest


def sentences(*texts: str) -> str:
    """Sentences one after another: a space after an English full stop, none after a Chinese one."""
    return ("" if language() == "zh" else " ").join(text for text in texts if text)


def network_label(residual: bool, depth: int) -> str:
    """A network of the depth experiment as its legend names it ("plain-20", "residual-56"; the palette reads it)."""
    return (_("residual-{depth}") if residual else _("plain-{depth}")).format(depth=depth)


def say_what_is_not_drawn(series: dict[str, np.ndarray]) -> None:
    """One note per curve of ‖∂L/∂h_t‖ that leaves the log axis: overflowed to inf/NaN, or underflowed to 0."""
    for label, norms in series.items():
        exploded = first_exploded_step(norms)
        if exploded is not None:
            st.error(_("{model}: the gradient exploded (overflowed to inf/NaN) at step {step}; those steps are not "
                       "plotted.").format(model=label, step=exploded))
        underflowed = first_underflowed_step(norms)
        if underflowed is not None:
            st.warning(_("{model}: the gradient fell below float32's smallest number (about 10⁻⁴⁵) and became exactly "
                         "0 at t ≤ {step}, so its line stops at t = {next} (0 has no place on a log axis).")
                       .format(model=label, step=underflowed, next=underflowed + 1))


def over_time() -> None:
    """‖∂L/∂h_t‖ of an untrained RNN, LSTM and GRU against t with the Pascanu bound, then of the trained character models."""
    st.markdown(_("L reads the last state h_T. Going back, ∂L/∂h_t picks up a factor W_hhᵀ·diag(φ′) per step, so "
                  "for a vanilla RNN its size is bounded by (γ·σ_max(W_hh))^(T−t) (Pascanu, Mikolov & Bengio 2013). "
                  "LSTM and GRU add a path through a gate that can stay near 1: the LSTM's cell is multiplied by its "
                  "forget gate, c_t = f_t·c_(t−1) + …, the GRU's state by its update gate, "
                  "h_t = z_t·h_(t−1) + (1 − z_t)·n_t."))
    st.caption(_("σ_max(W): W's largest singular value, the most W stretches any vector. γ: the largest slope of φ "
                 "(1 for tanh and ReLU). Orthogonal init: W_hh = ρ·Q, with Q orthogonal (it turns vectors without "
                 "stretching them), so every singular value of W_hh is ρ."))
    kinds = {"orthogonal": N_("orthogonal"), "gaussian": N_("gaussian")}
    phis = {"tanh": "tanh", "relu": "relu", "identity": N_("identity")}
    c1, c2, c3, c4 = st.columns(4)
    steps = linked_slider(c1, _("Sequence length T"), 10, 500, 200, 10, key="gl_T")
    linked("gl_hidden", 64, [8, 16, 32, 64, 128, 256])
    hidden = c2.select_slider(_("Hidden size"), [8, 16, 32, 64, 128, 256], key="gl_hidden")
    linked("gl_kind", "orthogonal", kinds)
    kind = c3.radio(_("Recurrent init"), list(kinds), horizontal=True, key="gl_kind", format_func=lambda k: _(kinds[k]),
                    help=_("orthogonal: W_hh = ρ·Q with Q orthogonal; gaussian: entries N(0, σ²/H)"))
    scale = linked_slider(c4, _("ρ (orthogonal) or σ (gaussian)"), 0.5, 1.5, 0.9, 0.05, key="gl_scale")
    c1, c2, c3, c4 = st.columns(4)
    linked("gl_phi", "tanh", phis)
    nonlinearity = c1.radio(_("RNN nonlinearity"), list(phis), horizontal=True, key="gl_phi",
                            format_func=lambda phi: _(phis[phi]))
    input_scale = linked_slider(c2, _("Input scale"), 0.0, 3.0, 1.0, 0.1, key="gl_in")
    forget_bias = linked_slider(c3, _("LSTM forget-gate bias"), -2.0, 5.0, 1.0, 0.5, key="gl_fb",
                                help=_("f = σ(… + b): the share of c_(t−1) kept, about σ(b) at the start. 1 is the "
                                       "usual choice."))
    update_bias = linked_slider(c4, _("GRU update-gate bias"), -2.0, 5.0, 2.0, 0.5, key="gl_ub",
                                help=_("z = σ(… + b): the share of h_(t−1) kept, about σ(b) at the start."))
    st.caption(_("With both gate biases at 0 the gates start near σ(0) = 0.5 and pass on about half of the old state "
                 "per step: untrained, an LSTM or GRU then loses its gradient faster than an RNN at the default "
                 "ρ = 0.9. Training (below), or a bias that starts the gate near 1, keeps the path open."))
    rnn_label = f"RNN ({nonlinearity})"
    labels = {"rnn": rnn_label, "lstm": "LSTM", "gru": "GRU"}
    gate_bias = {"rnn": 0.0, "lstm": forget_bias, "gru": update_bias}
    series, bound, sigmas = {}, None, {}
    with st.spinner(_("Back-propagating through time …")):
        for cell, label in labels.items():
            norms, sigma, b = gradient_lab.grad_norms_at_init(cell, steps, hidden, kind, scale, nonlinearity, input_scale,
                                                         gate_bias[cell])
            series[label], sigmas[label] = norms, sigma
            if b is not None:
                bound = b
    say_what_is_not_drawn(series)
    kept = {label: power_of_ten(norms[0]) for label, norms in series.items()}
    st.markdown(_("**Untrained, {steps} steps back from the loss the gradient is {rnn} times its size at the loss for "
                  "the {rnn_label}, {lstm} for the LSTM and {gru} for the GRU.**")
                .format(steps=steps - 1, rnn=kept[rnn_label], rnn_label=rnn_label, lstm=kept["LSTM"], gru=kept["GRU"]))
    keeps_no_more = {
        "LSTM": N_("Here the LSTM keeps no more than the RNN: its forget gate starts near σ({bias:g}) = {share:.2f}, so "
                   "each step passes on only that share of the old state. Raise its bias to open the gate."),
        "GRU": N_("Here the GRU keeps no more than the RNN: its update gate starts near σ({bias:g}) = {share:.2f}, so "
                  "each step passes on only that share of the old state. Raise its bias to open the gate."),
    }
    for label, bias in (("LSTM", forget_bias), ("GRU", update_bias)):
        if np.isfinite(series[label][0]) and np.isfinite(series[rnn_label][0]) and series[label][0] <= series[rnn_label][0]:
            st.info(_(keeps_no_more[label]).format(bias=bias, share=1 / (1 + np.exp(-bias))))
    chart(st, plots.grad_norm_chart, series, bound, _("At initialisation, on the same random input"), key="gl_time")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(_("σ_max(W_hh) of the RNN"), f"{sigmas[rnn_label]:.3f}",
              _("explodes if > 1 (bound grows)") if sigmas[rnn_label] > 1 else _("bound shrinks every step"),
              delta_color="off")
    for col, label in ((c2, rnn_label), (c3, "LSTM"), (c4, "GRU")):
        first = series[label][0]
        col.metric(f"{label}: ‖∂L/∂h_0‖", f"{first:.2e}" if np.isfinite(first) else _("exploded"))

    st.subheader(_("The bundled character models, after training"))
    text = EXAMPLES["charlm"]["A Python function"]
    trained = {n.split("_")[1].upper(): gradient_lab.grad_norms_trained(n, text) for n in ("char_rnn", "char_lstm", "char_gru")}
    chart(st, plots.grad_norm_chart, trained, None,
          _("Trained character models on a {n}-character Python snippet").format(n=len(text)), key="gl_trained")
    say_what_is_not_drawn(trained)
    gated_keep_more = trained["LSTM"][0] > trained["RNN"][0] and trained["GRU"][0] > trained["RNN"][0]
    st.markdown((
        _("Trained, {n} characters back the gradient is {rnn} times its size at the loss for the RNN, {lstm} for the "
          "LSTM and {gru} for the GRU: the gated paths carry more of it back.") if gated_keep_more else
        _("Trained, {n} characters back the gradient is {rnn} times its size at the loss for the RNN, {lstm} for the "
          "LSTM and {gru} for the GRU.")
    ).format(n=len(text) - 1, rnn=power_of_ten(trained["RNN"][0]), lstm=power_of_ten(trained["LSTM"][0]),
             gru=power_of_ten(trained["GRU"][0])))


def clipping() -> None:
    """The same exploding RNN trained twice on the adding problem, without and with gradient clipping."""
    st.markdown(_("Train the same vanilla RNN twice on the adding problem (see *Long lag*; always answering 1 scores "
                  "MSE {baseline:.3f}), with its recurrent matrix started at ρ·Q (ρ > 1 makes gradients explode), "
                  "once without and once with clipping the gradient's global norm: a gradient longer than the "
                  "threshold is scaled down to that length before the step.").format(baseline=ADDING_BASELINE))
    st.caption(_("ρ·Q: an orthogonal matrix Q (it turns vectors without stretching them) times ρ, so every singular "
                 "value of W_hh is ρ."))
    c1, c2, c3, c4 = st.columns(4)
    rho = linked_slider(c1, "ρ", 0.8, 3.0, 1.8, 0.1, key="gl_clip_rho")
    threshold = linked_slider(c2, _("Clip threshold"), 0.1, 10.0, 1.0, 0.1, key="gl_clip_thr")
    steps = linked_slider(c3, _("Steps"), 50, CLIP_STEPS, 200, 50, key="gl_clip_steps")
    length = linked_slider(c4, _("Sequence length"), 10, 100, 50, 10, key="gl_clip_T")
    settings = {"ρ": rho, N_("clip threshold"): threshold, N_("steps"): steps, "T": length}
    if st.button(_("Train both runs"), type="primary", key="gl_clip_go") or "gl_clip_runs" not in st.session_state:
        runs = {}
        bar = st.progress(0.0, _("waiting for a free slot …"))
        for k, (run, clip) in enumerate((("free", None), ("clipped", threshold))):
            runs[run] = train_adding(
                "rnn", length, hidden=64, steps=steps, lr=0.05, clip=clip, rho=rho, optimizer="sgd",
                eval_every=steps, time_budget_s=GRADIENT_LAB.max_seconds / 2, step_guard=scheduling.training_slot,
                on_step=lambda r, k=k: bar.progress((k + len(r.steps) / steps) / 2, _("run {k} of 2, step {step}")
                                                    .format(k=k + 1, step=len(r.steps))),
            ).steps
        bar.empty()
        st.session_state["gl_clip_runs"] = (settings, runs)
    ran, runs = st.session_state["gl_clip_runs"]
    if ran != settings:
        st.info(_("The runs below used {settings}: press *Train both runs* to train with the settings above.")
                .format(settings=_(", ").join(f"{_(k)} = {v}" for k, v in ran.items())))

    def outcome(history: list) -> str:
        last = history[-1]
        if not np.isfinite(last.loss) or not np.isfinite(last.grad_norm):
            return _("the gradient overflowed at step {step} and training broke off").format(step=last.step)
        peak = power_of_ten(max(r.grad_norm for r in history))
        if last.step == ran["steps"]:
            return _("all steps ran, the gradient norm before clipping peaked at {peak}, and the loss ended at "
                     "{loss:.3f}").format(peak=peak, loss=last.loss)
        return _("only {done} of {steps} (the time ran out) steps ran, the gradient norm before clipping peaked at "
                 "{peak}, and the loss ended at {loss:.3f}").format(done=last.step, steps=ran["steps"], peak=peak,
                                                                   loss=last.loss)

    free, clipped = runs["free"], runs["clipped"]
    labels = {"free": _("no clipping"), "clipped": _("clipped at {threshold}").format(threshold=ran["clip threshold"])}
    alive = not np.isfinite(free[-1].loss * free[-1].grad_norm) and np.isfinite(clipped[-1].loss * clipped[-1].grad_norm)
    st.markdown(sentences(
        _("**Without clipping, {free}; {clipped_label}, {clipped}.**").format(
            free=outcome(free), clipped_label=labels["clipped"], clipped=outcome(clipped)),
        _("Clipping kept training alive.") if alive else "",
        _("It bounds each step; it does not by itself teach the RNN the long lag (MSE {baseline:.3f} is what always "
          "answering 1 scores).").format(baseline=ADDING_BASELINE),
    ))
    arrays = {labels[k]: history_arrays(h) for k, h in runs.items()}
    losses = {k: (a["step"], a["loss"]) for k, a in arrays.items()}
    norms = {k: (a["step"], a["grad_norm"]) for k, a in arrays.items()}
    c1, c2 = st.columns(2)
    chart(c1, plots.training_curves, losses, _("training MSE (log)"), ADDING_BASELINE, _("Loss per step"),
          key="gl_clip_loss")
    chart(c2, plots.training_curves, norms, _("gradient norm before clipping (log)"), None, _("Gradient norm per step"),
          key="gl_clip_norm")


def long_lag() -> None:
    """The adding problem: the bundled long runs, then the learner's own short ones."""
    st.markdown(_("The adding problem: T numbers, two of them marked, one in each half; the answer is their sum. To "
                  "solve it a network must keep a number for up to T steps. Always answering 1 scores MSE 1/6 ≈ 0.167."))
    curves = models.bundled_curves("adding_T100.json")
    if curves is None:
        st.warning(_("The bundled curves (assets/curves/adding_T100.json) are missing; run `python -m core.train "
                     "adding`."))
    else:
        runs = {cell.upper(): (np.array(r["step"]), np.array(r["val_mse"])) for cell, r in curves["runs"].items()}
        chart(st, plots.training_curves, runs, _("held-out MSE (log)"), ADDING_BASELINE,
              _("Bundled runs: T = {length}, hidden {hidden}, {optimizer}, clip {clip}, {steps} steps").format(
                  length=curves["length"], hidden=curves["hidden"], optimizer=curves["optimizer"], clip=curves["clip"],
                  steps=curves["steps"]), key="gl_lag_bundled")
        broke = {cell: first_step_below(*run, ADDING_BASELINE / 2) for cell, run in runs.items()}
        results = [(_("the {model} fell below half the baseline at step {step:,} (last MSE {mse:.3f})") if broke[cell]
                    else _("the {model} never left the baseline (last MSE {mse:.3f})"))
                   .format(model=cell, step=broke[cell] or 0, mse=runs[cell][1][-1]) for cell in runs]
        st.markdown(_("At T = {length}, {results}.").format(length=curves["length"], results=_(", ").join(results)))
        st.caption(_("Made by `{command}`: {times} on 2 CPU cores.").format(command=curves["command"], times=_(", ").join(
            f"{cell.upper()} {r['seconds']:.0f} s" for cell, r in curves["runs"].items())))
    st.subheader(_("Train them yourself"))
    st.caption(_("A shorter lag, so that a gated model learns within seconds: hidden {hidden}, RMSprop learning rate "
                 "{lr:g}, clip 1, batch 50, at most {seconds:.0f} s of training for all models together.")
               .format(hidden=LIVE_ADDING.hidden, lr=LIVE_ADDING.lr, seconds=GRADIENT_LAB.max_seconds))
    c1, c2, c3 = st.columns(3)
    length = linked_slider(c1, "T", 10, 200, LIVE_ADDING.length, 10, key="gl_lag_T")
    steps = linked_slider(c2, _("Steps per model"), 50, GRADIENT_LAB.max_steps, LIVE_ADDING.steps, 50, key="gl_lag_steps")
    linked("gl_lag_cells", ["rnn", "lstm", "gru"], lambda chosen: len(set(chosen)) == len(chosen)
           and set(chosen) <= {"rnn", "lstm", "gru"})
    cells = c3.multiselect(_("Models"), ["rnn", "lstm", "gru"], format_func=str.upper, key="gl_lag_cells")
    settings = {"T": length, "steps": steps}
    lag: tuple[dict, dict[str, Run], RunPair] | None = st.session_state.get("gl_lag_runs")
    busy = lag is not None and lag[2].running
    if st.button(_("Train"), type="primary", key="gl_lag_go", disabled=busy or not cells):
        share = GRADIENT_LAB.max_seconds / len(cells)  # the models train in turn, a step each, on a budget each
        results = {cell.upper(): adding_run(cell, length, hidden=LIVE_ADDING.hidden, steps=steps, lr=LIVE_ADDING.lr,
                                            clip=1.0, eval_every=25, time_budget_s=share) for cell in cells}
        st.session_state["gl_lag_runs"] = (settings, results, RunPair(list(results.values()), scheduling.training_slot).start())
        st.rerun()
    if lag is None:
        return
    if busy:
        st.fragment(in_session_language(lag_progress), run_every=1.0)(lag)
        return
    ran, results, pair = lag
    if ran != settings:
        st.info(_("The runs below used T = {length} and {steps} steps: press *Train* to train with the settings above.")
                .format(length=ran["T"], steps=ran["steps"]))
    arrays = {k: history_arrays(r.steps, r.epochs) for k, r in results.items()}
    runs = {k: (a["epoch_step"], a["val_loss"]) for k, a in arrays.items()}
    short = [_("{model} stopped at step {step}").format(model=k, step=len(r.steps))
             for k, r in results.items() if len(r.steps) < ran["steps"]]
    if any(r.status == "stopped" for r in results.values()):
        st.caption(_("Stopped: the curves below are what was trained until then."))
    elif short:
        st.caption(_("Out of time: {stopped} ({seconds:.0f} s of training are shared by the models of one run; other "
                     "people's work on this server slows it down).")
                   .format(stopped=_(", ").join(short), seconds=GRADIENT_LAB.max_seconds))
    final = {k: v[-1] for k, (__, v) in runs.items() if len(v)}
    if final:
        st.markdown(lag_lesson(ran["T"], final))
    chart(st, plots.training_curves, runs, _("held-out MSE (log)"), ADDING_BASELINE,
          _("Your runs at T = {length}").format(length=ran["T"]), key="gl_lag_live")


def lag_lesson(length: int, final: dict[str, float]) -> str:
    """What the learner's long-lag runs show, from each model's last held-out MSE (`final`, by "RNN", "LSTM", "GRU")."""
    lesson = _("**Held-out MSE at the end, T = {length}: {results} (always answering 1: {baseline:.3f}).**").format(
        length=length, results=_(", ").join(f"{k} {v:.3f}" for k, v in final.items()), baseline=ADDING_BASELINE)
    learned = [k for k in ("LSTM", "GRU") if final.get(k, np.inf) < ADDING_BASELINE / 2]
    rnn = final.get("RNN")
    if learned:
        models = _("{first} and the {second}").format(first=learned[0], second=learned[1]) if len(learned) == 2 \
            else learned[0]
        return sentences(lesson, (
            _("The {models} learned to carry a marked number across the sequence.") if rnn is None else
            _("The {models} learned to carry a marked number across the sequence; the RNN still answers about the "
              "mean.") if rnn > 0.8 * ADDING_BASELINE else
            _("The {models} learned to carry a marked number across the sequence; at this lag the RNN learns it too.")
            if rnn < ADDING_BASELINE / 2 else
            _("The {models} learned to carry a marked number across the sequence; the RNN has only begun to.")
        ).format(models=models))
    if min(final.values()) > ADDING_BASELINE / 2:
        return sentences(lesson, _("No model has left the baseline yet: give it more steps or a shorter T."))
    return lesson


def lag_progress(lag: tuple[dict, dict[str, Run], RunPair]) -> None:
    """The live long-lag runs' progress, redrawn every second, with Stop; a full rerun when they end shows the curves."""
    ran, results, pair = lag
    if st.button(_("Stop"), key="gl_lag_stop"):
        pair.stop()
        pair.join(5)
    for label, run in results.items():
        st.progress(run.progress, _("{model}: step {step} of {steps}, {seconds:.1f} s").format(
            model=label, step=len(run.steps), steps=ran["steps"], seconds=run.compute_seconds))
    if not pair.running:
        st.rerun()


def over_depth() -> None:
    """Per-layer gradient norms of a plain and a residual CNN stack, and the bundled training curves."""
    st.markdown(_("The same question over depth: a plain stack of convolutions against the same stack with residual "
                  "connections (x + F(x)), whose identity path lets the gradient reach early layers undiminished "
                  "(He et al. 2015). Each point is the gradient norm of one layer's weights, on a batch of 64 shapes."))
    c1, c2, c3, c4 = st.columns(4)
    linked("gl_depths", [20, 56], lambda chosen: len(set(chosen)) == len(chosen) and set(chosen) <= {8, 20, 56})
    depths = c1.multiselect(_("Depths (weight layers)"), [8, 20, 56], key="gl_depths")
    linked("gl_act", "relu", ["relu", "sigmoid"])
    activation = c2.radio(_("Activation"), ["relu", "sigmoid"], horizontal=True, key="gl_act")
    linked("gl_bn", False)
    batch_norm = c3.toggle(_("Batch norm"), key="gl_bn")
    linked("gl_train_steps", 0, [0, 5, 20])
    train_steps = c4.select_slider(_("After SGD steps"), [0, 5, 20], key="gl_train_steps")
    if not depths:
        st.info(_("Pick at least one depth."))
        end_page()
    series, zero_layers, first_share = {}, {}, {}
    with st.spinner(_("One forward and backward pass per network …")):
        for depth in depths:
            for residual in (False, True):
                grads = gradient_lab.depth_grads(depth, residual, activation, batch_norm, train_steps)
                label = network_label(residual, depth)
                values = np.array([v for __, v in grads])
                zero_layers[label] = underflowed_layers(values)
                first_share[label] = first_layer_share(values)
                series[label] = (np.arange(1, len(values) + 1), np.where(values > 0, values, np.nan))
    residual_keeps_more = all(first_share[network_label(True, d)] > 10 * first_share[network_label(False, d)]
                              for d in depths)
    shares = _("; ").join(f"{label} {power_of_ten(share)}" for label, share in first_share.items())
    st.markdown(sentences(
        (_("**At initialisation, the first layer's weights get this share of the last layer's gradient: {shares}.**")
         if not train_steps else
         _("**After {steps} SGD steps, the first layer's weights get this share of the last layer's gradient: "
           "{shares}.**")).format(shares=shares, steps=train_steps),
        _("Through the plain stack the gradient shrinks layer by layer; the identity path of the residual stack "
          "carries it down.") if residual_keeps_more else "",
    ))
    setup = _("{activation}, batch norm").format(activation=activation) if batch_norm else activation
    title = (_("Per-layer gradient norms, {setup}, at initialisation") if not train_steps else
             _("Per-layer gradient norms, {setup}, after {steps} steps")).format(setup=setup, steps=train_steps)
    st.plotly_chart(plots.training_curves(series, _("‖∂L/∂W‖ (log)"), None, title)
                    .update_xaxes(title=_("layer (1 = first, next to the input)")),
                    width="stretch", theme=None, key="gl_depth")
    lost = [ngettext("{network}: {n} layer", "{network}: {n} layers", v).format(network=k, n=v)
            for k, v in zero_layers.items() if v]
    if lost:
        st.warning(_("Gradient exactly 0 (underflowed, not drawn) in {networks}.").format(networks=_("; ").join(lost)))

    st.subheader(_("Does the deeper plain network train worse?"))
    curves = models.bundled_curves("depth_shapes.json")
    if curves is None:
        st.warning(_("The bundled curves (assets/curves/depth_shapes.json) are missing; run `python -m core.train "
                     "depth`."))
    else:
        window = 10
        named = {network_label(k.startswith("residual"), int(k.rsplit("-", 1)[1])): v for k, v in curves["loss"].items()}
        smooth = {k: (np.arange(window, len(v) + 1), np.convolve(v, np.ones(window) / window, mode="valid"))
                  for k, v in named.items()}
        chart(st, plots.training_curves, smooth, _("training loss (moving mean of {window})").format(window=window),
              None, _("Same budget for each: {steps} steps of {optimizer}, batch {batch}, {input}, ReLU + batch norm")
              .format(steps=curves["steps"], optimizer=curves["optimizer"], batch=curves["batch"], input=curves["input"]),
              log_y=False, key="gl_depth_train")
        final = {k: float(np.mean(v[-20:])) for k, v in named.items()}
        st.caption(_("Made by `{command}` in {seconds} s on 2 CPU cores. Mean loss over the last 20 steps: {losses}. "
                     "He et al. (2015) saw the 56-layer plain network train worse than the 20-layer one, and the "
                     "residual one train best — over far longer runs.").format(
            command=curves["command"], seconds=curves["seconds"],
            losses=_(", ").join(f"{k} {v:.2f}" for k, v in final.items())))


st.title(_("Gradient lab"))
st.caption(_("Backpropagation multiplies one Jacobian per step (or per layer): the matrix of derivatives of each "
             "number a step puts out with respect to each number it takes in, such as ∂h_t/∂h_(t−1). Multiply many "
             "numbers below 1 and the gradient vanishes; above 1 and it explodes. Here you can measure both."))
linked("gl_part", PARTS[0], PARTS)
part = st.segmented_control(_("Part"), PARTS, key="gl_part", format_func=_) or PARTS[0]

VIEWS = {N_("Over time"): over_time, N_("Clipping"): clipping, N_("Long lag"): long_lag, N_("Over depth"): over_depth}
VIEWS[part]()
