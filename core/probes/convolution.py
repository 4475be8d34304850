"""Convolution and pooling, one output value at a time, exactly as F.conv2d and F.max_pool2d compute them.

These are teaching implementations: every output value is a dot product of a patch and the kernel
that can be shown term by term. They are checked against torch for every stride, padding and
dilation, and used on small inputs only.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.i18n import N_, _

KERNEL_PRESETS: dict[str, np.ndarray] = {
    N_("identity"): np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    N_("box blur"): np.full((3, 3), 1 / 9),
    N_("Gaussian blur"): np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=float) / 16,
    N_("sharpen"): np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
    N_("Sobel x (vertical edges)"): np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float),
    N_("Sobel y (horizontal edges)"): np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float),
    N_("Laplacian"): np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float),
    N_("emboss"): np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=float),
}
"""Named 3×3 kernels; the names are English message ids (a page shows them through `_`)."""


class ConvolutionError(ValueError):
    """A configuration that gives no output (kernel larger than the padded input, stride < 1, …)."""


def output_size(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """⌊(W + 2P − D(K−1) − 1) / S⌋ + 1, the number of positions the kernel fits along one axis."""
    if stride < 1 or dilation < 1 or kernel < 1 or padding < 0:
        raise ConvolutionError(_("Stride, dilation and kernel size must be at least 1, and padding at least 0."))
    span = dilation * (kernel - 1) + 1
    if span > size + 2 * padding:
        raise ConvolutionError(
            _("The kernel spans {span} cells (dilation {dilation} × ({kernel} − 1) + 1) but the padded input has only "
              "{size}; make the kernel or dilation smaller, or pad more.").format(
                span=span, dilation=dilation, kernel=kernel, size=size + 2 * padding)
        )
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _pad(x: np.ndarray, padding: int) -> np.ndarray:
    return np.pad(x, padding, mode="constant") if padding else x


def conv2d(x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """Cross-correlation of one 2-D input with one 2-D kernel (what deep-learning libraries call convolution)."""
    kh, kw = kernel.shape
    oh = output_size(x.shape[0], kh, stride, padding, dilation)
    ow = output_size(x.shape[1], kw, stride, padding, dilation)
    xp = _pad(np.asarray(x, dtype=np.float64), padding)
    out = np.zeros((oh, ow))
    for a in range(kh):
        for b in range(kw):
            rows = slice(a * dilation, a * dilation + stride * (oh - 1) + 1, stride)
            cols = slice(b * dilation, b * dilation + stride * (ow - 1) + 1, stride)
            out += kernel[a, b] * xp[rows, cols]
    return out


@dataclass(frozen=True)
class ConvStep:
    """How one output value is made: the padded-input cells it reads, their values, the products and the sum."""

    rows: np.ndarray  # (kh,) row of each kernel row in the padded input
    cols: np.ndarray  # (kw,)
    patch: np.ndarray  # (kh, kw) input values under the kernel (zeros where padding)
    products: np.ndarray  # (kh, kw) patch ⊙ kernel
    value: float


def conv_step(x: np.ndarray, kernel: np.ndarray, i: int, j: int, stride: int = 1, padding: int = 0,
              dilation: int = 1) -> ConvStep:
    """The terms of output (i, j): Σ_ab x_pad[i·S + a·D, j·S + b·D] · k[a, b]."""
    kh, kw = kernel.shape
    oh = output_size(x.shape[0], kh, stride, padding, dilation)
    ow = output_size(x.shape[1], kw, stride, padding, dilation)
    if not (0 <= i < oh and 0 <= j < ow):
        raise ConvolutionError(_("Output position ({i}, {j}) is outside the {height}×{width} output.").format(
            i=i, j=j, height=oh, width=ow))
    xp = _pad(np.asarray(x, dtype=np.float64), padding)
    rows = i * stride + dilation * np.arange(kh)
    cols = j * stride + dilation * np.arange(kw)
    patch = xp[np.ix_(rows, cols)]
    products = patch * kernel
    return ConvStep(rows, cols, patch, products, float(products.sum()))


@dataclass(frozen=True)
class PoolResult:
    """Pooled output (oh, ow) and, for max pooling, the flat index of the winner of each window in the input."""

    output: np.ndarray
    winners: np.ndarray | None


def pool2d(x: np.ndarray, kernel: int, stride: int, mode: str = "max") -> PoolResult:
    """Max or average pooling without padding; winners are flat indices into x, as torch's return_indices."""
    if mode not in ("max", "avg"):
        raise ConvolutionError(_("Pooling is 'max' or 'avg', not {mode!r}.").format(mode=mode))
    oh = output_size(x.shape[0], kernel, stride)
    ow = output_size(x.shape[1], kernel, stride)
    out = np.zeros((oh, ow))
    winners = np.zeros((oh, ow), dtype=np.int64) if mode == "max" else None
    for i in range(oh):
        for j in range(ow):
            window = x[i * stride:i * stride + kernel, j * stride:j * stride + kernel]
            if mode == "max":
                a, b = np.unravel_index(int(np.argmax(window)), window.shape)
                out[i, j] = window[a, b]
                winners[i, j] = (i * stride + a) * x.shape[1] + (j * stride + b)
            else:
                out[i, j] = window.mean()
    return PoolResult(out, winners)


@dataclass(frozen=True)
class ParameterCounts:
    """Parameters of three layers with the same input and output sizes: shared (conv), unshared (local), dense."""

    conv: int
    locally_connected: int
    fully_connected: int


def parameter_counts(in_channels: int, height: int, width: int, out_channels: int, kernel: int,
                     stride: int = 1, padding: int = 0, dilation: int = 1) -> ParameterCounts:
    """Weights + biases of a conv layer, a locally connected layer (one kernel per position) and a dense layer."""
    oh = output_size(height, kernel, stride, padding, dilation)
    ow = output_size(width, kernel, stride, padding, dilation)
    per_kernel = in_channels * kernel * kernel
    conv = out_channels * per_kernel + out_channels
    local = oh * ow * out_channels * (per_kernel + 1)
    dense = (in_channels * height * width) * (out_channels * oh * ow) + out_channels * oh * ow
    return ParameterCounts(conv, local, dense)


_GRID_MESSAGES = {  # what a bad grid is told, for a kernel and for an input matrix
    "kernel": (N_("The kernel is empty."),
               N_("Kernel cell (row {row}, column {column}) holds {value}, which is not a number."),
               N_("Kernel cell (row {row}, column {column}) is not a finite number.")),
    "input": (N_("The input is empty."),
              N_("Input cell (row {row}, column {column}) holds {value}, which is not a number."),
              N_("Input cell (row {row}, column {column}) is not a finite number.")),
}


def parse_kernel(rows: list[list[object]], grid: str = "kernel") -> np.ndarray:
    """A kernel (or, with `grid="input"`, an input matrix) typed into a grid → float array; raises
    ConvolutionError naming the first bad cell."""
    empty, not_a_number, not_finite = _GRID_MESSAGES[grid]
    if not rows or not rows[0]:
        raise ConvolutionError(_(empty))
    out = np.zeros((len(rows), len(rows[0])))
    for a, row in enumerate(rows):
        for b, cell in enumerate(row):
            try:
                value = float(str(cell).strip())
            except ValueError:
                raise ConvolutionError(_(not_a_number).format(row=a + 1, column=b + 1, value=repr(cell))) from None
            if not np.isfinite(value):
                raise ConvolutionError(_(not_finite).format(row=a + 1, column=b + 1))
            out[a, b] = value
    return out
