"""Glossary · 术语: the article's terms in English and Chinese, what each means, and the page that shows it."""
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from core.glossary import terms
from core.i18n import _, language
from ui.catalogue import PAGES
from ui.links import linked

ENTRIES = {entry.path: entry for entry in PAGES}
WIDTHS = [3, 2, 6, 3]

st.title(_("Glossary"))
st.caption(_("The article's words for what the app shows, in both languages. The Chinese terms are the article's "
             "own; every page of the app uses them. Type in the box to find a term in either language."))

linked("gl_find", "")
find = st.text_input(_("Find a term"), key="gl_find", max_chars=40).strip().lower()
shown = [term for term in terms()
         if not find or find in term.en.lower() or find in term.zh or find in term.meaning(language()).lower()]
if not shown:
    st.info(_("No term matches “{text}”.").format(text=find))

for col, head in zip(st.columns(WIDTHS), ["English", "中文", _("What it means"), _("Where the app shows it")]):
    col.markdown(f"**{head}**")
for term in shown:
    english, chinese, meaning, page = st.columns(WIDTHS, vertical_alignment="center")
    english.markdown(term.en)
    chinese.markdown(term.zh)
    meaning.markdown(term.meaning(language()))
    entry = ENTRIES[term.page]
    try:
        page.page_link(entry.path, label=_(entry.title), icon=entry.icon)
    except StreamlitPageNotFoundError:  # the page run on its own, outside app.py's navigation
        page.markdown(f"**{_(entry.title)}**")
