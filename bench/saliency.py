"""Grad-CAM speed: ours (captum, gradient down to the layer only) vs the bare forward pass vs pytorch-grad-cam.

    pip install grad-cam          # the reference, for this benchmark only
    python bench/saliency.py [--repeats 15] [--device cpu]

ResNet-18 at 224×224 with random weights, on the current device, all in one process. Prints median
times and the ratios ours / forward (target ≤ 1.3, see docs/benchmarks.md) and ours / pytorch-grad-cam (≤ 0.6).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import median_seconds  # noqa: E402
from core.device import choose_device  # noqa: E402
from core.models import get_spec  # noqa: E402
from core.probes.saliency import grad_cam  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--device", default=None, help="cuda, mps or cpu (default: as the app chooses)")
    args = parser.parse_args()
    device = choose_device(args.device).device
    torch.manual_seed(0)
    model = get_spec("resnet18").build().to(device).eval()
    x = torch.randn(1, 3, 224, 224, device=device)
    target = 3

    def forward() -> None:
        with torch.inference_mode():
            model(x)

    def ours() -> None:
        grad_cam(model, x, target, "layer4")

    rows = [("bare forward (inference_mode)", median_seconds(forward, args.repeats, device)),
            ("ours: core.probes.saliency.grad_cam", median_seconds(ours, args.repeats, device))]
    try:
        from pytorch_grad_cam import GradCAM
        from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    except ImportError:
        reference = None
        print("pytorch-grad-cam is not installed (pip install grad-cam): skipping the reference")
    else:
        cam = GradCAM(model=model, target_layers=[model.layer4])

        def reference_cam() -> None:
            cam(input_tensor=x, targets=[ClassifierOutputTarget(target)])

        reference = median_seconds(reference_cam, args.repeats, device)
        rows.append(("pytorch-grad-cam GradCAM", reference))
        cam.activations_and_grads.release()
        for p in model.parameters():
            p.grad = None

    print(f"ResNet-18, 224×224, random weights, {device.type}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, median of {args.repeats}")
    for name, seconds in rows:
        print(f"  {name:40s} {seconds * 1000:8.1f} ms")
    forward_s, ours_s = rows[0][1], rows[1][1]
    print(f"  ratio ours / bare forward        {ours_s / forward_s:6.2f}   (target ≤ 1.3)")
    if reference is not None:
        print(f"  ratio ours / pytorch-grad-cam    {ours_s / reference:6.2f}   (target ≤ 0.6)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
