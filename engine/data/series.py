"""Time series: a CSV with one series a row (ragged lengths allowed) or a row per time step (:func:`is_long`), and
tslearn's ``Trace`` demo.

A label column is optional: a first or last column whose header is ``label`` / ``class`` /
``y``, or whose cells are not all numbers. A first column named like an id (``id``, ``name``, ``sensor_id``), or
of text that differs on every row, names the series; a label may then be the last column. Rows may end early (empty
trailing cells): such series are shorter, and are padded with NaN here and resampled by the series features. A
missing value *inside* a series (an empty cell, NaN, ``?``) is filled from its neighbours (said in the report); a
cell of text is an error that names its row and column.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable

import numpy as np

from engine.data.dataset import (Dataset, DataError, ValidationReport, class_codes, column_numbers, encode_labels,
                                 is_number, named_like_an_id, separator_of, source_text, whole_numbers)

LABEL_HEADERS = ("label", "labels", "class", "y", "target")
ID_HEADERS = ("id", "name", "series", "index", "")
MIN_LENGTH = 4
MISSING = ("", "nan", "na", "n/a", "null", "none", "?")  # cells that mean "no value here" (UCI writes "?")
MOSTLY_MISSING = 0.5  # a series with more of its steps missing than this is refused: filling would invent it


def load_series_csv(source: str | os.PathLike | bytes, name: str | None = None, has_header: bool | None = None
                    ) -> Dataset:
    """Series from a text file, in any of the layouts the README lists; ``has_header``: whether its first row is a
    header, where the caller knows (a header of wavelengths or times is all numbers); ``None``: guessed."""
    text, name = source_text(source, name, "series")
    line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = separator_of(line, "\t,;|")  # None: spaces, as the UCR archive's older .txt files are written
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in row)] \
        if delimiter else [line.split() for line in text.splitlines() if line.strip()]
    if not rows:
        raise DataError("the file is empty")
    header = raw_header = None
    if has_header or has_header is None and (column_numbers(rows[0], rows[1:]) or (
            not all(is_number(c) for c in rows[0] if c.strip())
            and not any(is_number(c) for c in rows[0][1:-1] if c.strip()))):  # pandas' 0, 1, 2, … over a frame
        raw_header, rows = [c.strip() for c in rows[0]], rows[1:]
        header = [c.lower() for c in raw_header]
    if not rows:
        raise DataError("the file has a header but no series")
    rows = [[c.strip() for c in row] for row in rows]
    if header and header[0] in TIME_HEADERS and len(header) <= 5:  # long, time first: "date, store, sales"
        j = next((j for j in range(1, len(header)) if header[j] not in LABEL_HEADERS
                  and not all(is_number(row[j]) for row in rows[:200] if len(row) > j and row[j])), None)
        if j is not None:  # the ids are the first column of text after the time
            swap = [j, *[k for k in range(len(header)) if k != j]]
            raw_header, header = [raw_header[k] for k in swap], [header[k] for k in swap]
            rows = [[row[k] if k < len(row) else "" for k in swap] for row in rows]
    if header and is_long(header, rows):
        return _from_long(header, rows, name)
    if header and _series_down_columns(header, rows):
        return _from_columns(raw_header, rows, name)
    label_at, id_at = None, None
    first = [row[0] for row in rows]
    text_first = not all(is_number(c) for c in first if c.lower() not in MISSING)
    named_id = bool(header) and named_like_an_id(header[0], ID_HEADERS)
    if header and header[0] in LABEL_HEADERS:
        label_at = 0
    elif header and header[-1] in LABEL_HEADERS:
        label_at = -1
        id_at = 0 if text_first or named_id else None
    elif named_id or (text_first and len(set(first)) == len(first) > 2):  # names a row each: an identifier
        id_at = 0
        if (header and header[1:2] and header[1] in LABEL_HEADERS) or all(
                len(row) > 1 and row[1] and not is_number(row[1]) and row[1].lower() not in MISSING for row in rows):
            label_at = 0  # just after the name (Kaggle's "Page, category, 2021-01-01, …"): first once it is dropped
        else:
            label_at = -1 if not all(is_number(row[-1]) for row in rows if row[-1]) else None
    elif text_first:
        label_at = 0
    elif not header and _codes_then_measurements(rows):  # the UCR archive's layout: the class, then the series
        label_at = 0
    raw_labels, names = [], []
    values = []
    filled = gappy = 0
    for number, row in enumerate(rows, start=2 if header else 1):
        if id_at is not None:
            names.append(row[0] or f"series {len(names)}")
            row = row[1:]
        if label_at is not None:
            if not row:
                raise DataError(f"row {number}: no values after its name")
            raw_labels.append(row[label_at] or None)
            row = row[1:] if label_at == 0 else row[:-1]
        while row and not row[-1]:  # a shorter series: trailing empty cells
            row = row[:-1]
        start = 1 + (id_at is not None) + (label_at == 0)
        series = _numbers(row, lambda column: f"row {number}, column {column + start}")
        if len(series) < MIN_LENGTH:
            raise DataError(f"row {number}: a series needs at least {MIN_LENGTH} values, found {len(series)}")
        series, gaps = _gaps_filled(series, f"row {number}")
        filled, gappy = filled + gaps, gappy + bool(gaps)
        values.append(series)
    notes = [] if id_at is None else [f"the first column{f' (“{header[0]}”)' if header else ''} names the series"]
    if label_at == 0 and not text_first and raw_labels:  # codes written as floats (1.0000000e+00): named 1
        raw_labels = [None if c is None else str(int(float(c))) if is_number(c) and float(c).is_integer() else c
                      for c in raw_labels]
    if filled:
        notes.append(f"{filled:,} missing value(s) (empty cells, NaN) inside {gappy:,} series filled by linear "
                     "interpolation between their neighbours")
    if label_at == 0 and not header and not text_first:
        notes.append(f"the first column ({len(set(raw_labels))} whole-number codes; the series' values are not whole "
                     "numbers) is read as the class, as the UCR archive writes it")
    unique = id_at is not None and len(set(names)) == len(names)
    return _series_dataset(name, names if unique else None, values, raw_labels if label_at is not None else None,
                           notes)


def _series_down_columns(header: list[str], rows: list[list[str]]) -> bool:
    """Whether each column after the first is a series and the first is their time (``date, AAPL, MSFT, …``;
    ``timestamp, sensor_1, sensor_2``): a first column named like a time or holding dates, at least two more
    columns, and at least :data:`MIN_LENGTH` rows of numbers."""
    if len(header) < 3 or len(rows) < MIN_LENGTH:
        return False
    first = [row[0] for row in rows if row]
    timed = header[0] in TIME_HEADERS + PERIOD_HEADERS or (
        not all(is_number(c) for c in first if c) and _dates([c for c in first if c]))
    numbers = [c for row in rows[:50] for c in row[1:] if c and c.lower() not in MISSING]
    return timed and bool(numbers) and all(is_number(c) for c in numbers)


# A word and a number (t1, step20, V3) is a time step's name, no date, though pandas' mixed-format parser reads
# t1…t31 as days of January in the year 1; a month's name and a number (Jan2021, May 1) is a date
_WORD_NUMBER = re.compile(r"(?!(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[ _.-]?\d)[a-z_ ]+\d+",
                          re.IGNORECASE)


def _dates(cells: list[str]) -> bool:
    import pandas as pd

    if not cells or any(_WORD_NUMBER.fullmatch(str(c).strip()) for c in cells[:200]):
        return False
    parsed = pd.to_datetime(pd.Series(cells[:200]), errors="coerce", format="mixed")
    return bool(parsed.notna().all())


def _from_columns(header: list[str], rows: list[list[str]], name: str) -> Dataset:
    """One series per column after the first, in the time order of the first (numbers or dates; else file order);
    missing steps filled from their neighbours."""
    import pandas as pd

    order = _time_order(pd.Series([row[0] if row else "" for row in rows]))
    steps = np.arange(len(rows)) if order is None else np.argsort(order.to_numpy(), kind="stable")
    names, values, filled = [], [], 0
    for j, column in enumerate(header[1:], start=1):
        series = [_number(rows[i][j] if j < len(rows[i]) else "", f"column “{column}”, row {i + 2}") for i in steps]
        series, gaps = _gaps_filled(series, f"column “{column}”")
        names.append(column or f"column {j + 1}")
        values.append(series)
        filled += gaps
    notes = [f"one column per series: {len(values)} series of {len(rows)} steps, in “{header[0] or 'the first column'}"
             f"” order" + ("" if not filled else f"; {filled:,} missing value(s) filled from their neighbours")]
    return _series_dataset(name, names if len(set(names)) == len(names) else None, values, None, notes)


def _numbers(cells: list[str], where: Callable[[int], str]) -> np.ndarray:
    """A row of cells as :func:`_number` reads each (``where(j)`` names the ``j``-th cell in an error), parsed by numpy
    at once when every cell is a number, one by one where not (5,000 series of 128 steps as a UCR .tsv: the
    whole load 2.65 s → 0.70 s)."""
    try:
        values = np.array(cells, dtype=np.float64)
    except ValueError:  # a missing value written as text, or text: each cell read, and the error said where
        return np.array([_number(cell, where(j)) for j, cell in enumerate(cells)], dtype=np.float64)
    values[~np.isfinite(values)] = np.nan
    return values


def _number(cell: str, where: str) -> float:
    """A cell of a series: its number, NaN where it means no value (:data:`MISSING`, NaN, infinite); text is an
    error that says ``where``."""
    if cell.lower() in MISSING:
        return np.nan
    try:
        value = float(cell)
    except ValueError:
        raise DataError(f"{where}: {cell!r} is not a number") from None
    return value if np.isfinite(value) else np.nan


def _gaps_filled(series: list[float], where: str) -> tuple[list[float], int]:
    """The series with its missing steps filled (:func:`fill_gaps`) and how many there were; one mostly missing
    (over :data:`MOSTLY_MISSING`) is an error that says ``where``."""
    gaps = int(np.sum(~np.isfinite(series)))
    if gaps > len(series) * MOSTLY_MISSING:
        raise DataError(f"{where}: {gaps} of its {len(series)} values are missing (empty, NaN or infinite): too few "
                        "left to fill them from")
    return (fill_gaps(series) if gaps else series), gaps


def _time_order(times):
    """A column of times as numbers, else as dates; None when some are neither (the file's order is then kept, or
    refused where a time was named)."""
    import pandas as pd

    order = pd.to_numeric(times, errors="coerce")
    if order.isna().any():
        order = pd.to_datetime(times, errors="coerce", format="mixed")
    return None if order.isna().any() else order


def fill_gaps(series: list[float]) -> list[float]:
    """A series' missing steps (NaN) filled by linear interpolation between the nearest values on each side, and
    by the nearest value at either end."""
    values = np.asarray(series, dtype=np.float64)
    known = np.isfinite(values)
    steps = np.arange(len(values))
    return np.interp(steps, steps[known], values[known]).tolist()


def _codes_then_measurements(rows: list[list[str]]) -> bool:
    """A headerless file whose first column holds class codes (:func:`class_codes`) and whose series do not hold
    whole numbers (counts would make a code column indistinguishable from a first step)."""
    first = [row[0] for row in rows]
    if not all(first) or not all(is_number(c) for c in first) or not class_codes(first):
        return False
    rest = [float(c) for row in rows[:200] for c in row[1:] if c and is_number(c)]
    return bool(rest) and not whole_numbers(rest)


def _series_dataset(name: str, names: list[str] | None, values: list[list[float]], raw_labels: list | None,
                    notes: list[str]) -> Dataset:
    """Series of any lengths, NaN-padded to the longest, named ``names`` (or numbered)."""
    if len(values) < 2:
        raise DataError(f"need at least 2 series to cluster, found {len(values)}")
    longest = max(len(v) for v in values)
    table = np.full((len(values), longest), np.nan, dtype=np.float32)
    for i, series in enumerate(values):
        table[i, :len(series)] = series
    report = ValidationReport(n_found=len(values), n_loaded=len(values), notes=list(notes))
    lengths = sorted({len(v) for v in values})
    if len(lengths) > 1:
        report.notes.append(f"ragged: lengths from {lengths[0]} to {lengths[-1]} (resampled to one length for "
                            "clustering)")
    labels, class_names = encode_labels(raw_labels) if raw_labels is not None else (None, None)
    return Dataset(name=name, item_names=names or [f"series {i}" for i in range(len(values))],
                   series=table, labels=labels, class_names=class_names, report=report)


TIME_HEADERS = ("time", "t", "timestamp", "date", "datetime", "step", "index", "ts")
PERIOD_HEADERS = ("year", "month", "week", "day", "hour", "period", "time_step", "timestep")


def is_long(header: list[str], rows: list[list[str]]) -> bool:
    """Whether a CSV holds its series long, a row per time step (``id, time, value[, label]``): a header of two to
    five columns, a time column among them unless there are at most three, whose first column (not a label) repeats
    (each id on three rows or more, on average), with at least two ids."""
    ids = {row[0] for row in rows if row}
    timed = any(c in TIME_HEADERS for c in header[1:]) or len(header) <= 3
    return 2 <= len(header) <= 5 and timed and header[0] not in LABEL_HEADERS and 2 <= len(ids) <= len(rows) / 3


def long_layout(header: list[str], rows: list[list[str]]) -> bool:
    """Whether a table's (lower-case) ``header`` and first ``rows`` hold series a row per time step, surely enough to
    read them so unasked (:func:`is_long` reads a file already said to hold series): two to five columns, one named
    like a time (:data:`TIME_HEADERS`), ids (the first column, or after a time first the first column of text)
    repeating, at least two of them on three rows or more each on average, and a column of numbers besides."""
    if not 2 <= len(header) <= 5 or not any(c in TIME_HEADERS for c in header) or len(rows) < 6:
        return False

    def numbers(k: int) -> bool:
        return all(is_number(row[k]) for row in rows[:200] if len(row) > k and row[k])

    at = 0 if header[0] not in TIME_HEADERS else next(
        (k for k in range(1, len(header)) if header[k] not in LABEL_HEADERS and not numbers(k)), None)
    if at is None or header[at] in LABEL_HEADERS or header[at] in TIME_HEADERS:
        return False
    ids = {row[at] for row in rows if len(row) > at}
    values = [k for k in range(len(header)) if k != at and header[k] not in TIME_HEADERS
              and header[k] not in LABEL_HEADERS and numbers(k)]
    return bool(values) and 2 <= len(ids) <= len(rows) / 3


def dated_columns(header: list[str]) -> bool:
    """Whether a header names its columns by dates after at most three others (a name, a category): one series a
    row, a value a date, as exports of page views or sales per day are written; at least 20 dates."""
    dated = next((k for k in range(min(4, len(header))) if _dates(header[k:k + 20]) and len(header) - k >= 20), None)
    return dated is not None and _dates(header[dated:])


def looks_long(text: str) -> bool:
    """:func:`long_layout` of a CSV's text (its first part: a cut last line is dropped)."""
    lines = [line for line in text.splitlines()[:-1] if line.strip()]
    if len(lines) < 7:
        return False
    delimiter = separator_of(lines[0], "\t,;|")
    if delimiter is None or not 1 <= lines[0].count(delimiter) <= 4:  # two to five columns, or none of this
        return False
    rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)]
    return long_layout([c.lower() for c in rows[0]], rows[1:])


def _from_long(header: list[str], rows: list[list[str]], name: str) -> Dataset:
    """One series per id from rows ``id, time, value[, label]``: each id's values in time order (by a column named
    like ``time``, numbers or dates; else in file order), its label the label column's value (one per id): a column
    named like a label, else the first of text."""
    import pandas as pd

    width = len(header)
    frame = pd.DataFrame([row[:width] + [""] * (width - len(row)) for row in rows], columns=header)
    rest = header[1:]
    time = next((c for c in rest if c in TIME_HEADERS and c not in LABEL_HEADERS), None)
    numeric = {c: bool(frame[c].map(is_number).all()) for c in rest if c != time}
    # a column named like a label, else one of text (as a wide file's label column is)
    label = next((c for c in rest if c in LABEL_HEADERS), None) or next((c for c, n in numeric.items() if not n), None)
    numbers = [c for c, n in numeric.items() if n and c != label]
    if not numbers:
        raise DataError(f"a series a row per time step ({', '.join(header)}) needs a column of numbers for the values")
    value = numbers[0]
    notes = [f"one row per time step: a series per “{header[0]}”, its values “{value}”"
             + (f" in “{time}” order" if time else " in file order")
             + (f", its label “{label}”" if label else "")
             + (f" (“{'”, “'.join(numbers[1:])}” not used: one value a step is clustered)"
                if len(numbers) > 1 else "")]
    frame[value] = frame[value].astype(float)
    if not np.isfinite(frame[value].to_numpy()).all():
        raise DataError(f"“{value}” holds values that are not finite numbers (NaN or infinite)")
    if time:
        order = _time_order(frame[time])
        if order is None:
            raise DataError(f"the time column “{time}” holds values that are neither numbers nor dates")
        frame = frame.assign(_order=order)
    names, values, raw_labels = [], [], []
    for key, group in frame.groupby(header[0], sort=False):  # the ids in the file's order
        if time:
            group = group.sort_values("_order", kind="stable")
        if len(group) < MIN_LENGTH:
            raise DataError(f"series “{key}”: a series needs at least {MIN_LENGTH} values, found {len(group)}")
        names.append(str(key))
        values.append(group[value].tolist())
        if label:
            found = set(group[label])
            if len(found) > 1:
                raise DataError(f"series “{key}” has {len(found)} labels ({', '.join(sorted(found)[:3])}): a label "
                                "belongs to a whole series")
            raw_labels.append(found.pop() or None)
    return _series_dataset(name, names, values, raw_labels if label else None, notes)


def trace() -> Dataset:
    """tslearn's ``Trace``: 200 simulated instrument traces of length 275 in 4 classes (it ships with tslearn)."""
    import warnings

    with warnings.catch_warnings():  # tslearn mentions h5py, which only its HDF5 helpers need
        warnings.simplefilter("ignore")
        from tslearn.datasets import CachedDatasets

    x_train, y_train, x_test, y_test = CachedDatasets().load_dataset("Trace")
    series = np.concatenate([x_train, x_test])[:, :, 0].astype(np.float32)
    labels = np.concatenate([y_train, y_test]).astype(np.int64)
    classes = sorted(np.unique(labels).tolist())
    report = ValidationReport(n_found=len(series), n_loaded=len(series),
                              notes=["Trace (tslearn's cached copy): transients in a nuclear plant's instruments"])
    return Dataset(name="trace", item_names=[f"trace {i}" for i in range(len(series))], series=series,
                   labels=np.searchsorted(classes, labels), class_names=[str(c) for c in classes], report=report)
