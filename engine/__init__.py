"""Clusterscope engine: data in, embeddings, clusters and scores out.

Plain Python and NumPy; nothing here imports Streamlit. The app and the CLI
both call :mod:`engine.api`.
"""

__version__ = "0.1.0"
