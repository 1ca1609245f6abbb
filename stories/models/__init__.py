"""What an issue is made of: stories, recommended reads, the sources they cite,
the contributors its bylines credit, and its corrections."""

from stories.models.corrections import Correction, CorrectionQuerySet
from stories.models.parts import (
    READ_LIST_FIELDS,
    STORY_LIST_FIELDS,
    IssuePartManager,
    IssuePartQuerySet,
    RecommendedRead,
    Story,
)
from stories.models.people import (
    Byline,
    BylineQuerySet,
    Contributor,
    ContributorQuerySet,
)
from stories.models.sources import Source, SourceCount, SourceQuerySet
from stories.models.tags import TagCount, most_used_tags, published_tags

__all__ = [
    "READ_LIST_FIELDS",
    "STORY_LIST_FIELDS",
    "Byline",
    "BylineQuerySet",
    "Contributor",
    "ContributorQuerySet",
    "Correction",
    "CorrectionQuerySet",
    "IssuePartManager",
    "IssuePartQuerySet",
    "RecommendedRead",
    "Source",
    "SourceCount",
    "SourceQuerySet",
    "Story",
    "TagCount",
    "most_used_tags",
    "published_tags",
]
