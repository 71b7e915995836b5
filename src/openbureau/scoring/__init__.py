"""Scoring at run time: attributes, the scorecard spec, the reference and compiled engines,
reasons, the simulator and the score bands. Training and the model reports are
:mod:`openbureau.modelling`, which imports this package, never the reverse."""
