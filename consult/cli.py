"""Flask commands. Each domain keeps its commands beside its services; this module wires them."""

from __future__ import annotations

import click
from flask import Flask, current_app


def register(app: Flask) -> None:
    from consult import demo
    from consult.accounts import cli as accounts_cli
    from consult.api import cli as api_cli
    from consult.results import cli as results_cli
    from consult.surveys import cli as surveys_cli

    app.cli.add_command(worker)
    for command in (
        *accounts_cli.commands,
        *surveys_cli.commands,
        *demo.commands,
        *results_cli.commands,
        *api_cli.commands,
    ):
        app.cli.add_command(command)


@click.command("worker")
def worker() -> None:
    """Work the background job queue (needs REDIS_URL)."""
    from redis import Redis
    from rq import Queue, Worker

    url = current_app.config["REDIS_URL"]
    if not url:
        raise click.ClickException("REDIS_URL is not set: jobs run inline, no worker is needed.")
    connection = Redis.from_url(url)
    queue = Queue(current_app.config["JOBS_QUEUE"], connection=connection)
    Worker([queue], connection=connection).work()
