"""The app in a real browser: pages load, figures render, an upload through the file chooser works."""
import re
from pathlib import Path

import pytest

from core.data.samples import SAMPLES_DIR
from tests.conftest import screenshot
from tests.hostile import corpus
from ui.catalogue import PAGES

pytestmark = pytest.mark.browser


def wait_for_app(page) -> None:
    """Wait until streamlit has finished running the script (no 'running' indicator, no skeletons)."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
    page.wait_for_function(  # the app root carries the script's run state
        "() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"
        " === 'notRunning' && document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0",
        timeout=120_000,
    )
    page.wait_for_timeout(500)


def assert_no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]').first.inner_text()
    failed = page.locator('[data-testid="stAlert"]', has_text=re.compile(r"E-[0-9a-f]{8}"))  # ui.flow.run_page's sentence
    assert failed.count() == 0, failed.first.inner_text()


DRAWN = ("[...document.querySelectorAll('.js-plotly-plot')]"
         ".filter(p => p.data && p.data.length > 0 && p.querySelector('.main-svg')).length")


def wait_for_plots(page, n: int) -> None:
    """Wait until at least `n` plotly figures have drawn their data (a busy machine draws slowly)."""
    page.wait_for_function(f"() => {DRAWN} >= {n}", timeout=120_000)


TOP1 = (
    "() => { const d = [...document.querySelectorAll('.js-plotly-plot')]"
    ".map(p => p.data && p.data[0]).filter(d => d && d.type === 'bar')[0];"
    " return d ? d.y[d.y.length - 1] : null; }"
)


def wait_for_top1(page, label: str) -> None:
    """Wait until the page's top-5 bar chart puts `label` on top."""
    page.wait_for_function(f"() => ({TOP1})() === {label!r}")


def test_home_page(page, app_url) -> None:
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("heading", name="CNN & RNN Explorer").wait_for()
    assert_no_exception(page)
    assert page.get_by_text("Device:").is_visible()
    screenshot(page, "home")


@pytest.mark.parametrize("path", ["app.py"] + [entry.path for entry in PAGES],
                         ids=["home"] + [Path(entry.path).stem for entry in PAGES])
def test_every_page_default_state(page, app_url, path) -> None:
    """Each page as a learner first sees it: no exception, every figure drawn; the shot is for a person to look at."""
    stem = "home" if path == "app.py" else Path(path).stem
    outside: list[str] = []  # nothing may leave the machine: no icon, font or telemetry request
    page.on("request", lambda r: None if r.url.startswith((app_url, "data:", "blob:")) else outside.append(r.url))
    page.goto(app_url if path == "app.py" else f"{app_url}/{stem}")
    wait_for_app(page)
    assert_no_exception(page)
    count = page.evaluate("() => document.querySelectorAll('.js-plotly-plot').length")
    wait_for_plots(page, count)
    screenshot(page, f"default_{stem}")
    assert not outside, outside


def test_feature_maps_sample_and_upload(page, app_url, tmp_path) -> None:
    page.goto(f"{app_url}/feature_maps")
    wait_for_app(page)
    assert_no_exception(page)
    wait_for_plots(page, 5)
    wait_for_plots(page, 5)
    assert page.get_by_text("Top-5 prediction").count() >= 1
    screenshot(page, "feature_maps_lenet_sample")

    page.get_by_text("Upload", exact=True).click()
    wait_for_app(page)
    bad = tmp_path / "not_a_picture.png"
    bad.write_bytes(corpus()["notes.txt"][0])
    page.locator('input[type="file"]').set_input_files(str(bad))
    page.get_by_text("not an image we can read").wait_for()
    assert_no_exception(page)
    screenshot(page, "feature_maps_bad_upload")

    page.locator('input[type="file"]').set_input_files(str(SAMPLES_DIR / "digit_7.png"))
    page.get_by_text("not an image we can read").wait_for(state="detached")
    wait_for_top1(page, "7")
    wait_for_app(page)
    assert_no_exception(page)
    wait_for_plots(page, 5)
    screenshot(page, "feature_maps_upload")


CHANNEL_TITLE = ("() => [...document.querySelectorAll('.js-plotly-plot')].map(p => p.layout?.title?.text || '')"
                 ".find(t => / channel \\d+:/.test(t)) || ''")


def test_feature_maps_controls_and_figures_agree_through_an_upload(page, app_url) -> None:
    """Layer act3, channel 5, then an upload: the boxes and the figures must still say act3 and 5, and the
    next click must not jump to the defaults (the page used to drop its controls while waiting for the file)."""
    page.goto(f"{app_url}/feature_maps")
    wait_for_app(page)
    wait_for_plots(page, 5)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Layer").click()
    page.get_by_role("option").filter(has_text="act3").first.click()
    wait_for_app(page)
    channel = page.locator('[data-testid="stNumberInputField"]').first
    channel.fill("5")
    channel.press("Enter")
    page.wait_for_function(f"() => ({CHANNEL_TITLE})().startsWith('act3, channel 5:')")
    page.get_by_text("Upload", exact=True).click()
    wait_for_app(page)
    page.locator('input[type="file"]').set_input_files(str(SAMPLES_DIR / "digit_7.png"))
    wait_for_top1(page, "7")
    wait_for_app(page)
    page.get_by_text("Scale each map on its own").click()  # the next click, anywhere else on the page
    wait_for_app(page)
    assert_no_exception(page)
    assert page.get_by_role("combobox", name="Layer").input_value().startswith("act3 ")
    assert channel.input_value() == "5"
    assert page.evaluate(CHANNEL_TITLE).startswith("act3, channel 5:")
    screenshot(page, "feature_maps_after_upload")


STEP_SENTENCE = ("() => { const m = [...document.querySelectorAll('[data-testid=\"stMarkdownContainer\"]')]"
                 ".map(e => e.innerText).find(t => /^Step \\d+ reads/.test(t)); return m ? +m.match(/^Step (\\d+)/)[1] : null; }")


def test_hidden_states_step_control_and_sentence_agree_after_an_empty_text(page, app_url) -> None:
    """A page that stops early (an empty text) drops its lower controls from the browser; when they come back,
    the slider and the sentence under it must name the same step (they used to differ: the browser showed the
    default while the server kept the learner's step)."""
    page.goto(f"{app_url}/hidden_states")
    wait_for_app(page)
    slider = page.get_by_role("slider", name="Step t")
    slider.focus()
    for _ in range(4):
        slider.press("ArrowLeft")
    wait_for_app(page)
    chosen = int(slider.input_value())
    assert page.evaluate(STEP_SENTENCE) == chosen
    area = page.locator("textarea").first
    text = area.input_value()
    area.fill("")
    area.press("Control+Enter")
    wait_for_app(page)
    area.fill(text)
    area.press("Control+Enter")
    wait_for_app(page)
    page.wait_for_function(f"() => ({STEP_SENTENCE})() !== null")
    assert_no_exception(page)
    assert page.evaluate(STEP_SENTENCE) == int(page.get_by_role("slider").first.input_value())


def test_saliency_upload_gives_prediction_and_grad_cam(page, app_url) -> None:
    page.goto(f"{app_url}/saliency")
    wait_for_app(page)
    page.get_by_text("Upload", exact=True).click()
    page.locator('input[type="file"]').set_input_files(str(SAMPLES_DIR / "shape_star.png"))
    wait_for_top1(page, "star")
    page.get_by_text("Grad-CAM map for “star”").wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    images = page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.data && p.data[0].type === 'image').length"
    )
    assert images >= 2  # the picture the model sees, and the overlay
    screenshot(page, "saliency_upload")


def test_saliency_occlusion_on_resnet18_shows_progress_and_stops(page, app_url) -> None:
    """Occlusion on ResNet-18 takes ≈ 9 s on 2 CPU cores: a progress bar and a Stop button while it runs; Stop
    ends it, says so, draws no map and offers to compute it after all."""
    page.goto(f"{app_url}/saliency")
    wait_for_app(page)
    page.get_by_label("Model").first.click()
    page.get_by_text("ResNet-18 (2015)", exact=True).click()
    page.get_by_text("Grad-CAM map for").first.wait_for(timeout=120_000)
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    main.locator("[data-testid=stRadio]").get_by_text("Occlusion", exact=True).click()
    main.locator("[data-testid=stProgress]").wait_for(timeout=60_000)
    main.get_by_role("button", name="Stop", exact=True).click()
    main.get_by_text("Stopped: Occlusion for").wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)
    assert main.get_by_text("Occlusion map for").count() == 0 and main.locator("[data-testid=stProgress]").count() == 0
    assert main.get_by_role("button", name="Compute", exact=True).is_visible()
    screenshot(page, "saliency_occlusion_stopped")


def test_compare_page(page, app_url) -> None:
    page.goto(f"{app_url}/compare")
    wait_for_app(page)
    page.get_by_text("The whole zoo, measured on this machine").wait_for()
    wait_for_plots(page, 7)
    wait_for_app(page)
    assert_no_exception(page)
    wait_for_plots(page, 7)
    screenshot(page, "compare")


def test_hidden_states_typed_sequence(page, app_url) -> None:
    page.goto(f"{app_url}/hidden_states")
    wait_for_app(page)
    wait_for_plots(page, 3)
    typed = 'if x:\n    print("hi (there)")\n'
    area = page.locator("textarea").first
    area.fill(typed)
    area.press("Control+Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].some(p => p.data && p.data[0].type === 'heatmap'"
        f" && p.data[0].x && p.data[0].x.length === {len(typed)})"
    )
    wait_for_app(page)
    assert_no_exception(page)
    wait_for_plots(page, 3)
    screenshot(page, "hidden_states")


def test_gates_page(page, app_url) -> None:
    page.goto(f"{app_url}/gates")
    wait_for_app(page)
    page.get_by_text("Find the units that follow a pattern").wait_for()
    wait_for_plots(page, 4)
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, "gates")


def test_rnn_compare_page(page, app_url) -> None:
    page.goto(f"{app_url}/rnn_compare")
    wait_for_app(page)
    wait_for_plots(page, 4)
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, "rnn_compare")


def test_convolution_lab_parts(page, app_url) -> None:
    page.goto(f"{app_url}/convolution")
    wait_for_app(page)
    wait_for_plots(page, 5)
    assert_no_exception(page)
    screenshot(page, "convolution_step")
    for part, name in (("Receptive field", "receptive_field"), ("Translation", "translation")):
        page.locator("[data-testid=stButtonGroup]").get_by_text(part, exact=True).click()
        wait_for_plots(page, 3)
        wait_for_app(page)
        assert_no_exception(page)
        screenshot(page, f"convolution_{name}")


def test_gradient_lab(page, app_url) -> None:
    page.goto(f"{app_url}/gradients")
    wait_for_app(page)
    wait_for_plots(page, 2)
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, "gradients_over_time")
    page.locator("[data-testid=stButtonGroup]").get_by_text("Over depth", exact=True).click()
    page.get_by_text("Per-layer gradient norms").wait_for(timeout=120_000)
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, "gradients_over_depth")


def test_hostile_uploads_through_the_file_chooser(page, app_url, tmp_path) -> None:
    """Each bad file gets its sentence naming the file; the page stays usable and the next good upload works."""
    page.goto(f"{app_url}/feature_maps")
    wait_for_app(page)
    page.get_by_text("Upload", exact=True).click()
    wait_for_app(page)
    files = corpus()
    for name in ("empty.png", "random.png", "truncated.jpg", "bomb.png", "strip.png"):
        path = tmp_path / name
        path.write_bytes(files[name][0])
        page.locator('input[type="file"]').set_input_files(str(path))
        page.locator('[data-testid="stAlertContentError"]').filter(has_text=name).wait_for()
        wait_for_app(page)
        assert_no_exception(page)
    assert page.get_by_text("Device:").is_visible()  # the sidebar survives a page that stops early
    screenshot(page, "feature_maps_hostile_upload")
    page.locator('input[type="file"]').set_input_files(str(SAMPLES_DIR / "digit_3.png"))
    wait_for_top1(page, "3")
    wait_for_app(page)
    assert_no_exception(page)


PASTE = """(el, text) => {
    const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set;
    setter.call(el, text);
    el.dispatchEvent(new Event('input', { bubbles: true }));
}"""

HOSTILE_TEXTS = {
    "empty": ("", "the sequence is empty"),
    "emoji": ("🙂🚀" * 40, "outside the model's vocabulary"),
    "right-to-left": ("مرحبا بالعالم שלום עולם", "outside the model's vocabulary"),
    "nul bytes": ("a\x00b\x00c = 1\n", "outside the model's vocabulary"),
    "1 MB": ("x = 1\n" * 174_763, "only the first 1,000 are used"),
}


@pytest.mark.parametrize("case", list(HOSTILE_TEXTS))
def test_hostile_text_on_the_hidden_states_page(page, app_url, case) -> None:
    """Empty, emoji, right-to-left, NUL and 1 MB texts typed into the browser: each gets its sentence, no traceback."""
    text, message = HOSTILE_TEXTS[case]
    page.goto(f"{app_url}/hidden_states")
    wait_for_app(page)
    area = page.locator("textarea").first
    if len(text) > 10_000:  # as a paste would: typing a megabyte key by key takes minutes
        area.evaluate(PASTE, text)
    else:
        area.fill(text)
    area.press("Control+Enter")
    page.get_by_text(message).first.wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    if case != "empty":
        wait_for_plots(page, 3)
    if case in ("right-to-left", "1 MB"):
        screenshot(page, f"hidden_states_{case.replace(' ', '_')}")


def test_sequence_compare_page(page, app_url) -> None:
    page.goto(f"{app_url}/sequence_compare")
    wait_for_app(page)
    wait_for_plots(page, 6)  # samples, saliency rows, three state maps, the attention heads
    assert_no_exception(page)
    screenshot(page, "sequence_compare_mnist1d")
    page.get_by_text("Parallelism", exact=True).click()
    page.get_by_text("Memory of the forward pass").wait_for()
    wait_for_app(page)
    wait_for_plots(page, 2)
    assert_no_exception(page)
    screenshot(page, "sequence_compare_parallelism")


def test_attention_page(page, app_url) -> None:
    page.goto(f"{app_url}/attention")
    wait_for_app(page)
    box = page.get_by_label("Letters a–z (up to 24)")
    box.fill("backwards")
    box.press("Enter")
    page.get_by_text("sdrawkcab").first.wait_for()
    wait_for_app(page)
    wait_for_plots(page, 4)  # the GRU's attention map, accuracy by length, two sets of Transformer heads
    assert_no_exception(page)
    screenshot(page, "attention")


def pick_lab_task(page, task: str) -> None:
    """Choose a task in the training lab's select box."""
    page.get_by_label("Task").first.click()
    page.get_by_text(task).click()
    wait_for_app(page)


def lab_task_with_file(page, task: str, path, ready: str) -> None:
    """Choose an own-data task in the training lab, upload `path` through the file chooser, wait for `ready`."""
    pick_lab_task(page, task)
    page.locator('input[type="file"]').set_input_files(str(path))
    page.get_by_text(ready).wait_for(timeout=60_000)
    wait_for_app(page)


def set_lab_epochs(page, epochs: int) -> None:
    """Type the same number of epochs into both run forms of the training lab."""
    for box in (page.get_by_label("Epochs").nth(0), page.get_by_label("Epochs").nth(1)):
        box.fill(str(epochs))
        box.press("Enter")
        wait_for_app(page)


PROGRESS = ("() => [...document.querySelectorAll('[data-testid=\"stProgress\"]')]"
            ".map(p => p.innerText).join(' | ')")


def test_training_lab_two_runs_live_stop_and_own_model(page, app_url) -> None:
    page.goto(f"{app_url}/training_lab")
    wait_for_app(page)
    assert_no_exception(page)
    set_lab_epochs(page, 40)
    page.get_by_role("button", name="Train both").click()
    page.get_by_text("step ", exact=False).first.wait_for(timeout=60_000)
    wait_for_plots(page, 1)
    first = page.evaluate(PROGRESS)
    page.wait_for_function(f"() => ({PROGRESS})() !== {first!r}", timeout=30_000)  # the curves move while it trains
    assert page.evaluate(PROGRESS).count("step ") == 2, page.evaluate(PROGRESS)  # both runs at once
    page.wait_for_function(f"() => /run A: step ([3-9][0-9]|[0-9]{{3}}) of/.test(({PROGRESS})())", timeout=60_000)
    screenshot(page, "training_lab_live")
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_role("link", name="Home").click()  # leave while it trains (same session: the sidebar does not reload)
    page.get_by_role("heading", name="CNN & RNN Explorer").wait_for()
    nav.get_by_role("link", name="Training lab").click()
    page.wait_for_function(f"() => /run A: step [0-9]+ of/.test(({PROGRESS})())", timeout=60_000)
    assert page.get_by_role("button", name="Stop").is_enabled()  # still training, and still stoppable
    page.get_by_role("button", name="Stop").click()
    page.get_by_role("heading", name="Results").wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)
    assert "Stopped after" in page.evaluate(PROGRESS), page.evaluate(PROGRESS)
    page.get_by_text("can be picked (marked ★)").wait_for()
    wait_for_plots(page, 3)  # the curves and two confusion matrices
    screenshot(page, "training_lab_results")
    nav.get_by_role("link", name="Feature maps").click()
    wait_for_app(page)
    page.get_by_label("Model").first.click()
    page.get_by_text("★ Yours: LeNet-5, lab run B").click()
    wait_for_app(page)
    page.get_by_text("Trained by you in the training lab").wait_for()
    wait_for_plots(page, 4)
    assert_no_exception(page)
    screenshot(page, "feature_maps_own_model")


def test_your_resnet18_with_three_classes_in_feature_maps_and_saliency(page, app_url, tmp_path) -> None:
    from tests.test_pages import resnet18_three_classes

    weights, names = tmp_path / "pets.safetensors", tmp_path / "pets.txt"
    weights.write_bytes(resnet18_three_classes())
    names.write_text("cat\ndog\nrabbit\n")
    page.goto(f"{app_url}/your_models")
    wait_for_app(page)
    files = page.locator('input[type="file"]')
    files.nth(0).set_input_files(str(weights))
    files.nth(1).set_input_files(str(names))
    page.get_by_text("pets.txt").wait_for()
    wait_for_app(page)
    page.get_by_role("button", name="Load", exact=True).click()  # waits until the upload has arrived
    page.get_by_text("3 classes). Pick it").wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, "your_models_loaded")
    nav = page.locator('[data-testid="stSidebarNav"]')
    for link, ready in (("Feature maps", "One channel, large"), ("Saliency", "Grad-CAM map for")):
        nav.get_by_role("link", name=link).click()
        wait_for_app(page)
        page.get_by_label("Model").first.click()
        page.get_by_text("★ Yours: ResNet-18: pets.safetensors").click()
        page.get_by_text(ready).first.wait_for(timeout=60_000)
        wait_for_app(page)
        wait_for_plots(page, 4)
        assert_no_exception(page)
        labels = page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')].map(p => p.data && p.data[0])"
                               ".filter(d => d && d.type === 'bar').map(d => [...d.y].sort().join(','))")
        assert labels == ["cat,dog,rabbit"], labels
        screenshot(page, f"{link.lower().replace(' ', '_')}_your_resnet18")


def test_training_lab_on_a_zip_of_your_pictures(page, app_url, tmp_path) -> None:
    from tests.test_own_data import shapes_zip

    archive = tmp_path / "my_shapes.zip"
    archive.write_bytes(shapes_zip())
    page.goto(f"{app_url}/training_lab")
    wait_for_app(page)
    lab_task_with_file(page, "Your pictures (a zip of class folders)", archive, "24 pictures in 3 classes")
    page.get_by_role("button", name="Train both").click()
    page.get_by_role("heading", name="Results").wait_for(timeout=120_000)
    wait_for_app(page)
    wait_for_plots(page, 3)
    assert_no_exception(page)
    assert "Finished" in page.evaluate(PROGRESS)
    screenshot(page, "training_lab_your_pictures")


def test_build_a_cnn_train_it_on_your_zip_and_inspect_it(page, app_url, tmp_path) -> None:
    from tests.test_own_data import shapes_zip

    archive = tmp_path / "my_shapes.zip"
    archive.write_bytes(shapes_zip())
    page.goto(f"{app_url}/your_models")
    wait_for_app(page)
    page.get_by_text("Shapes or your pictures: 3×64×64 in").click()
    wait_for_app(page)
    page.get_by_text("8×64×64").first.wait_for(state="attached")  # data frames draw on a canvas
    page.get_by_role("button", name="Use in the training lab").click()
    page.get_by_text("tick Use the network you built").wait_for()
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_role("link", name="Training lab").click()
    wait_for_app(page)
    lab_task_with_file(page, "Your pictures (a zip of class folders)", archive, "24 pictures in 3 classes")
    page.get_by_text("Use the network you built (9 layers)").nth(1).click()
    wait_for_app(page)
    page.get_by_role("button", name="Train both").click()
    page.get_by_role("heading", name="Results").wait_for(timeout=120_000)
    page.get_by_text("CNN you built, lab run B on your 3 classes").first.wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, "training_lab_built_cnn_on_your_pictures")
    nav.get_by_role("link", name="Saliency").click()
    wait_for_app(page)
    page.get_by_label("Model").first.click()
    page.get_by_text("★ Yours: CNN you built, lab run B on your 3 classes").click()
    page.get_by_text("Grad-CAM map for").first.wait_for(timeout=60_000)
    wait_for_app(page)
    wait_for_plots(page, 4)
    assert_no_exception(page)
    screenshot(page, "saliency_built_cnn")


def test_paste_a_text_train_a_character_lstm_and_inspect_it(page, app_url) -> None:
    from core.data.text import load_corpus

    page.goto(f"{app_url}/training_lab")
    wait_for_app(page)
    pick_lab_task(page, "Your text with an RNN / LSTM / GRU")
    box = page.get_by_label("…or paste a text")
    box.fill(load_corpus()[:20_000])
    box.press("Control+Enter")
    page.get_by_text("20,000 characters").wait_for(timeout=60_000)
    wait_for_app(page)
    set_lab_epochs(page, 2)
    page.get_by_role("button", name="Train both").click()
    page.get_by_role("heading", name="Results").wait_for(timeout=120_000)
    wait_for_app(page)
    assert_no_exception(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Hidden states").click()
    wait_for_app(page)
    page.get_by_label("Model").first.click()
    page.get_by_text("★ Yours: LSTM character model, lab run B").click()
    page.get_by_text("Trained by you in the training lab").wait_for(timeout=60_000)
    wait_for_app(page)
    wait_for_plots(page, 3)
    assert_no_exception(page)
    screenshot(page, "hidden_states_your_lstm")


def test_hostile_weights_and_data_through_the_file_chooser(page, app_url, tmp_path) -> None:
    import io
    import os

    import torch

    from tests.test_own_data import zip_bomb

    class Payload:
        def __reduce__(self):
            return os.system, (f"touch {tmp_path / 'ran'}",)

    buf = io.BytesIO()
    torch.save({"fc.weight": torch.zeros(3, 512), "x": Payload()}, buf)
    evil, bomb = tmp_path / "evil.pt", tmp_path / "bomb.zip"
    evil.write_bytes(buf.getvalue())
    bomb.write_bytes(zip_bomb())
    page.goto(f"{app_url}/your_models")
    wait_for_app(page)
    page.locator('input[type="file"]').first.set_input_files(str(evil))
    page.get_by_text("evil.pt").first.wait_for()
    wait_for_app(page)
    page.get_by_role("button", name="Load", exact=True).click()
    page.get_by_text("Refused: the file holds Python objects").wait_for(timeout=60_000)
    assert_no_exception(page)
    assert not (tmp_path / "ran").exists()
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Training lab").click()
    wait_for_app(page)
    lab_task_with_file(page, "Your pictures (a zip of class folders)", bomb, "that is a zip bomb")
    assert_no_exception(page)
    screenshot(page, "training_lab_zip_bomb")


def test_a_file_named_as_markup_and_one_over_the_cap_get_their_sentences_on_screen(page, app_url, tmp_path) -> None:
    """Issue 27: a file name that is Markdown shows as typed (no image fetched), and a file over the picture cap
    reaches the app and is refused with a sentence on screen, not on the uploader's hover."""
    elsewhere: list[str] = []
    page.on("request", lambda r: elsewhere.append(r.url) if not r.url.startswith((app_url, "data:", "blob:")) else None)
    page.goto(f"{app_url}/feature_maps")
    wait_for_app(page)
    page.get_by_text("Upload", exact=True).click()
    wait_for_app(page)
    named = tmp_path / "![a](https:127.0.0.1:8699).png"
    named.write_bytes(corpus()["notes.txt"][0])
    page.locator('input[type="file"]').set_input_files(str(named))
    page.get_by_text("not an image we can read").wait_for()
    alert = page.locator('[data-testid="stAlert"]').first
    assert "![a](https:127.0.0.1:8699).png" in alert.inner_text() and alert.locator("img").count() == 0
    huge = tmp_path / "huge.png"
    huge.write_bytes(b"\x00" * 21_000_000)  # over the 20 MB cap, under the server's
    page.locator('input[type="file"]').set_input_files(str(huge))
    page.get_by_text("The file is 21.0 MB; the limit is 20 MB.").wait_for()
    assert page.locator('[data-testid="stFileUploaderDropzoneInstructions"]').filter(visible=True).count() == 0
    assert_no_exception(page)
    assert not elsewhere, elsewhere
