"""Training lab: set up two runs of the same task with different choices, train them side by side, compare."""
import numpy as np
import streamlit as st

from core import lab, plots
from core.training import engine
from core.training.limits import TRAINING_LAB
from core.training.tasks import OWN_TASKS, TASKS, Task, TaskData
from core.data.preprocess import to_display
from ui import models, own_models, scheduling
from ui.charts import chart
from ui.own_data import SOURCES, dataset_panel

PAIR_KEY = "tl_pair"
RUNS = ("A", "B")
LRS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0]
BATCHES = [8, 16, 32, 64, 128, 256, 512]
DECAYS = [0.0, 1e-5, 1e-4, 1e-3, 1e-2, 0.1]
CLIPS = [0.0, 0.1, 0.5, 1.0, 5.0, 10.0]
SCHEDULES = {"constant": "constant", "step": "step (×0.1 after each third)", "cosine": "cosine to 0",
             "onecycle": "one-cycle (warm up, then anneal)"}
AUGMENT_NAMES = {"shift": "random shift", "rotate": "rotation", "flip": "horizontal flip", "noise": "noise"}
# Each task opens on two runs that differ in one choice (core.lab says which and why); every setting can then be changed.
DEFAULTS: dict[str, lab.DefaultPair] = {**lab.DEFAULT_PAIRS, **{k: lab.OWN_DEFAULT_PAIRS[v.task] for k, v in SOURCES.items()}}
CHOICES: dict[str, Task] = {**TASKS, **{k: OWN_TASKS[v.task] for k, v in SOURCES.items()}}
WHERE = {"pictures": "Feature maps and Saliency", "characters": "Hidden states and Gates"}  # where a trained model can be looked at

st.title("Training lab")
st.caption("The usual advice — dropout, batch norm, augmentation, a learning-rate schedule, weight decay, gradient "
           "clipping — is easy to repeat and hard to believe until you see it. Each task opens on two runs that "
           "differ in one choice; train both at once, compare the curves, then change one choice of your own.")

pair: engine.RunPair | None = st.session_state.get(PAIR_KEY)
busy = pair is not None and pair.running
last: dict[str, tuple[engine.RunConfig, ...]] = st.session_state.setdefault("tl_last", {})  # survives a page switch
choices = list(CHOICES)
choice = st.selectbox("Task", choices, choices.index(st.session_state.get("tl_choice", "digits")),
                      format_func=lambda c: CHOICES[c].title, key="tl_task", disabled=busy)
task = CHOICES[choice]
data: TaskData | None = None
if choice in SOURCES:
    data = dataset_panel(choice, busy)
    if data is None and not busy:
        st.stop()


def run_form(run: str, column) -> engine.RunConfig | None:
    """One run's settings (widget bounds refuse nonsense); None with a message when the lab refuses the mix."""
    if choice in last:  # what was last trained: widgets forget their values when the user visits another page
        d = last[choice][RUNS.index(run)].__dict__
    else:
        d = vars(DEFAULTS[choice].a if run == "A" else DEFAULTS[choice].b)
    k = f"tl_{run}_{choice}"
    c = column.container(border=True)
    c.markdown(f"**Run {run}**")
    a, b = c.columns(2)
    cell = d["cell"]
    if task.networks:
        cells = task.networks
        cell = a.radio("Network", cells, cells.index(d["cell"]), key=f"{k}_cell", horizontal=True,
                       format_func=lambda c: "1-D CNN" if c == "cnn" else c.upper(), disabled=busy)
    optimizer = b.radio("Optimizer", engine.OPTIMIZERS, engine.OPTIMIZERS.index(d["optimizer"]), key=f"{k}_opt",
                        horizontal=True, format_func={"sgd": "SGD + momentum", "adam": "Adam", "rmsprop": "RMSprop"}.get,
                        disabled=busy)
    lr = a.select_slider("Learning rate", LRS, d["lr"], key=f"{k}_lr", disabled=busy)
    schedule = b.selectbox("Schedule", list(SCHEDULES), list(SCHEDULES).index(d["schedule"]), key=f"{k}_sched",
                           format_func=SCHEDULES.get, disabled=busy)
    batch = a.select_slider("Batch size", BATCHES, d["batch_size"], key=f"{k}_batch", disabled=busy)
    epochs = b.number_input("Epochs", 1, TRAINING_LAB.max_epochs, d["epochs"], key=f"{k}_epochs", disabled=busy)
    dropout = a.slider("Dropout", 0.0, 0.7, float(d["dropout"]), 0.1, key=f"{k}_drop", disabled=busy)
    decay = b.select_slider("Weight decay", DECAYS, d["weight_decay"], key=f"{k}_wd", disabled=busy)
    clip = a.select_slider("Clip gradient norm at", CLIPS, d["clip"], key=f"{k}_clip", disabled=busy,
                           format_func=lambda v: "off" if v == 0 else f"{v:g}")
    seed = b.number_input("Seed", 0, 10_000, d["seed"], key=f"{k}_seed", disabled=busy)
    batch_norm = c.toggle("Batch norm", d["batch_norm"], key=f"{k}_bn", disabled=busy or not task.picture,
                          help=None if task.picture else
                          "Batch norm fits convolutional layers; recurrent networks use layer norm instead.")
    augment = c.multiselect("Augmentation", task.augmentations, list(d["augment"]), key=f"{k}_aug",
                            format_func=AUGMENT_NAMES.get, disabled=busy)
    layers, hidden, embed = (), d["hidden"], d["embed"]
    built, built_rnn = own_models.built_cnn(), own_models.built_rnn()
    if task.picture and built and c.checkbox(
            f"Use the network you built ({len(built)} layers)", bool(d["layers"]), key=f"{k}_built", disabled=busy,
            help="Built on the Your models page; its dropout and batch-norm layers replace the two settings above."):
        layers, dropout, batch_norm = tuple(built), 0.0, False
    if task.sizes and built_rnn and c.checkbox(
            f"Use the sizes you chose (hidden {built_rnn[1]}, embedding {built_rnn[0] or 'one-hot'})",
            (d["hidden"], d["embed"]) == (built_rnn[1], built_rnn[0]), key=f"{k}_built_rnn", disabled=busy):
        embed, hidden = built_rnn
    config = engine.RunConfig(task.name, optimizer, float(lr), schedule, int(batch), int(epochs), float(dropout),
                           bool(batch_norm), tuple(augment), float(decay), float(clip), int(seed), cell, layers,
                           int(hidden), int(embed))
    steps = task.steps_per_epoch(config.batch_size, data)
    try:
        engine.validate(config, task, data, TRAINING_LAB)
    except engine.RunConfigError as err:
        c.error(str(err))
        return None
    c.caption(f"{steps} steps per epoch, {steps * config.epochs} in all (at most {TRAINING_LAB.max_steps} steps and "
              f"{TRAINING_LAB.max_seconds:.0f} s of training per run).")
    return config


columns = st.columns(2, gap="medium")
configs = [run_form(run, col) for run, col in zip(RUNS, columns)]

if st.button("Train both", type="primary", key="tl_go", disabled=busy or None in configs):
    device = scheduling.device_choice().device
    with st.spinner("Preparing the data …"):
        runs = [engine.Run(config, device, f"run {run}", data, task=task, limits=TRAINING_LAB)
                for run, config in zip(RUNS, configs)]
    st.session_state[PAIR_KEY] = engine.RunPair(runs, scheduling.training_slot).start()
    st.session_state["tl_choice"] = choice
    last[choice] = tuple(configs)
    st.session_state["tl_adopted"] = False
    st.rerun()  # redraw the settings as locked while the runs train

if pair is None:
    st.info("Choose the settings of both runs and press **Train both**. Both train at once, step by step, and the "
            "curves update while they train; you may go to another page and come back.")
    st.stop()


def histories(p: engine.RunPair) -> dict[str, dict[str, np.ndarray]]:
    """Each run's history as arrays (read while the runs append to it)."""
    out = {}
    for run in p.runs:
        steps, epochs = list(run.steps), list(run.epochs)
        out[run.label] = {
            "step": np.array([s.step for s in steps]), "loss": np.array([s.loss for s in steps]),
            "lr": np.array([s.lr for s in steps]), "grad_norm": np.array([s.grad_norm for s in steps]),
            "epoch_step": np.array([e.step for e in epochs]), "val_loss": np.array([e.val_loss for e in epochs]),
            "train_accuracy": np.array([e.train_accuracy for e in epochs]),
            "val_accuracy": np.array([e.val_accuracy for e in epochs]),
        }
    return out


def train_below_note(run: engine.Run, latest: engine.EpochRecord) -> str:
    """Why this run's training score sits below its held-out one, with the numbers of its latest epoch."""
    c = run.config
    on = " and ".join(name for name, used in (("dropout", c.dropout), ("augmentation", c.augment)) if used)
    return (f"{run.label}: training {run.task.format_metric(latest.train_accuracy)} is below held-out "
            f"{run.task.format_metric(latest.val_accuracy)} because training is scored with {on} on (a handicap "
            f"the held-out test, on the whole network and clean inputs, does not have) and averaged over an epoch "
            f"in which the model was still improving.")


@st.fragment(run_every=1.0 if busy else None)
def live() -> None:
    """Progress and curves, redrawn every second while training; a full rerun when it ends shows the results."""
    p: engine.RunPair = st.session_state[PAIR_KEY]
    if p.running and st.button("Stop", key="tl_stop"):
        p.stop()
        p.join(5)
    cols = st.columns(len(p.runs))
    for col, run in zip(cols, p.runs):
        done = len(run.steps)
        text = (f"{run.label}: step {done} of {run.total_steps}, {run.compute_seconds:.1f} s" if not run.finished
                else f"{run.label}: {run.message}")
        col.progress(run.progress, text)
        col.caption(run.config.describe(run.task))
        if run.status == "diverged":
            col.error(run.message)
    if p.error:
        st.error(f"Training failed: {p.error}")
    st.plotly_chart(plots.lab_curves(histories(p), metric=p.runs[0].task.metric),
                    width="stretch", theme=None, key="tl_curves")
    for run in p.runs:
        if (latest := lab.train_below_held_out(run)) is not None:
            st.caption(train_below_note(run, latest))
    if busy and not p.running:
        st.rerun()


live()
if busy:
    st.caption("Training … the curves update every second. Switching pages does not stop it.")
    st.stop()

runs = pair.runs
if runs[0].task != task or choice != st.session_state.get("tl_choice", choice):
    st.info("The last runs were on another task; press **Train both** to train on this one.")
    st.stop()
st.subheader("Results")
summary = lab.lesson(runs[0], runs[1], lab.default_spread(runs[0].config, runs[1].config, DEFAULTS.get(choice)))
if summary is not None:
    st.markdown(f"**What this pair shows.** {summary}")
rows = []
shown = task.show


for run in runs:
    last = run.epochs[-1] if run.epochs else None
    rows.append({
        "run": run.label, "ended": run.status, "steps": len(run.steps),
        "seconds": round(run.compute_seconds, 1),
        "training loss (last epoch)": None if last is None else round(last.train_loss, 4),
        "held-out loss": None if last is None else round(last.val_loss, 4),
        task.held_out: None if last is None else shown(last.val_accuracy),
        f"best {task.held_out}": shown(max(e.val_accuracy for e in run.epochs)) if run.epochs else None,
    })
st.dataframe(rows, hide_index=True, width="stretch")
if task.note:
    st.caption(task.note)

data = runs[0].data


def char_label(index: int) -> str:
    """A vocabulary symbol as a table can show it (newline, space and tab made visible)."""
    return {"\n": "↵", " ": "␣", "\t": "⇥"}.get(data.classes[index], data.classes[index])


if task.results == "series":
    n = min(300, len(data.y_val))
    chart(st, plots.line_chart, {"actual": data.y_val.numpy()[-n:],
                                 **{run.label: run.outcome.predictions[-n:] for run in runs if run.outcome is not None}},
          "held-out step", "value (standardised)", f"The last {n} held-out values and each run's one-step prediction",
          key="tl_series_fit")
cols = st.columns(len(runs))
for col, run in zip(cols, runs):
    if not run.steps or run.outcome is None:
        col.info(f"{run.label} did no training step.")
        continue
    outcome = run.outcome
    col.markdown(f"**{run.label}**")
    if task.results == "pictures":
        chart(col, plots.confusion_matrix, outcome.confusion, data.classes,
              f"{run.label}: held-out confusion ({int(np.trace(outcome.confusion))} of {len(outcome.targets)} right)",
              key=f"tl_confusion_{run.label}")
        wrong = outcome.mistakes[:12]
        if len(wrong):
            spec = models.spec_of(task.normalised_as)  # how inputs were normalised
            col.caption(f"The {len(wrong)} mistakes it was surest of (true → predicted), of {len(outcome.mistakes)}:")
            col.image([to_display(data.x_val[i:i + 1], spec.preprocessing) for i in wrong], width=64,
                      caption=[f"{data.classes[outcome.targets[i]]} → {data.classes[outcome.predictions[i]]}"
                               for i in wrong])
    elif task.results == "characters":
        counts = outcome.confusion.copy()
        np.fill_diagonal(counts, 0)
        top = np.argsort(-counts, axis=None)[:10]
        col.caption(f"Next-character accuracy {np.mean(outcome.predictions == outcome.targets):.1%} on "
                    f"{outcome.targets.size:,} held-out characters. The commonest mistakes:")
        col.dataframe([{"true": char_label(t // counts.shape[0]), "predicted": char_label(t % counts.shape[0]),
                        "times": int(counts.flat[t])} for t in top if counts.flat[t]], hide_index=True)
    elif task.results == "answers":
        col.caption("The worst answers on held-out sequences:")
        col.dataframe([{"true sum": round(float(outcome.targets[i]), 3), "answer": round(float(outcome.predictions[i]), 3)}
                       for i in outcome.mistakes[:8]], hide_index=True)
    d1, d2 = col.columns(2)
    stem = f"lab_{choice}_{run.label.replace(' ', '_')}"
    d1.download_button("History (CSV)", lambda run=run: engine.history_csv(run), f"{stem}.csv", "text/csv",
                       key=f"tl_csv_{run.label}")
    d2.download_button("Weights (safetensors)", lambda run=run: engine.weights_bytes(run), f"{stem}.safetensors",
                       "application/octet-stream", key=f"tl_weights_{run.label}")

if task.results in WHERE:
    if not st.session_state.get("tl_adopted"):
        st.session_state["tl_adopted"] = [own.spec.title for run in runs
                                          if (own := own_models.adopt_lab_run(run, run.label.split()[-1],
                                                                               scheduling.device_choice().device))]
    adopted = st.session_state["tl_adopted"]
    if adopted:
        st.success(f"For the rest of this session, {' and '.join(adopted)} can be picked (marked ★) on the "
                   f"{WHERE[task.results]} pages. They are yours only: other users do not see them, and nothing is saved.")
else:
    st.caption("These models read numbers, not pictures or text, so the other pages cannot show them.")
