"""`serve`: the container's entry point. SageMaker starts the image as `docker run IMAGE serve`."""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError
from uvicorn.config import STARTUP_FAILURE

from . import logs
from .app import create_app
from .connections import connection_cap, guarded_protocol, raise_open_file_limit
from .local_models import MULTILINGUAL_MODEL_NAME, installed_multilingual_model_dir
from .settings import ENV_NAMES, Settings, configuration_errors, unknown_variables

log = logging.getLogger(__name__)
# uvicorn's own backstop after WHISPER_SHUTDOWN_GRACE_SECONDS: connections still open this much later
# are cut. Both stay under the 30 s after which SageMaker sends SIGKILL.
SHUTDOWN_MARGIN_SECONDS = 4


class DrainingServer(uvicorn.Server):
    """uvicorn's server, which on SIGTERM/SIGINT also tells the app to stop taking work at once.

    uvicorn alone keeps queued requests waiting until its graceful timeout, then cancels them with a
    plain-text 500, and the process waits for the running job before it exits.
    """

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self._app = app

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._app.state.begin_shutdown()
        await super().shutdown(sockets)


def _local_default_model(settings: Settings) -> Settings:
    """Outside SageMaker, with MODEL_DIR unset and nothing at its default, the multilingual Whisper base of a
    development checkout (local_models.py); unchanged in the image, which has no such model."""
    if "MODEL_DIR" in os.environ or (Path(settings.model_dir) / "model.bin").is_file():
        return settings
    local = installed_multilingual_model_dir()
    if local is None:
        return settings
    log.warning(
        "MODEL_DIR is unset and %s holds no model: serving the local Whisper base %s",
        settings.model_dir,
        local,
    )
    update = {"model_dir": str(local)}
    if ENV_NAMES["model_name"] not in os.environ:
        update["model_name"] = MULTILINGUAL_MODEL_NAME
    return settings.model_copy(update=update)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="serve",
        description="Serve faster-whisper on SageMaker's container contract (GET /ping, POST /invocations). "
        "Configured by environment variables: MODEL_DIR, HOST, PORT and WHISPER_* (see docs/server-api.md).",
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
    settings = _local_default_model(settings)
    for name in unknown_variables(os.environ):
        log.warning("ignoring %s: no such setting (see the settings table in docs/server-api.md)", name)
    max_connections = connection_cap(settings.max_connections, raise_open_file_limit())
    app = create_app(settings)
    # One process, one worker: the model is loaded once and owns the device.
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        workers=1,
        log_config=None,
        access_log=False,
        http=guarded_protocol(max_connections, settings.min_body_chunk_bytes),
        timeout_keep_alive=settings.idle_timeout_seconds,
        # The accept queue and each accept burst: no more sockets at once than connections allowed.
        backlog=max_connections,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds + SHUTDOWN_MARGIN_SECONDS,
    )
    server = DrainingServer(config, app)
    server.run()
    # As uvicorn.run does: a server that never started (the model did not load) exits with code 3.
    return 0 if server.started else STARTUP_FAILURE


if __name__ == "__main__":
    sys.exit(main())
