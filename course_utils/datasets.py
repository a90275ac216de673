"""Datasets shipped with the course, found from any working directory (all notebooks).

nbgrader executes submissions in ``autograded/<student>/<assignment>/``, so
nothing here depends on the current directory: files are looked up in the
repository's ``data/`` folder next to this package (an editable install), or
in the folder named by the ``COURSE_DATA_DIR`` environment variable.
Nothing is ever downloaded; ``data/README.md`` gives each file's provenance
and licence.
"""

import csv
import lzma
from numbers import Integral
import os
from pathlib import Path

import numpy as np

__all__ = ["data_dir", "data_path", "load_corpus", "load_corpus_entries", "load_shakespeare_term_document",
           "load_shakespeare_document_frequency", "load_term_context_example"]


def data_dir():
    """The folder holding the course's data files."""
    override = os.environ.get("COURSE_DATA_DIR")
    folder = Path(override) if override else Path(__file__).resolve().parent.parent / "data"
    if not folder.is_dir():
        hint = ("COURSE_DATA_DIR points to a folder that does not exist" if override else
                "install the course with `pip install -e .` from a clone of the repository, "
                "or set COURSE_DATA_DIR to its data/ folder")
        raise FileNotFoundError(f"The course data folder {folder} was not found: {hint}.")
    return folder


def data_path(name):
    """Path of the data file ``name`` (relative to ``data/``); a clear error if it is missing."""
    path = data_dir() / name
    if not path.exists():
        available = sorted(p.name for p in data_dir().iterdir() if not p.name.startswith("."))
        raise FileNotFoundError(f"No data file {name!r} in {data_dir()}; available: {', '.join(available)}.")
    return path


# ---------------------------------------------------------------------------------------------------------------
# Notebook 05: text
# ---------------------------------------------------------------------------------------------------------------

CORPUS_FILE = "wordnet_glosses.tsv.xz"


def load_corpus_entries(n_entries=None):
    """The corpus of notebook 05 as raw entries: a list of ``(pos, lemmas, gloss)`` tuples (one per synset).

    The corpus is every synset of Princeton WordNet 3.0 (117,659 of them): ``pos`` is n, v, a, s (satellite
    adjective) or r (adverb), ``lemmas`` the list of words that share the meaning, ``gloss`` its definition with
    example sentences. The entries are in a fixed shuffled order, so the first ``n_entries`` are a fair sample.
    Built by ``data/build_corpus.py``; licence and provenance in ``data/README.md``.
    """
    if n_entries is not None and (not isinstance(n_entries, Integral) or n_entries < 1):
        raise ValueError(f"n_entries must be None or a positive integer, got {n_entries!r}")
    entries = []
    with lzma.open(data_path(CORPUS_FILE), "rt", encoding="utf-8") as handle:
        for line in handle:
            pos, lemmas, gloss = line.rstrip("\n").split("\t")
            entries.append((pos, lemmas.split(", "), gloss))
            if n_entries is not None and len(entries) == n_entries:
                break
    return entries


def load_corpus(n_sentences=None):
    """The corpus of notebook 05, tokenised: a list of sentences, each a list of lowercase tokens.

    One sentence per WordNet synset: its lemmas followed by its gloss, e.g. ``['king', 'male', 'monarch',
    'rex', 'a', 'male', 'sovereign', 'ruler', 'of', 'a', 'kingdom']``. All 117,659 sentences hold about
    1.7 million tokens; ``n_sentences`` takes the first ones (a fair sample: the order is shuffled).
    Tokens come from :func:`course_utils.text.tokenize`.
    """
    from course_utils.text import tokenize

    return [tokenize(" ".join(lemmas) + " " + gloss) for _, lemmas, gloss in load_corpus_entries(n_sentences)]


def load_shakespeare_term_document():
    """Jurafsky & Martin's term-document counts for four Shakespeare plays.

    Returns ``(counts, terms, documents)``: ``counts`` is a 4 x 4 int array with one row per term
    (battle, good, fool, wit) and one column per play (As You Like It, Twelfth Night, Julius Caesar,
    Henry V), the orientation of the book's figure 6.2.
    """
    terms, documents, counts = _read_table("shakespeare_term_document.csv")
    return counts, terms, documents


def _read_table(name):
    """A small CSV table: (row labels, column labels, int array of the values)."""
    with open(data_path(name), newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    columns = rows[0][1:]
    labels = [row[0] for row in rows[1:]]
    values = np.array([[int(v) for v in row[1:]] for row in rows[1:]], dtype=np.int64)
    return labels, columns, values


def load_shakespeare_document_frequency():
    """In how many of Shakespeare's 37 plays each of the four terms occurs (Jurafsky & Martin's idf example).

    Returns ``(document_frequency, terms, n_documents)``: ``document_frequency`` is an int array in the order of
    the terms of :func:`load_shakespeare_term_document` (battle 21, good 37, fool 36, wit 34) and
    ``n_documents`` is 37, the number of plays they are counted over.
    """
    terms, _, values = _read_table("shakespeare_document_frequency.csv")
    n_documents = {int(n) for n in values[:, 1]}
    if len(n_documents) != 1:
        raise ValueError("shakespeare_document_frequency.csv: every term must be counted over the same plays")
    return values[:, 0], terms, n_documents.pop()


def load_term_context_example():
    """Jurafsky & Martin's term-context counts: four words (rows) by five context words (columns).

    Returns ``(counts, words, contexts)``: how often *computer*, *data*, *result*, *pie* and *sugar* occur
    near *cherry*, *strawberry*, *digital* and *information* in Wikipedia, as a 4 x 5 int array, the table of
    the current edition's cosine and PPMI examples. (An earlier draft, the one the lecture notes use, had
    *apricot* and *pineapple* in place of *cherry* and *strawberry*.)
    """
    words, contexts, counts = _read_table("jurafsky_martin_term_context.csv")
    return counts, words, contexts
