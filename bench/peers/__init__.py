"""Drivers for the peers, each run with its peer's own virtualenv (`python -m bench.peers.<name>`).

They import only the standard library, their peer, and bench's standard-library helpers.
"""
