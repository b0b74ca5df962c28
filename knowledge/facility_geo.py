"""Nearest places on the globe: haversine distances and a vectorised nearest-k index per group (type)."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

import numpy as np

EARTH_RADIUS_M = 6_371_008.8


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
    """Points as unit vectors, split by group: the nearest k are the k largest dot products (one mat-vec
    and one argpartition per group asked for), then exact haversine distances for those k."""

    def __init__(self, lats: Sequence[float], lons: Sequence[float], groups: Sequence[str]) -> None:
        if not (len(lats) == len(lons) == len(groups)):
            raise ValueError("lats, lons and groups must have the same length")
        self._lats = np.asarray(lats, dtype=np.float64)
        self._lons = np.asarray(lons, dtype=np.float64)
        vectors = _unit_vectors(self._lats, self._lons)
        group_array = np.asarray(groups, dtype=object)
        self._all = (np.arange(len(groups)), vectors)
        self._by_group: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for group in dict.fromkeys(groups):
            ids = np.flatnonzero(group_array == group)
            self._by_group[group] = (ids, np.ascontiguousarray(vectors[ids]))

    def __len__(self) -> int:
        return len(self._lats)

    def query(self, lat: float, lon: float, k: int, groups: Collection[str] | None = None) -> list[tuple[int, float]]:
        """(point id, metres) of the k nearest points, nearest first; only points of `groups` when given."""
        check_coordinates(lat, lon)
        if k <= 0:
            return []
        target = _unit_vectors(np.array([lat]), np.array([lon]))[0]
        parts = [self._all] if groups is None else [self._by_group[g] for g in groups if g in self._by_group]
        candidates: list[np.ndarray] = []
        for ids, vectors in parts:
            if len(ids) == 0:
                continue
            dots = vectors @ target
            if len(ids) > k:
                best = np.argpartition(-dots, k - 1)[:k]
                candidates.append(ids[best])
            else:
                candidates.append(ids)
        if not candidates:
            return []
        chosen = np.concatenate(candidates)
        distances = haversine_m(lat, lon, self._lats[chosen], self._lons[chosen])
        order = np.lexsort((chosen, distances))[:k]
        return [(int(chosen[i]), float(distances[i])) for i in order]
