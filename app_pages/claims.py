"""The article, checked: every claim of its comparison table and best practices, in our words, with the verdict the
app's bundled results give it, the numbers, and the page that shows them."""
from collections import Counter

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from core import claims
from ui.catalogue import PAGES
from ui.flow import end_page

ENTRIES = {entry.path: entry for entry in PAGES}
WIDTHS = [4, 2, 6, 3]
COLOURS = {claims.HOLDS: "green", claims.CAVEAT: "orange", claims.FAILS: "red", claims.UNMEASURED: "gray"}

st.title("The article, checked")
st.caption(
    "The article compares CNNs and RNNs in a table and ends each part with best practices. Each claim is put here in "
    "our own words and checked against what this app has measured: *holds*, *holds with a caveat*, *does not hold as "
    f"stated*, or *not measured yet*. The verdicts are computed by `{claims.COMMAND}` from the bundled results and "
    "read from one file; a test checks that they are reproduced."
)
checked = claims.read_claims()
if checked is None:
    st.info(f"assets/curves/{claims.RESULTS} is missing on this install: `{claims.COMMAND}` makes it.")
    end_page()

counts = Counter(claim.verdict for claim in checked)
st.markdown(f"**The lesson:** of {len(checked)} claims, {counts[claims.HOLDS]} hold as stated, "
            f"{counts[claims.CAVEAT]} hold with a caveat, {counts[claims.FAILS]} do not hold as stated, and "
            f"{counts[claims.UNMEASURED]} the app has not measured yet — read the numbers before the advice.")


def link(where, path: str) -> None:
    """A link to the catalogue's page `path`; only its name when this page runs on its own, outside app.py's
    navigation (AppTest on this file), where no other page exists."""
    entry = ENTRIES[path]
    try:
        where.page_link(entry.path, label=entry.title, icon=entry.icon)
    except StreamlitPageNotFoundError:
        where.markdown(f"**{entry.title}**")


for section in dict.fromkeys(claim.section for claim in checked):
    st.subheader(section)
    for col, head in zip(st.columns(WIDTHS), ["The claim, in our words", "Verdict", "Measured", "Where to see it"]):
        col.markdown(f"**{head}**")
    for claim in (claim for claim in checked if claim.section == section):
        text, verdict, number, page = st.columns(WIDTHS, vertical_alignment="center")
        text.markdown(claim.claim)
        verdict.markdown(f":{COLOURS[claim.verdict]}[**{claim.verdict}**]")
        number.markdown(claim.number)
        if claim.source:
            number.caption(f"from {claim.source}")
        link(page, claim.page)
        if claim.where:
            page.caption(claim.where)
