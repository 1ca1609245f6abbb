"""Whole-page caching of the public site, invalidated by publishing, not by a clock.

The pages cached are those of the views marked `@cached_page` where they are
defined; no other view's answer is ever stored. Every cached page is stored
under a *generation*. Saving or deleting anything a public page shows (a row
of any model of the public apps, PUBLIC_APPS: issues, series, stories, reads,
sources, tags) starts a new generation, so the very next request renders
afresh: there is no TTL to wait out after a correction.

Scheduled issues need no cron either. The time of the next scheduled
publication is kept in the cache (one query per generation); the first request
at or after that time starts a new generation, so the issue shows up on every
cached page the moment its time arrives.

Only changes that readers can see start one: saving a draft, its stories or
its reads, or a source or tag that only drafts use, leaves the cache alone, so
a writer's typing does not empty it. A change to a published or scheduled
issue, its parts, or a series, source or tag on public pages does.

Pages are cached only for anonymous readers (no session cookie) and only for
the query strings that a listing uses (`page`, `year`), so neither an editor's
own view nor a flood of made-up query strings reaches the cache. Each page has
one spelling: `?page=01`, `?page=1&page=1` or a `?year=` the page ignores are
sent (301) to the canonical address, so no one can fill or flush the cache
with spellings of the same page.

A hit is answered by `PageCacheMiddleware`, first in MIDDLEWARE, before
sessions, authentication, CSRF, messages and login throttling, none of which
an anonymous cached page needs: the page was stored as the last middleware
left it (security headers, CSP, ETag, Last-Modified, compression), so a hit is
byte for byte what the miss gave, and conditional requests get their 304
there too. The generation is read from memory: a small file every process maps
(with the local-memory cache), or the same cache read as the page (Redis); the
next scheduled time is kept in each process's memory, one query per
generation. Public pages tell shared caches (a CDN, the front proxy of
deploy/nginx.conf) that they may keep them PAGE_CACHE_S_MAXAGE seconds, and
name what they show in `Surrogate-Key` and `Cache-Tag`, so a CDN can purge by
issue, story or list.
"""

import functools
import hashlib
import logging
import mmap
import os
import re
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.utils import timezone
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date, parse_http_date_safe, urlencode
from taggit.models import Tag, TaggedItem

from issues.models import Issue, Series
from newsroom import db_routers
from stories.models import Contributor, RecommendedRead, Source, Story, published_tags

logger = logging.getLogger(__name__)

GENERATION_KEY = "pages:generation"
NO_SCHEDULED_ISSUE = "none"

#: Query parameters a cached page may vary on; any other parameter skips the cache.
CACHEABLE_PARAMETERS = frozenset({"page", "year", "p"})
MAX_PARAMETER_LENGTH = 12

#: Apps whose rows public pages show. Saving or deleting a row of any of their
#: models (one added later too) starts a new generation, unless the model is
#: listed in NOT_ON_PUBLIC_PAGES.
PUBLIC_APPS = ("issues", "stories", "taggit")
#: Models of the public apps that no public page shows, each with the reason.
NOT_ON_PUBLIC_PAGES = frozenset(
    {
        # The workflow's log of moves (submitted, published, …), read only in
        # the admin; a move that readers can see also saves the issue itself.
        "issues.IssueEvent",
        # Edits autosave keeps aside, unpublished until their author saves;
        # the save that publishes them renews the pages.
        "issues.PendingEdit",
    }
)


@dataclass(frozen=True)
class PageCache:
    """How a view's pages are cached: the query parameters it reads, in the
    order its links write them, each with the function that spells a value
    canonically (returning None when the view ignores that value)."""

    parameters: tuple = ()


def cached_page(view=None, /, *, parameters=()):
    """Mark a public view whose rendered pages this module may cache.

    Use it on a view class (a generic view or a feed; subclasses inherit it)
    or wrap a view function, as Django's `cache_page` is used. Any view not
    marked is never served from, nor stored in, the page cache.
    """
    policy = PageCache(tuple(parameters))

    def mark(view):
        if isinstance(view, type):
            view.page_cache = policy
            return view

        @functools.wraps(view)
        def cached_view(*args, **kwargs):
            return view(*args, **kwargs)

        cached_view.page_cache = policy
        return cached_view

    return mark if view is None else mark(view)


def page_cache_of(view):
    """The PageCache that `view` (a URL pattern's callback) was marked with, or None."""
    policy = getattr(view, "page_cache", None)
    if policy is None:
        policy = getattr(getattr(view, "view_class", None), "page_cache", None)
    return policy


def page_number(value):
    """`?page=` as the paginators read it: `int()`, so `007` and `+7` are `7`."""
    if not value:
        return None
    try:
        return str(int(value))
    except ValueError:
        return value  # "last", or nonsense the view answers with a 404


#: The parameters of a paginated list: `@cached_page(parameters=PAGED)`.
PAGED = (("page", page_number),)


def page_timeout():
    """How long a page may stay cached if nothing changes (PAGE_CACHE_SECONDS)."""
    return getattr(settings, "PAGE_CACHE_SECONDS", 60 * 60)


def _generation_file():
    """Where the generation is kept when each process has a cache of its own.

    Every gunicorn worker has its own local-memory cache, so a change saved
    through one worker must reach the others through something they share: a
    small file (PAGE_CACHE_GENERATION_FILE), which each process maps into its
    memory once, so that reading it is a memory read, not a file read. A
    shared cache such as Redis keeps the generation itself, and this returns
    None.
    """
    if isinstance(caches["default"], LocMemCache):
        return Path(settings.PAGE_CACHE_GENERATION_FILE)
    return None


GENERATION_BYTES = 64
_maps = {}


def _mapped(path):
    """The generation file mapped into memory, made (empty) if need be."""
    mapped = _maps.get(path)
    if mapped is None:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(descriptor).st_size < GENERATION_BYTES:
                os.ftruncate(descriptor, GENERATION_BYTES)
            mapped = _maps[path] = mmap.mmap(descriptor, GENERATION_BYTES)
        finally:
            os.close(descriptor)
    return mapped


def _read_generation():
    path = _generation_file()
    if path is not None:
        try:
            value = _mapped(path)[:].rstrip(b"\0 \n")
            return value.decode("ascii", "replace") or None
        except (OSError, ValueError):
            pass
    return cache.get(GENERATION_KEY)


def _write_generation(generation):
    """Publish a generation; a process reading it mid-write sees neither the
    old value nor the new one, so it only misses the cache."""
    path = _generation_file()
    if path is not None:
        try:
            _mapped(path)[:] = generation.encode().ljust(GENERATION_BYTES, b"\0")
            return
        except (OSError, ValueError):
            logger.warning(
                "Cannot write %s; pages may stay stale in other workers", path
            )
    cache.set(GENERATION_KEY, generation, timeout=None)


def current_generation():
    """The generation pages are stored under: `<unix time>-<random>[-<primary's WAL position>]`."""
    return _read_generation() or new_generation()


def new_generation(position=None):
    """Start a new generation: every page cached so far is stale from now on.

    `position` is the primary's WAL position after the change that starts it
    (with a read replica): pages of this generation are rendered from the
    replica only once it has replayed that far.
    """
    generation = f"{time.time():.6f}-{uuid.uuid4().hex[:8]}"
    if position:
        generation = f"{generation}-{position}"
    _write_generation(generation)
    return generation


def _new_generation_after_commit():
    new_generation(db_routers.primary_position())


def replica_shows(generation):
    """Whether the read replica has replayed the change that started `generation`."""
    parts = generation.split("-", 2)
    return len(parts) < 3 or db_routers.replica_has_replayed(parts[2])


def generation_time(generation):
    """When `generation` began: the Last-Modified of every page stored under it."""
    return float(generation.split("-", 1)[0])


_next_publications = {}
_per_generation = {}


def forget_in_memory():
    """Forget what this process keeps in memory (the next scheduled times, and
    what `per_generation` kept)."""
    _next_publications.clear()
    _per_generation.clear()


#: How many rows `per_generation_row` keeps per kind and process.
ROWS_KEPT = 64


def per_generation_row(name, key, compute, keep=None):
    """`compute()` for `key`, kept in memory for the generation (at most
    ROWS_KEPT of a kind, the last used), as `per_generation` keeps one value.

    Only what the primary, or a replica that has replayed the generation's
    change, returned is kept: a lagging replica's row would stay for the
    whole generation. An exception (a 404) is raised, never kept, and so
    is a value `keep(value)` refuses.
    """
    generation = live_generation()
    kept = _per_generation.get(name)
    if kept is None or kept[0] != generation:
        kept = _per_generation[name] = (generation, OrderedDict())
    rows = kept[1]
    if key in rows:
        rows.move_to_end(key)
        return rows[key]
    value = compute()
    if keep is not None and not keep(value):
        return value
    if not db_routers.reads_from_replica() or replica_shows(generation):
        rows[key] = value
        while len(rows) > ROWS_KEPT:
            rows.popitem(last=False)
    return value


def per_generation_until(name, compute):
    """Like `per_generation`, for a `compute()` that returns (value, until):
    the value is made again once the time `until` (or None) has come.

    It reads no next scheduled time, so it costs no query on a page the page
    cache does not serve (search, the donate page).
    """
    generation = current_generation()
    kept = _per_generation.get(name)
    if (
        kept is None
        or kept[0] != generation
        or (kept[2] is not None and timezone.now() >= kept[2])
    ):
        kept = _per_generation[name] = (generation, *compute())
    return kept[1]


def per_generation(name, compute):
    """`compute()`, made once per generation and process and kept in memory.

    For what every public page shows and only a change of public content can
    change (the series the footer's sign-up form offers): every such change,
    and a scheduled issue's time arriving, starts a new generation.
    """
    generation = live_generation()
    kept = _per_generation.get(name)
    if kept is None or kept[0] != generation:
        kept = _per_generation[name] = (generation, compute())
    return kept[1]


def next_publication(generation):
    """The time the next scheduled issue goes public, or None.

    One query per generation and process, kept in the process's memory.
    """
    value = _next_publications.get(generation)
    if value is None:
        upcoming = (
            Issue.objects.scheduled()
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )
        value = upcoming.timestamp() if upcoming else NO_SCHEDULED_ISSUE
        _next_publications.clear()
        _next_publications[generation] = value
    if value == NO_SCHEDULED_ISSUE:
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def live_generation():
    """The current generation, renewed first if a scheduled issue's time has come."""
    generation = current_generation()
    upcoming = next_publication(generation)
    if upcoming is not None and upcoming <= timezone.now():
        generation = new_generation()
        # The CDN's copies go too: the issue's purge is due now (newsroom/purge).
        from newsroom.purge import outbox

        outbox.kick()
    return generation


def _is_cacheable_request(request, policy):
    if policy is None or request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    return all(
        name in CACHEABLE_PARAMETERS
        and all(
            len(value) <= MAX_PARAMETER_LENGTH for value in request.GET.getlist(name)
        )
        for name in request.GET
    )


def canonical_query(request, policy):
    """The one spelling of the query string that the page's view would act on.

    Only the parameters the view reads are kept, each once (the last, as the
    view reads it), spelt as the view understands it, in a fixed order.
    """
    parameters = []
    for name, canonical in policy.parameters:
        values = request.GET.getlist(name)
        value = canonical(values[-1]) if values else None
        if value is not None:
            parameters.append((name, value))
    return urlencode(parameters)


#: Accept-Encoding that the compression middleware answers with gzip.
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def _variant(request):
    """Which stored copy a request gets: compressed, or not."""
    accepts = _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    return "gzip" if accepts else "identity"


def _page_key(request):
    """The cache key of the page a request asks for, its query string as sent.

    Only canonical query strings are ever stored (others are redirected), so
    a made-up spelling simply finds nothing.
    """
    query = request.META.get("QUERY_STRING", "")
    path = f"{request.path}?{query}" if query else request.path
    address = f"{request.scheme}://{request.get_host()}{path} {_variant(request)}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"pages:page:{digest}"


def _is_cacheable_response(response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def shared_cache_control(response):
    """Browsers ask each time (max-age=0; the ETag makes asking cheap); shared
    caches keep the page PAGE_CACHE_S_MAXAGE seconds, and a while longer while
    they fetch it again (PAGE_CACHE_STALE_WHILE_REVALIDATE)."""
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        s_maxage=settings.PAGE_CACHE_S_MAXAGE,
        stale_while_revalidate=settings.PAGE_CACHE_STALE_WHILE_REVALIDATE,
    )


def private_cache_control(response):
    """For a reader with a session (an editor): no cache may keep the page."""
    response.headers["Cache-Control"] = "private, no-store"


# What a page shows, for CDNs that purge by key: Surrogate-Key, Cache-Tag.


def _object_key(obj):
    from taggit.models import Tag

    if isinstance(obj, Issue):
        return f"issue-{obj.pk}"
    if isinstance(obj, Story):
        return f"story-{obj.pk}"
    if isinstance(obj, Source):
        return f"source-{obj.pk}"
    if isinstance(obj, Series):
        return f"series-{obj.pk}"
    if isinstance(obj, Tag):
        return f"tag-{obj.pk}"
    if isinstance(obj, Contributor):
        return f"contributor-{obj.pk}"
    return None


#: The context of the public pages that holds what they show.
SHOWN = ("issue", "story", "source", "tag", "series", "contributor")
LISTED = ("issues", "recent_issues", "stories", "reads", "siblings")


def surrogate_keys(request, context):
    """The keys of a page: its list (the URL's name) and every object it shows."""
    keys = []
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name:
        keys.append(match.view_name.replace(":", "-").replace("_", "-"))
    context = context or {}
    items = [context[name] for name in SHOWN if context.get(name) is not None]
    for name in LISTED:
        # Lists the template shows anyway: reading them here costs no query.
        items.extend(context.get(name) or ())
    for item in items:
        key = _object_key(item)
        if key is not None:
            keys.append(key)
        keys.extend(getattr(item, "story_keys", ()))
    return list(dict.fromkeys(keys))


def _set_surrogate_keys(response, keys):
    if keys:
        response.headers["Surrogate-Key"] = " ".join(keys)
        response.headers["Cache-Tag"] = ",".join(keys)


class PageCacheMiddleware:
    """Answers a cached page before the rest of the middleware runs; stores
    the finished answer of a page the inner middleware marked as cacheable.

    First in MIDDLEWARE: a hit skips sessions, authentication, CSRF, messages
    and axes, which an anonymous cached page does not need, and what it sends
    is what every middleware had added when the page was stored.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.skipped = tuple(
            f"/{prefix.strip('/')}/"
            for prefix in (settings.STATIC_URL, settings.MEDIA_URL, "admin")
            if prefix and prefix.strip("/")
        )

    def __call__(self, request):
        response = self.lookup(request)
        if response is not None:
            return response
        response = self.get_response(request)
        marked = getattr(request, "_page_cache", None)
        if marked is not None and _is_cacheable_response(response):
            key, generation = marked
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in ("set-cookie", "x-page-cache")
            ]
            entry = (generation, response.status_code, response.content, headers)
            cache.set(key, entry, timeout=page_timeout())
        elif (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            and "private" not in response.get("Cache-Control", "")
            and not request.path_info.startswith(self.skipped)
        ):
            private_cache_control(response)
        return response

    def lookup(self, request):
        """The stored page for this request, or None to render it."""
        if request.method not in ("GET", "HEAD"):
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None
        if request.path_info.startswith(self.skipped):
            return None
        try:
            key = _page_key(request)
        except DisallowedHost:
            return None
        try:
            entry, generation = _entry_and_generation(key)
            if entry is None or entry[0] != generation:
                return None
            upcoming = next_publication(generation)
        except DatabaseError:
            return None
        if upcoming is not None and upcoming <= timezone.now():
            return None
        _, status, content, headers = entry
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response.headers[name] = value
        response = get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
            response=response,
        )
        response.headers["X-Page-Cache"] = "hit"
        return response


def _entry_and_generation(key):
    """The stored entry and the current generation: one cache read."""
    if _generation_file() is not None:
        return cache.get(key), current_generation()
    found = cache.get_many([key, GENERATION_KEY])
    generation = found.get(GENERATION_KEY) or current_generation()
    return found.get(key), generation


class PublicPageCacheMiddleware:
    """Decides which pages the cache may store and gives them their headers.

    Last in MIDDLEWARE but for axes, so that it sees the view: it sends other
    spellings of a cached page to its one address, marks an anonymous
    reader's page for PageCacheMiddleware to store, and gives it the shared
    caches' Cache-Control, a Last-Modified and its Surrogate-Key, before the
    middleware around it add ETags and answer conditional requests.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(request, "_page_cache_policy", None)
        if policy is None or not _is_cacheable_response(response):
            return response
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            private_cache_control(response)
            return response
        shared_cache_control(response)
        if getattr(request, "_page_cache", None) is not None:
            response.headers.setdefault("Last-Modified", http_date(request._page_time))
        patch_vary_headers(response, ("Accept-Encoding",))
        if "Surrogate-Key" not in response:
            _set_surrogate_keys(response, surrogate_keys(request, None))
        return response

    def process_template_response(self, request, response):
        if getattr(request, "_page_cache_policy", None) is not None:
            _set_surrogate_keys(
                response, surrogate_keys(request, response.context_data)
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        policy = page_cache_of(view_func)
        if policy is None:
            return None
        request._page_cache_policy = policy
        if not _is_cacheable_request(request, policy):
            return None
        query = canonical_query(request, policy)
        if query != request.META.get("QUERY_STRING", ""):
            return HttpResponsePermanentRedirect(
                f"{request.path}?{query}" if query else request.path
            )
        try:
            generation = live_generation()
            key = _page_key(request)
        except (DatabaseError, DisallowedHost):
            return None
        if db_routers.reads_from_replica() and not replica_shows(generation):
            # Rendered from a replica still behind, the page would be cached
            # stale for the whole generation.
            db_routers.read_on_primary()
        request._page_cache = (key, generation)
        request._page_time = generation_time(generation)
        return None


_watched_through_models = set()
OUT = Issue.Status.PUBLISHED
WAS_OUT = "_page_cache_was_out"


def _any_out(model, pks):
    """Whether any of these issues or stories is published, now or scheduled.

    Scheduled counts: a change to one moves what the cache waits for.
    """
    if model is Issue:
        return Issue.objects.filter(pk__in=pks, status=OUT).exists()
    if model in (Story, RecommendedRead):
        return model.objects.filter(pk__in=pks, issue__status=OUT).exists()
    return True


def shows_publicly(instance):
    """Whether a change to `instance` can change a public page.

    Anything this cannot tell (a model it does not know) counts as public.
    """
    if isinstance(instance, Issue):
        return instance.status == OUT or getattr(instance, WAS_OUT, False)
    if isinstance(instance, (Story, RecommendedRead)):
        return Issue.objects.filter(pk=instance.issue_id, status=OUT).exists()
    if isinstance(instance, Source):
        return Source.objects.published().filter(pk=instance.pk).exists()
    if isinstance(instance, Series):
        return Series.objects.published().filter(pk=instance.pk).exists()
    if isinstance(instance, Tag):
        return published_tags().filter(pk=instance.pk).exists()
    if isinstance(instance, TaggedItem):
        return _any_out(instance.content_type.model_class(), [instance.object_id])
    return True


def _remember_whether_out(sender, instance, **kwargs):
    """Before an issue is saved, note whether it was out: unpublishing is a change."""
    was_out = instance.pk is not None and _any_out(Issue, [instance.pk])
    setattr(instance, WAS_OUT, was_out)


def _content_changed(sender, instance, **kwargs):
    if shows_publicly(instance):
        start_new_generation()


def _content_deleted(sender, instance, **kwargs):
    """A deleted source, series or tag may have been on a public page: renew."""
    if isinstance(instance, (Source, Series, Tag)) or shows_publicly(instance):
        start_new_generation()


def start_new_generation():
    """Start a new generation now, and again once the change is committed.

    Now, so this process's next request shows the change; after the commit,
    because a request served in between (from another worker, before the
    commit) re-rendered the old content and cached it under the first one.
    """
    new_generation()
    transaction.on_commit(_new_generation_after_commit)


def _relation_changed(sender, instance, action, model, pk_set, **kwargs):
    """Tags or sources added to or removed from an issue or story (either side)."""
    if sender not in _watched_through_models or not action.startswith("post_"):
        return
    if isinstance(instance, (Issue, Story)):
        public = shows_publicly(instance)
    else:
        public = pk_set is None or _any_out(model, pk_set)
    if public:
        start_new_generation()


def public_models():
    """Every model of the public apps that a public page may show."""
    from django.apps import apps

    return [
        model
        for label in PUBLIC_APPS
        for model in apps.get_app_config(label).get_models()
        if model._meta.label not in NOT_ON_PUBLIC_PAGES
    ]


def connect_signals():
    """Renew the pages whenever public content, or its tags or sources, change."""
    pre_save.connect(_remember_whether_out, sender=Issue, dispatch_uid="pages-was")
    for model in public_models():
        label = model._meta.label
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"pages-{label}")
        post_delete.connect(
            _content_deleted, sender=model, dispatch_uid=f"pages-del-{label}"
        )
        for field in model._meta.many_to_many:
            through = getattr(field.remote_field, "through", None)
            if through is not None:
                _watched_through_models.add(through)
    m2m_changed.connect(_relation_changed, dispatch_uid="pages-m2m")
