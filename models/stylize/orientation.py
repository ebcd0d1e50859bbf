"""Where an image's fine detail sits in its power spectrum: its directions, and whether it is periodic.

The random-weight loss net's Gram matrices cannot tell stripes from strokes (see the model card): the
network trained on them alone put 86–95 % of its fine-detail (2–5 px) power into horizontal scan lines,
which the Grams accepted, while the paintings put 16–34 % there (detail with no preferred direction puts
17 % in a 30° sector). Two spectral statistics, both indifferent to how much detail there is (the Gram
terms decide that), describe what the Grams miss:

- **direction shares**: each period band's power split over six direction sectors. Scan lines put it
  all in one sector.
- **concentration**: within each (band, sector) bin, how unevenly the power is spread over the
  frequencies, Σp²·n / (Σp)². Coloured noise gives about 1.3, the paintings and photos 1.7–2.0; a periodic
  pattern (stripes, a lattice of dots) piles its power into a few frequencies and scores far higher. Asked
  for the paintings' directions alone, the network traded its lines for a honeycomb of dots on its 4-px
  grid, which this statistic catches.

The loss asks both to be the painting's (in the spirit of Liu, Gousseau & Xia's 2016 spectrum constraint
for Gatys texture synthesis). Angles are those of the frequency vector, folded to 0–180°: 0° is a pattern
of vertical stripes, 90° of horizontal ones (scan lines); sector k is centred on k·30°.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import torch

# Period bands (from, to) in pixels: log-spaced, three per octave, 2–16 px.
BANDS: tuple[tuple[float, float], ...] = tuple(
    (2.0 * 2 ** (k / 3), 2.0 * 2 ** ((k + 1) / 3)) for k in range(9))
ANGLES = 6
HORIZONTAL_LINES = 3  # the sector centred on 90°
LINE_BAND = (2.0, 5.0)
EPS = 0.01  # floor of a direction share in the log-ratio, so empty sectors don't dominate


@lru_cache(maxsize=32)
def sector_masks(height: int, width: int, bands: tuple[tuple[float, float], ...]) -> torch.Tensor:
    """(bands, ANGLES, height, width // 2 + 1) weights over the rfft2 half-plane.

    The half-plane holds one of each conjugate pair of frequencies, except in its first column (and the
    last, for an even width), which holds both: those columns weigh ½, or vertical frequencies
    (horizontal lines) would count twice.
    """
    fy = torch.fft.fftfreq(height)[:, None].expand(height, width // 2 + 1)
    fx = torch.fft.rfftfreq(width)[None, :].expand(height, width // 2 + 1)
    radius = torch.hypot(fy, fx)
    angle = torch.rad2deg(torch.atan2(fy, fx)) % 180.0
    sector = torch.floor((angle + 90.0 / ANGLES) / (180.0 / ANGLES)).long() % ANGLES
    column = torch.ones(width // 2 + 1)
    column[0] = 0.5
    if width % 2 == 0:
        column[-1] = 0.5
    masks = torch.zeros(len(bands), ANGLES, height, width // 2 + 1)
    for b, (short, long) in enumerate(bands):
        in_band = (radius > 1.0 / long) & (radius <= 1.0 / short)
        for a in range(ANGLES):
            masks[b, a] = (in_band & (sector == a)).float() * column
    return masks


def power_spectrum(image: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) → (N, H, W//2+1): Hann-windowed power summed over the channels (colour stripes count)."""
    _, _, h, w = image.shape
    window = torch.hann_window(h, periodic=False)[:, None] * torch.hann_window(w, periodic=False)[None]
    centred = image - image.mean(dim=(2, 3), keepdim=True)
    return torch.fft.rfft2(centred * window).abs().pow(2).sum(dim=1)


def _bin_power(power: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """(N, H, W//2+1) power, (bands, ANGLES, H, W//2+1) masks → (N, bands, ANGLES) power per bin."""
    return torch.einsum("nhw,bahw->nba", power, masks)


def _shares(totals: torch.Tensor) -> torch.Tensor:
    return totals / totals.sum(dim=2, keepdim=True).clamp_min(1e-12)


def _concentration(power: torch.Tensor, masks: torch.Tensor, totals: torch.Tensor) -> torch.Tensor:
    return _bin_power(power.pow(2), masks) * masks.sum(dim=(2, 3)) / totals.pow(2).clamp_min(1e-24)


def direction_shares(image: torch.Tensor, bands: Sequence[tuple[float, float]] = BANDS) -> torch.Tensor:
    """(N, C, H, W) → (N, bands, ANGLES): each band's power split over the sectors (rows sum to 1)."""
    masks = sector_masks(image.shape[2], image.shape[3], tuple(bands))
    return _shares(_bin_power(power_spectrum(image), masks))


def concentration(image: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) → (N, bands, ANGLES): Σwp²·Σw / (Σwp)² of the power p in each bin (w: mask weights)."""
    masks = sector_masks(image.shape[2], image.shape[3], BANDS)
    power = power_spectrum(image)
    return _concentration(power, masks, _bin_power(power, masks))


def spectrum_loss(image: torch.Tensor, directions: torch.Tensor,
                  concentrations: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(direction term, concentration term) of ``image`` against the painting's statistics (N, bands, ANGLES).

    Each is the mean squared log-ratio over the bins; both come from one power spectrum.
    """
    masks = sector_masks(image.shape[2], image.shape[3], BANDS)
    power = power_spectrum(image)
    totals = _bin_power(power, masks)
    direction = (torch.log(_shares(totals) + EPS) - torch.log(directions + EPS)).pow(2).mean()
    peaks = (torch.log(_concentration(power, masks, totals)) - torch.log(concentrations)).pow(2).mean()
    return direction, peaks


def horizontal_line_share(image: torch.Tensor) -> float:
    """Share of the 2–5 px detail power in horizontal lines (the ±15° sector around 90°), mean over N."""
    return float(direction_shares(image, [LINE_BAND])[:, 0, HORIZONTAL_LINES].mean())


def peakiness(image: torch.Tensor) -> float:
    """Geometric mean of the concentration over the 2–8 px bins: ~1.3 for noise, more for periodic detail."""
    return float(concentration(image)[:, :6].log().mean().exp())
