"""Benchmarks (``make bench``): timings people would notice, measured, never asserted in tests."""
