"""CNN + RNN for video: a per-frame CNN with a GRU over the frames, against the same CNN on the averaged frames."""
import numpy as np
import streamlit as st

from core import plots
from core.data.video import DIRECTIONS, FRAMES, NOISE, SHAPES, SIZE, SPEED
from core.i18n import N_, _
from core.models.catalogue import get_spec
from core.probes.video import within_axis_accuracy
from core.train_video import CONFIG, COMMAND, video_task
from ui import models
from ui.charts import chart
from ui.flow import end_page
from ui.links import linked
from ui.video import clip_view

DIRECTION_LABELS = {"left": N_("to the left"), "right": N_("to the right"), "up": N_("upwards"), "down": N_("downwards")}  # not "right": that word also means "correct"
SHAPE_LABELS = {"square": N_("square"), "disc": N_("disc"), "diamond": N_("diamond"), "cross": N_("cross")}
ARROWS = {"left": "←", "right": "→", "up": "↑", "down": "↓"}
MODELS = ("cnn_gru", "averaged_cnn")
SEEDS = 1000  # clips a learner can pick per direction and shape


def direction_label(direction: str) -> str:
    return f"{ARROWS[direction]} {_(DIRECTION_LABELS[direction])}"


def model_label(name: str) -> str:
    return _(get_spec(name, "video").label)


st.title(_("CNN + RNN for video"))
st.caption(_("A video is a sequence of pictures. The article suggests a convolutional neural network for each frame "
             "and a recurrent network over the frames: the CNN finds what is where in each frame, the RNN carries "
             "the order of the frames in its hidden state. Here one shape moves left, right, up or down across "
             "{frames} noisy frames, and two models name the direction: the CNN on every frame with a GRU over "
             "them, and the same CNN on the average of the frames.").format(frames=FRAMES))

results = models.bundled_curves("video_results.json")
if results is None or any(name not in results["models"] for name in MODELS):
    st.warning(_("The bundled video results (assets/curves/video_results.json) are missing; run `{command}`.")
               .format(command=COMMAND))
    end_page()
for name in MODELS:
    if models.weights_key(name, "video") == "random":
        st.warning(_("The bundled weights of {model} are missing, so it is untrained; run `{command}`.")
                   .format(model=model_label(name), command=COMMAND))

c1, c2, c3 = st.columns([3, 2, 1])
linked("vi_direction", "right", DIRECTIONS)
direction = c1.radio(_("Direction of motion"), DIRECTIONS, format_func=direction_label, horizontal=True,
                     key="vi_direction")
linked("vi_shape", "square", SHAPES)
shape = c2.selectbox(_("Shape"), SHAPES, format_func=lambda s: _(SHAPE_LABELS[s]), key="vi_shape")
linked("vi_clip", 0, lambda v: 0 <= v < SEEDS)
seed = c3.number_input(_("Clip"), 0, SEEDS - 1, step=1, key="vi_clip",
                       help=_("Each number draws another clip: speed, brightness, path and noise."))

view = clip_view(direction, shape, int(seed))
gru, averaged = results["models"]["cnn_gru"], results["models"]["averaged_cnn"]
twin = DIRECTIONS[DIRECTIONS.index(direction) ^ 1]  # the other direction along the same axis
truth, other = DIRECTIONS.index(direction), DIRECTIONS.index(twin)
st.info(_("On {n:,} held-out clips the CNN + GRU names the direction in {gru:.1%} of them, the CNN on the averaged "
          "frames in only {averaged:.1%}: it finds the axis ({axis:.0%}), but averaging throws the order of the frames "
          "away, and left and right (or up and down) leave the same streak, so between the two directions of an axis "
          "it is at chance ({within:.0%} right; a coin flip is 50%). On this clip it gives {p_true:.0%} to "
          "“{true}” and {p_twin:.0%} to “{twin}”; the CNN + GRU gives {g_true:.0%} to “{true}”.").format(
    n=video_task("cnn_gru").val, gru=np.mean(gru["accuracy"]), averaged=np.mean(averaged["accuracy"]),
    axis=np.mean(averaged["axis_accuracy"]),
    within=within_axis_accuracy(np.mean(averaged["accuracy"]), np.mean(averaged["axis_accuracy"])),
    p_true=view.averaged_probs[truth], p_twin=view.averaged_probs[other], g_true=view.gru_probs[truth],
    true=direction_label(direction), twin=direction_label(twin)))

st.subheader(_("The clip, frame by frame"))
chart(st, plots.frame_grid, [[*view.frames, view.average], [*view.gru_cam, view.averaged_cam]],
      [_("frames"), _("Grad-CAM")], [_("frame {t}").format(t=t + 1) for t in range(FRAMES)] + [_("average")],
      ["gray", "Inferno"], [_("brightness"), _("Grad-CAM")], key="vi_frames")
st.caption(_("Top: the {frames} frames the CNN + GRU reads one after another, and on the right their average, the one "
             "picture the averaged CNN reads. Below each frame, Grad-CAM of the CNN + GRU's answer: where in that "
             "frame the features that raised its answer's score lie (all frames on one scale). Below the average, "
             "Grad-CAM of the averaged CNN's answer on its picture.").format(frames=FRAMES))

st.subheader(_("Both models' answers on this clip"))
chart(st, plots.model_probabilities, {name: getattr(view, f"{'gru' if name == 'cnn_gru' else 'averaged'}_probs")
                                      for name in MODELS},
      {name: model_label(name) for name in MODELS}, [direction_label(d) for d in DIRECTIONS], _("probability"),
      key="vi_answers")

st.subheader(_("The GRU's hidden state, frame by frame"))
chart(st, plots.state_heatmap, view.hidden, [str(t + 1) for t in range(FRAMES)], x_title=_("frame"), label="h_t",
      key="vi_hidden")
st.caption(_("Column t is the hidden state h_t after the GRU has read frame t, one row per unit, blue below 0 and red "
             "above. Each frame's features alone say where the shape is; h_t has seen the frames before it too, so it "
             "can hold where the shape was and where it went. The classifier reads only the last column."))

st.subheader(_("Held-out accuracy"))
rows = []
for name in MODELS:
    r = results["models"][name]
    acc, axis = 100 * np.asarray(r["accuracy"]), 100 * np.asarray(r["axis_accuracy"])
    rows.append({
        _("model"): model_label(name),
        _("accuracy %"): _("{mean:.1f} ± {std:.1f} (n = {n})").format(mean=acc.mean(), std=acc.std(), n=len(acc)),
        _("axis right %"): f"{axis.mean():.1f}",
        _("direction right when the axis is %"): f"{100 * within_axis_accuracy(acc.mean(), axis.mean()):.1f}",
        _("parameters"): f"{r['params']:,}",
        _("training s"): f"{np.mean(r['train_seconds']):.0f}",
    })
st.dataframe(rows, hide_index=True, width="stretch")
task = video_task("cnn_gru")
st.caption(_("Each clip: {frames} frames of {size}×{size} pixels, one shape (square, disc, diamond or cross) of random "
             "brightness moving {slow:g}–{fast:g} pixels a frame, noise of standard deviation {noise:g} in every "
             "frame. Both models trained the same way: AdamW, one-cycle schedule, batch {batch}, {epochs} passes over "
             "{train:,} clips, seeds {seeds}; tested on {val:,} other clips. Mean ± standard deviation over the "
             "seeds; the page uses seed {bundled}. Retrain with `{command}`.").format(
    frames=FRAMES, size=SIZE, slow=SPEED[0], fast=SPEED[1], noise=NOISE, batch=CONFIG.batch_size,
    epochs=CONFIG.epochs, train=task.train, seeds=", ".join(map(str, results["seeds"])), val=task.val,
    bundled=gru["bundled_seed"], command=COMMAND))
