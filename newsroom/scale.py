"""Synthetic published issues, in bulk, for measuring the site at size.

`load_demo --scale N` adds N issues of four stories and four reads each, with
tags and sources, written with bulk inserts (12,500 issues in well under a
minute). Their text is drawn from a small vocabulary on purpose, so that
common words are in most stories, as "Maduro" is in a Venezuelan archive,
while a few rare words are in a handful and some phrases recur: the searches
a benchmark needs. Only the random generator's seed decides the text, so two
runs with the same seed write the same archive.
"""

import random
from contextlib import contextmanager
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.indexes import GinIndex
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from issues.models import Issue, IssueSnapshot, Series
from stories import counts

STORIES_PER_ISSUE = 4
READS_PER_ISSUE = 4
BODY_WORDS = 250
BATCH = 2000

#: In nearly every story (the word of a "common word" search).
COMMON = ["Maduro", "government", "opposition"]
#: The bulk of the text: a small vocabulary, so most words are in most stories.
VOCABULARY = (
    "the of and to in a that for on with as by at from this was were said "
    "will has have had not are its their which after over new week report "
    "state national election council assembly minister president party vote "
    "votes voters campaign economy inflation oil prices dollar bolivar wages "
    "workers union strike protest protests police military army border "
    "Colombia Brazil Caracas Zulia Bolivar Amazonas Merida Tachira Lara "
    "Carabobo Miranda water power blackout hospital doctors medicine schools "
    "teachers students prison prisoners release court judge law decree "
    "sanctions talks negotiation agreement mining gold miners indigenous "
    "communities river forest migration migrants families exile embassy "
    "observers mission press journalists outlet radio television network "
    "leaders leader coalition candidate primary polls results turnout fraud "
    "audit record records evidence statement official officials sources"
).split()
#: Phrases that recur in a tenth of the stories (the "phrase" search).
PHRASES = [
    "national electoral council",
    "political prisoners released",
    "price of gasoline",
    "Carter Center mission",
]
#: Each in about one story in a thousand (the "rare word" search).
RARE = ["Wayamoutheri", "Tencua", "Manapiare", "Yekuana", "Sanema", "Kanaima"]
TAGS = [
    "Elections",
    "Economy",
    "Human rights",
    "Migration",
    "Mining",
    "Oil",
    "Health",
    "Justice",
    "Diplomacy",
    "Protests",
    "Media",
    "Environment",
]
SOURCES = [
    f"{kind} {place}"
    for kind in ("Diario", "Radio", "Observatorio", "Monitor", "Agencia")
    for place in ("Caracas", "Zulia", "Andes", "Llanos", "Oriente", "Guayana")
]


def _sentence(rng):
    words = rng.choices(VOCABULARY, k=rng.randint(8, 16))
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), rng.choice(COMMON))
    return " ".join(words).capitalize() + "."


def _body(rng, pool):
    """About BODY_WORDS words: sentences of the pool, the first led by a common word."""
    sentences = rng.choices(pool, k=BODY_WORDS // 12)
    sentences[0] = f"{rng.choice(COMMON)} {sentences[0]}"
    if rng.random() < 0.1:
        sentences.append(f"Officials spoke of the {rng.choice(PHRASES)}.")
    if rng.random() < 0.004:
        sentences.append(f"In {rng.choice(RARE)} the community met.")
    half = len(sentences) // 2
    return f"<p>{' '.join(sentences[:half])}</p><p>{' '.join(sentences[half:])}</p>"


def _headline(rng):
    words = rng.choices(VOCABULARY, k=rng.randint(5, 9))
    return " ".join(words).capitalize()


def _sources():
    from stories.models import Source

    return [Source.objects.find_or_create(name=name)[0] for name in SOURCES]


def _tags():
    tags = []
    for name in TAGS:
        tag = Tag.objects.filter(name__iexact=name).first()
        tags.append(tag or Tag.objects.create(name=name, slug=slugify(name)))
    return tags


@contextmanager
def _search_indexes_rebuilt():
    """Drop the GIN search indexes for the block and build them again after:
    one build is far quicker than 100,000 insertions into them (PostgreSQL)."""
    from django.db import connection

    from stories.models import RecommendedRead, Story

    if connection.vendor != "postgresql":
        yield
        return
    indexed = [
        (model, index)
        for model in (Issue, Story, RecommendedRead)
        for index in model._meta.indexes
        if isinstance(index, GinIndex)
    ]
    with connection.schema_editor(atomic=False) as editor:
        for model, index in indexed:
            editor.remove_index(model, index)
    yield
    with connection.cursor() as cursor:
        # An index cannot be built while the rows' deferred foreign key checks
        # are pending: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    with connection.schema_editor(atomic=False) as editor:
        for model, index in indexed:
            editor.add_index(model, index)


@transaction.atomic
def add_issues(count, series=None, seed=12):
    with _search_indexes_rebuilt():
        return _add_issues(count, series, seed)


def _add_issues(count, series, seed):
    """Add `count` published issues to `series` (the only one, else a new one).

    They go out before every issue already published, one a day, so the
    newest issue stays the newest. Returns the issues added.
    """
    from newsroom import caching
    from stories.models import RecommendedRead, Story

    rng = random.Random(seed)
    series = series or Series.objects.only_one()
    if series is None:
        series, _ = Series.objects.get_or_create(
            slug="synthetic", defaults={"name": "Synthetic report"}
        )
    oldest = Issue.objects.filter(published_at__isnull=False).aggregate(
        models.Min("published_at")
    )["published_at__min"]
    start = (oldest or timezone.now()) - timedelta(days=1)
    first = series.next_number()
    slugs = set(Issue.objects.values_list("slug", flat=True))

    issues = []
    for n in range(count):
        number = first + n
        slug = f"{series.slug}-{number}"
        while slug in slugs:
            slug += "-x"
        slugs.add(slug)
        issues.append(
            Issue(
                series=series,
                number=number,
                headline=f"{_headline(rng)} ({number})",
                slug=slug,
                dek=f"This week's report also covers {_headline(rng).lower()}.",
                status=Issue.Status.PUBLISHED,
                published_at=start - timedelta(days=n),
            )
        )
    issues = Issue.objects.bulk_create(issues, batch_size=BATCH)
    # Empty snapshots: each issue's body is rendered by its first reader.
    IssueSnapshot.objects.bulk_create(
        [IssueSnapshot(issue=issue) for issue in issues], batch_size=BATCH
    )

    sources, tags = _sources(), _tags()
    # Sentences are drawn from a pool made once: writing 50,000 bodies word by
    # word would take most of the minute.
    pool = [_sentence(rng) for _ in range(5000)]
    stories, reads = [], []
    for issue in issues:
        for position in range(1, STORIES_PER_ISSUE + 1):
            headline = _headline(rng)
            stories.append(
                Story(
                    issue=issue,
                    position=position,
                    headline=headline,
                    slug=f"{slugify(headline)[:60]}-{position}",
                    body=_body(rng, pool),
                    why_it_matters=f"<p>{rng.choice(pool)}</p>",
                )
            )
        for position in range(1, READS_PER_ISSUE + 1):
            reads.append(
                RecommendedRead(
                    issue=issue,
                    position=position,
                    source=rng.choice(sources),
                    summary=rng.choice(pool),
                    url=f"https://example.org/{issue.slug}/read-{position}",
                )
            )
    stories = Story.objects.bulk_create(stories, batch_size=BATCH)
    RecommendedRead.objects.bulk_create(reads, batch_size=BATCH)

    Citation = Story.sources.through
    Citation.objects.bulk_create(
        [
            Citation(story_id=story.pk, source_id=source.pk)
            for story in stories
            for source in rng.sample(sources, rng.randint(1, 2))
        ],
        batch_size=BATCH,
    )
    issue_type = ContentType.objects.get_for_model(Issue)
    story_type = ContentType.objects.get_for_model(Story)
    TaggedItem.objects.bulk_create(
        [
            TaggedItem(tag=tag, content_type=issue_type, object_id=issue.pk)
            for issue in issues
            for tag in rng.sample(tags, 2)
        ]
        + [
            TaggedItem(tag=rng.choice(tags), content_type=story_type, object_id=s.pk)
            for s in stories
        ],
        batch_size=BATCH,
    )
    # Bulk inserts send no signals: the tags' and sources' counts, once.
    counts.recount_all()
    caching.start_new_generation()
    return issues
