"""Where the suite finds the sample report that is also the demo content."""

from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"
SEED_REPORT = SEEDS_DIR / "now-what-venezuela-carter-center-goodbye.txt"


def seed_report_headed(headline: str) -> str:
    """The sample report's text under another headline: another document."""
    _, rest = SEED_REPORT.read_text(encoding="utf-8").split("\n", 1)
    return f"{headline}\n{rest}"
