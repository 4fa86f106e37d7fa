"""lrnn_theory: exact learning dynamics of linear recurrent neural networks."""
from ._version import __version__

__all__ = ["__version__"]
