"""The issue admin's side of `issues.extensions`: other apps' columns and panels."""

from issues import extensions


class IssueExtensionsAdmin:
    """Adds each visible extension's columns to the list and panel to the page."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        for extension in extensions.visible_to(request.user):
            queryset = extension.annotate(queryset)
        return queryset

    def get_list_display(self, request):
        shown = list(super().get_list_display(request))
        for extension in extensions.visible_to(request.user):
            shown.extend(extension.columns())
        return shown

    def render_change_form(self, request, context, add=False, change=False, **kwargs):
        issue = context.get("original")
        if issue is not None:
            context["extension_panels"] = [
                (extension.title, extension.panel(issue))
                for extension in extensions.visible_to(request.user)
            ]
        return super().render_change_form(request, context, add, change, **kwargs)
