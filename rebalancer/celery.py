"""The Celery application. Tasks live in each app's ``tasks.py``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rebalancer.settings")
# Workers run one solve per process at a time; threaded BLAS would only oversubscribe cores.
for _threads in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

app = Celery("rebalancer")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
