"""CNN & RNN Explorer: the entry point. Lists every page (from ui.catalogue) and draws the shared sidebar.

Nothing here imports torch. On the home page, which needs none, the page runs first and the sidebar's
device line (which needs torch) after it, so it appears while PyTorch is still loading in the
background. Every other page imports torch anyway, so there the device line comes first and stays on
screen even when the page stops early (st.stop drops what is drawn after it).
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.i18n import _
from ui import links, uploads
from ui.catalogue import PAGES
from ui.flow import run_page
from ui.language import choose_language
from ui.sidebar import device_panel, run_clock, warm_up

ICON = Path(__file__).resolve().parent / "assets" / "icon.png"  # drawn by scripts/make_icon.py
st.set_page_config(page_title="CNN & RNN Explorer", page_icon=str(ICON), layout="wide")  # a file: no third party
warm_up()
uploads.hold_at_most()  # forged upload requests cannot pile up in one session's memory
uploads.caps_in_labels()
links.start_run()
choose_language()

home = st.Page("app_pages/home.py", title=_("Home"), icon=":material/home:", default=True)
sections: dict[str, list] = {_("Start"): [home]}
for entry in PAGES:
    sections.setdefault(_(entry.section), []).append(st.Page(entry.path, title=_(entry.title), icon=entry.icon))

page = st.navigation(sections, expanded=True)  # every page in view: a learner should not hunt for one
on_home = page.url_path == home.url_path
if not on_home:
    device_panel()
clock = run_clock()
try:
    run_page(page)
finally:
    links.end_run()
    if on_home:
        device_panel()
    if clock is not None:
        clock.show()
