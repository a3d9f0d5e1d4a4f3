"""``python -m core.simulator [--port N]``: run the Amazon simulator until Ctrl+C."""

from __future__ import annotations

import argparse
import logging

from core.simulator.training import serve_forever


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m core.simulator",
        description="Run SP Connect's local Amazon simulator (consent page, token endpoint, "
        "Sellers API) on 127.0.0.1 until Ctrl+C.",
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free)")
    parser.add_argument("--verbose", action="store_true", help="log every request (paths only)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    serve_forever(args.port)


if __name__ == "__main__":
    main()
