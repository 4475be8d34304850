"""CNN & RNN Explorer: the entry point. Lists every page (from ui.catalogue) and draws the shared sidebar."""
from __future__ import annotations

import streamlit as st

from ui.catalogue import PAGES
from ui.widgets import device_panel

st.set_page_config(page_title="CNN & RNN Explorer", page_icon=":material/neurology:", layout="wide")

sections: dict[str, list] = {"Start": [st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True)]}
for entry in PAGES:
    sections.setdefault(entry.section, []).append(st.Page(entry.path, title=entry.title, icon=entry.icon))

navigation = st.navigation(sections)
device_panel()
navigation.run()
