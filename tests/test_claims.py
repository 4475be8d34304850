"""The article, checked: the bundled claims.json is what core.claims computes now from the bundled results, a changed
result flips the verdict it should, and the page shows every claim with a verdict and a link."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import claims
from core.weights import ASSETS
from ui.catalogue import PAGES

ROOT = Path(__file__).resolve().parent.parent


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
    return {claim.claim: claim for claim in claims.verdicts(assets)}


def test_the_bundled_verdicts_are_reproduced() -> None:
    """claims.json equals what `python -m core.claims` computes now from the bundled files."""
    bundled = json.loads((ASSETS / "curves" / claims.RESULTS).read_text())
    assert bundled == claims.to_json(claims.verdicts())
    assert claims.read_claims() == claims.verdicts()


def test_every_claim_has_a_verdict_a_page_and_a_number() -> None:
    pages = {entry.path for entry in PAGES}
    checked = claims.verdicts()
    for claim in checked:
        assert claim.verdict in claims.VERDICTS and claim.page in pages and claim.claim and claim.number, claim
    measured = [claim for claim in checked if claim.verdict != claims.UNMEASURED]
    assert len(measured) >= 10 and all(claim.source for claim in measured)
    assert {claim.verdict for claim in measured} == {claims.HOLDS, claims.CAVEAT, claims.FAILS}


def test_the_numbers_are_the_bundled_ones() -> None:
    by_claim = {claim.claim: claim for claim in claims.verdicts()}
    mnist1d = json.loads((ASSETS / "curves" / "mnist1d_results.json").read_text())["models"]
    scale = claims.parameter_scale({"mnist1d": {"models": mnist1d, "dataset": "length 40"}})
    assert f"1-D CNN {mnist1d['cnn']['params']:,} parameters" in by_claim[scale.claim].number
    assert scale.verdict == claims.FAILS


def test_a_changed_result_flips_its_verdict(assets: Path) -> None:
    before = verdicts(assets)
    edit(assets / "curves" / "reverse_by_length.json",
         lambda r: r["models"]["gru_plain"]["by_length"].update({"24": 1.0}))
    edit(assets / "curves" / "mnist1d_results.json", lambda r: r["models"]["lstm"].update({"params": 50_000}))
    edit(assets / "curves" / "adding_T100.json", lambda r: r["runs"]["rnn"]["val_mse"].append(0.01))
    edit(assets / "curves" / "depth_shapes.json", lambda r: r["loss"].update({"residual-56": [1.0] * 120}))
    after = verdicts(assets)
    changed = {text for text in before if before[text].verdict != after[text].verdict}
    flips = {claims.attention: claims.FAILS, claims.parameter_scale: claims.HOLDS,
             claims.gated_gradients: claims.FAILS, claims.residual: claims.HOLDS}
    curves, _ = claims.read_sources(assets)
    for function, verdict in flips.items():
        claim = function(curves)
        assert before[claim.claim].verdict != verdict and after[claim.claim].verdict == verdict, claim
    assert changed == {function(curves).claim for function in flips}


def test_a_changed_default_pair_flips_the_batch_norm_verdict(assets: Path) -> None:
    edit(assets / "curves" / "lab_default_pairs.json", lambda r: r["pairs"]["digits"].update(b_mean=0.87))
    before, after = claims.batch_norm(claims.read_pairs()), claims.batch_norm(claims.read_pairs(assets))
    assert (before.verdict, after.verdict) == (claims.CAVEAT, claims.FAILS)
    assert "87.0% with batch norm" in after.number
    (assets / "curves" / "lab_default_pairs.json").unlink()
    assert claims.batch_norm(claims.read_pairs(assets)).verdict == claims.UNMEASURED


def test_a_missing_file_is_not_measured(assets: Path) -> None:
    (assets / "curves" / "scaling_cpu.json").unlink()
    claim = claims.parallel(claims.read_sources(assets)[0])
    assert claim.verdict == claims.UNMEASURED and "scaling_cpu.json is missing" in claim.number


def test_claims_page_through_the_app_links_every_claim() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("app_pages/claims.py").run()
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(m.value for m in at.markdown)
    assert "The lesson:" in text and ":red[**does not hold as stated**]" in text
    assert len(at.get("page_link")) == len(claims.verdicts())


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
            and f"and {counts[claims.UNMEASURED]} are not measured yet" in readme)
