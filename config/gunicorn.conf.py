"""gunicorn for Uptake: `gunicorn -c config/gunicorn.conf.py config.wsgi` (docs/deploy.md says why).

Threaded workers (gthread): the worker's main loop accepts connections and waits on them in a
selector, and a thread is taken only once a request has arrived. An idle or slow connection (a
browser's speculative pre-connect, a phone on a bad network) no longer holds a whole sync worker
until the timeout kills it. The reverse proxy buffers requests and responses in front of this, so
the threads only ever talk to a fast local client. Every value can be overridden from the environment.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
worker_class = "gthread"
# One process per core plus one, so a core never waits while a process is in the database; threads
# cover the waits inside each process (each thread keeps its own database connection: workers x threads
# connections in all).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Requests queue in the kernel (and in the proxy) during a burst instead of being refused.
backlog = int(os.environ.get("GUNICORN_BACKLOG", "2048"))
# A worker whose main loop has not reported for this long is stuck and is replaced. With gthread
# idle connections do not count against it; a respondent request takes milliseconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On restart (HUP, TERM) a worker finishes the requests it has before it exits.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Keep-alive connections from the proxy stay open this long; the proxy gives up on them sooner
# (nginx `keepalive_timeout 4s` in docs/deploy.md), so it never sends a request on a connection
# gunicorn is just closing.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Workers are not recycled after a number of requests: a recycled worker closes its keep-alive
# connections under the proxy, and a POST the proxy had just sent on one fails (nginx retries only
# idempotent requests); the benchmark saw 6 such "try again" pages in 15,000 requests. A worker's
# memory stays flat (the instrument cache holds one entry per instrument version).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
