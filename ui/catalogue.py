"""Every page of the app, once: where it lives, its title and icon, its section, and one line on what it shows.

Titles, sections and blurbs are English message ids (`N_`), translated where they are shown.

app.py builds the navigation from this list and the home page its links, so the two cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.i18n import N_


@dataclass(frozen=True)
class PageEntry:
    path: str
    title: str
    icon: str
    section: str
    blurb: str


PAGES: tuple[PageEntry, ...] = (
    PageEntry("app_pages/history.py", N_("History"), ":material/history_edu:", N_("Start"),
              N_("The article's timeline, 1986 RNN to 2017 Transformer: each model's idea, the page that shows it and "
              "the number measured there; then which network suits which kind of data, and where to see it.")),
    PageEntry("app_pages/claims.py", N_("The article, checked"), ":material/fact_check:", N_("Start"),
              N_("Every claim of the article's CNN-vs-RNN table and best practices, in our words, with the verdict the "
              "app's measurements give it (holds, holds with a caveat, does not hold as stated), the number and the "
              "page that shows it.")),
    PageEntry("app_pages/glossary.py", N_("Glossary"), ":material/translate:", N_("Start"),
              N_("The article's terms in English and Chinese (卷积层, 池化, 隐藏状态 …): a one-line meaning each and the "
                 "page where the app shows it.")),
    PageEntry("app_pages/feature_maps.py", N_("Feature maps"), ":material/grid_view:", N_("Convolutional networks"),
              N_("Pick a picture and a model, see its top-5 prediction, every layer's output shape, each layer's "
              "activation maps, one channel overlaid on the picture, and the first layer's learned kernels.")),
    PageEntry("app_pages/convolution.py", N_("Convolution lab"), ":material/blur_on:", N_("Convolutional networks"),
              N_("Convolution step by step on a matrix you edit or a picture, pooling and which cell wins, the parameters "
              "weight sharing saves, receptive fields in theory and by gradient, and what a shift does to predictions.")),
    PageEntry("app_pages/saliency.py", N_("Saliency"), ":material/visibility:", N_("Convolutional networks"),
              N_("Grad-CAM, Guided Grad-CAM, integrated gradients, gradient saliency and occlusion: which parts of the "
              "picture made the model choose a class, for any class you pick.")),
    PageEntry("app_pages/compare.py", N_("Compare architectures"), ":material/compare:", N_("Convolutional networks"),
              N_("LeNet to ResNet on the same picture, side by side: predictions, Grad-CAM, depth, parameters, FLOPs and "
              "latency measured on this machine.")),
    PageEntry("app_pages/hidden_states.py", N_("Hidden states"), ":material/timeline:", N_("Recurrent networks"),
              N_("Type a sequence; see h_t for every unit and step, what the model predicts next and how surprised it is, "
              "one update written out with its live numbers, and the path of the state in 2-D or 3-D.")),
    PageEntry("app_pages/gates.py", N_("Gates"), ":material/tune:", N_("Recurrent networks"),
              N_("The LSTM's input, forget and output gates and cell, the GRU's update and reset gates, how often they "
              "saturate, and which units follow a pattern such as “inside quotes” or “bracket depth”.")),
    PageEntry("app_pages/rnn_compare.py", N_("RNN vs LSTM vs GRU"), ":material/view_column:", N_("Recurrent networks"),
              N_("The same text through three character models of the same size, side by side.")),
    PageEntry("app_pages/gradients.py", N_("Gradient lab"), ":material/trending_down:", N_("Recurrent networks"),
              N_("Gradients that vanish or explode: over time in RNN, LSTM and GRU with Pascanu's bound, clipping on and "
              "off, the adding problem, and over depth in plain and residual CNNs.")),
    PageEntry("app_pages/sequence_compare.py", N_("CNN vs RNN vs attention"), ":material/leaderboard:", N_("Beyond recurrence"),
              N_("Seven models on the same MNIST-1D sequences: accuracy, parameters, FLOPs, training time and latency, each "
              "model's saliency on one sequence; and forward time and memory against sequence length.")),
    PageEntry("app_pages/attention.py", N_("Attention"), ":material/center_focus_strong:", N_("Beyond recurrence"),
              N_("Type a word and watch encoder–decoders reverse it: where the decoder looks at each step, how accuracy "
              "falls with length without attention, and a Transformer's attention heads.")),
    PageEntry("app_pages/video.py", N_("CNN + RNN for video"), ":material/movie:", N_("Beyond recurrence"),
              N_("Clips of a shape moving left, right, up or down: a per-frame CNN with a GRU over the frames against the "
              "same CNN on the averaged frames, each frame's Grad-CAM, the GRU's hidden state frame by frame, and why "
              "the average cannot tell left from right.")),
    PageEntry("app_pages/training_lab.py", N_("Training lab"), ":material/model_training:", N_("Your own"),
              N_("Two training runs side by side with live curves: optimizer, learning rate and schedule, batch size, "
              "dropout, batch norm, augmentation, weight decay and clipping, on digits, shapes, text or the adding "
              "problem; then the confusion matrix, the mistakes, and the trained model on the other pages.")),
    PageEntry("app_pages/your_models.py", N_("Your models"), ":material/upload_file:", N_("Your own"),
              N_("Upload a state dict for any architecture here (a ResNet-18 with your own classes, a character LSTM); "
              "it joins the other pages' model pickers for your session only.")),
)
