"""The support area: the obstacle log (vướng mắc), the public FAQ of return reasons, the gap-closing list."""
