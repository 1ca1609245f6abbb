"""Defaults for `gunicorn newsroom.wsgi`; each can be overridden on the command line."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
accesslog = "-"
# The access log masks preview tokens, which are bearer secrets in the path.
logger_class = "newsroom.access_log.AccessLogger"
timeout = 30
