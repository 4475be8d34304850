"""CNN & RNN Explorer: the entry point. Lists every page (from ui.catalogue) and draws the shared sidebar.

Nothing here imports torch: the page runs first, and the sidebar's device line (which needs torch) is
drawn after it, so the home page appears while PyTorch is still loading in the background.
"""
from __future__ import annotations

import time

import streamlit as st

from ui.catalogue import PAGES
from ui.sidebar import device_panel, warm_up

st.set_page_config(page_title="CNN & RNN Explorer", page_icon=":material/neurology:", layout="wide")
warm_up()

sections: dict[str, list] = {"Start": [st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True)]}
for entry in PAGES:
    sections.setdefault(entry.section, []).append(st.Page(entry.path, title=entry.title, icon=entry.icon))

navigation = st.navigation(sections)
started = time.perf_counter()
try:
    navigation.run()
finally:
    device_panel(time.perf_counter() - started)
