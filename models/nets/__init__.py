"""Network definitions, one module per network (``models.nets.<name>``)."""
