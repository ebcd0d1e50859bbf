"""Colorize: grayscale photos to natural colour (ImageNet VGG16 + decoder: L in, CIE Lab ab out)."""
