"""Weka's ARFF and the UEA / UCR archive's .ts read as the tables and series they hold."""

from __future__ import annotations

import numpy as np
import pytest

from engine import api
from engine.data import DataError, load
from engine.data.variants import cylinder_bell_funnel


def _cbf(n: int = 90):
    X, y = cylinder_bell_funnel(n, seed=0)
    codes = {c: i + 1 for i, c in enumerate(sorted(set(y)))}
    return X, [codes[c] for c in y]


def test_an_arff_table_reads_its_names_nominal_class_and_missing_values(tmp_path):
    rng = np.random.default_rng(0)
    rows = [f"{a:.3f},{b:.3f},{'?' if i == 3 else f'{c:.3f}'},'{['red wine', 'white wine'][i % 2]}'"
            for i, (a, b, c) in enumerate(rng.normal(size=(20, 3)))]
    (tmp_path / "w.arff").write_text(
        "% a comment\n@RELATION wines\n\n@ATTRIBUTE 'fixed acidity' REAL\n@ATTRIBUTE density numeric\n"
        "@attribute pH real\n@ATTRIBUTE class {'red wine','white wine'}\n\n@DATA\n" + "\n".join(rows) + "\n")
    data = load(tmp_path / "w.arff")
    assert data.kind == "table" and data.columns == ["fixed acidity", "density", "pH"] and len(data) == 20
    assert data.class_names == ["red wine", "white wine"] and data.labels.tolist()[:2] == [0, 1]
    assert data.report.notes[0] == "read from Weka's ARFF" and np.all(np.isfinite(data.table))
    assert any("'?' mean no value" in note for note in data.report.notes)


def test_the_ucr_archive_s_ts_and_arff_read_as_labelled_series(tmp_path):
    X, y = _cbf()
    body = "\n".join(",".join(f"{v:.4f}" for v in row) + f":{c}" for row, c in zip(X, y))
    (tmp_path / "CBF.ts").write_text("# UEA\n@problemName CBF\n@timeStamps false\n@univariate true\n"
                                     "@classLabel true 1 2 3\n@data\n" + body + "\n")
    arff = ("@relation CBF\n" + "".join(f"@attribute att{i + 1} numeric\n" for i in range(X.shape[1]))
            + "@attribute target {1,2,3}\n@data\n"
            + "\n".join(",".join(f"{v:.4f}" for v in row) + f",{c}" for row, c in zip(X, y)) + "\n")
    (tmp_path / "CBF.arff").write_text(arff)
    ts = load(tmp_path / "CBF.ts")
    assert ts.kind == "series" and ts.series.shape == X.shape and ts.class_names == ["1", "2", "3"]
    assert np.allclose(ts.series, X, atol=1e-4) and ts.labels.tolist() == [c - 1 for c in y]
    as_table = load(tmp_path / "CBF.arff", csv_kind="table")  # told: att1…att128, with the hint to read series
    assert as_table.kind == "table" and any("--csv-kind series" in note for note in as_table.report.notes)
    for kind in ("series", "auto"):  # auto: its attributes numbered like time steps, its rows smooth along them
        as_series = load(tmp_path / "CBF.arff", csv_kind=kind)
        assert as_series.kind == "series" and np.allclose(as_series.series, ts.series)
        assert as_series.labels.tolist() == ts.labels.tolist()
    assert as_series.report.notes[:2] == ["read from Weka's ARFF", as_series.report.notes[1]]
    assert as_series.report.notes[1].startswith("read as time series, one a row: its 128 columns are numbered like "
                                                "time steps (att1 … att128)")
    uploaded = api.load_bytes("CBF.ts", (tmp_path / "CBF.ts").read_bytes())  # the app's upload path
    assert uploaded.kind == "series" and uploaded.name == "CBF"


def test_an_unlabelled_ts_of_ragged_series_with_gaps(tmp_path):
    (tmp_path / "r.ts").write_text("@problemName r\n@classLabel false\n@data\n1,2,3,4,5\n2,?,4,5\n3,4,5,6,NaN,8\n"
                                   "5,4,3,2\n")
    data = load(tmp_path / "r.ts")
    assert data.labels is None and data.series.shape == (4, 6)
    assert data.series_lengths().tolist() == [5, 4, 6, 4] and data.series[1, 1] == 3.0  # the gap filled


@pytest.mark.parametrize("suffix, text, message", [
    (".arff", "@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n{0 1.5}\n", "sparse ARFF"),
    (".arff", "@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n1,2\n3\n", "row 2: 1 values for 2"),
    (".arff", "@relation r\n@attribute bag relational\n@end bag\n@data\n'1,2'\n", "relational ARFF"),
    (".arff", "a,b\n1,2\n", "not an ARFF file"),
    (".ts", "@classLabel true 1 2\n@data\n1,2,3:4,5,6:1\n", "multivariate"),
    (".ts", "@timeStamps true\n@data\n(1,2),(2,3):1\n", "time stamps"),
    (".ts", "1,2,3\n", "not a .ts file"),
])
def test_files_these_readers_do_not_take_say_what_to_do(tmp_path, suffix, text, message):
    (tmp_path / f"f{suffix}").write_text(text)
    with pytest.raises(DataError, match=message):
        load(tmp_path / f"f{suffix}")
