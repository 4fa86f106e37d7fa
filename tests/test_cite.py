"""lrnn_theory.cite: BibTeX for the package and the papers, checked against CITATION.cff."""
import re
from pathlib import Path

import pytest

import lrnn_theory as lt
from lrnn_theory.cite import ENTRIES

CFF = (Path(__file__).resolve().parents[1] / "CITATION.cff").read_text(encoding="utf-8")


def _field(entry: str, name: str) -> str:
    m = re.search(rf"^\s*{name}\s*=\s*\{{(.*)\}},?\s*$", entry, flags=re.M)
    assert m, f"field {name} missing in\n{entry}"
    return m.group(1)


def _cff_references():
    """(title, arXiv id) of every reference in CITATION.cff, parsed independently of cite.py."""
    titles = re.findall(r'^\s+title: "(.+)"$', CFF, flags=re.M)
    ids = re.findall(r'value: "arXiv:([0-9.]+)"', CFF)
    return dict(zip(titles[-len(ids):], ids, strict=True))


@pytest.mark.parametrize("key, first_author", [("core", "Proca"), ("memory", "Zucchet"), ("merging", "van Rossem")])
def test_paper_entries_match_citation_cff(key, first_author):
    entry = lt.cite(key)
    refs = _cff_references()
    title = _field(entry, "title")
    assert title in refs, f"{title!r} not among CITATION.cff references {list(refs)}"
    assert _field(entry, "eprint") == refs[title]
    assert _field(entry, "author").startswith(first_author)


def test_package_entry_version_matches_cff_and_package():
    cff_version = re.search(r'^version: "(.+)"$', CFF, flags=re.M).group(1)
    assert _field(lt.cite("package"), "version") == cff_version == lt.__version__


def test_default_concatenates_every_entry_with_balanced_braces():
    text = lt.cite()
    assert text.count("@") == len(ENTRIES) == 4
    for key in ENTRIES:
        assert lt.cite(key) in text
    for entry in text.split("\n\n"):
        assert entry.count("{") == entry.count("}"), entry
        assert re.match(r"^@\w+\{[a-z0-9_]+,$", entry.splitlines()[0])


def test_extension_keys_are_distinct_papers():
    assert "zucchet" in lt.cite("memory").splitlines()[0]
    assert "vanrossem" in lt.cite("merging").splitlines()[0]
    assert lt.cite("memory") != lt.cite("merging")


def test_unknown_key_names_the_valid_keys():
    with pytest.raises(ValueError, match="key") as err:
        lt.cite("proca")
    for key in ENTRIES:
        assert repr(key) in str(err.value)
    with pytest.raises(TypeError, match="key"):
        lt.cite(3)
