"""`serve`: the container's entry point. SageMaker starts the image as `docker run IMAGE serve`."""

from __future__ import annotations

import argparse
import logging
import os
import sys

import uvicorn
from pydantic import ValidationError

from . import logs
from .app import create_app
from .settings import Settings, configuration_errors, unknown_variables

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="serve",
        description="Serve faster-whisper on SageMaker's container contract (GET /ping, POST /invocations). "
        "Configured by environment variables: MODEL_DIR, HOST, PORT and WHISPER_* (see the README).",
    )
    # With ENTRYPOINT ["serve"], SageMaker's `docker run IMAGE serve` passes "serve" as an argument.
    parser.add_argument(
        "command", nargs="?", choices=["serve"], help="accepted and ignored (SageMaker passes it)"
    )
    parser.parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as e:
        details = "\n".join(f"  {line}" for line in configuration_errors(e))
        print(f"serve: invalid configuration:\n{details}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level)
    for name in unknown_variables(os.environ):
        log.warning("ignoring %s: no such setting (see the README's settings table)", name)
    # One process, one worker: the model is loaded once and owns the device.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        workers=1,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=30,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
