"""Sluice's built-in components, one module per component or family.

They are registered in pyproject's `sluice.components` entry points, like any installed component.
"""
