"""edges2photo: a line drawing becomes a photo-like picture (pix2pix)."""
