"""The editors' admin: series, and issues with their stories and reads inline.

Status and publish time are never form fields: they change only through the
workflow's buttons (`issues.workflow`), each a POST view that re-checks the
permission on the server. Every save is a revision (`issues.revisions`) and
is refused if the form was loaded before someone else's save.
"""

from issues.admin.issue import IssueAdmin
from issues.admin.series import SeriesAdmin

__all__ = ["IssueAdmin", "SeriesAdmin"]
