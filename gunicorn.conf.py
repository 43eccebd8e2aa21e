"""gunicorn's settings for consult, read from the working directory by `gunicorn wsgi:app`
(`make serve`). The command line and GUNICORN_CMD_ARGS override them; the environment sets
GUNICORN_WORKERS (default 2), GUNICORN_THREADS (4) and GUNICORN_TIMEOUT (120 s)."""

import os

workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Threaded workers keep their heartbeat while a thread streams a long download (a CSV export
# of a million responses takes about a minute); a sync worker would be killed after `timeout`.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# Longer than a proxy's idle upstream connections, so the proxy closes them first.
keepalive = 75
