"""Nearest places on the globe: haversine distances and a vectorised nearest-k index per group (type)."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from typing import Any

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
MAX_CACHED_TREES = 32


def haversine_m(lat1: float, lon1: float, lat2: np.ndarray | float, lon2: np.ndarray | float) -> np.ndarray:
    """Great-circle distance in metres from one point to one or many points (degrees in)."""
    phi1, lam1 = math.radians(lat1), math.radians(lon1)
    phi2, lam2 = np.radians(lat2), np.radians(lon2)
    a = np.sin((phi2 - phi1) / 2) ** 2 + math.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def check_coordinates(lat: float, lon: float) -> None:
    """Raise ValueError with a plain message for coordinates that are not a place on Earth."""
    if not (isinstance(lat, int | float) and isinstance(lon, int | float)):
        raise ValueError("latitude and longitude must be numbers in decimal degrees")
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise ValueError(f"latitude {lat} is outside -90…90")
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise ValueError(f"longitude {lon} is outside -180…180")


def _unit_vectors(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    phi, lam = np.radians(lats), np.radians(lons)
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


class NearestIndex:
    """Points as 3-D unit vectors in a KD-tree (one for all points, one per set of groups asked for): the
    nearest by chord length are the nearest on the sphere, so the query is exact; distances in metres are
    then computed with haversine.

    scipy (installed with scikit-learn, a core dependency) is imported only when there are points to index."""

    def __init__(self, lats: Sequence[float], lons: Sequence[float], groups: Sequence[str]) -> None:
        if not (len(lats) == len(lons) == len(groups)):
            raise ValueError("lats, lons and groups must have the same length")
        self._lats = np.asarray(lats, dtype=np.float64)
        self._lons = np.asarray(lons, dtype=np.float64)
        self._all: tuple[np.ndarray, Any] | None = None
        self._groups = np.asarray(groups, dtype=str)
        self._union_trees: dict[frozenset[str], tuple[np.ndarray, Any]] = {}
        if len(self._lats) == 0:
            return
        self._vectors = _unit_vectors(self._lats, self._lons)
        self._all = (np.arange(len(self._lats)), self._tree(self._vectors))

    @staticmethod
    def _tree(vectors: np.ndarray) -> Any:
        from scipy.spatial import cKDTree

        return cKDTree(vectors)

    def _subset(self, groups: Collection[str]) -> tuple[np.ndarray, Any] | None:
        """The tree of the points of these groups, built on first use and kept (there are few type sets:
        one per topic or type asked for)."""
        key = frozenset(groups)
        if key not in self._union_trees:
            if len(self._union_trees) >= MAX_CACHED_TREES:
                self._union_trees.pop(next(iter(self._union_trees)))
            ids = np.flatnonzero(np.isin(self._groups, list(key)))
            self._union_trees[key] = (ids, self._tree(self._vectors[ids]) if len(ids) else None)
        ids, tree = self._union_trees[key]
        return (ids, tree) if len(ids) else None

    def __len__(self) -> int:
        return len(self._lats)

    def prepare(self, groups: Collection[str]) -> None:
        """Build the tree of these groups ahead of the first query that asks for them."""
        if self._all is not None:
            self._subset(groups)

    def query(self, lat: float, lon: float, k: int, groups: Collection[str] | None = None) -> list[tuple[int, float]]:
        """(point id, metres) of the k nearest points, nearest first; only points of `groups` when given."""
        check_coordinates(lat, lon)
        if k <= 0 or self._all is None:
            return []
        part = self._all if groups is None else self._subset(groups)
        if part is None:
            return []
        ids, tree = part
        phi, lam = math.radians(lat), math.radians(lon)
        target = (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))
        chosen = ids[np.atleast_1d(tree.query(target, k=min(k, len(ids)))[1])]
        distances = haversine_m(lat, lon, self._lats[chosen], self._lons[chosen])
        order = np.lexsort((chosen, distances))[:k]
        return [(int(chosen[i]), float(distances[i])) for i in order]
