"""Reader revenue is one app: the editorial apps know nothing of it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_neither_issues_nor_stories_import_the_fundraising_app():
    importing = [
        str(path.relative_to(ROOT))
        for app in ("issues", "stories")
        for path in (ROOT / app).rglob("*.py")
        if "fundraising" in path.read_text(encoding="utf-8")
    ]

    assert importing == []
