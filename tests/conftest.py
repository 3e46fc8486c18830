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
        return build_clean(_inputs(root, sources, records, seed), root / "index")

    return build


def _inputs(root: Path, sources: tuple[Path, ...], records: list[dict] | None, seed: bool) -> list[Path]:
    """The inputs of a test index: the seed articles if asked, ``sources``, ``records`` written to a JSON file."""
    inputs = [SEED] if seed else []
    inputs += list(sources)
    if records is not None:
        extra = root / "records.json"
        extra.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        inputs.append(extra)
    return inputs


def build_clean(inputs: list[Path], location: Path | str) -> Path | str:
    """Rebuild the index at ``location`` from ``inputs``, which must all read without a problem."""
    report = build_index(inputs, location, rebuild=True)
    assert report.failed == 0 and report.skipped == 0, report.problems
    return location


@pytest.fixture(scope="session")
def seed_index(make_index: MakeIndex) -> Path:
    """The five seed articles, indexed once for the whole session (never modify it)."""
    return make_index(name="seed", seed=True)


@pytest.fixture(scope="session")
def seed_engine(seed_index: Path) -> Iterator[Engine]:
    engine = Engine(seed_index)
    yield engine
    engine.close()


# --- both backends ----------------------------------------------------------------------------
#
# The behavioural search tests run on the Whoosh index and on a SolrCloud collection alike:
# a module's index fixture asks ``make_location(backend, …)`` instead of ``make_index(…)``,
# and its ``backend`` fixture (below) runs the module once per backend.  The Solr collections
# live on one local 3-node cluster for the whole session (tests/solr_fixtures.py); where Java
# or Maven is missing, the Solr runs are skipped with a one-line reason.

from solr_fixtures import solr_cluster, solr_skip_reason  # noqa: E402, F401

BACKENDS = ("whoosh", "solr")
MakeLocation = Callable[..., "Path | str"]


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend a module's tests run on: each module runs once per backend."""
    if request.param == "solr" and solr_skip_reason():
        pytest.skip(solr_skip_reason())
    return request.param


@pytest.fixture(scope="session")
def solr_base(request: pytest.FixtureRequest) -> str:
    """``http://127.0.0.1:PORT/solr`` of the session cluster's first node (started on first use)."""
    cluster = request.getfixturevalue("solr_cluster")
    return cluster["nodes"][0]["url"]


@pytest.fixture(scope="session")
def make_location(make_index: MakeIndex, tmp_path_factory: pytest.TempPathFactory,
                  request: pytest.FixtureRequest) -> MakeLocation:
    """``make_location(backend, *sources, records=[...], name="x", seed=False, shards=2, replicas=1)``:
    a fresh index on ``backend``: a Whoosh directory, or a Solr collection URL (an alias of a
    collection routed by story, as ``search-cli solr create`` makes) on the session cluster."""
    from index.solr_admin import create_collection

    counter = iter(range(1_000_000))

    def build(backend: str, *sources: Path, records: list[dict] | None = None, name: str = "index",
              seed: bool = False, shards: int = 2, replicas: int = 1) -> Path | str:
        if backend == "whoosh":
            return make_index(*sources, records=records, name=name, seed=seed)
        base = request.getfixturevalue("solr_base")
        url = f"{base}/{name}_{next(counter)}"
        create_collection(url, shards, replicas)
        return build_clean(_inputs(tmp_path_factory.mktemp(name), sources, records, seed), url)

    return build


@pytest.fixture(scope="module")
def seed_location(backend: str, seed_index: Path, make_location: MakeLocation) -> Path | str:
    """The seed articles on this module's backend (the Whoosh one is the session's seed index)."""
    return seed_index if backend == "whoosh" else make_location(backend, name="seed", seed=True)
