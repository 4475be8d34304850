"""CNN & RNN Explorer: the entry point. Lists every page and draws the shared sidebar."""
from __future__ import annotations

import streamlit as st

from ui.widgets import device_panel

st.set_page_config(page_title="CNN & RNN Explorer", page_icon=":material/neurology:", layout="wide")

PAGES = {
    "Start": [st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True)],
    "Convolutional networks": [
        st.Page("app_pages/feature_maps.py", title="Feature maps", icon=":material/grid_view:"),
        st.Page("app_pages/convolution.py", title="Convolution lab", icon=":material/blur_on:"),
        st.Page("app_pages/saliency.py", title="Saliency", icon=":material/visibility:"),
        st.Page("app_pages/compare.py", title="Compare architectures", icon=":material/compare:"),
    ],
    "Recurrent networks": [
        st.Page("app_pages/hidden_states.py", title="Hidden states", icon=":material/timeline:"),
        st.Page("app_pages/gates.py", title="Gates", icon=":material/tune:"),
        st.Page("app_pages/rnn_compare.py", title="RNN vs LSTM vs GRU", icon=":material/view_column:"),
        st.Page("app_pages/gradients.py", title="Gradient lab", icon=":material/trending_down:"),
    ],
}

navigation = st.navigation(PAGES)
device_panel()
navigation.run()
