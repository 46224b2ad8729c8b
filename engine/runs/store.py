"""Stored runs: an SQLite index plus one folder per run, written atomically.

Layout under the root (``$CLUSTERSCOPE_HOME``, default ``~/.local/share/clusterscope``)::

    index.sqlite            one row per run: id, time, kind, dataset, config, metrics, timings
    runs/<id>/meta.json     the same record
    runs/<id>/arrays.npz    embedding, labels and any extras
    runs/<id>/selections.json  selections the user named on the map (the one part that changes)
    datasets/<fp>.npz       each dataset once, by fingerprint (see ``engine.data.snapshots``)

A run is written into ``runs/.tmp-<id>``, flushed, then renamed into place (atomic on
POSIX) before its index row is committed, so a crash leaves either nothing or a
whole run. Folders whose index row was lost in a crash are re-indexed on open.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import uuid
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from engine.data.snapshots import DatasetStore
from engine.files import atomic_open

ENV_VAR = "CLUSTERSCOPE_HOME"


def default_root() -> Path:
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "clusterscope"


@dataclass
class RunRecord:
    run_id: str
    created: str
    kind: str
    dataset: dict
    config: dict
    metrics: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)


class RunStore:
    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else default_root()
        self.runs_dir = self.root / "runs"
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self.index_path = self.root / "index.sqlite"
        self.datasets = DatasetStore(self.root)
        with closing(self._connect()) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, created TEXT, kind TEXT, "
                       "dataset TEXT, record TEXT)")
        self._recover()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.index_path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def save(self, kind: str, dataset: dict, config: dict, metrics: dict, timings: dict,
             arrays: dict[str, np.ndarray]) -> RunRecord:
        """Write a new run and return its record (with a fresh ``run_id``)."""
        now = datetime.now(timezone.utc)
        record = RunRecord(run_id=f"{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}", created=now.isoformat(),
                           kind=kind, dataset=dataset, config=config, metrics=metrics, timings=timings)
        staging = self.runs_dir / f".tmp-{record.run_id}"
        staging.mkdir()
        try:
            with open(staging / "arrays.npz", "wb") as handle:
                np.savez_compressed(handle, allow_pickle=False, **arrays)
                handle.flush()
                os.fsync(handle.fileno())
            _write_json(staging / "meta.json", asdict(record))
            os.rename(staging, self.runs_dir / record.run_id)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._index(record)
        return record

    def _index(self, record: RunRecord) -> None:
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?)",
                       (record.run_id, record.created, record.kind, record.dataset.get("name", ""),
                        json.dumps(asdict(record))))

    def list(self, kind: str | None = None, limit: int = 200) -> list[RunRecord]:
        """Newest first."""
        query, args = "SELECT record FROM runs", ()
        if kind:
            query, args = query + " WHERE kind = ?", (kind,)
        with closing(self._connect()) as db:
            rows = db.execute(query + " ORDER BY created DESC LIMIT ?", (*args, limit)).fetchall()
        return [RunRecord(**json.loads(row[0])) for row in rows]

    def get(self, run_id: str) -> RunRecord:
        with closing(self._connect()) as db:
            row = db.execute("SELECT record FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise KeyError(f"no run {run_id!r} in {self.root}")
        return RunRecord(**json.loads(row[0]))

    def arrays(self, run_id: str) -> dict[str, np.ndarray]:
        with np.load(self.runs_dir / run_id / "arrays.npz", allow_pickle=False) as data:
            return {key: data[key] for key in data.files}

    # -- named selections: groups the user picked on the map and named, kept with the run ----------
    def selections(self, run_id: str) -> dict[str, np.ndarray]:
        """Name → item indices, in the order they were named."""
        path = self.runs_dir / run_id / "selections.json"
        if not path.exists():
            return {}
        return {entry["name"]: np.asarray(entry["indices"], dtype=np.int64) for entry in json.loads(path.read_text())}

    def name_selection(self, run_id: str, name: str, indices) -> dict[str, np.ndarray]:
        """Keep ``indices`` under ``name`` (replacing a selection of that name); returns all selections."""
        name = name.strip()
        if not name:
            raise ValueError("a selection needs a name")
        n_items = int(self.get(run_id).dataset.get("n_items", 0))
        indices = np.unique(np.asarray(indices, dtype=np.int64))
        if not len(indices):
            raise ValueError("the selection is empty")
        if n_items and (indices.min() < 0 or indices.max() >= n_items):
            raise ValueError(f"selection indices must lie in 0..{n_items - 1}")
        found = self.selections(run_id)
        found[name] = indices
        self._write_selections(run_id, found)
        return found

    def drop_selection(self, run_id: str, name: str) -> dict[str, np.ndarray]:
        found = self.selections(run_id)
        found.pop(name, None)
        self._write_selections(run_id, found)
        return found

    def _write_selections(self, run_id: str, found: dict[str, np.ndarray]) -> None:
        with atomic_open(self.runs_dir / run_id / "selections.json", "w") as handle:
            json.dump([{"name": k, "indices": v.tolist()} for k, v in found.items()], handle, indent=1)

    def dataset_of(self, record: RunRecord):
        """The dataset a run was made on, from the dataset store."""
        snapshot = record.dataset.get("snapshot")  # runs stored before the dataset store kept their own copy
        if snapshot and Path(snapshot).exists():
            from engine.data.snapshots import load
            return load(snapshot)
        return self.datasets.get(record.dataset["fingerprint"])

    def delete(self, run_id: str) -> None:
        with closing(self._connect()) as db, db:
            db.execute("DELETE FROM runs WHERE id = ?", (run_id,))
        shutil.rmtree(self.runs_dir / run_id, ignore_errors=True)

    def _recover(self) -> None:
        """Drop half-written staging folders; re-index whole runs whose index row is missing."""
        with closing(self._connect()) as db:
            known = {row[0] for row in db.execute("SELECT id FROM runs")}
        for folder in self.runs_dir.iterdir():
            if folder.name.startswith(".tmp-"):
                shutil.rmtree(folder, ignore_errors=True)
            elif folder.is_dir() and folder.name not in known and (folder / "meta.json").exists():
                try:
                    self._index(RunRecord(**json.loads((folder / "meta.json").read_text())))
                except (json.JSONDecodeError, TypeError):
                    continue


def _write_json(path: Path, payload: dict) -> None:
    with open(path, "w") as handle:
        json.dump(payload, handle, indent=1, default=_jsonable)
        handle.flush()
        os.fsync(handle.fileno())


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} in a run record")
