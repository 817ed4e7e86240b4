"""Fixtures for the risk tests (defined in risk_helpers)."""

from __future__ import annotations

from risk_helpers import kb, model

__all__ = ["kb", "model"]
