"""Training lab: set up two runs of the same task with different choices, train them side by side, compare."""
from dataclasses import dataclass

import streamlit as st

from core import lab, plots
from core.training import engine
from core.training.limits import TRAINING_LAB
from core.training.tasks import OWN_TASKS, TASKS, Task, TaskData
from core.data.preprocess import to_display
from ui import models, own_models, scheduling
from ui.charts import chart
from ui.own_data import SOURCES, dataset_panel
from ui.flow import end_page

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


@dataclass(frozen=True)
class Setup:
    """What the lab trains on: the task box's choice, its task, the user's own data (None for a bundled task),
    and whether a pair is training (every setting is then locked)."""

    choice: str
    task: Task
    data: TaskData | None
    busy: bool


def task_setup(busy: bool) -> Setup:
    """The task box, and the data panel when the task trains on the user's own data (stops the page until
    there is data)."""
    choices = list(CHOICES)
    choice = st.selectbox("Task", choices, choices.index(st.session_state.get("tl_choice", "digits")),
                          format_func=lambda c: CHOICES[c].title, key="tl_task", disabled=busy)
    data: TaskData | None = None
    if choice in SOURCES:
        data = dataset_panel(choice, busy)
        if data is None and not busy:
            end_page()
    return Setup(choice, CHOICES[choice], data, busy)


def run_form(run: str, column, setup: Setup, trained: tuple[engine.RunConfig, ...] | None) -> engine.RunConfig | None:
    """One run's settings (widget bounds refuse nonsense), opening on what was last `trained` on this task or else
    on its default pair; None with a message when the lab refuses the mix."""
    choice, task, data, busy = setup.choice, setup.task, setup.data, setup.busy
    if trained is not None:  # what was last trained: widgets forget their values when the user visits another page
        d = trained[RUNS.index(run)].__dict__
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


def start_pair(setup: Setup, configs: list[engine.RunConfig | None], last: dict[str, tuple[engine.RunConfig, ...]]) -> None:
    """The *Train both* button: start both runs on a background thread and redraw the page locked."""
    if not st.button("Train both", type="primary", key="tl_go", disabled=setup.busy or None in configs):
        return
    device = scheduling.device_choice().device
    with st.spinner("Preparing the data …"):
        runs = [engine.Run(config, device, f"run {run}", setup.data, task=setup.task, limits=TRAINING_LAB)
                for run, config in zip(RUNS, configs)]
    st.session_state[PAIR_KEY] = engine.RunPair(runs, scheduling.training_slot,
                                                connected=scheduling.session_watch()).start()
    st.session_state["tl_choice"] = setup.choice
    last[setup.choice] = tuple(configs)
    st.session_state["tl_adopted"] = False
    st.rerun()  # redraw the settings as locked while the runs train


def train_below_note(run: engine.Run, latest: engine.EpochRecord) -> str:
    """Why this run's training score sits below its held-out one, with the numbers of its latest epoch."""
    c = run.config
    on = " and ".join(name for name, used in (("dropout", c.dropout), ("augmentation", c.augment)) if used)
    return (f"{run.label}: training {run.task.format_metric(latest.train_accuracy)} is below held-out "
            f"{run.task.format_metric(latest.val_accuracy)} because training is scored with {on} on (a handicap "
            f"the held-out test, on the whole network and clean inputs, does not have) and averaged over an epoch "
            f"in which the model was still improving.")


def live(busy: bool) -> None:
    """Progress and curves (a fragment redrawn every second while training); a full rerun when it ends shows the
    results."""
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
    st.plotly_chart(plots.lab_curves({run.label: engine.history_arrays(run.steps, run.epochs) for run in p.runs},
                                     metric=p.runs[0].task.metric),
                    width="stretch", theme=None, key="tl_curves")
    for run in p.runs:
        if (latest := lab.train_below_held_out(run)) is not None:
            st.caption(train_below_note(run, latest))
    if busy and not p.running:
        st.rerun()


def results_table(runs: list[engine.Run], setup: Setup) -> None:
    """The pair's lesson in one sentence, then one row of numbers per run."""
    task = setup.task
    summary = lab.lesson(runs[0], runs[1], lab.default_spread(runs[0].config, runs[1].config, DEFAULTS.get(setup.choice)))
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


def series_fit(runs: list[engine.Run]) -> None:
    """A series task: the last held-out values against each run's one-step prediction."""
    data = runs[0].data
    n = min(300, len(data.y_val))
    chart(st, plots.line_chart, {"actual": data.y_val.numpy()[-n:],
                                 **{run.label: run.outcome.predictions[-n:] for run in runs if run.outcome is not None}},
          "held-out step", "value (standardised)", f"The last {n} held-out values and each run's one-step prediction",
          key="tl_series_fit")


def char_label(symbol: str) -> str:
    """A vocabulary symbol as a table can show it (newline, space and tab made visible)."""
    return {"\n": "↵", " ": "␣", "\t": "⇥"}.get(symbol, symbol)


def mistakes(col, run: engine.Run) -> None:
    """What one finished run got wrong: its confusion and surest mistakes (pictures), its commonest wrong
    characters (text) or its worst answers (numbers)."""
    task, data, outcome = run.task, run.data, run.outcome
    if task.results == "pictures":
        chart(col, plots.confusion_matrix, outcome.confusion, data.classes,
              f"{run.label}: held-out confusion ({lab.right_count(outcome)} of {len(outcome.targets)} right)",
              key=f"tl_confusion_{run.label}")
        wrong = outcome.mistakes[:12]
        if len(wrong):
            spec = models.spec_of(task.normalised_as)  # how inputs were normalised
            col.caption(f"The {len(wrong)} mistakes it was surest of (true → predicted), of {len(outcome.mistakes)}:")
            col.image([to_display(data.x_val[i:i + 1], spec.preprocessing) for i in wrong], width=64,
                      caption=[f"{data.classes[outcome.targets[i]]} → {data.classes[outcome.predictions[i]]}"
                               for i in wrong])
    elif task.results == "characters":
        col.caption(f"Next-character accuracy {lab.right_count(outcome) / outcome.targets.size:.1%} on "
                    f"{outcome.targets.size:,} held-out characters. The commonest mistakes:")
        col.dataframe([{"true": char_label(data.classes[true]), "predicted": char_label(data.classes[predicted]),
                        "times": times} for true, predicted, times in lab.commonest_mistakes(outcome.confusion, 10)],
                      hide_index=True)
    elif task.results == "answers":
        col.caption("The worst answers on held-out sequences:")
        col.dataframe([{"true sum": round(float(outcome.targets[i]), 3), "answer": round(float(outcome.predictions[i]), 3)}
                       for i in outcome.mistakes[:8]], hide_index=True)


def downloads(col, run: engine.Run, choice: str) -> None:
    """The run's history as CSV and its weights as safetensors."""
    d1, d2 = col.columns(2)
    stem = f"lab_{choice}_{run.label.replace(' ', '_')}"
    d1.download_button("History (CSV)", lambda run=run: engine.history_csv(run), f"{stem}.csv", "text/csv",
                       key=f"tl_csv_{run.label}")
    d2.download_button("Weights (safetensors)", lambda run=run: engine.weights_bytes(run), f"{stem}.safetensors",
                       "application/octet-stream", key=f"tl_weights_{run.label}")


def adopt(runs: list[engine.Run], task: Task) -> None:
    """Offer the finished models to the pages that can look inside them, for this session."""
    if task.results not in WHERE:
        st.caption("These models read numbers, not pictures or text, so the other pages cannot show them.")
        return
    if not st.session_state.get("tl_adopted"):
        st.session_state["tl_adopted"] = [own.spec.title for run in runs
                                          if (own := own_models.adopt_lab_run(run, run.label.split()[-1],
                                                                               scheduling.device_choice().device))]
    adopted = st.session_state["tl_adopted"]
    if adopted:
        st.success(f"For the rest of this session, {' and '.join(adopted)} can be picked (marked ★) on the "
                   f"{WHERE[task.results]} pages. They are yours only: other users do not see them, and nothing is saved.")


st.title("Training lab")
st.caption("The usual advice — dropout, batch norm, augmentation, a learning-rate schedule, weight decay, gradient "
           "clipping — is easy to repeat and hard to believe until you see it. Each task opens on two runs that "
           "differ in one choice; train both at once, compare the curves, then change one choice of your own.")

pair: engine.RunPair | None = st.session_state.get(PAIR_KEY)
busy = pair is not None and pair.running
last: dict[str, tuple[engine.RunConfig, ...]] = st.session_state.setdefault("tl_last", {})  # survives a page switch
setup = task_setup(busy)
configs = [run_form(run, col, setup, last.get(setup.choice)) for run, col in zip(RUNS, st.columns(2, gap="medium"))]
start_pair(setup, configs, last)
if pair is None:
    st.info("Choose the settings of both runs and press **Train both**. Both train at once, step by step, and the "
            "curves update while they train; you may go to another page and come back.")
    end_page()

st.fragment(live, run_every=1.0 if busy else None)(busy)
if busy:
    st.caption("Training … the curves update every second. Switching pages does not stop it.")
    end_page()
runs = pair.runs
if runs[0].task != setup.task or setup.choice != st.session_state.get("tl_choice", setup.choice):
    st.info("The last runs were on another task; press **Train both** to train on this one.")
    end_page()
st.subheader("Results")
results_table(runs, setup)
if setup.task.results == "series":
    series_fit(runs)
for col, run in zip(st.columns(len(runs)), runs):
    if not run.steps or run.outcome is None:
        col.info(f"{run.label} did no training step.")
        continue
    col.markdown(f"**{run.label}**")
    mistakes(col, run)
    downloads(col, run, setup.choice)
adopt(runs, setup.task)
