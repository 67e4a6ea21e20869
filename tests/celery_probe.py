"""A task the test worker imports (``--include tests.celery_probe``); not part of the app.

``uplift_tests.record_probe`` commits an auth Group named after its token, so a test can see
that the worker process wrote to the same test database.
"""

from celery import shared_task


@shared_task(name="uplift_tests.record_probe")
def record_probe(token):
    from django.contrib.auth.models import Group

    Group.objects.create(name=token)
    return token
