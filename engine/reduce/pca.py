"""Principal component analysis: linear, fast, deterministic."""

from engine.params import Param
from engine.registry import Entry


def make(n_components: int, seed: int, whiten: bool = False, **_: object):
    from sklearn.decomposition import PCA

    return PCA(n_components=n_components, whiten=whiten, random_state=seed)


ENTRY = Entry(
    name="pca", label="PCA", make=make,
    params=(Param("whiten", "bool", False, help="Scale components to unit variance."),),
    description="Linear projection on the directions of largest variance. Fast; keeps global distances.",
)
