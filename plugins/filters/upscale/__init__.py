"""The Upscale filter (super-resolution ×2/×4)."""
