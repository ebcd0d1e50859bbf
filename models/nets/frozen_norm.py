"""Networks rebuilt from an exported graph keep their BatchNorm layers in eval mode while they train.

The exporter folds each BatchNorm into the convolution before it (``models.export.load_folded_onnx``
rebuilds it as the identity plus a bias). Batch statistics in training mode would then normalise what
was already normalised; with ``frozen_norm`` set, ``train()`` leaves every BatchNorm in eval mode, so
the network keeps computing what the shipped file computes and fine-tunes from there.
"""

from __future__ import annotations

from torch import nn


class FrozenNormMixin(nn.Module):
    """``frozen_norm = True``: the BatchNorm layers stay in eval mode (running statistics)."""

    frozen_norm: bool = False

    def train(self, mode: bool = True) -> FrozenNormMixin:
        super().train(mode)
        if self.frozen_norm:
            for module in self.modules():
                if isinstance(module, nn.BatchNorm2d):
                    module.eval()
        return self
