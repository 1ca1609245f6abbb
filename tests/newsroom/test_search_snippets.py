"""Search snippets end on whole words with the match inside, and results can be
narrowed to one kind without JavaScript."""

import re

import pytest
from django.utils.html import strip_tags

from newsroom.search.highlight import excerpt, highlight

SEARCH = "/search/"

CARTER = (
    "The Carter Center released its final report on the July 28 elections this "
    "week—almost seven months after Maduro’s fraudulent victory and at a time when "
    "minor opposition groups are preparing to field candidates in the upcoming "
    "mega-elections, now scheduled for May. The Carter Center had already made it "
    "clear that it did not recognize the results announced by CNE head Elvis "
    "Amoroso. Jennie Lincoln, head of the mission in Venezuela, even publicly "
    "displayed copies of official voting tallies."
)
EMBASSY = (
    "The Vente Venezuela activists taking refuge in the Argentine embassy are facing "
    "an increasingly dire situation, which reached a critical phase this week. The "
    "embassy’s power generator, their sole source of electricity, has collapsed, "
    "leaving Magalli Meda, Pedro Urruchurtu, Humberto Villalobos, and Omar "
    "González—close associates of María Corina Machado—without water, power, or "
    "internet connection. They have been surrounded by state security forces for "
    "months, and recently, security agents reportedly stole three fuses."
)
# One sentence of 80 words, too long to show whole.
RAMBLING = (
    " ".join(f"clause{n}," if n % 9 == 8 else f"word{n}" for n in range(80)).replace(
        "word40", "Orinoco"
    )
    + "."
)


def test_a_sentence_is_shown_whole_rather_than_cut_mid_phrase():
    snippet = str(highlight(CARTER, ["carter"]))

    assert snippet.startswith("The <mark>Carter</mark> Center released")
    assert strip_tags(snippet).endswith(
        "the upcoming mega-elections, now scheduled for May. …"
    )


def test_a_match_further_on_starts_the_passage_at_its_sentence():
    snippet = str(highlight(EMBASSY, ["machado"]))

    assert snippet.startswith("… The embassy’s power generator")
    assert "<mark>Machado</mark>" in snippet
    assert strip_tags(snippet).endswith("or internet connection. …")


def test_a_sentence_too_long_to_show_is_cut_at_a_clause_around_the_match():
    text = "Short opening sentence. " + RAMBLING
    start, end = excerpt(text, text.index("Orinoco"))

    passage = text[start:end]
    assert "Orinoco" in passage
    assert passage.endswith(","), passage[-20:]
    assert text[start - 1] == " " and text[end] == " "
    snippet = strip_tags(str(highlight(text, ["orinoco"])))
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert not snippet.removesuffix(" …").endswith(",")


def test_short_text_is_shown_whole():
    assert str(highlight("Oil & gas in Zulia", ["zulia"])) == (
        "Oil &amp; gas in <mark>Zulia</mark>"
    )


@pytest.fixture
def results_of_every_kind(make_issue, make_story, make_read, make_source):
    issue = make_issue(headline="Carter Center leaves", dek="The Carter Center goes.")
    make_story(issue=issue, headline="Key takeaways", body=f"<p>{CARTER}</p>")
    make_story(issue=issue, headline="Another", body="<p>The Carter Center again.</p>")
    make_read(
        issue=issue,
        source=make_source(name="Efecto Cocuyo"),
        summary="What the Carter Center said.",
    )
    return issue


def kinds_nav(html):
    nav = re.search(r'<nav class="search-kinds".*?</nav>', html, re.S).group()
    return [
        (href, " ".join(strip_tags(text).split()))
        for href, text in re.findall(
            r'<li>(?:<a href="([^"]*)">|<span[^>]*>)(.*?)</(?:a|span)></li>', nav
        )
    ]


def test_the_page_shows_snippets_that_end_on_a_sentence_or_a_word(
    client, results_of_every_kind
):
    html = client.get(SEARCH, {"q": "carter"}).content.decode()

    snippets = [
        strip_tags(s) for s in re.findall(r'<p class="snippet">(.*?)</p>', html)
    ]
    long_one = next(s for s in snippets if "final report" in s)
    assert long_one.endswith("now scheduled for May. …")
    for snippet in snippets:
        assert "Carter" in snippet
        last = snippet.removesuffix(" …").split()[-1]
        assert re.search(r"\w[.!?”’]*$", last), snippet


def test_results_can_be_narrowed_to_one_kind_by_a_plain_link(
    client, results_of_every_kind
):
    html = client.get(SEARCH, {"q": "carter"}).content.decode()

    assert kinds_nav(html) == [
        ("", "All 4"),
        ("?q=carter&amp;kind=issue", "Issues 1"),
        ("?q=carter&amp;kind=story", "Stories 2"),
        ("?q=carter&amp;kind=read", "Recommended reads 1"),
    ]

    narrowed = client.get(SEARCH, {"q": "carter", "kind": "story"})

    assert [r.kind for r in narrowed.context["results"]] == ["story", "story"]
    page = narrowed.content.decode()
    assert (
        '<span aria-current="page">Stories <span class="count">2</span></span>' in page
    )
    assert '<input type="hidden" name="kind" value="story">' in page
    assert ("?q=carter", "All 4") in kinds_nav(page)


def test_a_kind_without_results_is_not_a_link(client, make_issue):
    make_issue(headline="Orinoco report")

    html = client.get(SEARCH, {"q": "orinoco"}).content.decode()

    assert ("", "Stories 0") in kinds_nav(html)
    assert "kind=story" not in html


@pytest.mark.parametrize("kind", ["nonsense", "", "ISSUE", "x" * 5000])
def test_an_unknown_kind_shows_every_result(client, results_of_every_kind, kind):
    response = client.get(SEARCH, {"q": "carter", "kind": kind})

    assert response.status_code == 200
    assert len(response.context["results"]) == 4


def test_a_kind_none_of_the_results_has_says_so(client, make_issue):
    make_issue(headline="Orinoco report")

    html = client.get(SEARCH, {"q": "orinoco", "kind": "read"}).content.decode()

    assert "None of them is of this kind." in html
    assert '<a href="?q=orinoco">Show all 1</a>' in html
