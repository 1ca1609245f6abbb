"""Rich text is cleaned with an allow-list when saved, whatever road it came by."""

import pytest

from stories.models import Story

ATTACKS = [
    ('<p><a href="javascript:alert(1)">click</a></p>', "javascript:"),
    ("<p>hi</p><script>alert(1)</script>", "<script"),
    ('<p onclick="alert(1)">hi</p>', "onclick"),
    ('<img src="x" onerror="alert(1)">', "onerror"),
    ('<p><a href="data:text/html;base64,PHNjcmlwdD4=">x</a></p>', "data:"),
    ('<iframe src="https://evil.example"></iframe>', "<iframe"),
    ('<p style="background:url(javascript:alert(1))">x</p>', "style="),
    ("<svg><script>alert(1)</script></svg>", "<svg"),
]


@pytest.mark.parametrize(("html", "forbidden"), ATTACKS)
def test_dangerous_markup_never_reaches_the_reader(client, make_story, html, forbidden):
    story = make_story(body=html, why_it_matters=html, more_information=html)

    stored = Story.objects.get(pk=story.pk)
    page = client.get(story.get_absolute_url()).content.decode()
    main = page[page.index("<main") : page.index("</main>")]

    for field in (stored.body, stored.why_it_matters, stored.more_information):
        assert forbidden not in field
    assert forbidden not in main
    assert "alert(1)" not in page


def test_safe_formatting_and_links_survive(make_story):
    html = (
        '<p><strong>Bold</strong>, <em>italic</em> and <a href="https://example.org/">a link</a>.</p>'
        "<ul><li>One</li></ul><blockquote><p>Quoted</p></blockquote>"
        '<p><a href="mailto:tips@example.org">Write to us</a></p>'
    )

    story = Story.objects.get(pk=make_story(body=html).pk)

    assert "<strong>Bold</strong>" in story.body
    assert 'href="https://example.org/"' in story.body
    assert 'href="mailto:tips@example.org"' in story.body
    assert "<li>One</li>" in story.body
    assert "<blockquote>" in story.body


def test_an_empty_editor_paragraph_is_stored_as_empty(make_story):
    story = Story.objects.get(pk=make_story(why_it_matters="<p></p>").pk)

    assert story.why_it_matters == ""
