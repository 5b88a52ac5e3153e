"""Benchmarks (run by hand; figures in the README)."""
