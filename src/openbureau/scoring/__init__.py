"""Scoring: attributes, the scorecard spec, training, reference and compiled engines."""
