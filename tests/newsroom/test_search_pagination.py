"""Search results share the site's pagination but page by rank, not by date."""

import re

from django.urls import reverse


def pagination_links(html):
    nav = re.search(r'<nav class="pagination".*?</nav>', html, re.S).group()
    return re.findall(r'<a rel="(\w+)" href="([^"]*)">([^<]*)</a>', nav)


def test_the_middle_page_of_results_links_both_ways_keeping_the_query(
    client, make_issue
):
    for n in range(45):
        make_issue(headline=f"Orinoco report {n}")

    page = client.get(reverse("search"), {"q": "orinoco", "page": "2"})

    html = page.content.decode()
    assert "Page 2 of 3" in html
    assert pagination_links(html) == [
        ("prev", "?q=orinoco&amp;page=1", "Previous"),
        ("next", "?q=orinoco&amp;page=3", "Next"),
    ]
