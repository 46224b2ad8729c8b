"""Progress and cancel inside tslearn's iterative clusterers, which report nothing of their own.

tslearn's ``TimeSeriesKMeans`` and ``KShape`` both run ``_fit_one_init`` once per start and call
``_update_centroids`` once per iteration of it; :func:`reporting` wraps those two hooks, so the algorithm is
tslearn's unchanged and a DTW K-means says which start and iteration it is at (and stops at a cancel) instead of
one message for half a minute.
"""

from __future__ import annotations

from functools import cache

from engine.progress import Reporter


@cache
def reporting(base: type) -> type:
    """``base`` (a tslearn clusterer class) with progress: set ``.reporter`` and ``.what`` before ``fit``."""

    class Reporting(base):
        reporter: Reporter | None = None
        what = "clustering"

        def _fit_one_init(self, *args, **kwargs):
            self._start_no = getattr(self, "_start_no", -1) + 1
            self._iteration = 0
            if self.reporter is not None:
                start = min(self._start_no, self.n_init - 1)
                self.reporter.update(start / self.n_init, f"{self.what}: start {start + 1} of {self.n_init}, "
                                                          "choosing initial centres")
            return super()._fit_one_init(*args, **kwargs)

        def _update_centroids(self, X):
            self._iteration += 1
            if self.reporter is not None:  # a start beyond n_init is tslearn's retry after an empty cluster
                start = min(self._start_no, self.n_init - 1)
                inertia = getattr(self, "inertia_", None)
                self.reporter.update((start + min(self._iteration / self.max_iter, 1.0)) / self.n_init,
                                     f"{self.what}: start {start + 1} of {self.n_init}, iteration "
                                     f"{self._iteration} (at most {self.max_iter})"
                                     + (f" · inertia {inertia:.4g}" if inertia is not None else ""))
            return super()._update_centroids(X)

    Reporting.__name__ = Reporting.__qualname__ = f"Reporting{base.__name__}"
    return Reporting
