"""Home: what the explorer shows, and a link to every page."""
import streamlit as st

from core.models.registry import get_spec, model_names

st.title("CNN & RNN Explorer")
st.markdown(
    """
Look inside real neural networks while they work. Every picture on these pages is computed by a
PyTorch model at the moment you ask for it — nothing is a drawing of what a network *would* do.

* **Convolutional networks** slide small learned filters over an image. Each layer turns the
  picture into a stack of *feature maps*; early layers answer "is there an edge here?", later ones
  "is there an eye?". Pooling shrinks the maps, so each unit sees a larger part of the input.
* **Recurrent networks** read a sequence one step at a time and carry a *hidden state* from step to
  step: h_t = tanh(W_xh x_t + W_hh h_(t−1) + b). LSTM and GRU add gates that decide what to keep.
"""
)

st.subheader("Pages")
st.page_link("app_pages/feature_maps.py", label="Feature maps", icon=":material/grid_view:")
st.caption(
    "Pick a picture and a model, see its top-5 prediction, every layer's output shape, each "
    "layer's activation maps, one channel overlaid on the picture, and the first layer's learned kernels."
)

st.page_link("app_pages/convolution.py", label="Convolution lab", icon=":material/blur_on:")
st.caption(
    "Convolution step by step on a matrix you edit or a picture, pooling and which cell wins, the parameters "
    "weight sharing saves, receptive fields in theory and by gradient, and what a shift does to predictions."
)
st.page_link("app_pages/saliency.py", label="Saliency", icon=":material/visibility:")
st.caption(
    "Grad-CAM, Guided Grad-CAM, integrated gradients, gradient saliency and occlusion: which parts of the "
    "picture made the model choose a class, for any class you pick."
)
st.page_link("app_pages/compare.py", label="Compare architectures", icon=":material/compare:")
st.caption(
    "LeNet to ResNet on the same picture, side by side: predictions, Grad-CAM, depth, parameters, FLOPs and "
    "latency measured on this machine."
)

st.page_link("app_pages/hidden_states.py", label="Hidden states", icon=":material/timeline:")
st.caption(
    "Type a sequence; see h_t for every unit and step, what the model predicts next and how surprised it is, "
    "one update written out with its live numbers, and the path of the state in 2-D or 3-D."
)
st.page_link("app_pages/gates.py", label="Gates", icon=":material/tune:")
st.caption(
    "The LSTM's input, forget and output gates and cell, the GRU's update and reset gates, how often they "
    "saturate, and which units follow a pattern such as “inside quotes” or “bracket depth”."
)
st.page_link("app_pages/rnn_compare.py", label="RNN vs LSTM vs GRU", icon=":material/view_column:")
st.caption("The same text through three character models of the same size, side by side.")
st.page_link("app_pages/gradients.py", label="Gradient lab", icon=":material/trending_down:")
st.caption(
    "Gradients that vanish or explode: over time in RNN, LSTM and GRU with Pascanu's bound, clipping on and off, "
    "the adding problem, and over depth in plain and residual CNNs."
)

st.subheader("The models")
rows = []
for name in model_names():
    spec = get_spec(name)
    source = "trained by this project, bundled" if spec.bundled_file else "torchvision, ImageNet weights if cached"
    rows.append({"model": spec.title, "year": spec.year, "input": "×".join(map(str, spec.input_size)),
                 "classes": spec.num_classes, "weights": source, "what it introduced": spec.summary})
st.dataframe(rows, hide_index=True, width="stretch")
