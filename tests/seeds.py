"""Where the suite finds the sample report that is also the demo content."""

from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"
SEED_REPORT = SEEDS_DIR / "now-what-venezuela-carter-center-goodbye.txt"
