"""Pagination that stays cheap on the last page of a long list."""

from django.core.paginator import Paginator


class ListPaginator(Paginator):
    """Django's Paginator, reading a page past the middle from the list's end.

    `OFFSET n` makes the database walk n rows before the page: the last page
    of an archive of 12,500 issues walked them all. Past the middle, the
    page is read in the reverse order with the smaller offset and turned
    round, so no page walks more than half the list. The queryset's order
    must be total (end it with the primary key) for both ends to agree.
    A count known already (a tag's stored count) may be given.
    """

    def __init__(self, object_list, per_page, *args, count=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        if count is not None:
            self.count = count  # in place of the cached COUNT(*)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        reversible = getattr(self.object_list, "ordered", False)
        if not reversible or bottom <= self.count // 2:
            return super().page(number)
        rows = list(self.object_list.reverse()[self.count - top : self.count - bottom])
        rows.reverse()
        return self._get_page(rows, number, self)
