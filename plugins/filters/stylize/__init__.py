"""The stylize filter: one conditional-instance-norm network for five public-domain paintings."""
