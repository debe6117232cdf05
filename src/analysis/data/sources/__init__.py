"""Turn raw snapshots into tidy rows (one module per source)."""
