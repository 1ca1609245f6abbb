"""Filters of the issue list: the workflow state, and the issues that are mine."""

from django.contrib import admin
from django.db.models import Q

from issues.models import Issue


class StateFilter(admin.SimpleListFilter):
    """Each `Issue.State`, as `Issue.objects.in_state()` finds it."""

    title = "state"
    parameter_name = "state"
    # Where the list says more than the state's own label.
    labels = {
        Issue.State.IN_REVIEW: "Awaiting review",
        Issue.State.PUBLISHED: "Published (live)",
    }

    def lookups(self, request, model_admin):
        return [(state, self.labels.get(state, state.label)) for state in Issue.State]

    def queryset(self, request, queryset):
        if self.value() in Issue.State.values:
            return queryset.in_state(self.value())
        return queryset


class MineFilter(admin.SimpleListFilter):
    title = "whose"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", "Started or last edited by me")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(
                Q(created_by=request.user) | Q(updated_by=request.user)
            )
        return queryset
