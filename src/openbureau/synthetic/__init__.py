"""Synthetic credit files for the demo, the benchmarks and the tests: no real person's data.

``population`` makes people deterministically by seed, tuned to GMSC's published summary
statistics. It imports the domain (records, months), numpy and Faker (names and addresses), all
runtime dependencies in pyproject.toml (GMSC, for the comparison, is read with the standard
library's csv); nothing here touches a database: ``services.demo`` furnishes what it makes.
"""
