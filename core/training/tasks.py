"""One `Task` per kind of training, and the catalogue of the tasks a learner can pick.

A task knows everything that differs between trainings: its data (`TaskData`), its network (`build`),
its batches (`sample`, or passes over the data for `indexed` tasks), its loss and metric (`loss`), how a
metric reads (`format_metric`) and what a finished run shows (`outcome`). The engine knows none of this:
it asks the task. Tasks are small frozen dataclasses, so a script can train a variant (more data, a
longer sequence) by building its own instance; the catalogue holds the ones the pages offer.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.builder import build_cnn
from core.i18n import N_, _

if TYPE_CHECKING:
    from core.models.catalogue import ModelSpec
    from core.training.engine import RunConfig

CELLS = ("rnn", "lstm", "gru")
AUGMENT_NAMES = {"shift": N_("random shift"), "rotate": N_("rotation"), "flip": N_("horizontal flip"),
                 "noise": N_("noise")}  # every augmentation a task may offer, as a learner reads it


class TaskError(ValueError):
    """A task asked for something it cannot do; the message says what and why."""


@dataclass(frozen=True)
class TaskData:
    """Training and held-out tensors of a task; `classes` names the outputs of a classifier (empty: regression)."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    classes: tuple[str, ...]


@dataclass
class Outcome:
    """After training: held-out predictions, the confusion matrix (classifiers) and the worst mistakes."""

    predictions: np.ndarray
    targets: np.ndarray
    confusion: np.ndarray | None
    mistakes: np.ndarray  # indices into the held-out set, worst first


@dataclass(frozen=True)
class Task:
    """What the engine needs of a task. Subclasses fill in the data, the network and the metric."""

    name: str  # the catalogue key; language-free
    label: str  # short, for legends and tables
    title: str  # what the task box says (an English message id, translated where it is shown)
    augmentations: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()  # values `RunConfig.cell` may take; () for a task with one network
    own: bool = False  # trains on data the user brings (passed to the run)
    indexed: bool = False  # an epoch is one pass over a fixed training set (else `epoch_steps` sampled batches)
    epoch_steps: int = 40
    picture: bool = False  # a picture task: batch norm, a network built from a layer list
    sizes: bool = False  # `RunConfig.hidden` and `embed` mean something (character models)
    metric: str = N_("accuracy")  # what `loss` reports beside the loss, as the lab's tables name it (a message id)
    held_out: str = N_("held-out accuracy")  # the metric on held-out data, in a sentence (a message id)
    results: str = "pictures"  # what a finished run shows: 'pictures', 'characters', 'answers' or 'series'
    note: str = ""  # a line on how to read the metric, where it needs one (a message id; see `reading_note`)

    def data(self) -> TaskData:
        """The task's fixed data, the same in every process (built once)."""
        raise TaskError(_("This task trains on data you bring: upload it first."))

    def train_size(self, data: TaskData | None) -> int:
        """Examples in one pass over the training set (indexed tasks)."""
        return len((data or self.data()).x_train)

    def steps_per_epoch(self, batch_size: int, data: TaskData | None) -> int:
        """Optimisation steps in one epoch."""
        return math.ceil(self.train_size(data) / batch_size) if self.indexed else self.epoch_steps

    def build(self, config: RunConfig, num_classes: int | None) -> nn.Module:
        raise NotImplementedError

    def sample(self, data: TaskData, batch_size: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """A random batch (tasks that are not `indexed`)."""
        raise NotImplementedError

    def forward(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        return model(x)

    def loss(self, out: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, float]:
        """The loss to minimise and the batch's metric (accuracy unless the task says otherwise)."""
        return F.cross_entropy(out, y), float((out.argmax(1) == y).float().mean())

    def augment(self, x: torch.Tensor, names: tuple[str, ...], gen: torch.Generator) -> torch.Tensor:
        return x

    def show(self, value: float) -> str:
        """A value of the metric as a learner reads it: '97.3%'."""
        return f"{value:.1%}"

    def gap(self, a: float, b: float) -> str:
        """The distance between two values of the metric: '5.8 points'."""
        return _("{gap:.1f} points").format(gap=abs(a - b) * 100)

    def format_metric(self, value: float) -> str:
        return _("accuracy {value}").format(value=self.show(value))

    def reading_note(self) -> str:
        """`note` in the current language ('' when the task has none)."""
        return _(self.note) if self.note else ""

    def outcome(self, out: torch.Tensor, y: torch.Tensor, classes: tuple[str, ...]) -> Outcome:
        """Predictions, confusion matrix and the mistakes the model was surest of."""
        k = len(classes)
        probs = torch.softmax(out, -1)
        pred = probs.argmax(-1)
        confusion = torch.bincount(y.flatten() * k + pred.flatten(), minlength=k * k).view(k, k).numpy()
        wrong = torch.nonzero(pred != y).flatten()
        confidence = probs[wrong, pred[wrong]]
        return Outcome(pred.numpy(), y.numpy(), confusion, wrong[torch.argsort(-confidence)].numpy())


def random_shift_rotate(x: torch.Tensor, max_shift: float, max_degrees: float, gen: torch.Generator) -> torch.Tensor:
    """Augment a batch (N, C, H, W) by a random rotation and translation (shift as a fraction of the side)."""
    n = x.shape[0]
    angle = (torch.rand(n, generator=gen) * 2 - 1) * math.radians(max_degrees)
    shift = (torch.rand(n, 2, generator=gen) * 2 - 1) * max_shift * 2
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, padding_mode="border", align_corners=False)


@dataclass(frozen=True)
class PictureTask(Task):
    """Classify pictures: the task's own network, or one built from `RunConfig.layers`."""

    indexed: bool = True
    picture: bool = True
    input_size: tuple[int, int, int] = (3, 64, 64)
    normalised_as: str = "small_vgg"  # the catalogue model whose normalisation the pictures use (to show them)
    shift: float = 0.1  # "shift" moves a picture by up to this fraction of its side
    rotate: float = 15.0  # "rotate" turns it by up to this many degrees

    def build(self, config: RunConfig, num_classes: int | None) -> nn.Module:
        if config.layers:
            return build_cnn(config.layers, self.input_size, num_classes or 2)
        return self.network(config, num_classes or 2)

    def network(self, config: RunConfig, num_classes: int) -> nn.Module:
        from core.models.small_vgg import SmallVGG

        return SmallVGG(num_classes, batch_norm=config.batch_norm, dropout=config.dropout)

    def augment(self, x: torch.Tensor, names: tuple[str, ...], gen: torch.Generator) -> torch.Tensor:
        if "shift" in names or "rotate" in names:
            x = random_shift_rotate(x, self.shift if "shift" in names else 0.0, self.rotate if "rotate" in names else 0.0,
                                    gen)
        if "flip" in names:
            x = torch.where(torch.rand(len(x), 1, 1, 1, generator=gen) < 0.5, x.flip(3), x)
        if "noise" in names:
            x = x + 0.3 * torch.randn(x.shape, generator=gen)
        return x


@dataclass(frozen=True)
class DigitsTask(PictureTask):
    """scikit-learn's 8×8 digit scans, drawn at 32×32, with LeNet-5."""

    input_size: tuple[int, int, int] = (1, 32, 32)
    normalised_as: str = "lenet5"

    def data(self) -> TaskData:
        return _digits_data()

    def network(self, config: RunConfig, num_classes: int) -> nn.Module:
        from core.models.lenet import LeNet5

        return LeNet5(num_classes, dropout=config.dropout, batch_norm=config.batch_norm)


def digits_tensors(split: str, spec: ModelSpec) -> tuple[torch.Tensor, torch.Tensor]:
    """A digits split as normalised LeNet input (N, 1, 32, 32) and labels (N,)."""
    from core.data.digits import load_digits_split, scans_to_lenet
    from core.data.preprocess import normalise

    data = load_digits_split(split)
    return normalise(scans_to_lenet(torch.from_numpy(data.images)), spec.preprocessing), torch.from_numpy(data.labels)


@functools.lru_cache(maxsize=None)
def _digits_data() -> TaskData:
    from core.models.catalogue import get_spec

    spec = get_spec("lenet5")
    return TaskData(*digits_tensors("train", spec), *digits_tensors("test", spec), spec.classes)


@dataclass(frozen=True)
class ShapesTask(PictureTask):
    """Generated 64×64 shapes (six classes) with the small VGG; `train` and `val` pictures from seeds 1 and 2."""

    train: int = 3000
    val: int = 500

    def data(self) -> TaskData:
        return _shapes_data(self.train, self.val)

    def train_size(self, data: TaskData | None) -> int:
        return len(data.x_train) if data is not None else self.train  # without generating them


SHAPES_TRAIN_SEED = 1
SHAPES_TEST_SEED = 2


def shapes_tensors(n: int, seed: int, spec: ModelSpec) -> tuple[torch.Tensor, torch.Tensor]:
    """`n` generated shapes as normalised (N, 3, 64, 64) input and labels (N,)."""
    from core.data.preprocess import normalise
    from core.data.shapes import make_shapes

    batch = make_shapes(n, seed)
    return normalise(torch.from_numpy(batch.images).permute(0, 3, 1, 2).float() / 255.0, spec.preprocessing), torch.from_numpy(batch.labels)


@functools.lru_cache(maxsize=None)
def _shapes_data(train: int, val: int) -> TaskData:
    from core.models.catalogue import get_spec

    spec = get_spec("small_vgg")
    return TaskData(*shapes_tensors(train, SHAPES_TRAIN_SEED, spec), *shapes_tensors(val, SHAPES_TEST_SEED, spec),
                    spec.classes)


@dataclass(frozen=True)
class ErasTask(PictureTask):
    """Textured shapes (32×32, twelve classes: shape × fill texture) with one of the five era CNNs; `train` and
    `val` pictures from seeds `ERAS_TRAIN_SEED` and `ERAS_TEST_SEED`."""

    input_size: tuple[int, int, int] = (3, 32, 32)
    normalised_as: str = "era_vgg"
    model: str = "era_vgg"  # the registry name of the era network
    train: int = 4000
    val: int = 1000

    def data(self) -> TaskData:
        return _eras_data(self.train, self.val)

    def train_size(self, data: TaskData | None) -> int:
        return len(data.x_train) if data is not None else self.train  # without generating them

    def network(self, config: RunConfig, num_classes: int) -> nn.Module:
        from core.models.catalogue import get_spec

        return get_spec(self.model).build()


ERAS_TRAIN_SEED = 11
ERAS_TEST_SEED = 12


def eras_tensors(n: int, seed: int, spec: ModelSpec) -> tuple[torch.Tensor, torch.Tensor]:
    """`n` generated textured shapes as normalised (N, 3, 32, 32) input and labels (N,)."""
    from core.data.preprocess import normalise
    from core.data.shapes import make_textured_shapes

    images, labels = make_textured_shapes(n, seed)
    return normalise(torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255.0, spec.preprocessing), torch.from_numpy(labels)


@functools.lru_cache(maxsize=2)
def _eras_data(train: int, val: int) -> TaskData:
    from core.models.catalogue import get_spec

    spec = get_spec("era_vgg")
    return TaskData(*eras_tensors(train, ERAS_TRAIN_SEED, spec), *eras_tensors(val, ERAS_TEST_SEED, spec), spec.classes)


@dataclass(frozen=True)
class CharTask(Task):
    """Predict the next character: of CPython's source (built in), or of the text a user brings."""

    networks: tuple[str, ...] = CELLS
    results: str = "characters"
    sizes: bool = True
    seq_len: int = 64
    val_windows: int | None = 64  # held-out windows of 256 characters (None: all of them)

    def data(self) -> TaskData:
        return _char_data(self.val_windows)

    def build(self, config: RunConfig, num_classes: int | None) -> nn.Module:
        from core.data.text import VOCAB
        from core.models.sequence import CharModel

        return CharModel(config.cell, len(VOCAB), config.hidden, len(VOCAB), config.embed or None, traced=False,
                         dropout=config.dropout)

    def sample(self, data: TaskData, batch_size: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        starts = torch.randint(0, len(data.x_train) - self.seq_len - 1, (batch_size,), generator=gen)
        chunk = data.x_train[starts[:, None] + torch.arange(self.seq_len + 1)]
        return chunk[:, :-1], chunk[:, 1:]

    def forward(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        return model(x)[0]  # a character model returns (logits, trace)

    def loss(self, out: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, float]:
        return F.cross_entropy(out.flatten(0, 1), y.flatten()), float((out.argmax(-1) == y).float().mean())

    def augment(self, x: torch.Tensor, names: tuple[str, ...], gen: torch.Generator) -> torch.Tensor:
        if "noise" not in names:
            return x
        swap = torch.rand(x.shape, generator=gen) < 0.05  # a few input characters replaced at random
        return torch.where(swap, torch.randint(0, int(x.max()) + 1, x.shape, generator=gen), x)

    def outcome(self, out: torch.Tensor, y: torch.Tensor, classes: tuple[str, ...]) -> Outcome:
        full = super().outcome(out.flatten(0, 1), y.flatten(), classes)
        return Outcome(full.predictions.reshape(y.shape), y.numpy(), full.confusion, np.empty(0, dtype=np.int64))


@functools.lru_cache(maxsize=None)
def _char_data(val_windows: int | None) -> TaskData:
    from core.data.text import VOCAB, corpus_split

    train_ids, test_ids = corpus_split()
    n = (len(test_ids) - 1) // 256
    n = n if val_windows is None else min(val_windows, n)
    x_val = torch.from_numpy(test_ids[: n * 256]).view(n, 256)
    y_val = torch.from_numpy(test_ids[1: n * 256 + 1]).view(n, 256)
    train = torch.from_numpy(train_ids)
    return TaskData(train, train, x_val, y_val, VOCAB)


@dataclass(frozen=True)
class PoemTask(CharTask):
    """Predict the next character of the Tang poems (core.data.poems): whole poems held out, characters rarer than
    the vocabulary's cut read as the unknown symbol and never a target (they are not scored in the app either)."""

    def data(self) -> TaskData:
        return _poem_data()

    def build(self, config: RunConfig, num_classes: int | None) -> nn.Module:
        from core.data.poems import poem_vocab
        from core.models.sequence import CharModel

        size = len(poem_vocab())
        return CharModel(config.cell, size, config.hidden, size, config.embed or None, traced=False,
                         dropout=config.dropout)

    def loss(self, out: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, float]:
        known = y != out.shape[-1] - 1  # the unknown symbol is the vocabulary's last
        loss = F.cross_entropy(out.flatten(0, 1), y.flatten(), ignore_index=out.shape[-1] - 1)
        return loss, float((out.argmax(-1) == y)[known].float().mean())


@functools.lru_cache(maxsize=None)
def _poem_data() -> TaskData:
    from core.data.poems import bodies, poem_split, poem_vocab
    from core.data.text import encode

    vocab = poem_vocab()
    train, held = (torch.from_numpy(encode(bodies(poems), vocab, limit=10**9).ids) for poems in poem_split())
    n = (len(held) - 1) // 256
    x_val, y_val = held[: n * 256].view(n, 256), held[1: n * 256 + 1].view(n, 256)
    return TaskData(train, train, x_val, y_val, vocab)


@dataclass(frozen=True)
class TaggingTask(CharTask):
    """Tag every character of a generated sequence (bracket depth, inside quotes) with an LSTM; trained on
    length 60, tested on length 200."""

    networks: tuple[str, ...] = ()
    sizes: bool = False
    kind: str = "brackets"

    def data(self) -> TaskData:
        return _tagging_data(self.kind)

    def build(self, config: RunConfig, num_classes: int | None) -> nn.Module:
        from core.models.catalogue import get_spec

        return get_spec(f"{self.kind}_lstm", "sequence").build(traced=False)

    def sample(self, data: TaskData, batch_size: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        idx = torch.randint(0, len(data.x_train), (batch_size,), generator=gen)
        return data.x_train[idx], data.y_train[idx]


TAGGING_TRAIN_LENGTH = 60
TAGGING_TEST_LENGTH = 200


@functools.lru_cache(maxsize=None)
def _tagging_data(kind: str) -> TaskData:
    from core.data.sequences import make_brackets, make_quotes

    make = {"brackets": make_brackets, "quotes": make_quotes}[kind]
    train, test = make(8000, TAGGING_TRAIN_LENGTH, seed=98), make(500, TAGGING_TEST_LENGTH, seed=99)
    return TaskData(torch.from_numpy(train.ids), torch.from_numpy(train.targets), torch.from_numpy(test.ids),
                    torch.from_numpy(test.targets), ())


ADDING_TOLERANCE = 0.04  # an answer within 0.04 of the sum counts as right (Hochreiter & Schmidhuber 1997)
ADDING_BASELINE = 1.0 / 6.0  # the mean squared error of always answering 1, the mean sum


@dataclass(frozen=True)
class AddingTask(Task):
    """The adding problem: sum the two marked values of a sequence of `length`; a fresh batch every step."""

    networks: tuple[str, ...] = CELLS
    metric: str = N_("accuracy (answers within 0.04)")
    results: str = "answers"
    note: str = N_("Accuracy here: answers within {tolerance} of the true sum. Always answering 1 gives a loss (MSE) "
                   "of about {baseline:.3f}.")
    augmentations: tuple[str, ...] = ("noise",)
    length: int = 50
    hidden: int = 64
    rho: float | None = None  # a vanilla RNN's recurrent matrix as ρ·Q, to make its gradients explode or vanish
    val_size: int = 500
    val_seed: int = 77

    def data(self) -> TaskData:
        return _adding_data(self.length, self.val_size, self.val_seed)

    def build(self, config: RunConfig, num_classes: int | None) -> nn.Module:
        from core.models.sequence import AddingModel

        return AddingModel(config.cell, self.hidden, self.rho, dropout=config.dropout)

    def sample(self, data: TaskData, batch_size: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        from core.data.sequences import make_adding

        seed = int(torch.randint(0, 2**31 - 1, (1,), generator=gen))
        return tuple(torch.from_numpy(a) for a in make_adding(batch_size, self.length, seed=seed))

    def loss(self, out: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, float]:
        return F.mse_loss(out, y), float(((out - y).abs() < ADDING_TOLERANCE).float().mean())

    def augment(self, x: torch.Tensor, names: tuple[str, ...], gen: torch.Generator) -> torch.Tensor:
        if "noise" not in names:
            return x
        values = x[..., 0] + 0.05 * torch.randn(x.shape[:-1], generator=gen)  # jitter the values, not the markers
        return torch.stack([values, x[..., 1]], -1)

    def outcome(self, out: torch.Tensor, y: torch.Tensor, classes: tuple[str, ...]) -> Outcome:
        return regression_outcome(out, y)

    def reading_note(self) -> str:
        return _(self.note).format(tolerance=ADDING_TOLERANCE, baseline=ADDING_BASELINE)


def regression_outcome(out: torch.Tensor, y: torch.Tensor) -> Outcome:
    """Predictions and targets, and the twelve held-out examples with the largest error."""
    pred = out.numpy()
    return Outcome(pred, y.numpy(), None, np.argsort(-np.abs(pred - y.numpy()))[:12])


@functools.lru_cache(maxsize=None)
def _adding_data(length: int, size: int, seed: int) -> TaskData:
    from core.data.sequences import make_adding

    x_val, y_val = (torch.from_numpy(a) for a in make_adding(size, length, seed=seed))
    empty = torch.empty(0)
    return TaskData(empty, empty, x_val, y_val, ())


@dataclass(frozen=True)
class SeriesTask(Task):
    """The next value of a series the user brings, from a window, by a recurrent layer or a 1-D CNN."""

    networks: tuple[str, ...] = (*CELLS, "cnn")
    augmentations: tuple[str, ...] = ("noise",)
    metric: str = N_("R² (1 − MSE / variance)")
    held_out: str = N_("held-out R²")
    results: str = "series"
    own: bool = True
    indexed: bool = True

    def build(self, config: RunConfig, num_classes: int | None) -> nn.Module:
        from core.models.sequence import NextValueModel

        return NextValueModel(config.cell, dropout=config.dropout)

    def loss(self, out: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, float]:
        mse = F.mse_loss(out, y)
        return mse, float(1 - mse.detach() / y.var(unbiased=False).clamp_min(1e-8))

    def augment(self, x: torch.Tensor, names: tuple[str, ...], gen: torch.Generator) -> torch.Tensor:
        return x + 0.05 * torch.randn(x.shape, generator=gen) if "noise" in names else x

    def show(self, value: float) -> str:
        return f"{value:.3f}"

    def gap(self, a: float, b: float) -> str:
        return f"{abs(a - b):.3f}"

    def format_metric(self, value: float) -> str:
        return f"R² {self.show(value)}"

    def outcome(self, out: torch.Tensor, y: torch.Tensor, classes: tuple[str, ...]) -> Outcome:
        return regression_outcome(out, y)


@dataclass(frozen=True)
class Mnist1dTask(Task):
    """MNIST-1D (4,000 training sequences of length 40, 1,000 held out) with one of the comparison's models."""

    indexed: bool = True
    model: str = "cnn"

    def data(self) -> TaskData:
        return _mnist1d_data()

    def build(self, config: RunConfig, num_classes: int | None) -> nn.Module:
        from core.models.catalogue import get_spec

        return get_spec(self.model, "mnist1d").build()


@functools.lru_cache(maxsize=None)
def _mnist1d_data() -> TaskData:
    from core.data.mnist1d import load_mnist1d

    d = load_mnist1d()
    return TaskData(torch.from_numpy(d.x_train), torch.from_numpy(d.y_train), torch.from_numpy(d.x_test),
                    torch.from_numpy(d.y_test), tuple(str(i) for i in range(10)))


@dataclass(frozen=True)
class ReverseTask(Task):
    """Write a random string of 1–24 letters backwards, with one of the encoder–decoders (teacher forcing)."""

    model: str = "gru_attention"

    def data(self) -> TaskData:
        from core.models.seq2seq import random_batch

        src, tgt = random_batch(256, torch.Generator().manual_seed(123))
        return TaskData(torch.empty(0), torch.empty(0), torch.stack([src, tgt], 1), tgt, ())

    def build(self, config: RunConfig, num_classes: int | None) -> nn.Module:
        from core.models.catalogue import get_spec

        return get_spec(self.model, "seq2seq").build()

    def sample(self, data: TaskData, batch_size: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        from core.models.seq2seq import random_batch

        src, tgt = random_batch(batch_size, gen)
        return torch.stack([src, tgt], 1), tgt  # (B, 2, W): the decoder reads the target as it learns (teacher forcing)

    def forward(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        return model(x[:, 0], x[:, 1])

    def loss(self, out: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, float]:
        from core.models.seq2seq import PAD

        real = y != PAD
        loss = F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1), ignore_index=PAD)
        return loss, float((out.argmax(-1) == y)[real].float().mean())


@dataclass(frozen=True)
class DepthTask(Task):
    """Shapes at `size`² with a plain or residual CNN of `depth` layers: how depth and shortcuts train.

    With `fixed_batch`, every step sees the same 64 pictures (the Gradient lab's look at a few steps)."""

    depth: int = 20
    residual: bool = False
    activation: str = "relu"
    batch_norm: bool = True
    size: int = 32
    pictures: int = 4096
    fixed_batch: bool = False
    seed: int = 0

    def data(self) -> TaskData:
        return _depth_data(self.size, self.pictures, self.fixed_batch, self.seed)

    def build(self, config: RunConfig, num_classes: int | None) -> nn.Module:
        from core.models.deep import DeepCNN

        return DeepCNN(self.depth, self.residual, self.activation, self.batch_norm)

    def sample(self, data: TaskData, batch_size: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        if self.fixed_batch:
            return data.x_train, data.y_train
        idx = torch.randint(0, len(data.x_train), (batch_size,), generator=gen)
        return data.x_train[idx], data.y_train[idx]


@functools.lru_cache(maxsize=4)
def _depth_data(size: int, pictures: int, fixed_batch: bool, seed: int) -> TaskData:
    from core.data.preprocess import normalise
    from core.data.shapes import make_shapes
    from core.models.catalogue import get_spec

    spec = get_spec("small_vgg")
    if fixed_batch:
        batch = make_shapes(64, seed=seed + 500, size=size)
        x = normalise(torch.from_numpy(batch.images).permute(0, 3, 1, 2).float() / 255, spec.preprocessing)
        y = torch.from_numpy(batch.labels)
    else:
        x, y = shapes_tensors(pictures, SHAPES_TRAIN_SEED, spec)
        x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
    return TaskData(x, y, x, y, spec.classes)


@dataclass(frozen=True)
class VideoTask(Task):
    """The direction a shape moves in a generated clip (`core.data.video`), with one of the video models."""

    indexed: bool = True
    model: str = "cnn_gru"
    train: int = 4000
    val: int = 1000

    def data(self) -> TaskData:
        return _video_data(self.train, self.val)

    def build(self, config: RunConfig, num_classes: int | None) -> nn.Module:
        from core.models.catalogue import get_spec

        return get_spec(self.model, "video").build()

    def forward(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        return model(x)[0]  # a video model returns (logits, trace)


VIDEO_TRAIN_SEED = 21
VIDEO_TEST_SEED = 22


def video_tensors(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """`n` generated clips (N, T, H, W) and their directions (N,)."""
    from core.data.video import make_clips

    clips = make_clips(n, seed)
    return torch.from_numpy(clips.frames), torch.from_numpy(clips.directions)


@functools.lru_cache(maxsize=2)
def _video_data(train: int, val: int) -> TaskData:
    from core.data.video import DIRECTIONS

    return TaskData(*video_tensors(train, VIDEO_TRAIN_SEED), *video_tensors(val, VIDEO_TEST_SEED), DIRECTIONS)


SERIES_WINDOW = 32


def images_data(images: np.ndarray, labels: np.ndarray, classes: tuple[str, ...], seed: int = 0) -> TaskData:
    """A user's pictures (N, 64, 64, 3) uint8 as normalised tensors, a fifth of each class held out."""
    from core.data.own import split_indices
    from core.data.preprocess import normalise
    from core.models.catalogue import get_spec

    train, val = split_indices(labels, 0.2, seed)
    x = normalise(torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255.0, get_spec("small_vgg").preprocessing)
    y = torch.from_numpy(labels)
    return TaskData(x[train], y[train], x[val], y[val], tuple(classes))


def text_data(text: str) -> TaskData:
    """A user's text as character ids: the first 90% to train on, windows of the last 10% held out."""
    from core.data.text import VOCAB, encode

    ids = torch.from_numpy(encode(text, limit=10**9).ids)
    cut = int(len(ids) * 0.9)
    held = ids[cut:]
    width = min(256, len(held) - 1)
    n = max(1, min(64, (len(held) - 1) // width))
    x_val = held[: n * width].view(n, width)
    y_val = held[1: n * width + 1].view(n, width)
    return TaskData(ids[:cut], ids[:cut], x_val, y_val, VOCAB)


def series_data(series: np.ndarray, window: int = SERIES_WINDOW) -> TaskData:
    """Windows of `window` values → the next value, standardised by the training part; the last fifth held out."""
    values = torch.from_numpy(np.asarray(series, dtype=np.float32))
    cut = int(len(values) * 0.8)
    mean, std = values[:cut].mean(), values[:cut].std().clamp_min(1e-8)
    z = (values - mean) / std
    windows = z.unfold(0, window + 1, 1)  # (N, window + 1)
    x, y = windows[:, :window, None], windows[:, window]
    split = max(1, cut - window)
    return TaskData(x[:split].contiguous(), y[:split].contiguous(), x[split:].contiguous(), y[split:].contiguous(), ())


TASKS: dict[str, Task] = {
    task.name: task for task in (
        DigitsTask("digits", "digits", N_("Digits (8×8 scans) with LeNet-5"), ("shift", "rotate", "noise")),  # a flipped 2 is not a 2
        ShapesTask("shapes", "shapes", N_("Shapes (64×64 pictures) with the small VGG"), ("shift", "rotate", "flip", "noise")),
        CharTask("char", "text", N_("Next character of Python source with an RNN / LSTM / GRU"), ("noise",)),
        PoemTask("poems", N_("Tang poems"), N_("Next character of Tang poems (唐诗三百首) with an RNN / LSTM / GRU"),
                 ("noise",)),
        AddingTask("adding", "adding", N_("The adding problem (T = 50) with an RNN / LSTM / GRU")),
    )
}
OWN_TASKS: dict[str, Task] = {
    task.name: task for task in (
        PictureTask("images", "your pictures", N_("Your pictures (a zip of class folders) with the small VGG"),
                    ("shift", "rotate", "flip", "noise"), own=True),
        CharTask("char", "your text", N_("Your text with an RNN / LSTM / GRU"), ("noise",), own=True),
        SeriesTask("series", "your series", N_("Your series (next value) with an RNN / LSTM / GRU or a 1-D CNN")),
    )
}


def get_task(name: str, own: bool | None = None) -> Task:
    """The catalogue's task `name`: of the built-in tasks, of those on the user's own data when `own`, or
    the built-in one first when `own` is None."""
    found = {False: TASKS.get(name), True: OWN_TASKS.get(name)}
    task = found[own] if own is not None else found[False] or found[True]
    if task is None:
        raise TaskError(_("Unknown task {name!r}; choose one of {names}.").format(
            name=name, names=", ".join(TASKS if not own else OWN_TASKS)))
    return task
