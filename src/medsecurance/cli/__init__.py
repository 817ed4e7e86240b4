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

__all__ = ["EXIT_GATE", "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE", "app", "keep_until_exit", "main"]

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


#: objects a command leaves to the end of the process (see :func:`keep_until_exit`)
_kept: list[object] = []
_in_console_script = False


def keep_until_exit(*objects: object) -> None:
    """Let the console script end the process without freeing ``objects`` one by one.

    Called by a command once everything it writes is written and closed (``analyze``, with the
    loaded model and the assessment). Freeing a large model's millions of objects, then the
    interpreter's own teardown, took ~0.4 s of the 5,000-node ``analyze`` benchmark for nothing:
    the operating system reclaims the memory at once. A no-op when the CLI runs in-process (tests,
    embedding): nothing is kept and nothing changes.
    """
    if _in_console_script:
        _kept.extend(objects)


def entry() -> None:  # pragma: no cover - console-script wrapper
    """Console-script entry point."""
    global _in_console_script
    _in_console_script = True
    code = main()
    if _kept:
        _exit_now(code)
    sys.exit(code)


def _exit_now(code: int) -> None:  # pragma: no cover - ends the process
    """End the process without interpreter teardown, as mypy does (``os._exit``).

    Safe only because the command that asked for it wrote its files atomically (closed, fsynced,
    renamed) before returning: what is left to do is what ``sys.exit`` would do, done here by
    hand: run the ``atexit`` handlers (e.g. logging's flush) and flush the standard streams.
    Not done when another thread is alive (``os._exit`` would kill it mid-work), nor under a
    profiler or tracer (cProfile, coverage: they write their results after the command).
    """
    import atexit
    import contextlib
    import os
    import threading

    if threading.active_count() != 1 or sys.getprofile() is not None or sys.gettrace() is not None:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a broken pipe or closed stream: let sys.exit report it as usual
        return
    atexit._run_exitfuncs()
    with contextlib.suppress(OSError, ValueError):  # what the handlers may have written
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)
