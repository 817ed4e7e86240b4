"""The ``medsec`` command line: a thin layer over :mod:`medsecurance.api`.

Each command group lives in its own module exposing a Typer ``app``; they are listed in
``_SUBCOMMANDS`` and mounted here. Heavy libraries are imported inside the command functions so
that ``medsec --help`` stays fast. Errors are handled in one place, :func:`main`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import typer

from medsecurance.errors import MedsecError

__all__ = ["EXIT_GATE", "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE", "app", "main"]

EXIT_OK = 0
EXIT_GATE = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

app = typer.Typer(
    name="medsec",
    help="Security-for-safety assurance of connected medical devices (IoMT).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

# (command name, module) — each module defines ``app`` (a group) or ``register(app)`` (top-level commands)
_SUBCOMMANDS: tuple[tuple[str, str], ...] = (
    ("", "medsecurance.cli.model_cmds"),
    ("", "medsecurance.cli.analyze"),
    ("", "medsecurance.cli.assurance"),
    ("kb", "medsecurance.cli.kb"),
    ("sbom", "medsecurance.cli.sbom"),
    ("vulndb", "medsecurance.cli.vulndb"),
    ("risk", "medsecurance.cli.risk"),
    ("contract", "medsecurance.cli.contract"),
    ("comms", "medsecurance.cli.comms"),
    ("import", "medsecurance.cli.importers"),
    ("export", "medsecurance.cli.exporters"),
    ("", "medsecurance.cli.regulatory"),
)


def _mount() -> None:
    for name, module_name in _SUBCOMMANDS:
        module = importlib.import_module(module_name)
        if name:
            app.add_typer(module.app, name=name)
        else:
            module.register(app)


_mount()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 gate met, 2 bad input/usage, 3 internal)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = app(args=args, standalone_mode=False, prog_name="medsec")
    except MedsecError as exc:
        from medsecurance.cli._console import print_error

        print_error(exc)
        return exc.exit_code
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        print("Aborted.", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:  # the one place an unexpected error is turned into a line
        if _is_usage_error(exc):  # click's (or typer's vendored click's) usage errors
            exc.show()  # type: ignore[attr-defined]
            return EXIT_USAGE
        print(
            f"medsec: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in medsecurance; please report it with the command you ran "
            "(set MEDSEC_DEBUG=1 to see the traceback).",
            file=sys.stderr,
        )
        import os

        if os.environ.get("MEDSEC_DEBUG"):
            import traceback

            traceback.print_exc()
        return EXIT_INTERNAL
    return int(result) if isinstance(result, int) else EXIT_OK


def _is_usage_error(exc: Exception) -> bool:
    return callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int)


def entry() -> None:  # pragma: no cover - console-script wrapper
    """Console-script entry point."""
    sys.exit(main())
