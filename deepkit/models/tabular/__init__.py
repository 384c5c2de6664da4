"""Tabular networks: numerical feature embeddings, the TabM-mini efficient ensemble and the MLP
that carries them.

- ``embeddings``: ``PeriodicEmbedding`` (PLR), ``PiecewiseLinearEncoding`` (PLE) and
  ``quantile_edges``, the PLE's bins from training rows.
- ``ensemble``: ``EnsembleAdapter``, ``EnsembleDense`` and ``RandomSigns``, the layers of k heads
  sharing one backbone.
- ``networks``: the ``tabular_mlp`` builder, ``head_targets`` and ``head_mean``.

Every layer has its NumPy reference (``deepkit.reference.layers.embeddings_numeric`` and
``deepkit.reference.layers.ensemble``).
"""

from deepkit.models.tabular.embeddings import (
    PeriodicEmbedding,
    PiecewiseLinearEncoding,
    quantile_edges,
)
from deepkit.models.tabular.ensemble import EnsembleAdapter, EnsembleDense, RandomSigns
from deepkit.models.tabular.networks import head_mean, head_targets, heads_of, tabular_mlp

__all__ = [
    "EnsembleAdapter",
    "EnsembleDense",
    "PeriodicEmbedding",
    "PiecewiseLinearEncoding",
    "RandomSigns",
    "head_mean",
    "head_targets",
    "heads_of",
    "quantile_edges",
    "tabular_mlp",
]
