"""The editorial workflow: who may move an issue from one state to another.

draft → in review → published (now) or scheduled (published, time to come)
→ unpublished → draft. Each move is a `Transition`; `perform()` re-checks the
user's permission and the issue's current state under a row lock, runs the
publish checklist where it applies, and records an `IssueEvent`. Views and
templates only ask `available_transitions()` what to offer; the server never
trusts that a button was shown.

Who edits what: writers edit drafts only. An issue in review is with the
editors (a writer takes it back with "Return to draft"); published, scheduled
and unpublished issues are edited by editors alone, because an edit to a
published issue is live at once.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from issues.models import Issue, IssueEvent

PUBLISH_PERMISSION = "issues.publish_issue"
CHANGE_PERMISSION = "issues.change_issue"

DRAFT = Issue.State.DRAFT
IN_REVIEW = Issue.State.IN_REVIEW
SCHEDULED = Issue.State.SCHEDULED
PUBLISHED = Issue.State.PUBLISHED
UNPUBLISHED = Issue.State.UNPUBLISHED


class TransitionError(Exception):
    """A transition that cannot happen; `str()` is a message for the user."""


class TransitionNotAllowed(TransitionError, PermissionDenied):
    """The user lacks the permission this move needs (a 403 over HTTP)."""


class ChecklistFailed(TransitionError):
    """Publishing is blocked until each of `problems` is fixed."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("This issue is not ready to publish: " + " ".join(problems))


@dataclass(frozen=True)
class Transition:
    """One button: from which states, to which, and the permission it needs."""

    name: str
    label: str
    sources: frozenset
    target: str
    permission: str
    needs_time: bool = False
    checklist: bool = False
    done: str = ""


_NOT_LIVE = frozenset({DRAFT, IN_REVIEW, UNPUBLISHED, SCHEDULED})

TRANSITIONS = {
    t.name: t
    for t in (
        Transition(
            "submit",
            "Submit for review",
            frozenset({DRAFT}),
            IN_REVIEW,
            CHANGE_PERMISSION,
            done="submitted for review",
        ),
        Transition(
            "publish",
            "Publish now",
            _NOT_LIVE,
            PUBLISHED,
            PUBLISH_PERMISSION,
            checklist=True,
            done="published",
        ),
        Transition(
            "schedule",
            "Schedule",
            _NOT_LIVE,
            PUBLISHED,
            PUBLISH_PERMISSION,
            needs_time=True,
            checklist=True,
            done="scheduled",
        ),
        Transition(
            "unpublish",
            "Unpublish",
            frozenset({PUBLISHED, SCHEDULED}),
            UNPUBLISHED,
            PUBLISH_PERMISSION,
            done="unpublished",
        ),
        Transition(
            "return_to_draft",
            "Return to draft",
            frozenset({IN_REVIEW, UNPUBLISHED}),
            DRAFT,
            CHANGE_PERMISSION,
            done="returned to draft",
        ),
    )
}


def can_edit(user, issue):
    """Whether `user` may change `issue`'s content (see the module docstring)."""
    if not user.has_perm(CHANGE_PERMISSION):
        return False
    return issue.status == DRAFT or user.has_perm(PUBLISH_PERMISSION)


def available_transitions(issue, user):
    """The transitions to offer `user` on `issue`, in the order the buttons show."""
    state = issue.state
    return [
        t
        for t in TRANSITIONS.values()
        if state in t.sources and user.has_perm(t.permission)
    ]


class Problem(str):
    """A sentence of the publish checklist, knowing where it is fixed.

    `field` is the id of that field on the issue's change page ("id_dek",
    "stories-0"), or `url` another page, so the checklist can link to it;
    a plain string elsewhere.
    """

    def __new__(cls, text, field="", url=""):
        problem = super().__new__(cls, text)
        problem.field, problem.url = field, url
        return problem

    @property
    def link(self):
        return f"#{self.field}" if self.field else self.url


def publish_problems(issue):
    """What stops `issue` from going public, as sentences an editor can act on.

    A recommended read needs a source, and somewhere to send the reader: its
    own URL, or else its source's homepage (the seed report's reads name only
    the outlet, and the public page links them to the outlet's homepage).
    Each is a `Problem` naming the field to fix.
    """
    problems = []
    if issue.headline.strip() == issue.series.placeholder_headline(issue.number):
        problems.append(
            Problem(
                f"The headline is still the placeholder “{issue.headline}”.",
                "id_headline",
            )
        )
    if issue.lead_image and not issue.lead_image_alt.strip():
        problems.append(Problem("The lead image has no alt text.", "id_lead_image_alt"))
    stories = list(issue.stories.all())
    if not stories:
        problems.append(Problem("The issue has no stories.", "stories-group"))
    for n, story in enumerate(stories, 1):
        if not story.body.strip():
            problems.append(
                Problem(
                    f"Story {n} (“{story.headline}”) has no text.", f"stories-{n - 1}"
                )
            )
    seen = {}
    for n, story in enumerate(stories, 1):
        key = story.slug.lower()
        if key in seen:
            problems.append(
                Problem(
                    f"Stories {seen[key]} and {n} have the same address “{story.slug}”.",
                    f"stories-{n - 1}",
                )
            )
        seen.setdefault(key, n)
    other = Issue.objects.exclude(pk=issue.pk).filter(slug__iexact=issue.slug).first()
    if other:
        problems.append(
            Problem(
                f"Another issue (“{other.headline}”) already has the address "
                f"“{other.slug}”; change this issue's slug.",
                "id_slug",
            )
        )
    for n, read in enumerate(issue.reads.select_related("source"), 1):
        if read.source is None:
            problems.append(
                Problem(f"Recommended read {n} names no source.", f"reads-{n - 1}")
            )
        elif not read.link:
            problems.append(
                Problem(
                    f"Recommended read {n} ({read.source.name}) has no URL, and its "
                    "source has no homepage to link to.",
                    f"id_reads-{n - 1}-url",
                )
            )
    return problems


def publish_warnings(issue):
    """What an editor should know before publishing, without it blocking them.

    The channel call ("Join our official channel … through this link.")
    reaches readers on every page; without a channel URL it links nowhere.
    An empty dek leaves the issue's cards and feeds with no summary; a read
    without a URL of its own sends readers to its outlet's homepage rather
    than to the article. Each is a `Problem` linking to where to fix it.
    """
    warnings = []
    if not issue.effective_channel_url:
        call = issue.effective_channel_call
        warnings.append(
            Problem(
                f"The series “{issue.series.name}” has no channel URL"
                + (f", so its channel call (“{call}”) links nowhere" if call else "")
                + ": add it to the series.",
                url=reverse("admin:issues_series_change", args=[issue.series_id])
                + "#id_channel_url",
            )
        )
    if not issue.dek.strip():
        warnings.append(
            Problem(
                "The dek is empty: feeds and shared links show no summary.", "id_dek"
            )
        )
    for n, read in enumerate(issue.reads.select_related("source"), 1):
        if read.source is not None and not read.url and read.link:
            warnings.append(
                Problem(
                    f"Recommended read {n} ({read.source.name}) has no URL of its "
                    "own: it links to the outlet's homepage, not to the article.",
                    f"id_reads-{n - 1}-url",
                )
            )
    return warnings


def check(issue, user, name, *, publish_at=None, now=None):
    """The transition `name` if `user` may make it on `issue` as it is; else raise.

    Raises `TransitionNotAllowed` without the permission it needs, and
    `TransitionError` (with a message for the user) for a state it does not
    start from or a schedule time missing or past. `perform()` asks this
    under its row lock, and so does the change form before it saves the
    changes that a workflow button sends with the move. The publish
    checklist is not asked here: it looks at the content the save writes.
    """
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionError("There is no such action.")
    if not user.has_perm(transition.permission):
        raise TransitionNotAllowed(
            f"“{transition.label}” is for editors; you are not allowed to use it."
        )
    if transition.needs_time:
        if not isinstance(publish_at, datetime):
            raise TransitionError("Give the date and time to publish at.")
        if publish_at <= (now or timezone.now()):
            raise TransitionError(
                "The scheduled time has already passed; use “Publish now” instead."
            )
    state = issue.state
    if state not in transition.sources:
        raise TransitionError(
            f"An issue that is {state.label.lower()} cannot be "
            f"{transition.done}; reload the page to see its current state."
        )
    return transition


def perform(issue, user, name, *, publish_at=None, note="", seen_version=None):
    """Move `issue` by the transition called `name`, as `user`; return the event.

    The state is re-read under a row lock, so two editors pressing buttons at
    once cannot both move the issue from the same state. It is a save, not a
    bare UPDATE, so everything listening for saves (the page cache) hears it.
    Every move raises the version, so an edit form opened before it is
    refused: a writer's draft text cannot slip into an issue an editor has
    just published, nor an editor's edit go live unseen. `seen_version`, the
    version the user's page showed, refuses a move of content saved since
    (an editor publishes only what they reviewed).
    """
    now = timezone.now()
    with transaction.atomic():
        locked = Issue.objects.select_for_update().get(pk=issue.pk)
        transition = check(locked, user, name, publish_at=publish_at, now=now)
        if seen_version is not None and seen_version != locked.version:
            who = locked.updated_by.get_username() if locked.updated_by else "Someone"
            raise TransitionError(
                f"{who} changed this issue after you opened it, so it was not "
                f"{transition.done}: look at the issue as it is now, then try again."
            )
        if transition.checklist:
            problems = publish_problems(locked)
            if problems:
                raise ChecklistFailed(problems)
        from_status = locked.status
        locked.status = transition.target
        locked.updated_by = user
        locked.version += 1
        if name == "publish":
            locked.published_at = now
        elif name == "schedule":
            locked.published_at = publish_at
        moved = ["status", "published_at", "updated_by", "updated_at", "version"]
        locked.save(update_fields=moved)
        for field in moved:
            setattr(issue, field, getattr(locked, field))
        if name == "unpublish":
            # A link handed out while the issue was public must not outlive that.
            locked.revoke_preview_links()
            issue.preview_key = locked.preview_key
        return record(
            locked, user=user, action=name, from_status=from_status, note=note, at=now
        )


def record(issue, *, user, from_status, action=None, note="", at=None):
    """Write the history line of a move `issue` has just made from `from_status`.

    The buttons (`perform`) and imports that publish or schedule both come
    here, so the history shows every change of state, however it was made.
    `user` None is a command. `action` None names the move by where the issue
    is now, as the buttons would have.
    """
    return IssueEvent.objects.create(
        issue=issue,
        user=user,
        created_at=at or timezone.now(),
        action=action or _ACTION_REACHING[issue.state],
        from_status=from_status,
        to_status=issue.status,
        published_at=issue.published_at if issue.status == PUBLISHED else None,
        note=note[:500],
    )


_ACTION_REACHING = {
    DRAFT: "return_to_draft",
    IN_REVIEW: "submit",
    PUBLISHED: "publish",
    SCHEDULED: "schedule",
    UNPUBLISHED: "unpublish",
}
