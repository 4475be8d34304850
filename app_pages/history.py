"""History: the article's timeline from the 1986 RNN to the 2017 Transformer, each step with the page that shows its
idea and the number measured there; then the article's table of uses, each tied to a page."""
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from core import history
from core.i18n import _
from ui import models
from ui.catalogue import PAGES

ENTRIES = {entry.path: entry for entry in PAGES}
TIMELINE_WIDTHS = [1, 2, 4, 3, 5]
USES_WIDTHS = [3, 2, 3, 5]

st.title(_("History"))
st.caption(_(
    "From the first recurrent networks to the Transformer: each step below brought one idea, and each idea has a "
    "page here that shows it working. The numbers are read from the results this app bundles, or measured on this "
    "machine — none is copied from a paper."
))
lesson = st.empty()

with st.spinner(_("Counting the parameters and FLOPs of AlexNet, VGG-16 and GoogLeNet …")):
    sizes = {name: models.size(name) for name in history.SIZED}
measured = history.read_measurements(sizes)
lesson.markdown(history.lesson(measured))


def link(where, path: str) -> None:
    """A link to the catalogue's page `path`; only its name when this page runs on its own, outside app.py's
    navigation (`streamlit run app_pages/history.py`, or AppTest on this file), where no other page exists."""
    entry = ENTRIES[path]
    try:
        where.page_link(entry.path, label=_(entry.title), icon=entry.icon)
    except StreamlitPageNotFoundError:
        where.markdown(f"**{_(entry.title)}**")


st.subheader(_("Timeline"))
st.caption(_("*FLOPs*: arithmetic operations of one forward pass (a multiply-add counts 2). *MSE*: mean squared "
             "error. *Held out*: examples the model never saw while training."))
for col, head in zip(st.columns(TIMELINE_WIDTHS), [_("Year"), _("Model"), _("The idea"), _("Where the app shows it"),
                                                   _("Measured there")]):
    col.markdown(f"**{head}**")
for row in history.timeline(measured):
    year, model, idea, page, number = st.columns(TIMELINE_WIDTHS, vertical_alignment="center")
    year.markdown(f"**{row.year}**")
    model.markdown(row.model)
    idea.markdown(row.idea)
    link(page, row.page)
    page.caption(row.where)
    number.markdown(row.measured)
    number.caption(_("from {source}").format(source=row.source))

st.subheader(_("What each network is used for"))
st.caption(_("The article's table of uses, one kind of data a row. It names style transfer too; the app has no "
             "page for that."))
for col, head in zip(st.columns(USES_WIDTHS), [_("Kind of data"), _("Typical network"), _("Page"),
                                              _("What you see there")]):
    col.markdown(f"**{head}**")
for use in history.APPLICATIONS:
    data, network, page, shows = st.columns(USES_WIDTHS, vertical_alignment="center")
    data.markdown(_(use.data))
    network.markdown(_(use.network))
    link(page, use.page)
    page.caption(_(use.where))
    shows.markdown(_(use.shows))
