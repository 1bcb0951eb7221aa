"""gunicorn for Nuanxin behind nginx (deploy/nginx/nuanxin.conf). Sync workers: every request is short
(the broker is never waited on longer than ~0.1 s); 2 × cores + 1 processes is gunicorn's own advice."""

import multiprocessing
import os

bind = os.environ.get("NUANXIN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("NUANXIN_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 60
graceful_timeout = 30
max_requests = 2000  # recycle a process now and then: bounded memory over months
max_requests_jitter = 200
accesslog = "-"  # to the journal; nginx keeps the full access log
errorlog = "-"
# No request bodies or query strings in gunicorn's access log: phone numbers can sit in a search URL.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
forwarded_allow_ips = "127.0.0.1"
