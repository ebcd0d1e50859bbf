"""Colorize: grayscale photos to natural colour (U-Net on L predicting ab in CIE Lab)."""
