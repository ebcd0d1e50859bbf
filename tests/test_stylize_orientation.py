"""Spectral statistics of fine detail: its directions, its periodicity, and the loss built on them."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from models.stylize.orientation import (  # noqa: E402
    ANGLES,
    BANDS,
    concentration,
    direction_shares,
    horizontal_line_share,
    peakiness,
    spectrum_loss,
)


def lines(size: int, period: int, horizontal: bool) -> torch.Tensor:
    """RGB stripes of ``period`` px; horizontal lines vary from row to row."""
    wave = torch.cos(2 * torch.pi * torch.arange(size) / period)
    grid = wave[:, None].expand(size, size) if horizontal else wave[None, :].expand(size, size)
    return (0.5 + 0.4 * grid).expand(3, size, size)[None].clone()


def diagonal_lines(size: int, rising: bool) -> torch.Tensor:
    y, x = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    phase = (x + y) if rising else (x - y)
    return (0.5 + 0.4 * torch.cos(2 * torch.pi * phase / (4 * 2 ** 0.5))).expand(3, size, size)[None]


def dots(size: int, period: int) -> torch.Tensor:
    """A square lattice of soft dots: no single direction, but strictly periodic."""
    wave = torch.cos(2 * torch.pi * torch.arange(size) / period)
    return (0.5 + 0.2 * (wave[:, None] + wave[None, :])).expand(3, size, size)[None].clone()


def noise(size: int, seed: int = 0) -> torch.Tensor:
    return torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(seed))


def test_horizontal_lines_fill_their_sector_and_vertical_ones_miss_it():
    assert horizontal_line_share(lines(128, 3, horizontal=True)) > 0.95
    assert horizontal_line_share(lines(128, 3, horizontal=False)) < 0.02


def test_noise_spreads_its_detail_evenly_over_the_directions():
    shares = direction_shares(noise(128))
    assert shares.shape == (1, len(BANDS), ANGLES)
    assert torch.allclose(shares.sum(dim=2), torch.ones(1, len(BANDS)))
    assert float(shares[:, :5].min()) > 0.5 / ANGLES
    assert float(shares[:, :5].max()) < 1.5 / ANGLES


def test_the_two_diagonals_land_in_their_own_sectors():
    # 45° and 135° are sector edges, so each diagonal splits over the two sectors beside it.
    band = 3  # periods of 4–5 px
    one = direction_shares(diagonal_lines(128, True))[0, band]
    other = direction_shares(diagonal_lines(128, False))[0, band]
    assert float(one[1] + one[2]) > 0.99
    assert float(other[4] + other[5]) > 0.99


def test_a_lattice_of_dots_has_no_line_but_is_caught_as_periodic():
    lattice = dots(128, 4) + 0.02 * noise(128)
    assert horizontal_line_share(lattice) < 0.6  # half its power is in vertical stripes
    assert peakiness(noise(128)) == pytest.approx(1.33, abs=0.1)  # χ² with 6 degrees of freedom
    # The lattice's two frequencies sit in two of the 2–8 px bins; those bins are far from noise-like.
    assert concentration(lattice).shape == (1, len(BANDS), ANGLES)
    assert float(concentration(lattice).max()) > 10 * float(concentration(noise(128)).max())
    assert peakiness(lattice) > 1.3 * peakiness(noise(128))


def test_both_statistics_ignore_how_much_detail_there_is():
    strong = lines(96, 4, horizontal=True) + 0.05 * noise(96)
    faint = 0.5 + 0.1 * (strong - 0.5)
    assert horizontal_line_share(faint) == pytest.approx(horizontal_line_share(strong), abs=1e-4)
    assert peakiness(faint) == pytest.approx(peakiness(strong), rel=1e-4)


def test_the_loss_is_zero_on_its_own_painting_and_falls_when_lines_move_towards_it():
    painting = noise(128, seed=1)
    target = direction_shares(painting), concentration(painting)
    assert [float(t) for t in spectrum_loss(painting, *target)] == pytest.approx([0.0, 0.0], abs=1e-9)
    striped = (lines(128, 3, horizontal=True) + 0.05 * noise(128)).requires_grad_(True)
    direction, peaks = spectrum_loss(striped, *target)
    other_direction, other_peaks = spectrum_loss(noise(128, seed=2), *target)
    assert float(direction.detach()) > 10 * float(other_direction)
    assert float(peaks.detach()) > 10 * float(other_peaks)
    (direction + peaks).backward()
    assert torch.isfinite(striped.grad).all() and float(striped.grad.abs().max()) > 0
    with torch.no_grad():
        stepped = striped - 1e-3 * striped.grad / striped.grad.abs().max()
        assert float(sum(spectrum_loss(stepped, *target))) < float((direction + peaks).detach())
