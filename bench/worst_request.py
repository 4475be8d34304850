"""The worst single request a stranger can send (issue 27): what each costs the server before it is answered.

    python bench/worst_request.py [--quick]

Each row is one hostile request of the issue, sent to the function the page calls, in a fresh forked process
(so its peak memory is its own): seconds until the answer (a refusal, or the capped result) and the growth of
the process's peak RSS. The reference, measured in the same run, is an ordinary request of the same kind:
decoding a 1-megapixel photo, reading ResNet-18's weights, checking a default occlusion, planning the
Training lab's default network. Before the fixes the same requests took, as the issue measured them: the float
TIFF ≈ 1.5 GB, the 100k-page TIFF 68 s, the zip of 300 one-bit 40-megapixel PNGs 222 s, the pickle flood 133 s
and 3.2 GB, the million empty tensors 1.2 GB, VGG-16's occlusion at window 2 about 278 minutes, a step of
seven 256-channel convolutions at batch 128 85 s and 4.5 GB, five forged uploads 750 MB held. The last row,
"worst single request", is the largest time and the largest memory of all rows. `--quick` sends smaller
versions (for a smoke test).
"""
from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import hostile  # noqa: E402


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _run(request: Callable[[], str], queue: multiprocessing.Queue) -> None:
    start_rss = _rss_bytes()
    started = time.perf_counter()
    try:
        answer = request()
    except Exception as err:  # noqa: BLE001 — a refusal is the answer we measure
        answer = f"{type(err).__name__}: {err}"
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    queue.put((seconds, max(0, peak - start_rss), answer))


def measure(request: Callable[[], str]) -> tuple[float, int, str]:
    """Seconds, peak RSS growth in bytes and the answer of `request`, run in a forked child."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_run, args=(request, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def decode(data: bytes) -> Callable[[], str]:
    from core.data.images import decode_image

    return lambda: "decoded " + "×".join(map(str, decode_image(data).pixels.shape))


def weights(data: bytes, name: str) -> Callable[[], str]:
    from core.own_weights import read_state_dict

    return lambda: f"read {len(read_state_dict(data, name))} tensors"


def zip_pictures(data: bytes) -> Callable[[], str]:
    from core.data.own import images_from_zip

    def read() -> str:
        folder = images_from_zip(data)
        return f"{len(folder.labels)} pictures; {folder.skipped[-1] if folder.skipped else ''}"

    return read


def occlusion(window: int, stride: int) -> Callable[[], str]:
    from core.models.catalogue import get_spec
    from core.probes.costs import size_without_weights
    from core.probes.saliency import check_occlusion_budget

    def check() -> str:
        spec = get_spec("vgg16")
        check_occlusion_budget(224, 224, window, stride, size_without_weights(spec.build, spec.input_size)["flops"])
        return "allowed"

    return check


def training_step(layers: tuple, batch: int) -> Callable[[], str]:
    from core.training.engine import RunConfig, validate
    from core.training.limits import TRAINING_LAB
    from core.training.tasks import TASKS

    def check() -> str:
        validate(RunConfig(task="shapes", layers=layers, batch_size=batch, epochs=1), TASKS["shapes"],
                 limits=TRAINING_LAB)
        return "allowed"

    return check


def forged_uploads(count: int, size: int) -> Callable[[], str]:
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    from ui.uploads import hold_at_most

    def send() -> str:
        hold_at_most()
        manager = MemoryUploadedFileManager("/upload")
        for i in range(count):
            manager.add_file("s", UploadedFileRec(f"f{i}", "x.png", "image/png", b"\x01" * size))
        held = sum(len(rec.data) for rec in manager.file_storage["s"].values())
        return f"{held / 1e6:,.0f} MB held of {count * size / 1e6:,.0f} MB sent"

    return send


def rows(quick: bool) -> list[tuple[str, int, Callable[[], str], Callable[[], str]]]:
    """(request, its size in bytes, the request, the ordinary request of the same kind)."""
    import torchvision
    from PIL import Image
    from safetensors.torch import save

    from core.builder import LENET_LIKE, LayerSpec

    photo = io.BytesIO()
    hostile.gradient_rgb(1000, 1000).save(photo, "JPEG", quality=90)
    resnet = save({k: v.contiguous() for k, v in torchvision.models.resnet18().state_dict().items()})
    side = 2000 if quick else 6324
    one_bit = hostile.one_bit_png(side)
    pictures = 30 if quick else 300
    big_zip = hostile.zip_of({f"{c}/{i}.png": one_bit for c in "ab" for i in range(pictures // 2)})
    flood = hostile.torch_archive_with_pickle(hostile.pickle_opcode_flood(20_000_000 if quick else 200_000_000))
    empty = hostile.safetensors_of_empty_tensors(100_000 if quick else 1_000_000)
    small_zip = hostile.zip_of({f"{c}/{i}.png": hostile._save(Image.new("RGB", (64, 64)), "PNG")
                                for c in "ab" for i in range(pictures // 2)})
    seven = tuple([LayerSpec("conv", 256, 3, 1, 1), LayerSpec("relu")] * 7 + [LayerSpec("maxpool", kernel=8, stride=8)])
    page_count = 10_000 if quick else 100_000
    pages = hostile.tiff_pages(page_count)
    decode(photo.getvalue())()  # PIL's plugins loaded once here, not in every child
    return [
        ("float TIFF 6324×6324", len(hostile.tiff_claiming(6324, 6324)), decode(hostile.tiff_claiming(6324, 6324)),
         decode(photo.getvalue())),
        (f"TIFF of {page_count:,} pages", len(pages), decode(pages), decode(photo.getvalue())),
        (f"zip of {pictures} one-bit {side}² PNGs", len(big_zip), zip_pictures(big_zip), zip_pictures(small_zip)),
        ("pickle opcode flood", len(flood), weights(flood, "flood.pt"), weights(resnet, "resnet18.safetensors")),
        ("safetensors of empty tensors", len(empty), weights(empty, "empty.safetensors"),
         weights(resnet, "resnet18.safetensors")),
        ("VGG-16 occlusion, window 2, stride 1", 0, occlusion(2, 1), occlusion(28, 14)),
        ("your 7×256-channel CNN, batch 128", 0, training_step(seven, 128), training_step(LENET_LIKE, 64)),
        ("5 forged uploads of 150 MB", 750_000_000, forged_uploads(5, 30_000_000 if quick else 150_000_000),
         forged_uploads(1, 1_000_000)),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller hostile requests, for a smoke test")
    quick = parser.parse_args(argv).quick
    print(f"{'request':40s} {'bytes':>12s} {'seconds':>8s} {'× ref':>7s} {'peak +MB':>9s}  answer")
    worst_s, worst_mb = 0.0, 0.0
    for name, size, request, reference in rows(quick):
        ref_s, _, _ = measure(reference)
        seconds, grown, answer = measure(request)
        worst_s, worst_mb = max(worst_s, seconds), max(worst_mb, grown / 1e6)
        print(f"{name:40s} {size:12,d} {seconds:8.3f} {seconds / max(ref_s, 1e-6):7.1f} {grown / 1e6:9.0f}  "
              f"{answer[:110]}")
    print(f"{'worst single request':40s} {'':12s} {worst_s:8.3f} {'':7s} {worst_mb:9.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
