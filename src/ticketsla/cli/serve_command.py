"""``ticketsla serve``: the webhook receiver, SLA API and live board under uvicorn, with the
scanner that records and delivers warnings and breaches as they come due.

::

    TICKETSLA_WEBHOOK_SECRET_ZENDESK=... ticketsla serve --db URL --policy standard.toml

Secrets come from the environment or ``--secrets FILE`` (see ``ticketsla.web.secrets``), never
from the command line. Needs the ``serve`` extra; without it the command says how to install it.
"""

from __future__ import annotations

import argparse
import os
import signal
from datetime import timedelta
from types import FrameType

from ..durations import parse_duration
from ..errors import ConfigurationError
from .common import Subparsers
from .engine_options import db_option, load_policies, policy_option

__all__ = ["NOTIFY_URLS_ENV", "register"]

NOTIFY_URLS_ENV = "TICKETSLA_NOTIFY_URLS"


def register(commands: Subparsers) -> None:
    """Add ``serve`` to the ``ticketsla`` sub-commands (an argparse sub-parsers)."""
    serve = commands.add_parser(
        "serve",
        help="receive webhooks, answer SLA questions, notify (needs ticketsla[serve])",
        description=_cmd_serve.__doc__,
    )
    db_option(serve)
    policy_option(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    serve.add_argument(
        "--secrets",
        metavar="FILE",
        help="TOML file of webhook secrets ([webhooks] source = ...; [notify] secret = ...)",
    )
    serve.add_argument(
        "--max-body", type=int, default=1024 * 1024, help="largest request body in bytes (1 MiB)"
    )
    serve.add_argument(
        "--safety-interval",
        default="30s",
        help="longest sleep of the scanner between rounds (30s)",
    )
    serve.add_argument(
        "--no-scanner", action="store_true", help="receive and answer only; do not scan or notify"
    )
    serve.add_argument(
        "--notify-url",
        action="append",
        default=[],
        metavar="URL",
        help=f"POST each notification here; repeat for several (also ${NOTIFY_URLS_ENV})",
    )
    serve.add_argument(
        "--notify-format",
        choices=["json", "slack"],
        default="json",
        help="notification body: json (default) or a Slack-compatible message",
    )
    serve.add_argument("--jsonl", help="also append each notification to this JSON lines file")
    serve.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="uvicorn's log level (info)",
    )
    serve.set_defaults(handler=_cmd_serve)


def _cmd_serve(args: argparse.Namespace) -> int:
    """Serve the webhook receiver, the SLA API, /metrics, /healthz and the live board under
    uvicorn, and scan and deliver notifications as they come due. SIGTERM or Ctrl-C stop it
    after the requests under way are answered."""
    try:
        import uvicorn

        from ..web import Scanner, WebhookNotifier, create_app, load_secrets
    except ImportError as exc:
        raise ConfigurationError(
            f"ticketsla serve needs the serve extra ({exc.name} is missing): "
            "pip install 'ticketsla[serve]'",
            subject="serve",
        ) from None
    from ..engine import SLAEngine
    from ..plugins.notifiers import JSONLinesNotifier

    safety = _checked_options(args)
    secrets = load_secrets(args.secrets)
    if not secrets.webhooks:
        raise ConfigurationError(
            "no webhook secrets: set TICKETSLA_WEBHOOK_SECRET_<SOURCE> (for example "
            "TICKETSLA_WEBHOOK_SECRET_ZENDESK) or pass --secrets FILE",
            subject="--secrets",
        )
    urls = [*args.notify_url, *os.environ.get(NOTIFY_URLS_ENV, "").split()]
    plugins: list[object] = []
    if urls:
        plugins.append(WebhookNotifier(urls, secret=secrets.notify, format=args.notify_format))
    if args.jsonl:
        plugins.append(JSONLinesNotifier(args.jsonl))
    policies = load_policies(args.policy)
    with SLAEngine(args.db, policies=policies, plugins=plugins, upgrade=False) as engine:
        scanner = None if args.no_scanner else Scanner(engine, safety=safety)
        app = create_app(engine, secrets=secrets.webhooks, scanner=scanner, max_body=args.max_body)
        config = uvicorn.Config(
            app,
            host=args.host,
            port=args.port,
            lifespan="on",
            log_level=args.log_level,
            proxy_headers=False,
            server_header=False,
            timeout_graceful_shutdown=30,
        )
        # uvicorn stops gracefully on SIGTERM/SIGINT, then raises the signal again for the
        # handler it found: ours notes it, so a requested stop ends with status 0.
        previous = {
            signum: signal.signal(signum, _note_stop) for signum in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            uvicorn.Server(config).run()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
    return 0


def _checked_options(args: argparse.Namespace) -> timedelta:
    """Refuse a bad port, body limit or safety interval; returns the safety interval."""
    if not 0 < args.port < 65536:
        raise ConfigurationError(f"--port: {args.port} is not a port number", subject="--port")
    if args.max_body < 1:
        raise ConfigurationError(f"--max-body: {args.max_body} must be positive")
    safety = parse_duration(args.safety_interval, field="--safety-interval")
    if safety <= timedelta(0):
        raise ConfigurationError(
            f"--safety-interval: {args.safety_interval!r} must be positive",
            subject="--safety-interval",
        )
    return safety


def _note_stop(signum: int, frame: FrameType | None) -> None:
    del signum, frame
