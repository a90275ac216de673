"""Rebuild ``data/wordnet_glosses.tsv.xz``, the English corpus of notebook 05, from WordNet 3.0.

The corpus is every synset of Princeton WordNet 3.0 (nouns, verbs, adjectives, adverbs): its lemmas
(the words that share the meaning) and its gloss (a definition, often followed by example sentences
in quotes). WordNet's database files come with Debian's ``wordnet-base`` package::

    apt-get install wordnet-base          # installs /usr/share/wordnet/data.{noun,verb,adj,adv}
    python data/build_corpus.py           # or: python data/build_corpus.py --wordnet-dir DIR

Without installing it: ``apt-get download wordnet-base && dpkg-deb -x wordnet-base_*.deb /tmp/wn``
and pass ``--wordnet-dir /tmp/wn/usr/share/wordnet``.

Output: one synset per line, three tab-separated fields, xz-compressed (UTF-8)::

    pos <TAB> lemma, lemma, ... <TAB> gloss

``pos`` is WordNet's synset type (n, v, a, s = satellite adjective, r = adverb); lemmas have their
underscores turned into spaces and adjective markers such as ``(p)`` removed; the gloss is unchanged.
The lines are shuffled with a fixed seed, so that any prefix of the file (the slice the notebook
trains on) mixes all parts of speech and topics instead of following WordNet's alphabetical order
within lexicographer files. The build is deterministic: the same WordNet gives the same bytes.
"""

import argparse
import lzma
from pathlib import Path
import random
import re

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "wordnet_glosses.tsv.xz"
PARTS = ("noun", "verb", "adj", "adv")
ADJECTIVE_MARKER = re.compile(r"\((a|p|ip)\)$")
SEED = 20060101  # WordNet 3.0's release year, nothing more


def parse_data_line(line):
    """One line of a WordNet ``data.*`` file -> (pos, [lemmas], gloss), or None for the licence header."""
    if line.startswith("  "):
        return None
    fields, _, gloss = line.partition(" | ")
    parts = fields.split()
    pos = parts[2]
    n_words = int(parts[3], 16)
    lemmas = []
    for i in range(n_words):
        word = ADJECTIVE_MARKER.sub("", parts[4 + 2 * i]).replace("_", " ")
        if word not in lemmas:
            lemmas.append(word)
    return pos, lemmas, " ".join(gloss.split())


def read_wordnet(wordnet_dir):
    entries = []
    for part in PARTS:
        path = Path(wordnet_dir) / f"data.{part}"
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                entry = parse_data_line(line.rstrip("\n"))
                if entry is not None:
                    entries.append(entry)
    return entries


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wordnet-dir", default="/usr/share/wordnet", help="folder holding data.noun etc.")
    parser.add_argument("--output", default=str(OUTPUT))
    args = parser.parse_args(argv)
    entries = read_wordnet(args.wordnet_dir)
    random.Random(SEED).shuffle(entries)
    text = "".join(f"{pos}\t{', '.join(lemmas)}\t{gloss}\n" for pos, lemmas, gloss in entries)
    with lzma.open(args.output, "wt", encoding="utf-8", preset=9 | lzma.PRESET_EXTREME) as handle:
        handle.write(text)
    n_words = sum(len(line.split()) for line in text.splitlines())
    print(f"wrote {args.output}: {len(entries)} synsets, {n_words} whitespace-separated words, "
          f"{Path(args.output).stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
