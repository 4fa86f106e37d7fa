"""BibTeX entries for the package and the papers it implements.

:func:`cite` returns ready-to-paste BibTeX.  The same information, in the
Citation File Format, is in ``CITATION.cff`` at the top of the repository.
"""
from __future__ import annotations

from ._version import __version__

__all__ = ["cite"]

_PACKAGE = f"""@software{{lrnn_theory,
  title   = {{lrnn\\_theory: exact learning dynamics of linear recurrent neural networks}},
  author  = {{{{lrnn\\_theory developers}}}},
  year    = {{2026}},
  version = {{{__version__}}},
  note    = {{Python package; mode ODEs, fixed points, phase transitions, tangent kernels and gradient-descent simulations}}
}}"""

_CORE = """@inproceedings{proca2025learning,
  title     = {Learning dynamics in linear recurrent neural networks},
  author    = {Proca, Alexandra M. and Domin{\\'e}, Cl{\\'e}mentine C. J. and Shanahan, Murray and Mediano, Pedro A. M.},
  booktitle = {Proceedings of the 42nd International Conference on Machine Learning (ICML)},
  series    = {Proceedings of Machine Learning Research},
  volume    = {267},
  pages     = {49860--49902},
  year      = {2025},
  eprint    = {2407.07279},
  archivePrefix = {arXiv}
}"""

_MEMORY = """@inproceedings{zucchet2024recurrent,
  title     = {Recurrent neural networks: vanishing and exploding gradients are not the end of the story},
  author    = {Zucchet, Nicolas and Orvieto, Antonio},
  booktitle = {Advances in Neural Information Processing Systems (NeurIPS)},
  volume    = {37},
  year      = {2024},
  eprint    = {2405.21064},
  archivePrefix = {arXiv}
}"""

_MERGING = """@inproceedings{vanrossem2025algorithm,
  title     = {Algorithm development in neural networks: insights from the streaming parity task},
  author    = {van Rossem, Loek and Saxe, Andrew M.},
  booktitle = {Proceedings of the 42nd International Conference on Machine Learning (ICML)},
  series    = {Proceedings of Machine Learning Research},
  volume    = {267},
  pages     = {60764--60791},
  year      = {2025},
  eprint    = {2507.09897},
  archivePrefix = {arXiv}
}"""

#: key -> BibTeX entry, in the order ``cite()`` concatenates them.
ENTRIES: dict[str, str] = {
    "package": _PACKAGE,
    "core": _CORE,
    "memory": _MEMORY,
    "merging": _MERGING,
}


def cite(key: str | None = None) -> str:
    """BibTeX for the package and the papers behind it.

    Parameters
    ----------
    key : {None, "package", "core", "memory", "merging"}, optional
        Which entry to return.  ``None`` (default) returns all four, separated
        by blank lines: the package itself; ``"core"`` the linear-RNN learning
        dynamics paper (Proca, Dominé, Shanahan & Mediano, ICML 2025);
        ``"memory"`` the curse-of-memory paper (Zucchet & Orvieto, NeurIPS
        2024) behind :mod:`lrnn_theory.memory`; ``"merging"`` the streaming
        parity / implicit state merging paper (van Rossem & Saxe, ICML 2025)
        behind :mod:`lrnn_theory.merging`.

    Returns
    -------
    str
        One or more BibTeX entries, each ending with ``}``.

    Raises
    ------
    TypeError
        If ``key`` is neither ``None`` nor a string.
    ValueError
        If ``key`` is not one of the valid keys; the message lists them.

    Examples
    --------
    >>> from lrnn_theory import cite
    >>> print(cite("memory").splitlines()[0])
    @inproceedings{zucchet2024recurrent,
    >>> cite().count("@")
    4
    >>> cite("unknown")
    Traceback (most recent call last):
    ...
    ValueError: key must be one of 'package', 'core', 'memory', 'merging' (or None for all); got 'unknown'

    See the documentation's :ref:`citing` page for the Citation File Format version.
    """
    if key is None:
        return "\n\n".join(ENTRIES.values())
    if not isinstance(key, str):
        raise TypeError(f"key must be None or a string, one of {', '.join(map(repr, ENTRIES))}; got {type(key).__name__}")
    if key not in ENTRIES:
        raise ValueError(f"key must be one of {', '.join(map(repr, ENTRIES))} (or None for all); got {key!r}")
    return ENTRIES[key]
