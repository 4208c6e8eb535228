"""Test-only components for Sluice's own test suite."""
