"""The credit file and the rules on it. Pure Python: no framework, no adapter."""
