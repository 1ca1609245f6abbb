"""Filters of the issue list: the workflow state, and the issues that are mine."""

from django.contrib import admin
from django.db.models import Q

from issues import workflow
from issues.models import Issue


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            (Issue.Status.DRAFT, "Draft"),
            (Issue.Status.IN_REVIEW, "Awaiting review"),
            (workflow.SCHEDULED, "Scheduled"),
            (Issue.Status.PUBLISHED, "Published (live)"),
            (Issue.Status.UNPUBLISHED, "Unpublished"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == workflow.SCHEDULED:
            return queryset.scheduled()
        if value == Issue.Status.PUBLISHED:
            return queryset.published()
        if value in Issue.Status.values:
            return queryset.filter(status=value)
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
