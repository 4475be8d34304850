"""Training lab: set up two runs of the same task with different choices, train them side by side, compare."""
from dataclasses import dataclass

import streamlit as st

from core import lab, plots
from core.i18n import N_, _
from core.training import engine
from core.training.limits import TRAINING_LAB
from core.training.tasks import AUGMENT_NAMES, OWN_TASKS, TASKS, Task, TaskData
from core.data.preprocess import to_display
from ui import models, own_models, scheduling
from ui.charts import chart
from ui.language import in_session_language
from ui.links import linked
from ui.own_data import SOURCES, dataset_panel
from ui.flow import end_page

PAIR_KEY = "tl_pair"
RUNS = ("A", "B")
LRS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0]
BATCHES = [8, 16, 32, 64, 128, 256, 512]
DECAYS = [0.0, 1e-5, 1e-4, 1e-3, 1e-2, 0.1]
CLIPS = [0.0, 0.1, 0.5, 1.0, 5.0, 10.0]
SCHEDULES = {"constant": N_("constant"), "step": N_("step (×0.1 after each third)"), "cosine": N_("cosine to 0"),
             "onecycle": N_("one-cycle (warm up, then anneal)")}
OPTIMIZER_NAMES = {"sgd": N_("SGD + momentum"), "adam": "Adam", "rmsprop": "RMSprop"}
STATUS_WORDS = {"ready": N_("ready"), "running": N_("running"), "done": N_("done"), "stopped": N_("stopped"),
                "diverged": N_("diverged"), "capped": N_("capped")}
# Each task opens on two runs that differ in one choice (core.lab says which and why); every setting can then be changed.
DEFAULTS: dict[str, lab.DefaultPair] = {**lab.DEFAULT_PAIRS, **{k: lab.OWN_DEFAULT_PAIRS[v.task] for k, v in SOURCES.items()}}
CHOICES: dict[str, Task] = {**TASKS, **{k: OWN_TASKS[v.task] for k, v in SOURCES.items()}}
WHERE = {"pictures": N_("Feature maps and Saliency"), "characters": N_("Hidden states and Gates")}  # where a trained model can be looked at


def run_name(label: str) -> str:
    """A run's label ("run A", language-free: it names the run's colour and files) as the page shows it."""
    return _("run {name}").format(name=label.removeprefix("run "))


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
    linked("tl_task", st.session_state.get("tl_choice", "digits"), CHOICES)
    choice = st.selectbox(_("Task"), choices, format_func=lambda c: _(CHOICES[c].title), key="tl_task", disabled=busy)
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
    link_settings(k, d, task)
    c = column.container(border=True)
    c.markdown(f"**{run_name(f'run {run}')}**")
    a, b = c.columns(2)
    cell = d["cell"]
    if task.networks:
        cell = a.radio(_("Network"), task.networks, key=f"{k}_cell", horizontal=True,
                       format_func=lambda c: _("1-D CNN") if c == "cnn" else c.upper(), disabled=busy)
    optimizer = b.radio(_("Optimizer"), engine.OPTIMIZERS, key=f"{k}_opt", horizontal=True,
                        format_func=lambda o: _(OPTIMIZER_NAMES[o]), disabled=busy)
    lr = a.select_slider(_("Learning rate"), LRS, key=f"{k}_lr", disabled=busy)
    schedule = b.selectbox(_("Schedule"), list(SCHEDULES), key=f"{k}_sched", format_func=lambda s: _(SCHEDULES[s]),
                           disabled=busy)
    batch = a.select_slider(_("Batch size"), BATCHES, key=f"{k}_batch", disabled=busy)
    epochs = b.number_input(_("Epochs"), 1, TRAINING_LAB.max_epochs, key=f"{k}_epochs", disabled=busy)
    dropout = a.slider("Dropout", 0.0, 0.7, step=0.1, key=f"{k}_drop", disabled=busy)
    decay = b.select_slider(_("Weight decay"), DECAYS, key=f"{k}_wd", disabled=busy)
    clip = a.select_slider(_("Clip gradient norm at"), CLIPS, key=f"{k}_clip", disabled=busy,
                           format_func=lambda v: _("off") if v == 0 else f"{v:g}")
    seed = b.number_input(_("Seed"), 0, 10_000, key=f"{k}_seed", disabled=busy)
    batch_norm = c.toggle(_("Batch norm"), key=f"{k}_bn", disabled=busy or not task.picture,
                          help=None if task.picture else
                          _("Batch norm fits convolutional layers; recurrent networks use layer norm instead."))
    augment = c.multiselect(_("Augmentation"), task.augmentations, key=f"{k}_aug", placeholder=_("Choose options"),
                            format_func=lambda a: _(AUGMENT_NAMES[a]), disabled=busy)
    layers, hidden, embed = (), d["hidden"], d["embed"]
    built, built_rnn = own_models.built_cnn(), own_models.built_rnn()
    if task.picture and built and c.checkbox(
            _("Use the network you built ({n} layers)").format(n=len(built)), bool(d["layers"]), key=f"{k}_built",
            disabled=busy,
            help=_("Built on the Your models page; its dropout and batch-norm layers replace the two settings above.")):
        layers, dropout, batch_norm = tuple(built), 0.0, False
    if task.sizes and built_rnn and c.checkbox(
            _("Use the sizes you chose (hidden {hidden}, embedding {embed})").format(
                hidden=built_rnn[1], embed=built_rnn[0] or _("one-hot")),
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
    c.caption(_("{steps} steps per epoch, {total} in all (at most {cap} steps and {seconds:.0f} s of training per "
                "run).").format(steps=steps, total=steps * config.epochs, cap=TRAINING_LAB.max_steps,
                                seconds=TRAINING_LAB.max_seconds))
    return config


def link_settings(k: str, d: dict, task: Task) -> None:
    """Seed one run's widgets (keys `k`_…) from the URL on first sight, else from `d` (what was last trained, or the
    task's default pair), and keep the URL current: a link reopens the lab on the same two runs' settings."""
    if task.networks:
        linked(f"{k}_cell", d["cell"], task.networks)
    linked(f"{k}_opt", d["optimizer"], engine.OPTIMIZERS)
    linked(f"{k}_lr", d["lr"], LRS)
    linked(f"{k}_sched", d["schedule"], SCHEDULES)
    linked(f"{k}_batch", d["batch_size"], BATCHES)
    linked(f"{k}_epochs", d["epochs"], lambda n: 1 <= n <= TRAINING_LAB.max_epochs)
    linked(f"{k}_drop", float(d["dropout"]), lambda p: 0 <= p <= 0.7 and abs(p * 10 - round(p * 10)) < 1e-6)
    linked(f"{k}_wd", d["weight_decay"], DECAYS)
    linked(f"{k}_clip", d["clip"], CLIPS)
    linked(f"{k}_seed", d["seed"], lambda n: 0 <= n <= 10_000)
    linked(f"{k}_bn", d["batch_norm"], lambda on: task.picture or not on)
    linked(f"{k}_aug", list(d["augment"]),
           lambda names: len(set(names)) == len(names) and all(a in task.augmentations for a in names))


def start_pair(setup: Setup, configs: list[engine.RunConfig | None], last: dict[str, tuple[engine.RunConfig, ...]]) -> None:
    """The *Train both* button: start both runs on a background thread and redraw the page locked."""
    if not st.button(_("Train both"), type="primary", key="tl_go", disabled=setup.busy or None in configs):
        return
    device = scheduling.device_choice().device
    with st.spinner(_("Preparing the data …")):
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
    on = (N_("dropout and augmentation") if c.dropout and c.augment else N_("dropout") if c.dropout
          else N_("augmentation"))
    return _("{run}: training {train} is below held-out {held_out} because training is scored with {on} on (a handicap "
             "the held-out test, on the whole network and clean inputs, does not have) and averaged over an epoch in "
             "which the model was still improving.").format(
        run=run_name(run.label), train=run.task.format_metric(latest.train_accuracy),
        held_out=run.task.format_metric(latest.val_accuracy), on=_(on))


def live(busy: bool) -> None:
    """Progress and curves (a fragment redrawn every second while training); a full rerun when it ends shows the
    results."""
    p: engine.RunPair = st.session_state[PAIR_KEY]
    if p.running and st.button(_("Stop"), key="tl_stop"):
        p.stop()
        p.join(5)
    cols = st.columns(len(p.runs))
    for col, run in zip(cols, p.runs):
        name = run_name(run.label)
        text = (_("{run}: step {done} of {total}, {seconds:.1f} s").format(
                    run=name, done=len(run.steps), total=run.total_steps, seconds=run.compute_seconds)
                if not run.finished else _("{run}: {message}").format(run=name, message=run.message))
        col.progress(run.progress, text)
        col.caption(run.config.describe(run.task))
        if run.status == "diverged":
            col.error(run.message)
    if p.error:
        st.error(_("Training failed: {error}").format(error=p.error))
    st.plotly_chart(plots.lab_curves({run.label: engine.history_arrays(run.steps, run.epochs) for run in p.runs},
                                     metric=p.runs[0].task.metric, names={run.label: run_name(run.label) for run in p.runs}),
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
        st.markdown(_("**What this pair shows.** {summary}").format(summary=summary))
    rows = []
    shown, held_out = task.show, _(task.held_out)
    for run in runs:
        last = run.epochs[-1] if run.epochs else None
        rows.append({
            _("run"): run_name(run.label), _("ended"): _(STATUS_WORDS[run.status]), _("steps"): len(run.steps),
            _("seconds"): round(run.compute_seconds, 1),
            _("training loss (last epoch)"): None if last is None else round(last.train_loss, 4),
            _("held-out loss"): None if last is None else round(last.val_loss, 4),
            held_out: None if last is None else shown(last.val_accuracy),
            _("best {metric}").format(metric=held_out): shown(max(e.val_accuracy for e in run.epochs)) if run.epochs else None,
        })
    st.dataframe(rows, hide_index=True, width="stretch")
    if task.note:
        st.caption(task.reading_note())


def series_fit(runs: list[engine.Run]) -> None:
    """A series task: the last held-out values against each run's one-step prediction."""
    data = runs[0].data
    n = min(300, len(data.y_val))
    chart(st, plots.line_chart, {"actual": data.y_val.numpy()[-n:],
                                 **{run.label: run.outcome.predictions[-n:] for run in runs if run.outcome is not None}},
          _("held-out step"), _("value (standardised)"),
          _("The last {n} held-out values and each run's one-step prediction").format(n=n),
          names={"actual": _("actual"), **{run.label: run_name(run.label) for run in runs}}, key="tl_series_fit")


def char_label(symbol: str) -> str:
    """A vocabulary symbol as a table can show it (newline, space and tab made visible)."""
    return {"\n": "↵", " ": "␣", "\t": "⇥"}.get(symbol, symbol)


def mistakes(col, run: engine.Run) -> None:
    """What one finished run got wrong: its confusion and surest mistakes (pictures), its commonest wrong
    characters (text) or its worst answers (numbers)."""
    task, data, outcome = run.task, run.data, run.outcome
    if task.results == "pictures":
        chart(col, plots.confusion_matrix, outcome.confusion, data.classes,
              _("{run}: held-out confusion ({right} of {n} right)").format(
                  run=run_name(run.label), right=lab.right_count(outcome), n=len(outcome.targets)),
              key=f"tl_confusion_{run.label}")
        wrong = outcome.mistakes[:12]
        if len(wrong):
            spec = models.spec_of(task.normalised_as)  # how inputs were normalised
            col.caption(_("The {n} mistakes it was surest of (true → predicted), of {all}:").format(
                n=len(wrong), all=len(outcome.mistakes)))
            col.image([to_display(data.x_val[i:i + 1], spec.preprocessing) for i in wrong], width=64,
                      caption=[f"{data.classes[outcome.targets[i]]} → {data.classes[outcome.predictions[i]]}"
                               for i in wrong])
    elif task.results == "characters":
        col.caption(_("Next-character accuracy {accuracy:.1%} on {n:,} held-out characters. The commonest "
                      "mistakes:").format(accuracy=lab.right_count(outcome) / outcome.targets.size, n=outcome.targets.size))
        col.dataframe([{_("true"): char_label(data.classes[true]), _("predicted"): char_label(data.classes[predicted]),
                        _("times"): times} for true, predicted, times in lab.commonest_mistakes(outcome.confusion, 10)],
                      hide_index=True)
    elif task.results == "answers":
        col.caption(_("The worst answers on held-out sequences:"))
        col.dataframe([{_("true sum"): round(float(outcome.targets[i]), 3),
                        _("answer"): round(float(outcome.predictions[i]), 3)} for i in outcome.mistakes[:8]],
                      hide_index=True)


def downloads(col, run: engine.Run, choice: str) -> None:
    """The run's history as CSV and its weights as safetensors."""
    d1, d2 = col.columns(2)
    stem = f"lab_{choice}_{run.label.replace(' ', '_')}"
    d1.download_button(_("History (CSV)"), lambda run=run: engine.history_csv(run), f"{stem}.csv", "text/csv",
                       key=f"tl_csv_{run.label}")
    d2.download_button(_("Weights (safetensors)"), lambda run=run: engine.weights_bytes(run), f"{stem}.safetensors",
                       "application/octet-stream", key=f"tl_weights_{run.label}")


def adopt(runs: list[engine.Run], task: Task) -> None:
    """Offer the finished models to the pages that can look inside them, for this session."""
    if task.results not in WHERE:
        st.caption(_("These models read numbers, not pictures or text, so the other pages cannot show them."))
        return
    if not st.session_state.get("tl_adopted"):
        st.session_state["tl_adopted"] = [own.spec.title for run in runs
                                          if (own := own_models.adopt_lab_run(run, run.label.split()[-1],
                                                                               scheduling.device_choice().device))]
    adopted = st.session_state["tl_adopted"]
    if adopted:
        st.success(_("For the rest of this session, {models} can be picked (marked ★) on the {pages} pages. They are "
                     "yours only: other users do not see them, and nothing is saved.").format(
            # i18n: joins the names of the two models a finished pair leaves behind
            models=_(" and ").join(adopted), pages=_(WHERE[task.results])))


st.title(_("Training lab"))
st.caption(_("The usual advice — dropout, batch norm, augmentation, a learning-rate schedule, weight decay, gradient "
             "clipping — is easy to repeat and hard to believe until you see it. Each task opens on two runs that "
             "differ in one choice; train both at once, compare the curves, then change one choice of your own."))

pair: engine.RunPair | None = st.session_state.get(PAIR_KEY)
busy = pair is not None and pair.running
last: dict[str, tuple[engine.RunConfig, ...]] = st.session_state.setdefault("tl_last", {})  # survives a page switch
setup = task_setup(busy)
configs = [run_form(run, col, setup, last.get(setup.choice)) for run, col in zip(RUNS, st.columns(2, gap="medium"))]
start_pair(setup, configs, last)
if pair is None:
    st.info(_("Choose the settings of both runs and press **Train both**. Both train at once, step by step, and the "
              "curves update while they train; you may go to another page and come back."))
    end_page()

st.fragment(in_session_language(live), run_every=1.0 if busy else None)(busy)
if busy:
    st.caption(_("Training … the curves update every second. Switching pages does not stop it."))
    end_page()
runs = pair.runs
if runs[0].task != setup.task or setup.choice != st.session_state.get("tl_choice", setup.choice):
    st.info(_("The last runs were on another task; press **Train both** to train on this one."))
    end_page()
st.subheader(_("Results"))
results_table(runs, setup)
if setup.task.results == "series":
    series_fit(runs)
for col, run in zip(st.columns(len(runs)), runs):
    if not run.steps or run.outcome is None:
        col.info(_("{run} did no training step.").format(run=run_name(run.label)))
        continue
    col.markdown(f"**{run_name(run.label)}**")
    mistakes(col, run)
    downloads(col, run, setup.choice)
adopt(runs, setup.task)
