"""What other apps show about an issue in its admin, without this app importing them.

An app that keeps figures per issue (reader revenue keeps donate clicks)
subclasses `IssueAdminExtension` and registers it from its AppConfig.ready().
The issue admin then adds the extension's columns to the issue list and its
panel to the issue page, for users who hold the extension's permission only.
"""


class IssueAdminExtension:
    """Columns on the issue list and a panel on the issue page, from one app."""

    #: The permission a user needs to see them, as "app_label.codename".
    permission = ""
    #: The heading of the panel on the issue page.
    title = ""

    def annotate(self, queryset):
        """The issue list's queryset, annotated with what the columns show."""
        return queryset

    def columns(self):
        """Callables for the issue list's `list_display` (see `admin.display`)."""
        return []

    def panel(self, issue):
        """HTML for the issue page (escaped by the caller's format_html), or ""."""
        return ""


_registry = {}


def register(extension):
    """Add `extension` (an IssueAdminExtension); registering its class again replaces it."""
    _registry[type(extension)] = extension


def visible_to(user):
    """The registered extensions whose permission `user` holds, in registration order."""
    return [
        extension
        for extension in _registry.values()
        if extension.permission and user.has_perm(extension.permission)
    ]
