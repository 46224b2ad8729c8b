import numpy as np

from engine.cluster.profiles import cluster_profiles
from engine.data.thumbs import data_uri, montage


def test_profiles_pick_central_members_and_outliers_noise_last():
    X = np.array([[0.0], [0.1], [-0.1], [5.0], [100.0], [101.0], [50.0]])
    labels = np.array([0, 0, 0, 0, 1, 1, -1])
    profiles = cluster_profiles(X, labels, n_representatives=2, n_outliers=1)
    assert [p.label for p in profiles] == [0, 1, -1]
    assert profiles[0].size == 4 and profiles[0].outliers.tolist() == [3]
    assert set(profiles[0].representatives.tolist()) <= {0, 1, 2}
    assert profiles[-1].name == "Noise" and profiles[-1].representatives.tolist() == [6]


def test_montage_lays_out_cells(digits):
    sheet = montage(digits.images, [0, 1, 2, 3, 4], columns=3, cell=16, gap=2)
    assert sheet.shape == (2 * 16 + 2, 3 * 16 + 4, 3)
    assert data_uri(digits.images[0]).startswith("data:image/png;base64,")
