"""Xietong (协同): the coordination platform for Beijing–Tianjin–Hebei."""

from __future__ import annotations

__version__ = "0.1.0.dev0"

__all__ = ["__version__"]
