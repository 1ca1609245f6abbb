"""Where the suite finds the sample report that is also the demo content."""

from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"
SEED_REPORT = SEEDS_DIR / "now-what-venezuela-carter-center-goodbye.txt"


# The least a report holds: headline, dek, intro, call to action, one story.
MINIMAL_REPORT = """\
A headline
The dek of this week's report
#Hashtag keeps you informed. This report is published weekly.
Join our channel through this link.
First story heading
A paragraph of the first story.
"""


def seed_report_headed(headline: str) -> str:
    """The sample report's text under another headline: another document."""
    _, rest = SEED_REPORT.read_text(encoding="utf-8").split("\n", 1)
    return f"{headline}\n{rest}"
