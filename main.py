"""SP Connect: open the window, the demo, or run a command without a window.

    python main.py                      the window on your own inventory
    python main.py --demo               the window on a temporary sample inventory
    python main.py --data-dir DIR       the window on the inventory in DIR
    python main.py --review FILE.json   the window on an export, read-only (no keychain, no network)
    python main.py --self-test [--screenshot FILE]
    python main.py [--demo | --data-dir DIR] plan [--json]
    python main.py [--demo | --data-dir DIR] check [--json] [--only-expiring]
    python main.py [--demo | --data-dir DIR] exec --channel CHANNEL -- COMMAND [ARGS...]
    python main.py [--demo | --data-dir DIR] export --format json|csv|html|pdf --out FILE [--bom]
    python main.py [--demo | --data-dir DIR] import FILE [--save]
    python main.py [--demo | --data-dir DIR] support-bundle --out FILE.zip

``--demo`` and ``--data-dir`` are global: every command works on the inventory they choose.
``--verbose`` is global too (also accepted after a command): every start logs to a rotating file
in the user log folder (``$SPCONNECT_LOG_DIR`` moves it; the demo writes its own file there),
secrets taken out; ``--verbose`` logs every detail there and on stderr. An unexpected error in
a command prints one line naming the log file and exits 2 (``exec``: 125), its traceback in
the log.
Heavy modules (Qt, the core) are imported only by the branch that needs them, so the window
starts quickly and commands need no display.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

APP = "SP Connect"


def version() -> str:
    from importlib import metadata

    try:
        return metadata.version("sp-connect")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


class _VersionAction(argparse.Action):
    """``--version``, looked up only when asked for (reading metadata costs start time)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kwargs: Any) -> None:
        print(f"{APP} {version()}")
        parser.exit()


def _add_inventory_options(parser: argparse.ArgumentParser, default: Any) -> Any:
    # --verbose rides along: every parser that takes the inventory's options takes it too.
    parser.add_argument(
        "--verbose",
        action="store_true",
        default=default if default is argparse.SUPPRESS else False,
        help="log every detail (DEBUG) to the log file (in your user log folder, or "
        "$SPCONNECT_LOG_DIR) and to the terminal",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--demo",
        action="store_true",
        default=default if default is argparse.SUPPRESS else False,
        help="use a temporary sample inventory with in-memory secrets (never your own data "
        "or keychain)",
    )
    where.add_argument(
        "--data-dir",
        metavar="DIR",
        default=default if default is argparse.SUPPRESS else None,
        help="use the inventory in DIR (default: $SPCONNECT_DATA_DIR or your user data folder)",
    )
    return where


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, sized without importing shutil (a few ms of start-up time)."""

    def __init__(self, prog: str, **kwargs: Any) -> None:
        if kwargs.get("width") is None:
            try:
                kwargs["width"] = os.get_terminal_size().columns - 2
            except OSError:
                kwargs["width"] = 78
        super().__init__(prog, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sp-connect",
        description="Manage your Amazon Selling Partner API connections.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action=_VersionAction)
    _add_inventory_options(parser, None).add_argument(
        "--review",
        metavar="FILE",
        type=Path,
        help="open an exported JSON file read-only: no Save, no keychain, no network",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="open the window, wait until it is painted, then exit (0 when all is well)",
    )
    parser.add_argument(
        "--screenshot",
        metavar="FILE",
        type=Path,
        help="with --self-test: save a PNG of the painted window to FILE",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    plan = commands.add_parser(
        "plan",
        help="print the reauthorization plan: which consents, in which order",
        formatter_class=_Formatter,
    )
    # Also accepted after the command name; SUPPRESS keeps the global value otherwise.
    plan.add_argument("--json", action="store_true", help="print one JSON object")
    _add_inventory_options(plan, argparse.SUPPRESS)
    plan.set_defaults(run=run_plan)
    check = commands.add_parser(
        "check",
        help="test every authorization without the window (for cron): exit 0 all fine, 1 "
        "something needs a person, 2 the check could not run",
        formatter_class=_Formatter,
    )
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.add_argument(
        "--only-expiring",
        action="store_true",
        help="only channels whose authorization ends within 30 days or has ended",
    )
    _add_inventory_options(check, argparse.SUPPRESS)
    check.set_defaults(run=run_check)
    _add_exchange_commands(commands)
    bundle = commands.add_parser(
        "support-bundle",
        help="write a zip for a support ticket (export, log, versions; every secret taken out)",
        formatter_class=_Formatter,
    )
    bundle.add_argument("--out", required=True, metavar="FILE", help="the zip file to write")
    _add_inventory_options(bundle, argparse.SUPPRESS)
    bundle.set_defaults(run=run_support_bundle)
    simulator = commands.add_parser(
        "simulator",
        help="run the built-in Amazon simulator on 127.0.0.1 (to rehearse a reauthorization)",
        formatter_class=_Formatter,
    )
    simulator.add_argument(
        "--port", type=int, default=0, help="the port to listen on (default: any free port)"
    )
    _add_inventory_options(simulator, argparse.SUPPRESS)
    simulator.set_defaults(run=run_simulator)
    run = commands.add_parser(
        "exec",
        help="run COMMAND with one channel's credentials in its environment (written nowhere)",
        formatter_class=_Formatter,
    )
    run.add_argument(
        "--channel",
        required=True,
        help="a channel id, or a Seller ID and marketplace code such as A1B2C3D4E5F6G7/UK",
    )
    run.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARGS...]")
    _add_inventory_options(run, argparse.SUPPRESS)
    run.set_defaults(run=run_exec)
    return parser


def _add_exchange_commands(commands: Any) -> None:
    from core.services.exchange.writing import FORMATS

    export = commands.add_parser(
        "export", help="write the inventory to a file (never a secret)", formatter_class=_Formatter
    )
    formats = sorted({*FORMATS, "html", "pdf"})  # the report's two join when asked for
    export.add_argument("--format", required=True, choices=formats, dest="fmt")
    export.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    export.add_argument("--bom", action="store_true", help="CSV: start with a byte order mark")
    _add_inventory_options(export, argparse.SUPPRESS)
    export.set_defaults(run=run_export)
    imports = commands.add_parser(
        "import",
        help="check a CSV or JSON file against the inventory (exit 1 on problems); --save "
        "imports it",
        formatter_class=_Formatter,
    )
    imports.add_argument("file", metavar="FILE")
    imports.add_argument("--save", action="store_true", help="import and save (not a dry run)")
    _add_inventory_options(imports, argparse.SUPPRESS)
    imports.set_defaults(run=run_import)


# --- commands without a window ---------------------------------------------------------------


def run_plan(args: argparse.Namespace) -> int:
    from core.services.plan_command import run_plan as run

    return run(
        data_dir=args.data_dir, demo=args.demo, as_json=args.json, out=sys.stdout, err=sys.stderr
    )


def run_check(args: argparse.Namespace) -> int:
    from core.services.scheduled import run_command

    return run_command(
        data_dir=args.data_dir,
        demo=args.demo,
        as_json=args.json,
        only_expiring=args.only_expiring,
        out=sys.stdout,
        err=sys.stderr,
    )


def run_export(args: argparse.Namespace) -> int:
    from core.services.exchange import commands

    if args.fmt in ("html", "pdf"):
        from core.services.report.formats import register_report_formats

        register_report_formats(_paint_pdf if args.fmt == "pdf" else None)

    return commands.export_command(
        data_dir=args.data_dir, demo=args.demo, fmt=args.fmt, out=args.out, bom=args.bom,
        app_version=version(), stdout=sys.stdout, stderr=sys.stderr,
    )  # fmt: skip


def _paint_pdf(report: Any, path: Path) -> None:
    from gui.report_pdf import write_pdf  # Qt only when a PDF is asked for

    write_pdf(report, path)


def run_import(args: argparse.Namespace) -> int:
    from core.services.exchange import commands

    return commands.import_command(
        data_dir=args.data_dir, demo=args.demo, file=args.file, save=args.save,
        stdout=sys.stdout, stderr=sys.stderr,
    )  # fmt: skip


def run_support_bundle(args: argparse.Namespace) -> int:
    from core.services.support_bundle.command import support_bundle_command

    return support_bundle_command(
        data_dir=args.data_dir, demo=args.demo, out=args.out, app_version=version(),
        stdout=sys.stdout, stderr=sys.stderr,
    )  # fmt: skip


def run_simulator(args: argparse.Namespace) -> int:
    """Serve the demo's Amazon until Ctrl+C, printing its address and accounts first."""
    from core.simulator import serve_forever

    serve_forever(args.port)
    return 0


def run_exec(args: argparse.Namespace) -> int:
    """Exit codes: the command's own; 125, 126, 127 for ours (see core/services/exec_command)."""
    from core.services.exec_command import run_exec as run

    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        print("error: name the command to run after --", file=sys.stderr)
        return 2
    return run(args.channel, command, demo=args.demo, data_dir=args.data_dir)


# --- entry point -----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    for stream in ("stdout", "stderr"):  # None in the windowed Windows build (sp-connect.spec)
        if getattr(sys, stream) is None:
            setattr(sys, stream, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    args = build_parser().parse_args(sys.argv[1:] if argv is None else list(argv))
    from core.services import logs

    window = getattr(args, "run", None) is None  # its log file opens after its first paint
    logs.start_logging(args.verbose, demo=args.demo, defer_file=window)
    try:
        return _start(args)
    finally:
        logs.stop_logging()


def _start(args: argparse.Namespace) -> int:
    run: Callable[[argparse.Namespace], int] | None = getattr(args, "run", None)
    if run is not None:
        if args.self_test or args.screenshot or args.review:
            print("error: --self-test, --screenshot and --review open the window: use them "
                  "without a command", file=sys.stderr)  # fmt: skip
            return 2
        return _headless(run, args)
    if args.screenshot and not args.self_test:
        print("error: --screenshot works with --self-test only", file=sys.stderr)
        return 2
    from gui import app

    options = app.AppOptions(
        data_dir=args.data_dir,
        demo=args.demo,
        self_test=args.self_test,
        screenshot=args.screenshot,
        version=version,
        review=args.review,
    )
    return app.main(options, [sys.argv[0]])


def _headless(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    from core.domain.errors import Cancelled, UserFacingError
    from core.services import logs

    surface = f"{args.command}{' (demo)' if args.demo else ''}"  # never its arguments
    logs.log_start(surface, version())
    try:
        return run(args)
    except UserFacingError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.next_step:
            print(exc.next_step, file=sys.stderr)
        return 1
    except Cancelled:
        return 1
    except BrokenPipeError:
        # The reader went away (`... plan | head`): not an error. Point stdout at nothing so
        # Python's own flush at exit does not complain a second time.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception:
        print(logs.unexpected_error(args.command), file=sys.stderr)
        return 125 if args.command == "exec" else 2  # exec's own failures are 125


if __name__ == "__main__":
    sys.exit(main())
