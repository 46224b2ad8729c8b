import json
import os
import subprocess
import sys
from pathlib import Path

from engine.cli import main
from tests.conftest import shapes_folder

ROOT = Path(__file__).resolve().parents[2]


def test_headline_command_reaches_the_ari_bar(capsys, digits_result):
    code = main(["cluster", "--data", "digits", "--features", "pixels", "--reduce", "umap", "--method", "hdbscan",
                 "--cluster-on", "embedding", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(payload) >= {"ari", "nmi", "acc", "silhouette", "n_clusters", "noise_fraction", "seconds", "run_id"}
    assert payload["ari"] >= 0.85 and payload["run_id"]


def test_folder_data_and_method_parameters(tmp_path, capsys):
    folder = shapes_folder(tmp_path / "shapes")
    code = main(["cluster", "--data", str(folder), "--reduce", "pca", "--method", "kmeans", "--param",
                 "n_clusters=2", "--image-size", "16", "--no-save", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0 and payload["ari"] == 1.0 and payload["n_items"] == 12 and payload["run_id"] is None


def test_a_moons_csv_on_the_default_path_says_which_method_and_why(tmp_path, capsys):
    from sklearn.datasets import make_moons

    X, y = make_moons(500, noise=0.05, random_state=2)
    (tmp_path / "moons.csv").write_text("x,y,label\n" + "\n".join(f"{a},{b},{c}" for (a, b), c in zip(X, y)))
    assert main(["cluster", "--data", str(tmp_path / "moons.csv"), "--no-save", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["method"] == "hdbscan" and "2 dense pieces" in payload["method_why"] and payload["ari"] > 0.95


def test_bad_input_exits_2_with_a_message(tmp_path, capsys):
    assert main(["cluster", "--data", str(tmp_path / "nowhere"), "--json"]) == 2
    assert "neither a demo" in capsys.readouterr().err
    assert main(["cluster", "--data", "digits", "--method", "kmeans", "--param", "n_clusters=1", "--json"]) == 2
    assert "outside" in capsys.readouterr().err


def test_python_dash_m_engine_runs_as_a_program(tmp_path):
    env = {**os.environ, "CLUSTERSCOPE_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "engine", "cluster", "--data", "digits", "--reduce", "pca",
                          "--method", "kmeans", "--json"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    listed = subprocess.run([sys.executable, "-m", "engine", "runs", "--json"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert [r["run_id"] for r in json.loads(listed.stdout)] == [payload["run_id"]]
