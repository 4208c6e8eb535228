"""Example components for Sluice, installed with `pip install -e examples/components`."""
