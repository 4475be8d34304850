"""Sessions share cached models: concurrent calls from threads must each get their own, correct results."""
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch

from core.data.shapes import make_shapes
from core.data.preprocess import normalise
from core.models import get_spec
from core.probes.activations import feature_maps, make_extractor
from core.probes.saliency import grad_cam
from core.weights import load_model


def test_two_threads_on_one_shared_model_get_their_own_maps() -> None:
    model, _ = load_model("small_vgg")
    spec = get_spec("small_vgg")
    batch = make_shapes(8, seed=7)
    xs = normalise(torch.from_numpy(batch.images).permute(0, 3, 1, 2).float() / 255, spec.preprocessing)
    extractor = make_extractor(model, ["features.1.5"])
    expected_maps = [feature_maps(extractor, xs[i:i + 1])["features.1.5"] for i in range(8)]
    expected_cams = [grad_cam(model, xs[i:i + 1], int(batch.labels[i]), "features.2.5") for i in range(8)]

    def work(i: int) -> tuple[torch.Tensor, np.ndarray]:
        maps = feature_maps(extractor, xs[i:i + 1])["features.1.5"]
        cam = grad_cam(model, xs[i:i + 1], int(batch.labels[i]), "features.2.5")
        return maps, cam

    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(3):
            results = list(pool.map(work, [i % 8 for i in range(16)]))
            for k, (maps, cam) in enumerate(results):
                assert torch.allclose(maps, expected_maps[k % 8], atol=1e-5)
                assert np.allclose(cam, expected_cams[k % 8], atol=1e-5)
    assert all(p.grad is None for p in model.parameters())
    assert not any(m._forward_hooks or m._backward_hooks for m in model.modules())


def test_start_up_warm_up_hides_the_imported_libraries_from_the_garbage_collector() -> None:
    """Streamlit runs a full collection after every script run, holding the GIL; the warm-up freezes what
    the imports made, so that collection no longer walks torch's, plotly's and captum's objects each time."""
    import gc

    import plotly.graph_objects as go

    from ui import sidebar

    try:
        sidebar._import_heavy()
        assert gc.get_freeze_count() > 100_000
        walked = {id(o) for o in gc.get_objects()}
        for library_object in (torch.nn.functional.conv2d, torch.nn.Module.__call__, go.Figure.__init__, grad_cam):
            assert id(library_object) not in walked
        made_later = [[]]
        assert id(made_later) in {id(o) for o in gc.get_objects()}
    finally:
        gc.unfreeze()  # the other tests count on collections seeing everything again
