"""Click commands, one module per command; each imports its library lazily."""
