"""The data stage: raw snapshots with provenance, the sources that fetch them, the tidy data contract, the
user's own files (import) and the embedded dataset (build, example data where no real figures exist)."""
