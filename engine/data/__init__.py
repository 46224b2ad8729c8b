"""Loaders: built-in demos, image folders / zips / uploads, and feature tables."""

from __future__ import annotations

import csv
import io
import os
import re
from collections import Counter
from pathlib import Path
from typing import BinaryIO

from engine.data.dataset import Dataset, DataError, ValidationReport, decoded, is_number, separator_of, trimmed
from engine.data.demo import DEMOS
from engine.data.images import (TAR_SUFFIXES, Limits, archive_stem, is_tar, load_files, load_folder, load_tar,
                                load_zip)
from engine.data.graphs import GRAPH_READERS, load_edge_list, load_graph_file, load_graphml
from engine.data.series import dated_columns, load_series_csv, looks_long
from engine.data.tables import load_csv, load_excel, load_json, load_npy, load_npz, load_parquet
from engine.data.weka import arff_csv, ts_csv
from engine.progress import Reporter

__all__ = ["Dataset", "DataError", "ValidationReport", "Limits", "DEMOS", "load", "load_folder", "load_zip",
           "load_tar", "load_files", "load_csv", "load_npz", "load_series_csv", "load_edge_list", "load_graphml",
           "load_graph_file", "load_parquet", "load_excel", "load_json", "load_npy", "load_archive", "load_bytes",
           "load_converted"]

FILE_LOADERS = {".zip": load_zip, ".npz": load_npz, ".csv": load_csv, ".tsv": load_csv, ".txt": load_csv,
                ".data": load_csv, ".parquet": load_parquet, ".xlsx": load_excel, ".npy": load_npy,
                ".json": load_json, ".jsonl": load_json, ".ndjson": load_json,
                ".edges": load_edge_list, **{suffix: load_graph_file for suffix in GRAPH_READERS}}
TABLE_LOADERS = {".npz": load_npz, ".npy": load_npy, ".parquet": load_parquet, ".xlsx": load_excel,
                 ".json": load_json, ".jsonl": load_json, ".ndjson": load_json}
CSV_KINDS = {"table": load_csv, "series": load_series_csv, "edges": load_edge_list}
# Files turned into CSV text first (engine.data.weka), with what they hold unless told: Weka's ARFF (UCI's tables,
# and the UCR archive's series as a table of att1…attN, which the table's note offers to read as series) and the
# UEA / UCR archive's .ts (series by definition)
CONVERTED = {".arff": (arff_csv, "table", "Weka's ARFF"), ".ts": (ts_csv, "series", "a .ts (sktime's format)")}


def load_converted(source: str | os.PathLike | bytes, name: str | None = None, suffix: str | None = None,
                   csv_kind: str = "auto") -> Dataset:
    """An ARFF or ``.ts`` file (:data:`CONVERTED`) read as the CSV it stands for, by ``csv_kind``'s reader
    (``auto``: series for ``.ts``; for ARFF a table, or series where its attributes are numbered time steps, as
    :func:`_read_text` guesses for a CSV)."""
    if isinstance(source, bytes):
        data = source
    else:
        data, name, suffix = Path(source).read_bytes(), name or Path(source).stem, Path(source).suffix
    convert, kind, called = CONVERTED[suffix.lower()]
    guessed = _checked(csv_kind) == "auto"
    dataset = _read_text(kind if guessed else csv_kind, convert(data), name or "data", guessed=guessed)
    dataset.report.notes.insert(0, f"read from {called}")
    return dataset


def _read_text(kind: str, data: bytes, name: str, guessed: bool = False) -> Dataset:
    """A text file's bytes read as ``kind`` holds them (:data:`CSV_KINDS`); ``guessed``: the kind was not given,
    so a "table" of rows of several lengths is read as series where it can be (:func:`_ragged_series`)."""
    if kind != "table":
        return CSV_KINDS[kind](data, name=name)

    def table() -> Dataset:
        return load_csv(io.BytesIO(data), name=name)

    return _guessed_table(table, data, name) if guessed else table()


def _guessed_table(read_table, source: str | os.PathLike | bytes, name: str | None) -> Dataset:
    """A text file read as a table when its kind was not named: series where its rows are of several lengths
    (:func:`_ragged_series`) or smooth along columns numbered as time steps (:func:`_stepped_series`)."""
    return _stepped_series(_ragged_series(read_table, source, name), source, name)


def _stepped_series(dataset: Dataset, source: str | os.PathLike | bytes, name: str | None) -> Dataset:
    """``dataset``, or, where it is a table whose columns are numbered as time steps (``t1…t128``, or a headless
    file's) and whose rows change smoothly along them (:func:`~engine.data.tables.series_rows`), the file read as
    time series, one a row, said first. Read as a table, the generated Cylinder-Bell-Funnel and phase-free wave sets
    reached ARI 0.28-0.53 and 0.00 by default; read as series, 0.66-0.68 and 0.57-0.70."""
    from engine.data.tables import NO_HEADER, series_rows

    smooth = series_rows(dataset)
    if smooth is None:
        return dataset
    headless = NO_HEADER in dataset.report.notes
    try:  # the table reader's reading of its header holds (a header of wavelengths is all numbers)
        series = load_series_csv(source, name=name, has_header=not headless)
    except DataError:
        return dataset
    if len(series) != len(dataset):  # rows the table skipped or split otherwise: keep the table and its hint
        return dataset
    steps = f"{len(dataset.columns):,} columns " + (
        "of numbers (no header)" if headless else f"are numbered like time steps ({dataset.columns[0]} … "
                                                  f"{dataset.columns[-1]})")
    series.report.notes.insert(0, f"read as time series, one a row: its {steps} and each row changes smoothly "
                                  f"along them (median lag-1 autocorrelation {smooth:.2f}; columns in no order give "
                                  "about 0); to read it as a table, name its kind (`--csv-kind table`, or the Data "
                                  "page's “a feature table”)")
    return series


RAGGED_SHARE = 0.1  # rows of another length than the commonest, at least (and 2): series of several lengths


def _ragged_series(read_table, source: str | os.PathLike | bytes, name: str | None) -> Dataset:
    """``read_table()``, or, where the file's rows hold different numbers of cells (no table has that) and at least
    :data:`RAGGED_SHARE` of them differ from the commonest count (a table with a stray comma in a row or two is a
    broken table, not series), the file read as series of several lengths, which the series reader resamples;
    said first in its notes. A file that is neither keeps the table's error, which says so."""
    from engine.data.tables import RaggedRows

    if _padded(_start(Path(source), None) if not isinstance(source, bytes) else source[:LONG_SAMPLE]):
        try:
            dataset = load_series_csv(source, name=name)
        except DataError:
            return read_table()
        dataset.report.notes.insert(0, "its rows of numbers end in empty cells at different places, as series of "
                                       "several lengths padded to one width do: read as time series, one a row")
        return dataset
    try:
        return read_table()
    except RaggedRows as ragged:
        text = decoded(source if isinstance(source, bytes) else Path(source).read_bytes())
        lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
        widths = Counter(len(row) for row in csv.reader(lines, delimiter=separator_of(lines[0], "\t,;|") or ","))
        if not _ragged(widths, len(lines)):
            raise ragged from None
        try:
            dataset = load_series_csv(source, name=name)
        except DataError:
            raise ragged from None
        dataset.report.notes.insert(0, "its rows hold different numbers of values, as series of several lengths do "
                                       "(a table's rows hold one each): read as time series, one a row")
        return dataset


def _whole_lines(start: bytes) -> list[str]:
    """The lines of a text file's ``start`` (its first :data:`LONG_SAMPLE` bytes) that hold data: not blank, not
    comments (``#``, ARFF's and Matrix Market's ``%``), and not the last where the sample may have cut it."""
    lines = [line for line in decoded(start).splitlines() if line.strip() and not line.startswith(("#", "%"))]
    return lines[:-1] if len(start) >= LONG_SAMPLE else lines


def _ragged(widths: Counter[int], rows: int) -> bool:
    """Whether rows of these widths (a count of rows by width) are series of several lengths, not a table with a
    stray row or two: at least :data:`RAGGED_SHARE` of them (and 2) are not of the commonest width."""
    return rows - widths.most_common(1)[0][1] >= max(2, RAGGED_SHARE * rows)


PADDED_MIN_WIDTH = 10  # values in a padded file's longest row, at least: fewer are a table's columns, not a series


def _padded(start: bytes) -> bool:
    """Whether a text file's ``start`` is headerless rows of numbers that end in empty cells at different places
    (``1.2,0.4,,,``), as series of several lengths padded to one width are written, several lengths among them as
    :func:`_ragged` counts them. Not a table with gaps: no row has an empty cell between two numbers, and the
    longest holds :data:`PADDED_MIN_WIDTH` values or more."""
    lines = _whole_lines(start)
    delimiter = separator_of(lines[0], "\t,;|") if lines else None
    if len(lines) < 4 or delimiter is None:
        return False
    widths, padded = Counter(), 0
    for row in csv.reader(lines, delimiter=delimiter):
        cells = trimmed(row)
        if not cells or not all(is_number(cell) for cell in cells):
            return False
        widths[len(cells)] += 1
        padded += len(cells) < len(row)
    return padded > 0 and max(widths) >= PADDED_MIN_WIDTH and _ragged(widths, len(lines))


def _checked(csv_kind: str) -> str:
    """``csv_kind``, when it is one a text file can hold (or ``auto``)."""
    if csv_kind not in (*CSV_KINDS, "auto"):
        raise DataError(f"a text file holds one of: {', '.join(CSV_KINDS)}; got {csv_kind!r}")
    return csv_kind


FILE_LOADERS.update({suffix: load_converted for suffix in CONVERTED})


def text_kind(path: Path, head: bytes | None = None) -> str:
    """What a text file holds when nobody said (``csv_kind="auto"``): an edge list for ``.edges``, for any text file
    whose header names two endpoints (``source,target,weight``; Gephi's ``Source,Target,Type,Id,Label,Weight``:
    :data:`~engine.data.graphs.ENDPOINTS`), and for a ``.tsv`` / ``.txt`` / ``.data`` whose first line has at most
    three fields (source, target and a weight) unless its first two columns hold measurements (numbers, not all
    whole: :func:`~engine.data.graphs.measured_pairs`); series for a file of a row per time step (``id, time,
    value``: :func:`~engine.data.series.looks_long` on its first megabyte) or a header of dates (``Page,
    2021-01-01, …``: :func:`~engine.data.series.dated_columns`); else a feature table (a headerless ``.csv``
    always: series and edge lists in one are named, as its hint says). A table whose columns are numbered time steps
    and whose rows are smooth along them (a UCR archive ``.tsv``: the class, then the series) is read as series
    after it is read (:func:`_stepped_series`). ``head``: the file's first bytes where it is not on disk."""
    from engine.data.graphs import edge_header, measured_pairs, pairs_of_ids

    if path.suffix.lower() == ".edges":
        return "edges"
    sample = _start(path, head)  # read once: its first line, then (past the header checks) its first megabyte
    head = decoded(sample[:4096])
    line = next((line for line in head.splitlines() if line.strip() and not line.startswith(("#", "%"))), "")
    if edge_header(re.split(r"[\t,;|]", line.strip()) if re.search(r"[\t,;|]", line) else line.split()):
        return "edges"
    if looks_long(decoded(sample)):  # id, time, value: series a row per time step
        return "series"
    delimiter = separator_of(line, "\t,;|")
    if delimiter and dated_columns(next(csv.reader([line.strip()], delimiter=delimiter))):  # a date a column
        return "series"
    # fields split as the edge list reader splits them: by the line's delimiter, else spaces (a tab-separated node
    # name may hold spaces: "Ada Lovelace<tab>Charles Babbage" is two fields)
    fields = [f for f in (line.strip().split(delimiter) if delimiter else line.split()) if f.strip()]
    if path.suffix.lower() == ".csv":  # a table, unless its first megabyte holds pairs of node ids (pairs_of_ids)
        return "edges" if delimiter and 2 <= len(fields) <= 3 and pairs_of_ids(
            list(csv.reader(_whole_lines(sample), delimiter=delimiter))) else "table"
    if not 2 <= len(fields) <= 3:
        return "table"
    # a .tsv / .txt of points (x, y and a group): measurements in its first two columns are no node ids
    split = (lambda line: line.strip().split(delimiter)) if delimiter else str.split
    return "table" if measured_pairs([split(line) for line in _whole_lines(sample)[1:]]) else "edges"


# A data file compressed on its own (data.csv.gz, as Kaggle, the UCR archive and mlxtend ship them): read as the file
# it holds, by that file's suffix; the zip-bomb limits hold (at most 200 × the compressed size, at most 8 GB)
COMPRESSED = {".gz": "gzip", ".bz2": "bz2", ".xz": "lzma"}
CHUNK = 1 << 24


def _decompressed(source: str | os.PathLike | bytes, file_name: str) -> bytes:
    """The bytes a ``.gz`` / ``.bz2`` / ``.xz`` file holds (``source``: its path or its bytes), refused past the
    archive limits (:class:`~engine.data.images.Limits`) before they are all read."""
    import importlib

    limits = Limits()
    size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
    most = min(limits.max_total_uncompressed, int(limits.max_compression_ratio * max(size, 1)) + CHUNK)
    module = importlib.import_module(COMPRESSED[Path(file_name).suffix.lower()])
    parts, total = [], 0
    try:
        with module.open(io.BytesIO(source) if isinstance(source, bytes) else source, "rb") as handle:
            while chunk := handle.read(CHUNK):
                total += len(chunk)
                if total > most:
                    raise DataError(f"{file_name} unpacks to over {most / 1024**2:,.0f} MB from {size / 1024**2:,.1f} "
                                    "MB: refused as a decompression bomb (or too large to load)")
                parts.append(chunk)
    except (OSError, EOFError, ValueError) as error:  # gzip, bz2 and lzma raise these for a damaged file
        raise DataError(f"{file_name} is not a readable {module.__name__} file: {error}") from None
    return b"".join(parts)


def _load_compressed(source: str | os.PathLike | bytes, file_name: str, csv_kind: str,
                     originals: str | os.PathLike | None) -> Dataset:
    """A compressed data file read as the file it holds (``data.csv.gz`` → ``data.csv``), with a note."""
    inner = Path(file_name).stem
    if not Path(inner).suffix:
        raise DataError(f"cannot tell what {file_name} holds: name it after the file inside (data.csv.gz)")
    dataset = load_bytes(inner, _decompressed(source, file_name), csv_kind, originals=originals)
    dataset.report.notes.insert(0, f"unpacked {inner} from {file_name}")
    return dataset


LONG_SAMPLE = 1 << 20  # the bytes of a text file read to tell a row per time step (ids repeating) from a table


def _start(path: Path, data: bytes | None) -> bytes:
    """A text file's first :data:`LONG_SAMPLE` bytes, from ``data`` where it is not on disk."""
    if data is not None:
        return data[:LONG_SAMPLE]
    with open(path, "rb") as handle:
        return handle.read(LONG_SAMPLE)


def load_bytes(file_name: str, data: bytes, csv_kind: str = "auto",
               originals: str | os.PathLike | None = None) -> Dataset:
    """A table, series or graph file (or a zip holding one) given as its name and bytes (an upload, a file inside an
    archive), read by its suffix as :func:`load` reads a path."""
    suffix, stem = Path(file_name).suffix.lower(), Path(file_name).stem
    if suffix in COMPRESSED and not is_tar(file_name):
        return _load_compressed(data, file_name, csv_kind, originals)
    if suffix == ".zip":
        return load_archive(io.BytesIO(data), originals=originals, name=stem, csv_kind=csv_kind)
    if suffix in GRAPH_READERS:
        return load_graph_file(data, name=stem, suffix=suffix)
    if suffix == ".parquet":  # it may hold image files (Hugging Face's datasets), kept as originals
        return load_parquet(io.BytesIO(data), name=stem, originals=originals)
    if suffix in TABLE_LOADERS:
        return TABLE_LOADERS[suffix](io.BytesIO(data), name=stem)
    if suffix in CONVERTED:
        return load_converted(data, name=stem, suffix=suffix, csv_kind=csv_kind)
    if suffix in TEXT_FILES:
        return _said(_read_text(_text_kind(Path(file_name), csv_kind, data), data, stem, guessed=csv_kind == "auto"),
                     Path(file_name), csv_kind)
    raise DataError(f"cannot read {file_name}: not a table, series or graph file")


def _said(dataset: Dataset, path: Path, csv_kind: str) -> Dataset:
    """``dataset``, with a first note where a ``.csv`` that no header names an edge list was read as one (its rows
    pairs of node ids: :func:`~engine.data.graphs.pairs_of_ids`), so that a table of two columns read so is seen."""
    if csv_kind == "auto" and path.suffix.lower() == ".csv" and dataset.kind == "graph" \
            and not any(note.startswith("an edge list") for note in dataset.report.notes):
        dataset.report.notes.insert(0, "an edge list: its rows are pairs of node ids (whole numbers, the same ones in "
                                       "both columns, or under a header like “protein1, protein2”); if it is a "
                                       "table, load it as one (the Data page's “a feature table”, or "
                                       "`--csv-kind table`)")
    return dataset


def _text_kind(path: Path, csv_kind: str, head: bytes | None = None) -> str:
    """``csv_kind`` checked, and ``auto`` resolved by :func:`text_kind`."""
    return text_kind(path, head) if _checked(csv_kind) == "auto" else csv_kind


TEXT_FILES = (".csv", ".tsv", ".txt", ".data", ".edges")
DATA_FILES = (*TEXT_FILES, *TABLE_LOADERS, *GRAPH_READERS, *CONVERTED)


# Text files an archive ships beside its data that are no data themselves: a README.txt is no table to cluster.
DOCUMENTS = re.compile(r"(read[ _-]?me|licen[cs]e|copying|notes?|changelog|changes|citation|authors|"
                       r"description|info|index)\b", re.IGNORECASE)


def _is_document(file_name: str) -> bool:
    path = Path(file_name)
    return path.suffix.lower() == ".txt" and bool(DOCUMENTS.match(path.stem))


def load_archive(source: str | os.PathLike | BinaryIO, image_size: int = 0, reporter: Reporter | None = None,
                 originals: str | os.PathLike | None = None, name: str | None = None,
                 csv_kind: str = "auto", inner: bool = False) -> Dataset:
    """A zip of images (:func:`load_zip`), or, where it holds no image but a table, series or graph file (as
    Kaggle ships its tables zipped), the largest such file, with a note; where it holds neither but archives (as
    Kaggle's competitions ship ``train.zip`` and ``test.zip`` in one zip), the largest of those, read the same way
    (one level down, not ``inner``). A README or licence beside them is no data file. Checked as a zip of images is
    first (:func:`~engine.data.images.check_members`: escaping names, links, bombs)."""
    import zipfile

    from engine.data.images import IMAGE_SUFFIXES, check_members, is_hidden, member_name

    try:
        with zipfile.ZipFile(source) as archive:
            members = [m for m in archive.infolist() if not m.is_dir() and not is_hidden(member_name(m))]
            suffixes = [Path(member_name(m)).suffix.lower() for m in members]
            picked = None if any(suffix in IMAGE_SUFFIXES for suffix in suffixes) else _pick(members, inner)
            if picked is not None:
                check_members(members, Limits())
                chosen, why, others = picked
                file_name = member_name(chosen)
                if why != INNER_ARCHIVE:
                    dataset = load_bytes(file_name, archive.read(chosen), csv_kind, originals=originals)
                    if dataset.kind == "graph":
                        _node_tables(dataset, archive, others)
                else:
                    data = io.BytesIO(archive.read(chosen))
                    stem = archive_stem(file_name)
                    dataset = (load_tar(data, image_size=image_size, reporter=reporter, originals=originals,
                                        name=name or stem) if is_tar(file_name) else
                               load_archive(data, image_size, reporter, originals, name or stem, csv_kind, inner=True))
                names = [member_name(m) for m in others]
                dataset.report.notes.insert(0, f"read {file_name} from the archive" + (
                    f" ({why}; also there: {', '.join(names[:3])}{'…' if len(names) > 3 else ''})" if names else ""))
                return dataset
    except zipfile.BadZipFile:
        pass  # load_zip says so
    finally:
        if not isinstance(source, (str, os.PathLike)):
            source.seek(0)
    return load_zip(source, image_size=image_size, reporter=reporter, originals=originals, name=name)


INNER_ARCHIVE = "the largest of its archives"


def _pick(members: list, inner: bool) -> tuple[object, str, list] | None:
    """What to read from an archive that holds no image: its edge list (a file named like one: ``edges.csv``
    beside ``nodes.csv``), else its largest table, series or graph file, else (unless it is itself ``inner``) its
    largest archive; with why, and the others of its kind. ``None``: nothing to read."""
    from engine.data.images import member_name

    files = [m for m in members
             if Path(member_name(m)).suffix.lower() in DATA_FILES and not _is_document(member_name(m))]
    edges = [m for m in files if "edge" in Path(member_name(m)).stem.lower()]
    archives = [] if inner else [m for m in members if member_name(m).lower().endswith((".zip", *TAR_SUFFIXES))]
    for group, why in ((edges, "its edge list"), (files, "the largest of its data files"),
                       (archives, INNER_ARCHIVE)):
        if group:
            chosen = max(group, key=lambda m: m.file_size)
            return chosen, why, [m for m in (files or archives) if m is not chosen]
    return None


NODE_TABLE_BYTES = 200 * 1024**2  # an archive's other tables read for a graph's node attributes up to this size


def _node_tables(dataset: Dataset, archive, members: list) -> None:
    """A graph read from an archive takes its nodes' attributes from the first of its other tables (CSV / TSV,
    read as a table of image labels is: :func:`~engine.data.images.side_table`) with a row per node
    (:func:`~engine.data.graphs.with_node_table`)."""
    from engine.data.graphs import with_node_table
    from engine.data.images import member_name, side_table

    for member in members:
        name = member_name(member)
        if Path(name).suffix.lower() not in (".csv", ".tsv") or member.file_size > NODE_TABLE_BYTES:
            continue
        try:
            frame = side_table(name, lambda member=member: archive.read(member))
        except Exception:  # noqa: BLE001 (a file that is no table is no node table: the graph stays as it is)
            continue
        if with_node_table(dataset, frame, name):
            return


def load(source: str | os.PathLike, image_size: int = 0, reporter: Reporter | None = None,
         csv_kind: str = "auto", originals: str | os.PathLike | None = None) -> Dataset:
    """A demo name (``digits``), a folder of images, or a ``.zip`` / ``.npz`` / ``.graphml`` file or a text file
    (``.csv`` / ``.tsv`` / ``.txt`` / ``.data`` / ``.edges``) holding a feature table, time series (one a row) or an
    edge list, as ``csv_kind`` says (``auto``: :func:`text_kind`). A zip's images are unpacked into ``originals``
    when it is given (a folder's are used where they are)."""
    text = str(source)
    if text in DEMOS:
        return DEMOS[text]()
    path = Path(source).expanduser()
    if path.is_dir():
        return load_folder(path, image_size=image_size, reporter=reporter)
    if not path.exists():
        raise DataError(f"{text!r} is neither a demo ({', '.join(DEMOS)}) nor an existing file or folder")
    if is_tar(path.name):
        return load_tar(path, image_size=image_size, reporter=reporter, originals=originals)
    if path.suffix.lower() in COMPRESSED:
        return _load_compressed(path, path.name, csv_kind, originals)
    loader = FILE_LOADERS.get(path.suffix.lower())
    if path.suffix.lower() in (".xls", ".ods"):
        raise DataError(f"cannot read {path.name}: save it as .xlsx or CSV (older Excel and OpenDocument sheets are "
                        "not read here)")
    if loader is None:
        raise DataError(f"cannot read {path.name}: expected a folder or one of {', '.join(FILE_LOADERS)}, "
                        f"{', '.join(TAR_SUFFIXES)}")
    if loader is load_zip:
        return load_archive(path, image_size=image_size, reporter=reporter, originals=originals, csv_kind=csv_kind)
    if loader is load_converted:
        return load_converted(path, csv_kind=csv_kind)
    if loader in (load_csv, load_edge_list):
        loader = CSV_KINDS[_text_kind(path, csv_kind)]
        if loader is load_csv and csv_kind == "auto":
            return _guessed_table(lambda: load_csv(path), path, None)
        return _said(loader(path), path, csv_kind)
    if loader is load_parquet:
        return load_parquet(path, originals=originals)
    return loader(path)
