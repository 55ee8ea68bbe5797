"""Fixtures for the text engine tests: tiny labelled corpora written for the tests."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]

_PLACES = ["A市", "A1区", "A2区", "K8县", "B市", "C4市"]
_TOPICS = {
    "交通运输": [
        "{p}公交{n}路站点撤销后出行不便，请求恢复公交线路",
        "{p}出租车拒载绕路严重，交通管理部门何时整治",
        "{p}地铁{n}号线施工导致道路拥堵，希望优化交通组织",
    ],
    "教育文体": [
        "{p}学校{n}年级学生课业负担过重，家长希望教育局规范补课",
        "{p}小学学区划分不合理，孩子入学难，请教育部门解答",
        "{p}体育馆长期关闭，市民健身无处可去，希望开放文体场馆",
    ],
    "环境保护": [
        "{p}化工厂夜间偷排废水，河道污染发臭，请环保局查处",
        "{p}工地扬尘噪音扰民，{n}点以后仍在施工，环境污染严重",
        "{p}垃圾焚烧厂排放异味，周边居民担心空气污染",
    ],
}


def labelled_rows(per_label: int = 24) -> list[dict[str, str]]:
    """Deterministic synthetic messages, ``per_label`` per label, columns text and label."""
    rows = []
    for label, templates in _TOPICS.items():
        for i in range(per_label):
            template = templates[i % len(templates)]
            text = template.format(p=_PLACES[i % len(_PLACES)], n=i + 2)
            rows.append({"message_id": f"{label[:1]}{i}", "text": text, "label": label})
    return rows


def write_rows(path: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8") -> Path:
    """Write ``rows`` (same keys) as CSV in ``encoding``."""
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def labelled_csv(tmp_path: Path) -> Path:
    """A UTF-8 CSV of 72 labelled messages in three categories."""
    return write_rows(tmp_path / "labelled.csv", labelled_rows())


@pytest.fixture(scope="session")
def trained_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained once per session on the synthetic corpus."""
    from minsheng.textmining.classify import TextClassifier

    rows = labelled_rows()
    model = TextClassifier.train([r["text"] for r in rows], [r["label"] for r in rows])
    directory = tmp_path_factory.mktemp("models") / "model"
    model.save(directory)
    return directory


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``MINSHENG_SHARED_DATA`` (default ``../shared/data``); skips when absent."""
    path = Path(os.environ.get("MINSHENG_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
    if not (path / "messages" / "labelled_dev.csv").is_file():
        pytest.skip(f"shared data not found at {path} (set MINSHENG_SHARED_DATA)")
    return path


@pytest.fixture(autouse=True)
def _fast_password_hashing():
    """The project's autouse fixture needs Django settings; the text engine is Django-free."""
    return None
