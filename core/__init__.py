"""SP Connect core: the product logic. Never imports Qt."""
