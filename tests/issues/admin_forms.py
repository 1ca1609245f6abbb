"""Build the POST an editor's browser sends from an issue's admin change form."""

from django import forms
from django.urls import reverse
from taggit.utils import edit_string_for_tags


def change_url(issue):
    return reverse("admin:issues_issue_change", args=[issue.pk])


def change_form_data(client, issue, **changes):
    """Every field of the change form and its inlines as loaded now, then `changes`.

    Loading the form is part of the bargain: the hidden version it carries is
    the one the user's browser would send back.
    """
    response = client.get(change_url(issue))
    assert response.status_code == 200, response.status_code
    data = {}
    bound_forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        bound_forms.extend(formset.forms)
    for form in bound_forms:
        for bound in form:
            value = bound.value()
            if value is None or isinstance(bound.field, forms.FileField):
                continue
            if bound.name == "tags":
                value = value if isinstance(value, str) else edit_string_for_tags(value)
            elif isinstance(value, bool):
                if not value:
                    continue
                value = "on"
            elif isinstance(value, list | tuple):
                value = [str(getattr(v, "pk", v)) for v in value]
            data[bound.html_name] = value
    data.update(changes)
    return data
