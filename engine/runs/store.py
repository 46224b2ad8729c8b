"""Stored runs: an SQLite index plus one folder per run, written atomically.

Layout under the root (``$CLUSTERSCOPE_HOME``, default ``~/.local/share/clusterscope``)::

    index.sqlite            one row per run: id, time, kind, dataset, config, metrics, timings
    runs/<id>/meta.json     the same record
    runs/<id>/arrays.npz    embedding, labels, the clustering space (when it was neither of the two others) and extras
    selections/<fp>.json    groups the user named on a map, kept per dataset (by fingerprint) so that every run of
                            that dataset shows them; each remembers the run it was drawn on
    datasets/<fp>.npz       each dataset once, by fingerprint (see ``engine.data.snapshots``)
    originals/<hash>/       the image files of an uploaded zip or of uploaded files, unpacked once by content hash
                            (a folder on this computer is used where it is, never copied)

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
    title: str = ""  # the user's name for the run ("" until they give one)

    @property
    def label(self) -> str:
        """The user's title, or what the run did, with its id."""
        c = self.config
        what = self.title or (f"{c.get('clusterer')} on {c.get('features')}" if self.kind == "cluster" else
                              f"{c.get('method')} on {c.get('encoder')}")
        return f"{what} · {self.dataset.get('name', '?')} · {self.run_id}"


class RunStore:
    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else default_root()
        self.runs_dir = self.root / "runs"
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self.index_path = self.root / "index.sqlite"
        self.datasets = DatasetStore(self.root)
        self.originals = self.root / "originals"
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

    def list(self, kind: str | None = None, limit: int = 200, fingerprint: str | None = None) -> list[RunRecord]:
        """Stored runs, newest first: of one ``kind`` and one dataset (by ``fingerprint``) when given."""
        query, args = "SELECT record FROM runs", ()
        if kind:
            query, args = query + " WHERE kind = ?", (kind,)
        with closing(self._connect()) as db:
            rows = db.execute(query + " ORDER BY created DESC", args).fetchall()
        records = [RunRecord(**json.loads(row[0])) for row in rows]
        if fingerprint is not None:
            records = [r for r in records if r.dataset.get("fingerprint") == fingerprint]
        return records[:limit]

    def rename(self, run_id: str, title: str) -> RunRecord:
        """Give a run a title (an empty one goes back to describing what it did)."""
        record = self.get(run_id)
        record.title = title.strip()
        with atomic_open(self.runs_dir / run_id / "meta.json", "w") as handle:
            json.dump(asdict(record), handle, indent=1, default=_jsonable)
        self._index(record)
        return record

    def attach(self, run_id: str, metrics: dict, arrays: dict[str, np.ndarray]) -> RunRecord:
        """Add what was measured on a run after it was made (its stability): ``metrics`` join its record's,
        ``arrays`` its arrays (same names replaced); both files are rewritten atomically."""
        record = self.get(run_id)
        record.metrics = {**record.metrics, **metrics}
        folder = self.runs_dir / run_id
        merged = {**self.arrays(run_id), **arrays}
        with atomic_open(folder / "arrays.npz") as handle:
            np.savez_compressed(handle, allow_pickle=False, **merged)
        with atomic_open(folder / "meta.json", "w") as handle:
            json.dump(asdict(record), handle, indent=1, default=_jsonable)
        self._index(record)
        return record

    def get(self, run_id: str) -> RunRecord:
        with closing(self._connect()) as db:
            row = db.execute("SELECT record FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise KeyError(f"no run {run_id!r} in {self.root}")
        return RunRecord(**json.loads(row[0]))

    def arrays(self, run_id: str) -> dict[str, np.ndarray]:
        with np.load(self.runs_dir / run_id / "arrays.npz", allow_pickle=False) as data:
            return {key: data[key] for key in data.files}

    # -- named selections: groups the user picked on a map and named, kept per dataset -------------
    def _selections_path(self, fingerprint: str) -> Path:
        return self.root / "selections" / f"{fingerprint}.json"

    def _fingerprint(self, run_id: str) -> str:
        return self.get(run_id).dataset["fingerprint"]

    def named_groups(self, fingerprint: str) -> list[dict]:
        """The dataset's named selections, in the order they were named: ``name``, ``indices`` and ``run_id``
        (the run they were drawn on). Selections that older versions kept inside a run's folder are included."""
        path = self._selections_path(fingerprint)
        found = json.loads(path.read_text()) if path.exists() else []
        names = {entry["name"] for entry in found}
        for legacy in sorted(self.runs_dir.glob("*/selections.json")):
            run_id = legacy.parent.name
            try:
                if self._fingerprint(run_id) != fingerprint:
                    continue
            except KeyError:
                continue
            for entry in json.loads(legacy.read_text()):
                if entry["name"] not in names:
                    found.append({**entry, "run_id": run_id})
                    names.add(entry["name"])
        return [{**entry, "indices": np.asarray(entry["indices"], dtype=np.int64)} for entry in found]

    def selections(self, run_id: str) -> dict[str, np.ndarray]:
        """Name → item indices: the named selections of the run's dataset (every run of it shows them)."""
        return {entry["name"]: entry["indices"] for entry in self.named_groups(self._fingerprint(run_id))}

    def name_selection(self, run_id: str, name: str, indices) -> dict[str, np.ndarray]:
        """Keep ``indices`` under ``name`` for the run's dataset (replacing a selection of that name), noting that
        it was drawn on ``run_id``; returns all the dataset's selections."""
        name = name.strip()
        if not name:
            raise ValueError("a selection needs a name")
        record = self.get(run_id)
        n_items = int(record.dataset.get("n_items", 0))
        indices = np.unique(np.asarray(indices, dtype=np.int64))
        if not len(indices):
            raise ValueError("the selection is empty")
        if n_items and (indices.min() < 0 or indices.max() >= n_items):
            raise ValueError(f"selection indices must lie in 0..{n_items - 1}")
        groups = [g for g in self.named_groups(record.dataset["fingerprint"]) if g["name"] != name]
        groups.append({"name": name, "indices": indices, "run_id": run_id})
        self._write_selections(record.dataset["fingerprint"], groups)
        return self.selections(run_id)

    def drop_selection(self, run_id: str, name: str) -> dict[str, np.ndarray]:
        fingerprint = self._fingerprint(run_id)
        self._write_selections(fingerprint, [g for g in self.named_groups(fingerprint) if g["name"] != name])
        for legacy in self.runs_dir.glob("*/selections.json"):  # an older version's copy must not bring it back
            entries = json.loads(legacy.read_text())
            if any(entry["name"] == name for entry in entries):
                with atomic_open(legacy, "w") as handle:
                    json.dump([e for e in entries if e["name"] != name], handle, indent=1)
        return self.selections(run_id)

    def _write_selections(self, fingerprint: str, groups: list[dict]) -> None:
        path = self._selections_path(fingerprint)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_open(path, "w") as handle:
            json.dump([{"name": g["name"], "indices": np.asarray(g["indices"]).tolist(), "run_id": g.get("run_id")}
                       for g in groups], handle, indent=1)

    def dataset_of(self, record: RunRecord):
        """The dataset a run was made on, from the dataset store."""
        snapshot = record.dataset.get("snapshot")  # runs stored before the dataset store kept their own copy
        if snapshot and Path(snapshot).exists():
            from engine.data.snapshots import load
            return load(snapshot)
        return self.datasets.get(record.dataset["fingerprint"])

    def delete(self, run_id: str) -> None:
        """Remove a run, its index row and its files; the dataset's named selections stay."""
        if (self.runs_dir / run_id / "selections.json").exists():  # an older version kept them here: move them
            fingerprint = self._fingerprint(run_id)
            self._write_selections(fingerprint, self.named_groups(fingerprint))
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
