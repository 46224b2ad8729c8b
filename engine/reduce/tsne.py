"""t-SNE (scikit-learn), with a PCA step first for wide inputs as the original paper advises."""

from __future__ import annotations

from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.pipeline import make_pipeline

from engine.params import Float
from engine.registry import Entry

PCA_DIMS = 50


def make(n_components: int, seed: int, n_items: int = 0, n_features: int = 0, perplexity: float = 30.0,
         **_: object):
    tsne = TSNE(n_components=n_components, perplexity=min(perplexity, max((n_items - 1) / 3, 1.0)),
                init="pca", random_state=seed, method="barnes_hut" if n_components < 4 else "exact")
    if n_features > PCA_DIMS and n_items > PCA_DIMS:
        return make_pipeline(PCA(n_components=PCA_DIMS, random_state=seed), tsne)
    return tsne


ENTRY = Entry(
    name="tsne", label="t-SNE", make=make,
    params=(Float("perplexity", 30.0, 2.0, 100.0, step=1.0, help="Roughly the number of neighbours each point sees."),),
    description="Non-linear map of local neighbourhoods; distances between clusters are not meaningful.",
)
