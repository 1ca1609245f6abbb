"""Every public page type is valid HTML, as the Nu HTML Checker (vnu) sees it.

The checker is the `vnu-jar` npm package's jar, run with Java: `make vnu`
installs the jar into .tools/ (ignored by git), VNU_JAR may point elsewhere.
Without Java or the jar the test is skipped, unless REQUIRE_VNU=1 (as in CI),
where their absence is a failure.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from issues.models import Issue
from tests.public_site import demo_site

DEFAULT_JAR = (
    Path(__file__).resolve().parents[1]
    / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"
)


def checker():
    """The command that runs vnu, or a skip (a failure under REQUIRE_VNU=1)."""
    java = shutil.which("java")
    jar = Path(os.environ.get("VNU_JAR") or DEFAULT_JAR)
    missing = [
        what for what, ok in [("java", java), (str(jar), jar.is_file())] if not ok
    ]
    if missing:
        message = f"The Nu HTML Checker needs {' and '.join(missing)}: run `make vnu`."
        if os.environ.get("REQUIRE_VNU") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return [java, "-Xss4m", "-jar", str(jar)]


@pytest.fixture
def public_pages(db, make_issue):
    pages = demo_site(make_issue)
    oldest = Issue.objects.published().order_by("published_at").first()
    pages.update(
        {
            "archive-year": f"/issues/?year={oldest.published_at.year}",
            "search-form": "/search/",
            "search-nothing": "/search/?q=zebracorn",
            "search-stories": "/search/?q=carter+center&kind=story",
            "donate-thanks": "/donate/thanks/",
        }
    )
    return pages


def test_every_public_page_type_has_no_html_error(client, public_pages, tmp_path):
    command = checker()
    files = []
    for name, path in public_pages.items():
        response = client.get(path)
        assert response.status_code == (404 if name == "not-found" else 200), path
        file = tmp_path / f"{name}.html"
        file.write_bytes(response.content)
        files.append(str(file))

    run = subprocess.run(
        [
            *command,
            "--errors-only",
            "--format",
            "json",
            "--stdout",
            "--exit-zero-always",
            *files,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert run.returncode == 0, run.stderr
    errors = [
        f"{Path(m.get('url', '')).stem}:{m.get('lastLine')}: {m['message']} "
        f"[{m.get('extract', '').strip()}]"
        for m in json.loads(run.stdout)["messages"]
        if m["type"] in ("error", "non-document-error")
    ]
    assert errors == []
