"""The article, checked: every claim of its comparison table and best practices, in our words, with the verdict the
app's bundled results give it, the numbers, and the page that shows them. The claims file is language-free: every
sentence is rendered here in the reader's language."""
from collections import Counter

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from core import claims
from core.i18n import N_, _
from ui.catalogue import PAGES
from ui.flow import end_page
from ui.links import linked

ENTRIES = {entry.path: entry for entry in PAGES}
WIDTHS = [4, 2, 6, 3]
COLOURS = {claims.HOLDS: "green", claims.CAVEAT: "orange", claims.FAILS: "red", claims.UNMEASURED: "gray"}
EVERY = "all"
SHOW = {EVERY: N_("every claim"), **claims.VERDICT_NAMES}
HEADS = (N_("The claim, in our words"), N_("Verdict"), N_("Measured"), N_("Where to see it"))

st.title(_("The article, checked"))
st.caption(_(
    "The article compares CNNs and RNNs in a table and ends each part with best practices. Each claim is put here in "
    "our own words and checked against what this app has measured: *{holds}*, *{caveat}*, *{fails}*, or "
    "*{unmeasured}*. The verdicts are computed by `{command}` from the bundled results (the runs no other page "
    "measures come from `{runs}`) and read from one file; a test checks that they are reproduced."
).format(**{verdict: _(name) for verdict, name in claims.VERDICT_NAMES.items()}, command=claims.COMMAND,
         runs="python -m core.claim_runs"))
checked = claims.read_claims()
if checked is None:
    st.info(_("assets/curves/{file} is missing on this install: `{command}` makes it.").format(
        file=claims.RESULTS, command=claims.COMMAND))
    end_page()

counts = Counter(claim.verdict for claim in checked)
st.markdown(_("**The lesson:** of {total} claims, {holds} hold as stated, {caveat} hold with a caveat, {fails} do not "
              "hold as stated, and {unmeasured} the app has not measured yet — read the numbers before the "
              "advice.").format(total=len(checked), **{verdict: counts[verdict] for verdict in claims.VERDICTS}))
linked("claims_verdict", EVERY, SHOW)
show = st.radio(_("Show"), list(SHOW), format_func=lambda verdict: _(SHOW[verdict]), horizontal=True,
                key="claims_verdict")
shown = [claim for claim in checked if show in (EVERY, claim.verdict)]
if not shown:
    st.info(_("No claim has this verdict today."))


def link(where, path: str) -> None:
    """A link to the catalogue's page `path`; only its name when this page runs on its own, outside app.py's
    navigation (AppTest on this file), where no other page exists."""
    entry = ENTRIES[path]
    try:
        where.page_link(entry.path, label=_(entry.title), icon=entry.icon)
    except StreamlitPageNotFoundError:
        where.markdown(f"**{_(entry.title)}**")


for section in dict.fromkeys(claim.section for claim in shown):
    st.subheader(_(claims.SECTIONS[section]))
    for col, head in zip(st.columns(WIDTHS), HEADS):
        col.markdown(f"**{_(head)}**")
    for claim in (claim for claim in shown if claim.section == section):
        text, verdict, number, page = st.columns(WIDTHS, vertical_alignment="center")
        text.markdown(_(claim.claim))
        verdict.markdown(f":{COLOURS[claim.verdict]}[**{_(claims.VERDICT_NAMES[claim.verdict])}**]")
        number.markdown(claims.text(claim.number))
        if claim.source:
            number.caption(_("from {source}").format(source=claim.source))
        link(page, claim.page)
        if claim.where:
            page.caption(_(claim.where))
