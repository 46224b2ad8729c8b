"""The shape shared by every registry entry: a name, a label for menus, declared parameters."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from engine.params import Param, resolve


def in_sentence(label: str) -> str:
    """A menu label inside a sentence: its first word lower-cased where it is an ordinary capitalised word ("raw
    pixels", "z-normalised series"), a name kept as written ("EfficientNet-Lite0", "PCA")."""
    first = label.split(" ", 1)[0]
    return label[:1].lower() + label[1:] if first[1:] == first[1:].lower() else label


@dataclass(frozen=True)
class Lazy:
    """A ``make`` that imports its module on the first call: registries whose implementations need torch (the
    encoders, the self-supervised methods) declare their menus without importing it, so listing them, building a
    menu or a CLI parser costs no torch (``python -m engine methods``: see ``tests/engine/test_cold_start.py``)."""

    module: str
    attribute: str

    def target(self) -> Callable[..., Any]:
        return getattr(importlib.import_module(self.module), self.attribute)

    def __call__(self, *args, **kwargs):
        return self.target()(*args, **kwargs)


@dataclass(frozen=True)
class Entry:
    """One registered reducer / clusterer / feature extractor.

    ``make`` receives the resolved parameters plus keyword context (seed, n_items, ...)
    and returns an object with the scikit-learn contract (``fit_transform`` or
    ``fit_predict``) or, for features, the feature matrix itself.
    """

    name: str
    label: str
    make: Callable[..., Any]
    params: tuple[Param, ...] = ()
    description: str = ""
    tags: frozenset[str] = field(default_factory=frozenset)
    #: For clusterers whose own distance is not euclidean (DTW): ``scores(X, labels, params)`` returns the
    #: internal scores to use instead of the euclidean ones (e.g. a DTW silhouette).
    scores: Callable[..., dict] | None = None
    #: Settings of the job around the entry that suit it better than the general ones, as ``(name, value)``
    #: pairs (a training method's batch size, learning rate, weight decay). Menus start their controls there.
    defaults: tuple[tuple[str, Any], ...] = ()
    #: For clusterers with ``n_clusters``: ``choose_k(X, seed, reporter=...)`` → a ``KChoice`` for K = 0 (auto);
    #: None means the general chooser (``engine.cluster.auto_k.by_silhouette_and_stability``).
    choose_k: Callable[..., Any] | None = None
    #: For clusterers that cost too much in time or memory past a size (a merge tree holds n² distances): above
    #: ``max_items`` they are fitted on a sample of that many and the other items assigned by their nearest
    #: sampled ones (``engine.scale``). None: no limit.
    max_items: int | None = None

    def resolve(self, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return resolve(self.params, dict(given or {}))


def lookup(registry: Mapping[str, Entry], name: str, what: str) -> Entry:
    try:
        return registry[name]
    except KeyError:
        raise ValueError(f"unknown {what} {name!r}; choose one of {', '.join(registry)}") from None
