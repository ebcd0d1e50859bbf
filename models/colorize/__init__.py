"""Training, export and evaluation of the colorize filter (Lab U-Net; classification or L1+PatchGAN)."""
