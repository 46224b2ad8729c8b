import io

import numpy as np
import pytest

from engine.data import DEMOS, DataError, load, load_csv, load_npz


def test_npz_with_features_and_labels(tmp_path):
    X = np.random.default_rng(0).normal(size=(30, 5))
    np.savez(tmp_path / "f.npz", X=X, y=np.repeat(["a", "b", "c"], 10))
    data = load(tmp_path / "f.npz")
    assert data.kind == "table" and data.table.shape == (30, 5)
    assert data.class_names == ["a", "b", "c"] and data.name == "f"


def test_npz_without_a_matrix_is_rejected():
    buffer = io.BytesIO()
    np.savez(buffer, v=np.arange(5))
    buffer.seek(0)
    with pytest.raises(DataError, match="no 2-D array"):
        load_npz(buffer)


def test_csv_label_column_and_nan_rows(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,label\n1,2,x\n3,,y\n5,6,x\n7,8,y\n")
    data = load_csv(path)
    assert data.table.shape == (3, 2)
    assert data.report.skipped == [("row 1", "contains NaN or infinity")]
    assert data.class_names == ["x", "y"] and data.labels.tolist() == [0, 0, 1]


def test_a_column_named_label_wins_over_one_named_y():
    data = load_csv(io.BytesIO(b"x,y,label\n0.1,0.5,upper\n0.2,0.7,upper\n0.9,-0.3,lower\n"))
    assert data.table.shape == (3, 2) and [data.class_names[i] for i in data.labels] == ["upper", "upper", "lower"]


def test_csv_text_columns_are_a_clear_error():
    with pytest.raises(DataError, match="not numeric"):
        load_csv(io.StringIO("a,comment\n1,hello\n2,world\n"))


def test_a_single_usable_row_is_rejected():
    with pytest.raises(DataError, match="at least 2 usable rows"):
        load_csv(io.StringIO("a,b\n1,2\n,3\n"))


def test_digits_demo_ships_inside_scikit_learn():
    data = DEMOS["digits"]()
    assert data.images.shape == (1797, 8, 8, 3) and data.grayscale
    assert data.labels.max() == 9 and data.images.max() == 255


@pytest.mark.parametrize("y", [np.arange(29), np.arange(31), np.zeros((30, 2))])
def test_npz_whose_labels_do_not_match_the_rows_is_refused_naming_both(y):
    buffer = io.BytesIO()
    np.savez(buffer, X=np.zeros((30, 4)), y=y)
    buffer.seek(0)
    with pytest.raises(DataError) as error:
        load_npz(buffer)
    assert "30" in str(error.value) and (str(len(y)) in str(error.value) or "(30, 2)" in str(error.value))
