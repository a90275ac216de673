"""course_utils.datasets: the shipped data are found from anywhere and hold what data/README.md says."""

import importlib.util
import os
from pathlib import Path
import subprocess
import sys

import numpy as np
import pytest

from course_utils import datasets

ROOT = Path(__file__).resolve().parents[2]


def test_corpus_is_real_english_of_over_a_million_tokens():
    sentences = datasets.load_corpus()
    n_tokens = sum(len(s) for s in sentences)
    assert len(sentences) == 117_659                  # every WordNet 3.0 synset
    assert n_tokens == 1_750_534 and n_tokens >= 1_000_000
    assert all(isinstance(t, str) and t == t.lower() for t in sentences[0])
    vocabulary = {t for s in sentences for t in s}
    for word in ["king", "queen", "france", "paris", "red", "dog", "music", "run"]:
        assert word in vocabulary


def test_corpus_file_is_small_and_documented():
    path = datasets.data_path(datasets.CORPUS_FILE)
    assert path.stat().st_size < 5_000_000
    readme = (ROOT / "data" / "README.md").read_text()
    for needed in [datasets.CORPUS_FILE, "shakespeare_term_document.csv", "Licence", "WordNet 3.0 Copyright 2006"]:
        assert needed in readme


def test_corpus_slices_and_entries_agree():
    entries = datasets.load_corpus_entries(3)
    sentences = datasets.load_corpus(3)
    assert len(entries) == len(sentences) == 3
    for (pos, lemmas, gloss), sentence in zip(entries, sentences):
        assert pos in {"n", "v", "a", "s", "r"}
        assert isinstance(lemmas, list) and lemmas and gloss
        assert sentence[: len(lemmas[0].split())] == lemmas[0].lower().split()
    with pytest.raises(ValueError, match="n_entries"):
        datasets.load_corpus_entries(0)


def test_build_script_parses_wordnet_lines():
    spec = importlib.util.spec_from_file_location("build_corpus", ROOT / "data" / "build_corpus.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    line = ("00002312 00 a 02 abaxial 0 dorsal(p) 4 002 ;c 06037666 n 0000 ! 00002527 a 0101 | facing away from "
            "the axis of an organ or organism; \"the abaxial surface of a leaf\"  ")
    assert build.parse_data_line(line) == ("a", ["abaxial", "dorsal"],
                                           "facing away from the axis of an organ or organism; "
                                           "\"the abaxial surface of a leaf\"")
    assert build.parse_data_line("  1 This software and database is being provided") is None
    entry = build.parse_data_line("09876543 18 n 02 Rex 0 male_monarch 0 000 | a male sovereign")
    assert entry == ("n", ["Rex", "male monarch"], "a male sovereign")


def test_shakespeare_counts_are_jurafsky_and_martins():
    counts, terms, documents = datasets.load_shakespeare_term_document()
    assert terms == ["battle", "good", "fool", "wit"]
    assert documents == ["As You Like It", "Twelfth Night", "Julius Caesar", "Henry V"]
    # Speech and Language Processing, 3rd ed. draft, figure 6.2
    np.testing.assert_array_equal(counts, [[1, 0, 7, 13], [114, 80, 62, 89], [36, 58, 1, 4], [20, 15, 2, 3]])
    assert counts.dtype.kind == "i"


def test_shakespeare_document_frequencies_are_over_37_plays():
    df, terms, n_documents = datasets.load_shakespeare_document_frequency()
    counts, count_terms, _ = datasets.load_shakespeare_term_document()
    assert terms == count_terms and n_documents == 37
    # Speech and Language Processing, 3rd ed. draft, the tf-idf section: battle 21, good 37, fool 36, wit 34
    np.testing.assert_array_equal(df, [21, 37, 36, 34])
    assert np.all(df >= (counts > 0).sum(axis=1)), "a term cannot occur in fewer plays than the four show"


def test_term_context_example_is_the_current_edition_table():
    counts, words, contexts = datasets.load_term_context_example()
    assert words == ["cherry", "strawberry", "digital", "information"]
    assert contexts == ["computer", "data", "result", "pie", "sugar"]
    assert counts.shape == (4, 5) and counts.dtype.kind == "i"
    assert counts.sum() == 11716                      # the total of the book's PPMI example
    # the book's cosines on (pie, data, computer): cherry-information .018, digital-information .996
    columns = [contexts.index(c) for c in ["pie", "data", "computer"]]
    unit = counts[:, columns] / np.linalg.norm(counts[:, columns], axis=1, keepdims=True)
    assert round(unit[0] @ unit[3], 3) == 0.018 and round(unit[2] @ unit[3], 3) == 0.996
    # and its PPMI(information, data) = .0944
    p = counts / counts.sum()
    ppmi = np.log2(p[3, 1] / (p[3].sum() * p[:, 1].sum()))
    assert round(ppmi, 4) == 0.0944


def test_small_tables_are_documented():
    readme = (ROOT / "data" / "README.md").read_text()
    for name in ["shakespeare_document_frequency.csv", "jurafsky_martin_term_context.csv"]:
        assert f"`{name}`" in readme


def test_data_are_found_from_any_working_directory(tmp_path):
    code = ("from course_utils import datasets; c, t, d = datasets.load_shakespeare_term_document(); "
            "print(len(datasets.load_corpus(5)), c.sum())")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["5", "505"]


def test_course_data_dir_overrides_and_missing_files_are_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="shakespeare_term_document.csv"):
        datasets.load_shakespeare_term_document()
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="COURSE_DATA_DIR"):
        datasets.load_corpus(1)
    monkeypatch.delenv("COURSE_DATA_DIR")
    assert os.path.samefile(datasets.data_dir(), ROOT / "data")
