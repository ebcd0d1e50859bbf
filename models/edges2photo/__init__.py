"""edges2photo: pix2pix training, evaluation and export (issue 7)."""
