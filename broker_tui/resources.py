"""Where the app's own files are: Alembic's db/ and the seed/ data, beside the package in the checkout."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = PROJECT_ROOT / "db"
SEED_DIR = PROJECT_ROOT / "seed"
