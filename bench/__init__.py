"""Benchmarks: Sluice measured beside the systems people would pick instead (see bench/README.md).

Modules of this package that peers' drivers import (`procs`, `stats`, `statements`) use the standard
library only, because the peers run in their own virtualenvs without Sluice.
"""
