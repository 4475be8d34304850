"""Home: what the explorer shows, and a link to every page."""
import streamlit as st

from core.i18n import _
from ui.catalogue import PAGES

st.title(_("CNN & RNN Explorer"))
st.markdown(_(
    """
Look inside real neural networks while they work. Every picture on these pages is computed by a
PyTorch model at the moment you ask for it — nothing is a drawing of what a network *would* do.

* **Convolutional networks** slide small learned filters over an image. Each layer turns the
  picture into a stack of *feature maps*; early layers answer "is there an edge here?", later ones
  "is there an eye?". Pooling shrinks the maps, so each unit sees a larger part of the input.
* **Recurrent networks** read a sequence one step at a time and carry a *hidden state* from step to
  step: h_t = tanh(W_xh x_t + W_hh h_(t−1) + b). LSTM and GRU add gates that decide what to keep.
"""
))

st.subheader(_("Pages"))
for entry in PAGES:
    st.page_link(entry.path, label=_(entry.title), icon=entry.icon)
    st.caption(_(entry.blurb))

st.subheader(_("The models"))
with st.spinner(_("Loading PyTorch and the model registry …")):
    from core.models.catalogue import get_spec, model_names  # after the links: the page shows before torch loads
rows = []
for name in model_names():
    spec = get_spec(name)
    source = _("trained by this project, bundled") if spec.bundled_file else _("torchvision, ImageNet weights if cached")
    rows.append({_("model"): _(spec.title), _("year"): spec.year, _("input"): "×".join(map(str, spec.input_size)),
                 _("classes"): spec.num_classes, _("weights"): source, _("what it introduced"): _(spec.summary)})
st.table(rows, hide_index=True)  # a static table wraps the prose a dataframe would cut off
