"""Fixtures for the comms tests (defined in comms_helpers.py)."""

from __future__ import annotations

from comms_helpers import catalogue, http_server, mllp_server, pki, tls_server

__all__ = ["catalogue", "http_server", "mllp_server", "pki", "tls_server"]
