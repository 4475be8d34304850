"""The article, checked: the bundled claims.json is what core.claims computes now from the bundled results, a changed
result flips the verdict it should, the measuring script reproduces its stored numbers, every sentence has its
Chinese, and the page shows every claim with a verdict and a link in both languages."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from core import claim_runs, claims, i18n
from core.weights import ASSETS
from ui.catalogue import PAGES

ROOT = Path(__file__).resolve().parent.parent
RUNS = ASSETS / "curves" / claim_runs.RESULTS


@pytest.fixture
def assets(tmp_path: Path) -> Path:
    """A copy of the bundled results, to change at will."""
    shutil.copytree(ASSETS / "curves", tmp_path / "curves")
    return tmp_path


def edit(path: Path, change) -> None:
    results = json.loads(path.read_text())
    change(results)
    path.write_text(json.dumps(results))


def verdicts(assets: Path) -> dict[str, claims.Claim]:
    return {claim.key: claim for claim in claims.verdicts(assets)}


def test_the_bundled_verdicts_are_reproduced() -> None:
    """claims.json equals what `python -m core.claims` computes now from the bundled files."""
    bundled = json.loads((ASSETS / "curves" / claims.RESULTS).read_text())
    assert bundled == claims.to_json(claims.verdicts())
    assert claims.read_claims() == claims.verdicts()


def test_every_claim_has_a_verdict_a_page_and_a_number() -> None:
    pages = {entry.path for entry in PAGES}
    checked = claims.verdicts()
    assert len({claim.key for claim in checked}) == len(checked) == 21
    for claim in checked:
        assert claim.verdict in claims.VERDICTS and claim.page in pages and claim.claim and claim.number, claim
        assert claim.section in claims.SECTIONS and claims.text(claim.number)
    measured = [claim for claim in checked if claim.verdict != claims.UNMEASURED]
    assert all(claim.source for claim in measured)
    assert {claim.verdict for claim in measured} == {claims.HOLDS, claims.CAVEAT, claims.FAILS}
    assert [claim.key for claim in checked if claim.verdict == claims.UNMEASURED] == ["gpu"]  # no GPU measured them


def test_the_numbers_are_the_bundled_ones() -> None:
    by_key = {claim.key: claim for claim in claims.verdicts()}
    mnist1d = json.loads((ASSETS / "curves" / "mnist1d_results.json").read_text())["models"]
    scale = claims.parameter_scale({"mnist1d": {"models": mnist1d, "dataset": "length 40"}})
    assert f"1-D CNN {mnist1d['cnn']['params']:,} parameters" in claims.text(by_key[scale.key].number)
    assert scale.verdict == claims.FAILS
    runs = json.loads(RUNS.read_text())
    clipped = runs["clipping"]["runs"]["clipped"]
    assert f"{sum(r['status'] == 'done' for r in clipped)} of {len(clipped)} ran all their steps" in \
        claims.text(by_key["clipping"].number)


def test_a_changed_result_flips_its_verdict(assets: Path) -> None:
    before = verdicts(assets)
    edit(assets / "curves" / "reverse_by_length.json",
         lambda r: r["models"]["gru_plain"]["by_length"].update({"24": 1.0}))
    edit(assets / "curves" / "mnist1d_results.json", lambda r: r["models"]["lstm"].update({"params": 50_000}))
    edit(assets / "curves" / "adding_T100.json", lambda r: r["runs"]["rnn"]["val_mse"].append(0.01))
    edit(assets / "curves" / "depth_shapes.json", lambda r: r["loss"].update({"residual-56": [1.0] * 120}))
    after = verdicts(assets)
    changed = {key for key in before if before[key].verdict != after[key].verdict}
    flips = {"attention": claims.FAILS, "parameter_scale": claims.HOLDS, "gated_gradients": claims.FAILS,
             "residual": claims.HOLDS}
    for key, verdict in flips.items():
        assert before[key].verdict != verdict and after[key].verdict == verdict, key
    assert changed == set(flips)


def _set_runs(runs: dict) -> None:
    """Measured runs that turn the bundled verdicts of the new claims round."""
    for run in runs["reach"]["runs"]["dilated3"]:
        run["accuracy"] = 0.5  # the dilated CNN no longer reaches: depth alone is left
    for run in runs["clipping"]["runs"]["clipped"]:
        run.update(status="diverged")  # clipping no longer saves a run
    for run in runs["mini_batches"]["runs"]["1"]:
        run["val_accuracy"] = 0.99  # batch 1 as good as any
    for run in runs["lengths"]["runs"]["gru"]:
        run["accuracy"]["100"] = None  # the GRU refuses a long sequence
    for run in runs["time_by_length"]["seconds"].values():
        run[-1] = run[0]  # a long sequence costs no more


def test_changed_runs_flip_the_new_verdicts(assets: Path) -> None:
    """Each verdict read from claim_runs.json follows that file: change a result and its verdict changes."""
    before = verdicts(assets)
    edit(assets / "curves" / claim_runs.RESULTS, _set_runs)
    after = verdicts(assets)
    assert {key for key in before if before[key].verdict != after[key].verdict} == {
        "long_range", "clipping", "mini_batches", "fixed_size", "rnn_slow_on_long"}
    assert after["long_range"].verdict == claims.HOLDS and after["clipping"].verdict == claims.FAILS
    assert after["mini_batches"].verdict == after["fixed_size"].verdict == after["rnn_slow_on_long"].verdict == \
        claims.FAILS
    (assets / "curves" / claim_runs.RESULTS).unlink()
    missing = verdicts(assets)
    for key in ("long_range", "receptive_depth", "fixed_size", "rnn_slow_on_long", "dropout", "augmentation",
                "clipping", "mini_batches"):
        assert missing[key].verdict == claims.UNMEASURED and "claim_runs.json is missing" in \
            claims.text(missing[key].number)


def test_a_changed_default_pair_flips_the_batch_norm_verdict(assets: Path) -> None:
    edit(assets / "curves" / "lab_default_pairs.json", lambda r: r["pairs"]["digits"].update(b_mean=0.87))
    before, after = claims.batch_norm(claims.read_pairs()), claims.batch_norm(claims.read_pairs(assets))
    assert (before.verdict, after.verdict) == (claims.CAVEAT, claims.FAILS)
    assert "87.0% with batch norm" in claims.text(after.number)
    (assets / "curves" / "lab_default_pairs.json").unlink()
    assert claims.batch_norm(claims.read_pairs(assets)).verdict == claims.UNMEASURED


def test_a_missing_file_is_not_measured(assets: Path) -> None:
    (assets / "curves" / "scaling_cpu.json").unlink()
    claim = claims.parallel(claims.read_sources(assets)[0])
    assert claim.verdict == claims.UNMEASURED and "scaling_cpu.json is missing" in claims.text(claim.number)


@pytest.mark.slow
def test_the_measuring_script_reproduces_its_stored_numbers() -> None:
    """Seed 0 of three experiments, run again with the bundled settings, gives the numbers claim_runs.json stores
    (the timed experiments aside: their numbers depend on the machine)."""
    stored = json.loads(RUNS.read_text())
    for kind in ("free", "clipped"):
        assert claim_runs.clipping_run(0, kind == "clipped") == pytest.approx(stored["clipping"]["runs"][kind][0])
    assert claim_runs.reach_run("cnn1", 0) == pytest.approx(stored["reach"]["runs"]["cnn1"][0])
    padded = claim_runs.lengths_run("cnn_pad", 0)
    assert padded == stored["lengths"]["runs"]["cnn_pad"][0]  # accuracies are counts of 500: exact
    assert padded["accuracy"]["100"] is None and padded["unpadded_runs"] == {"10": False, "30": False, "50": True,
                                                                               "100": False}


def test_every_sentence_of_the_file_has_its_chinese() -> None:
    """claims.json holds message ids, not sentences: each is in the Chinese catalogue with a translation, and the
    Chinese rendering keeps every number and leaves no English sentence behind."""
    with i18n.po_path("zh").open("rb") as po:
        catalogue = read_po(po, locale="zh")
    checked = claims.read_claims()
    ids = {claims.VERDICT_NAMES[c.verdict] for c in checked} | {claims.SECTIONS[c.section] for c in checked}
    ids |= {c.claim for c in checked} | {c.where for c in checked if c.where}
    ids |= {m.template for c in checked for m in c.number} | {n for c in checked for m in c.number
                                                             for n in m.names.values()}
    for message_id in ids:
        assert catalogue.get(message_id) is not None and catalogue[message_id].string, message_id
    try:
        i18n.set_language("zh")
        chinese = {c.key: claims.text(c.number) for c in checked}
    finally:
        i18n.set_language("en")
    english = {c.key: claims.text(c.number) for c in checked}
    for key, text in chinese.items():
        assert text != english[key] and "。" in text, key
    assert "cnn_on_sequences" in chinese and "1-D CNN" in chinese["cnn_on_sequences"]


def _page(**query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params.update(query)
    at.switch_page("app_pages/claims.py").run()  # the first run opens the page, as a link to it does
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_claims_page_through_the_app_links_every_claim() -> None:
    at = _page()
    text = " ".join(m.value for m in at.markdown)
    assert "The lesson:" in text and ":red[**does not hold as stated**]" in text
    assert len(at.get("page_link")) == len(claims.verdicts())


def test_claims_page_in_chinese_and_its_filter_in_the_url() -> None:
    """In Chinese the page shows every claim's verdict and numbers in Chinese; the verdict filter shows only those
    claims and lives in the URL, so a link reopens the same view."""
    at = _page(lang="zh", claims_verdict="fails")
    assert at.radio(key="claims_verdict").value == claims.FAILS
    text = " ".join(m.value for m in at.markdown)
    fails = [claim for claim in claims.read_claims() if claim.verdict == claims.FAILS]
    assert "**要点**：" in text and ":red[**不如所述成立**]" in text and "成立**]" in text
    assert len(at.get("page_link")) == len(fails)
    assert "The lesson" not in text and "does not hold" not in text
    i18n.set_language("zh")  # AppTest formats the radio's options on this thread, in its language
    try:
        at.radio(key="claims_verdict").set_value("all").run()
    finally:
        i18n.set_language("en")
    assert len(at.get("page_link")) == len(claims.verdicts())
    assert "claims_verdict" not in at.query_params  # "all" is the default: a link leaves it out


def test_a_garbled_filter_falls_back_to_every_claim() -> None:
    at = _page(claims_verdict="nonsense")
    assert at.radio(key="claims_verdict").value == "all"


def test_claims_page_on_its_own_names_the_pages() -> None:
    at = AppTest.from_file(str(ROOT / "app_pages/claims.py"), default_timeout=300)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "**Attention**" in [m.value for m in at.markdown]


def test_the_readme_quotes_the_current_counts() -> None:
    """The README's row quotes how many claims get each verdict; it must agree with claims.json."""
    counts = {verdict: sum(claim.verdict == verdict for claim in claims.read_claims()) for verdict in claims.VERDICTS}
    readme = (ROOT / "README.md").read_text()
    assert (f"Today {counts[claims.HOLDS]} claims hold, {counts[claims.CAVEAT]} hold with a caveat" in readme
            and f"{counts[claims.FAILS]} do not hold as stated" in readme
            and f"and {counts[claims.UNMEASURED]} is not measured" in readme)
