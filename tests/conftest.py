"""Shared fixtures: the seed index built once per session, and a factory for small indexes.

The seed index is read-only: a test that changes an index builds its own with ``make_index``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from index.build import build_index
from search.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "corpus"
SEED_IDS = (
    "000_4e3d15a02d7a4506",
    "001_bb53fb8a13ccd0c8",
    "002_c7ee3c5289edab1b",
    "003_180c9277222e8e9c",
    "004_fdd5bb4d0a256df4",
)

MakeIndex = Callable[..., Path]


@pytest.fixture(scope="session")
def make_index(tmp_path_factory: pytest.TempPathFactory) -> MakeIndex:
    """``make_index(*sources, records=[...], name="x", seed=False)`` → a freshly built index directory.

    ``records`` are written to a JSON file first; ``seed=True`` adds the five seed articles.
    The build must read every input without a problem.
    """

    def build(*sources: Path, records: list[dict] | None = None, name: str = "index", seed: bool = False) -> Path:
        root = tmp_path_factory.mktemp(name)
        inputs = [SEED] if seed else []
        inputs += list(sources)
        if records is not None:
            extra = root / "records.json"
            extra.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
            inputs.append(extra)
        report = build_index(inputs, root / "index", rebuild=True)
        assert report.failed == 0 and report.skipped == 0, report.problems
        return root / "index"

    return build


@pytest.fixture(scope="session")
def seed_index(make_index: MakeIndex) -> Path:
    """The five seed articles, indexed once for the whole session (never modify it)."""
    return make_index(name="seed", seed=True)


@pytest.fixture(scope="session")
def seed_engine(seed_index: Path) -> Iterator[Engine]:
    engine = Engine(seed_index)
    yield engine
    engine.close()
