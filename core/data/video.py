"""Generated video clips: one shape moving left, right, up or down across a noisy frame.

A clip is `FRAMES` greyscale frames of `SIZE`×`SIZE`. The label is the direction of motion; the shape,
its brightness, speed and path are nuisances drawn at random. The path is drawn by its middle point, the
same way for every direction, so a clip moving left visits exactly the positions a clip moving right
visits, only in the opposite order, and the noise is drawn afresh for every frame. Averaged over its frames
a clip is a streak that shows the axis of motion (horizontal or vertical) but not its sense: left and right
(and up and down) give the same distribution of averaged pictures, so a model of the average can at best
guess between the two directions of each pair.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DIRECTIONS: tuple[str, ...] = ("left", "right", "up", "down")  # pairs along one axis: index // 2 is the axis
SHAPES: tuple[str, ...] = ("square", "disc", "diamond", "cross")
FRAMES = 8
SIZE = 32
RADIUS = 3.5  # half the side of a shape, pixels
SPEED = (1.0, 2.0)  # pixels per frame
BRIGHTNESS = (0.6, 1.0)
NOISE = 0.15  # standard deviation of the Gaussian noise of every pixel of every frame
_STEP = {"left": (-1.0, 0.0), "right": (1.0, 0.0), "up": (0.0, -1.0), "down": (0.0, 1.0)}  # (dx, dy), row 0 on top


@dataclass(frozen=True)
class Clips:
    """Clips (N, FRAMES, SIZE, SIZE) float32 in [0, 1], their directions (N,) and shapes (N,) as indices
    into DIRECTIONS and SHAPES."""

    frames: np.ndarray
    directions: np.ndarray
    shapes: np.ndarray


def axis_of(direction: np.ndarray | int) -> np.ndarray | int:
    """0 for a horizontal direction (left, right), 1 for a vertical one (up, down)."""
    return direction // 2


def _coverage(shape: str, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """How much of each pixel the shape covers (0–1), from a pixel centre's offset to the shape's centre."""
    ax, ay = np.abs(dx), np.abs(dy)
    if shape == "square":
        outside = np.maximum(ax, ay) - RADIUS
    elif shape == "disc":
        outside = np.hypot(dx, dy) - 1.1 * RADIUS
    elif shape == "diamond":
        outside = (ax + ay - 1.4 * RADIUS) / np.sqrt(2)
    else:  # cross: two bars
        arm = 0.4 * RADIUS
        outside = np.minimum(np.maximum(ax - 1.2 * RADIUS, ay - arm), np.maximum(ax - arm, ay - 1.2 * RADIUS))
    return np.clip(0.5 - outside, 0.0, 1.0)  # one pixel of soft edge


def _render(direction: int, shape: int, rng: np.random.Generator) -> np.ndarray:
    """One clip (FRAMES, SIZE, SIZE) of `shape` moving in `direction`, its nuisances drawn from `rng`."""
    speed = rng.uniform(*SPEED)
    brightness = rng.uniform(*BRIGHTNESS)
    half_path = speed * (FRAMES - 1) / 2
    margin = RADIUS + 1.0
    along = rng.uniform(margin + half_path, SIZE - 1 - margin - half_path)  # the path's middle, along its axis
    across = rng.uniform(margin, SIZE - 1 - margin)
    sx, sy = _STEP[DIRECTIONS[direction]]
    offsets = (np.arange(FRAMES) - (FRAMES - 1) / 2) * speed  # symmetric about the middle: the same positions both ways
    cx = (along if sx else across) + sx * offsets  # (T,)
    cy = (along if sy else across) + sy * offsets
    grid = np.arange(SIZE, dtype=np.float64)
    dx = grid[None, None, :] - cx[:, None, None]  # (T, 1, W)
    dy = grid[None, :, None] - cy[:, None, None]  # (T, H, 1)
    frames = brightness * _coverage(SHAPES[shape], dx, dy) + rng.normal(0.0, NOISE, (FRAMES, SIZE, SIZE))
    return np.clip(frames, 0.0, 1.0).astype(np.float32)


def make_clips(n: int, seed: int) -> Clips:
    """`n` clips, directions and shapes drawn uniformly; the same `seed` gives the same clips."""
    rng = np.random.default_rng(seed)
    directions = rng.integers(0, len(DIRECTIONS), n)
    shapes = rng.integers(0, len(SHAPES), n)
    frames = [_render(int(d), int(s), rng) for d, s in zip(directions, shapes)]
    frames = np.stack(frames) if frames else np.zeros((0, FRAMES, SIZE, SIZE), np.float32)
    return Clips(frames, directions.astype(np.int64), shapes.astype(np.int64))


def make_clip(direction: str, shape: str, seed: int) -> np.ndarray:
    """One clip (FRAMES, SIZE, SIZE) of `shape` moving `direction`; `seed` draws its speed, brightness, path and noise."""
    if direction not in DIRECTIONS or shape not in SHAPES:
        raise ValueError(f"direction must be one of {DIRECTIONS} and shape one of {SHAPES}; got {direction!r}, {shape!r}")
    rng = np.random.default_rng([seed, DIRECTIONS.index(direction), SHAPES.index(shape)])
    return _render(DIRECTIONS.index(direction), SHAPES.index(shape), rng)
