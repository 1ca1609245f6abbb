"""In-process timings at size: each page rendered with every cache cleared.

    DJANGO_SETTINGS_MODULE=... python -m tests.bench.inprocess [ROUNDS]

Requests go through Django's test client (the whole middleware stack, no
network), after clearing the page and search caches before each request, and
the p50 and p95 of ROUNDS requests per page are printed, with the number of
SQL queries of the last one. The pages are those issue 12's targets name: the
archive's first and last pages, a tag page, a source page, the issue page,
and searches for a word in almost every story, a rare word, a three-word
phrase and a word in no story.
"""

import statistics
import sys
import time

import django


def pages():
    from django.db.models import Count

    from issues.models import Issue
    from stories.models import Source, published_tags

    issues = Issue.objects.published()
    last = max(1, -(-issues.count() // 20))
    tag = published_tags().annotate(n=Count("taggit_taggeditem_items")).latest("n")
    source = Source.objects.published().order_by("-story_count").first()
    issue = issues.order_by("-published_at").first()
    return [
        ("archive, first page", "/issues/"),
        ("archive, last page", f"/issues/?page={last}"),
        ("tag page", f"/tags/{tag.slug}/"),
        ("source page", source.get_absolute_url()),
        ("issue page", issue.get_absolute_url()),
        ("search: common word", "/search/?q=maduro"),
        ("search: rare word", "/search/?q=wayamoutheri"),
        ("search: phrase", '/search/?q="national electoral council"'),
        ("search: three words", "/search/?q=prisoners court judge"),
        ("search: word in no story", "/search/?q=zanzibar"),
    ]


def measure(client, path, rounds):
    from django.core.cache import cache
    from django.db import connection, reset_queries

    from newsroom import caching

    times = []
    for _ in range(rounds):
        cache.clear()
        getattr(caching, "forget_in_memory", lambda: None)()
        reset_queries()
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    return statistics.median(times), p95, len(connection.queries)


def main(argv):
    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.DEBUG = True  # to count queries; templates stay cached
    rounds = int(argv[0]) if argv else 20
    client = Client()
    rows = []
    for label, path in pages():
        client.get(path)  # warm the database's buffers and the templates
        p50, p95, queries = measure(client, path, rounds)
        rows.append((label, p50, p95, queries))
        print(
            f"  {label:<26} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   {queries:2d} queries"
        )
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
