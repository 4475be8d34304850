"""CNN & RNN Explorer: the entry point. Lists every page and draws the shared sidebar."""
from __future__ import annotations

import streamlit as st

from ui.widgets import device_panel

st.set_page_config(page_title="CNN & RNN Explorer", page_icon=":material/neurology:", layout="wide")

PAGES = {
    "Start": [st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)],
    "Convolutional networks": [
        st.Page("pages/feature_maps.py", title="Feature maps", icon=":material/grid_view:"),
        st.Page("pages/saliency.py", title="Saliency", icon=":material/visibility:"),
        st.Page("pages/compare.py", title="Compare architectures", icon=":material/compare:"),
    ],
}

navigation = st.navigation(PAGES)
device_panel()
navigation.run()
