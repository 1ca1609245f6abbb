"""Two sends of one edition at the same moment never mail anyone twice.

Run on PostgreSQL by `make test` (the row locks that production relies on)
and on SQLite. Each run gets its own database connection, in a thread.
"""

import io
import threading
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection

from newsroom.newsletters.models import Delivery, Edition, Subscriber


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("command", ["send_edition", "send_due_editions"])
def test_two_runs_at_once_send_each_address_exactly_once(
    make_issue, series, smtp_server, settings, command
):
    settings.NEWSLETTER_BATCH_SIZE = 10
    issue = make_issue(series=series)
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.org", series=series, state="active")
        for n in range(60)
    )
    Edition.objects.create(issue=issue, send_when_public=True)
    smtp_server.delay = 0.003
    start = threading.Barrier(2)
    errors = []

    def run():
        try:
            start.wait(timeout=10)
            args = [issue.slug] if command == "send_edition" else []
            call_command(command, *args, stdout=io.StringIO(), stderr=io.StringIO())
        except OperationalError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    if connection.vendor == "postgresql":
        assert errors == []
    else:
        # The test's in-memory SQLite locks whole tables and does not wait: a
        # run may be turned away mid-way, which still sends nobody twice.
        assert all("locked" in str(error) for error in errors)
    call_command("send_due_editions", stdout=io.StringIO())

    received = Counter(message["To"] for message in smtp_server.messages)
    assert len(received) == 60
    assert set(received.values()) == {1}
    assert Delivery.objects.filter(state="sent").count() == 60
    assert Delivery.objects.count() == 60
