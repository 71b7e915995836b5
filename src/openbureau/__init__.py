"""openbureau: a credit reporting system with due process built in."""

__version__ = "0.1.0"
