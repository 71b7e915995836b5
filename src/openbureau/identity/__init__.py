"""Identity resolution: is this record, or this applicant, the person a credit file is about?

- ``features``: an identity (a furnished record's subject, a lender's applicant, a file's
  observations) turned into the normalised fields the model compares;
- ``comparisons``: the Fellegi-Sunter comparisons, each level written once with its SQL (for
  splink) and its Python (for the in-process scorer);
- ``model``: the in-process scorer reading splink's model JSON (match weights per level,
  term-frequency adjustment on names), and the integrity rules no weight overrides;
- ``training``: training the model with splink on DuckDB (modelling; needs the ``train`` extra).

Like ``scoring``, this package imports no framework, driver or adapter: services hand it
identities and act on its answers.
"""
