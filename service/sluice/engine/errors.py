"""The engine's exceptions. A leaf: it imports nothing of Sluice, so every engine module can use it."""

from __future__ import annotations


class ComponentError(Exception):
    """A component could not do its work. The message is shown to the caller, so keep it human."""
