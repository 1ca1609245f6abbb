"""An issue as channel text, without a database: Telegram's subset and limits,
checked by the fake Telegram's own parser, and WhatsApp's paste-ready text."""

import re

import pytest

from issues.reports import parse_report
from newsroom.newsletters.channel.text import (
    ChannelIssue,
    ChannelRead,
    ChannelStory,
    telegram_messages,
    whatsapp_text,
)
from newsroom.richtext import blocks
from tests.newsletters.fake_telegram import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    BadRequest,
    parse_telegram_html,
    utf16_length,
)
from tests.seeds import SEED_REPORT

ISSUE_URL = "https://news.example.org/issues/the-carter-center/"
PARTS = ("body", "why_it_matters", "more_information")


def seed_issue(**overrides) -> ChannelIssue:
    report = parse_report(SEED_REPORT.read_text(encoding="utf-8"))
    fields = dict(
        headline=report.headline,
        url=ISSUE_URL,
        site_name="Caracas Chronicles",
        dek=report.dek,
        intro=report.intro,
        stories=tuple(
            ChannelStory(
                story.headline,
                f"{ISSUE_URL}story-{n}/",
                tuple(
                    (part, getattr(story, f"{part}_html"))
                    for part in PARTS
                    if getattr(story, f"{part}_html")
                ),
            )
            for n, story in enumerate(report.stories)
        ),
        reads=tuple(
            ChannelRead(read.outlet, read.summary, f"https://outlet.example/{n}")
            for n, read in enumerate(report.reads)
        ),
        appeal=report.appeal,
        donate_url="https://news.example.org/donate/?from=the-carter-center",
        donate_label=report.donate_label,
    )
    fields.update(overrides)
    return ChannelIssue(**fields)


def shown(messages):
    """Each message as Telegram shows it, checked the way Telegram checks it."""
    texts = []
    for message in messages:
        text = parse_telegram_html(message.html)
        limit = CAPTION_LIMIT if message.photo else TEXT_LIMIT
        assert 0 < utf16_length(text) <= limit
        assert message.length == utf16_length(text)
        texts.append(text)
    return texts


def seed_sentences():
    report = parse_report(SEED_REPORT.read_text(encoding="utf-8"))
    texts = [report.headline, report.dek, report.intro, report.appeal]
    for story in report.stories:
        texts.append(story.headline)
        texts += [b.text for p in PARTS for b in blocks(getattr(story, f"{p}_html"))]
    texts += [f"{read.outlet}: {read.summary}" for read in report.reads]
    return [
        sentence
        for text in texts
        for sentence in re.split(r"(?<=[.!?”])\s+", " ".join(text.split()))
        if sentence
    ]


def test_the_seed_issue_fits_telegrams_limits_and_holds_every_sentence():
    texts = shown(telegram_messages(seed_issue()))

    whole = " ".join(" ".join(texts).split())
    for sentence in seed_sentences():
        assert sentence in whole
    assert len(texts) == 3


def test_the_post_links_to_the_issue_page_its_stories_reads_and_donate_link():
    html = "".join(m.html for m in telegram_messages(seed_issue()))

    assert html.startswith(f'<b><a href="{ISSUE_URL}">The Carter Center Says')
    assert html.endswith(
        f'<a href="{ISSUE_URL}">Read this issue on Caracas Chronicles</a>'
    )
    assert f'<a href="{ISSUE_URL}story-2/">Situation reaches breaking point' in html
    assert '<a href="https://outlet.example/0">The National Academy' in html
    assert (
        '<b><a href="https://news.example.org/donate/?from=the-carter-center">'
        "Donate</a></b>" in html
    )


def test_the_channel_call_is_left_out_of_a_post_in_the_channel():
    text = " ".join(shown(telegram_messages(seed_issue())))

    assert "Join our official channel" not in text


def test_with_a_photo_the_caption_holds_the_headline_and_dek():
    messages = telegram_messages(seed_issue(), photo=True)

    caption, *rest = shown(messages)
    assert messages[0].photo and not any(m.photo for m in messages[1:])
    assert caption.startswith(
        "The Carter Center Says Goodbye with a Damning Verdict\n\n"
    )
    assert caption.endswith("indigenous groups in Amazonas")
    assert rest[0].startswith("#NowWhatVenezuela keeps you informed")


def test_a_dek_too_long_for_a_caption_moves_to_the_first_message():
    dek = "A dek that goes on. " * 60
    messages = telegram_messages(seed_issue(dek=dek), photo=True)

    caption, first, *_ = shown(messages)
    assert caption == "The Carter Center Says Goodbye with a Damning Verdict"
    assert first.startswith(dek.strip()[:100])


def test_a_long_issue_is_split_under_the_limit_at_unit_boundaries():
    story = ChannelStory(
        "A long story",
        f"{ISSUE_URL}long/",
        (
            (
                "body",
                "".join(f"<p>Paragraph {n} {'word ' * 150}end.</p>" for n in range(40)),
            ),
        ),
    )
    messages = telegram_messages(seed_issue(stories=(story,) * 3))

    texts = shown(messages)
    assert len(texts) > 10
    for text in texts:
        assert not text.startswith("word"), "paragraphs are kept whole"
    joined = "\n\n".join(texts)
    assert joined.count("Paragraph 39 ") == 3


def test_a_paragraph_longer_than_a_message_is_cut_after_a_sentence():
    sentence = "This sentence is one of very many in a single enormous paragraph. "
    story = ChannelStory("Huge", ISSUE_URL, (("body", f"<p>{sentence * 200}</p>"),))

    texts = shown(telegram_messages(seed_issue(stories=(story,), reads=())))

    pieces = [t for t in texts if "enormous paragraph" in t]
    assert len(pieces) >= 4
    for piece in pieces[:-1]:
        assert piece.endswith("single enormous paragraph.")
    assert sum(p.count("This sentence") for p in pieces) == 200


def test_a_story_heading_stays_with_its_first_paragraph():
    filler = ChannelStory("Filler", ISSUE_URL, (("body", f"<p>{'x ' * 1900}</p>"),))
    second = ChannelStory(
        "Second heading", ISSUE_URL, (("body", f"<p>{'y ' * 400}</p>"),)
    )

    texts = shown(telegram_messages(seed_issue(stories=(filler, second), reads=())))

    for text in texts:
        assert not text.rstrip().endswith("Second heading")
    assert any(t.startswith("Second heading\n\ny y") for t in texts)


def test_characters_outside_the_bmp_count_twice_as_telegram_counts_them():
    story = ChannelStory("Emoji", ISSUE_URL, (("body", f"<p>{'🇻🇪 ' * 1500}</p>"),))

    texts = shown(telegram_messages(seed_issue(stories=(story,), reads=())))

    assert sum(t.count("🇻🇪") for t in texts) == 1500


def test_markup_typed_in_the_text_is_escaped_and_shown_as_text():
    story = ChannelStory(
        "<script>alert(1)</script> & co",
        ISSUE_URL,
        (("body", "<p>5 &lt; 6 &amp; &lt;b&gt;not bold&lt;/b&gt;</p>"),),
    )
    messages = telegram_messages(
        seed_issue(headline="A <i>headline</i> & more", stories=(story,))
    )

    texts = shown(messages)
    assert texts[0].startswith("A <i>headline</i> & more")
    assert "<script>alert(1)</script> & co" in texts[0]
    assert "5 < 6 & <b>not bold</b>" in texts[0]


def test_rich_text_becomes_telegrams_subset():
    body = (
        '<p>Some <strong>bold</strong>, <em>italic</em> and a <a href="https://x.example/?a=1&amp;b=2">link</a>.'
        "<br>A new line.</p><ul><li><p>first</p></li><li>second</li></ul>"
        "<ol><li>one</li><li>two</li></ol><blockquote><p>Quoted.</p></blockquote>"
        '<h3>A subheading</h3><p><a href="mailto:tips@example.org">Write to us</a>.</p>'
    )
    story = ChannelStory(
        "Formats", ISSUE_URL, (("body", body), ("why_it_matters", "<p>Because.</p>"))
    )

    (message,) = telegram_messages(
        seed_issue(stories=(story,), reads=(), intro="", appeal="")
    )

    html = message.html
    assert "<b>bold</b>, <i>italic</i>" in html
    assert '<a href="https://x.example/?a=1&amp;b=2">link</a>.\nA new line.' in html
    assert (
        "\n• first\n• second\n\n1. one\n2. two\n\n<blockquote>Quoted.</blockquote>"
        in html
    )
    assert "<b>A subheading</b>" in html
    assert "Write to us." in html and "mailto" not in html
    assert "<b>Why it matters:</b> Because." in html
    shown([message])


def test_the_fake_refuses_what_telegram_refuses():
    for bad in (
        "<p>x</p>",
        "<b>x",
        "<b><i>x</b></i>",
        "a & b",
        "<a href='x'>x</a>",
        "1 > 0",
    ):
        with pytest.raises(BadRequest):
            parse_telegram_html(bad)
    assert (
        parse_telegram_html(
            '<span class="tg-spoiler">s</span> &amp; <tg-spoiler>t</tg-spoiler>'
        )
        == "s & t"
    )


def test_the_whatsapp_text_holds_every_sentence_and_writes_links_out():
    text = whatsapp_text(seed_issue())

    flat = " ".join(text.split())
    for sentence in seed_sentences():
        assert sentence in flat.replace("*", "").replace("_", "")
    assert text.startswith(
        "*The Carter Center Says Goodbye with a Damning Verdict*\n_This week’s"
    )
    assert f"\n{ISSUE_URL}\n" in text
    assert "• *Tal Cual*: The National Academy of Medicine" in text
    assert "private sector. https://outlet.example/0\n" in text
    assert "Donate: https://news.example.org/donate/?from=the-carter-center" in text
    assert text.endswith(f"Read this issue on Caracas Chronicles: {ISSUE_URL}\n")
    assert "<" not in text, "no HTML in a WhatsApp text"
