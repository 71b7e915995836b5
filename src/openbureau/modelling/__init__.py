"""Modelling: training a scorecard, evaluating it, auditing its fairness, writing its model card,
exporting it as PMML. Needs the ``train`` extra (``pip install 'openbureau[train]'``).

It builds on the runtime (:mod:`openbureau.scoring`: the spec, the engines, the reasons) and
writes what the runtime reads: a spec, and the model card and fairness report published beside
it. The runtime never imports this package (an import-linter contract in pyproject.toml), so the
API server installs without NumPy's modelling companions (SciPy, pandas, scikit-learn, numba).
"""
