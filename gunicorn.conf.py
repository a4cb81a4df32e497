"""gunicorn settings for production.  Put a buffering reverse proxy (nginx) in front so slow mobile
clients never hold a worker; gunicorn's sync workers then only see complete requests."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
graceful_timeout = 30
keepalive = 5
# The app is imported once in the master and forked: a worker recycled by max_requests (a guard against
# slow leaks) starts in milliseconds instead of re-importing the app (about a second, during which its
# requests wait: that was the 0.5-1 s tail under load).  Nothing opens a database or Redis connection
# at import time, so no connection is shared across the fork.
preload_app = True
max_requests = 10000
max_requests_jitter = 1000
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
