"""Integration follow-up analysis."""
