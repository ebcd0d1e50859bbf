"""Training, export and evaluation of the Upscale (super-resolution) filter."""
