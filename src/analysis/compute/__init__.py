"""The compute stage: suppression, gaps, trends, comparison groups and coverage, computed once per inputs
into the results artefact (:mod:`analysis.compute.artefact`) that every later stage reads."""
