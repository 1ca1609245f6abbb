"""Source pages and the directory: bounded pages, counts of published citations."""

from issues.models import Issue


def test_source_page_shows_thirty_reads_and_links_to_the_rest(
    client, make_issue, make_story, make_read, make_source
):
    outlet = make_source(name="El Pitazo")
    issue = make_issue()
    make_story(issue=issue, sources=[outlet])
    for n in range(31):
        make_read(issue=issue, source=outlet, summary=f"Read number {n:02}.")

    first = client.get(outlet.get_absolute_url()).content.decode()
    second = client.get(outlet.get_absolute_url(), {"page": 2}).content.decode()

    assert "Read number 29." in first
    assert "Read number 30." not in first
    assert "Page 1 of 2" in first
    assert 'href="?page=2"' in first
    assert "Read number 30." in second
    assert "Read number 29." not in second


def test_source_page_shows_thirty_stories_per_page(
    client, make_issue, make_story, make_source
):
    outlet = make_source(name="Efecto Cocuyo")
    issue = make_issue()
    for n in range(31):
        make_story(issue=issue, sources=[outlet], headline=f"Story number {n:02}")

    first = client.get(outlet.get_absolute_url()).content.decode()
    second = client.get(outlet.get_absolute_url(), {"page": 2}).content.decode()

    assert "Story number 29" in first and "Story number 30" not in first
    assert "Story number 30" in second and "Story number 29" not in second


def test_source_page_past_its_last_page_is_not_found(client, make_read, make_source):
    outlet = make_source(name="Tal Cual")
    make_read(source=outlet)

    assert client.get(outlet.get_absolute_url(), {"page": 2}).status_code == 404
    assert client.get(outlet.get_absolute_url(), {"page": "abc"}).status_code == 404


def test_read_without_a_url_links_to_its_source_homepage(
    client, make_read, make_source
):
    outlet = make_source(name="Runrunes", homepage_url="https://runrun.es/")
    make_read(source=outlet, url="", summary="A read with no address.")

    html = client.get(outlet.get_absolute_url()).content.decode()

    assert (
        '<a href="https://runrun.es/" rel="noopener">A read with no address.</a>'
        in html
    )


def test_source_directory_counts_only_published_citations(
    client, make_issue, make_story, make_read, make_source
):
    outlet = make_source(name="Armando.info")
    issue = make_issue()
    make_story(issue=issue, sources=[outlet])
    make_story(issue=issue, sources=[outlet, make_source()])
    make_read(issue=issue, source=outlet)
    make_read(issue=make_issue(status=Issue.Status.DRAFT), source=outlet)
    read_only = make_source(name="Crónica Uno")
    make_read(issue=issue, source=read_only)

    html = client.get("/sources/").content.decode()

    outlets = html[html.index('id="kind-outlet"') :]
    assert 'Armando.info</a> <span class="meta">cited 3 times' in outlets
    assert 'Crónica Uno</a> <span class="meta">cited 1 time<' in outlets


def test_a_source_cited_only_by_many_reads_links_to_its_later_pages(
    client, make_issue, make_read, make_source
):
    outlet = make_source(name="Tal Cual")
    issue = make_issue()
    for n in range(31):
        make_read(issue=issue, source=outlet, summary=f"Read number {n:02}.")

    first = client.get(outlet.get_absolute_url()).content.decode()
    second = client.get(outlet.get_absolute_url(), {"page": 2}).content.decode()

    assert 'href="?page=2"' in first
    assert "Page 2 of 2" in second
