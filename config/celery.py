import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.utils import uuid
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from kombu import serialization

from config import background

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class BackgroundTask(DjangoTask):
    """Runs where settings.BACKGROUND_TASKS says, read at each call: "celery" sends it through
    the broker to a worker, "threads" to a thread of this process (config.background), and
    "eager" runs it at once in the caller.

    DjangoTask adds delay_on_commit: a task queued inside a transaction waits for its commit,
    whichever way it then runs.
    """

    def apply_async(self, args=None, kwargs=None, task_id=None, **options):
        mode = settings.BACKGROUND_TASKS
        if mode == "celery":
            return super().apply_async(args, kwargs, task_id, **options)
        if mode not in ("threads", "eager"):
            raise ImproperlyConfigured(
                f"BACKGROUND_TASKS is {mode!r}; please use celery, threads or eager."
            )
        args, kwargs = self.as_a_worker_receives(args or (), kwargs or {})
        task_id = task_id or uuid()
        if mode == "threads":
            countdown, eta = options.get("countdown"), options.get("eta")
            return background.submit(self, args, kwargs, task_id, countdown, eta)
        return self.apply(args, kwargs, task_id=task_id, **options)

    def as_a_worker_receives(self, args, kwargs):
        """Check and serialize the arguments as sending to the broker would, so a call that
        only works in this process (wrong arguments, a model instance) fails here too."""
        check_arguments = getattr(self, "__header__", None)  # only tasks made from functions
        if self.typing and check_arguments:
            check_arguments(*args, **kwargs)
        content_type, encoding, data = serialization.dumps((args, kwargs), self.serializer)
        return serialization.loads(data, content_type, encoding, accept=[content_type])


app = Celery("common_ground", task_cls=BackgroundTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
