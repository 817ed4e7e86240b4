"""Shared console helpers for the CLI: rich consoles and error printing."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from medsecurance.errors import MedsecError

__all__ = ["err_console", "out_console", "print_error"]

out_console = Console(highlight=False, soft_wrap=True, emoji=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def print_error(exc: MedsecError) -> None:
    """Print every diagnostic of ``exc`` on stderr, one per line, then a count."""
    for item in exc.items:
        err_console.print(f"[bold red]error[/]: {escape(str(item))}")
    if len(exc.items) > 1:
        err_console.print(f"{len(exc.items)} errors", style="red")
