"""Benchmarks: each module measures one thing and writes its own section of BENCHMARKS.md."""
