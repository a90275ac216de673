"""What the site's tests check, as plain functions, so the real course and the conforming fixture share them.

* Notebooks (Notebooks for All; WCAG 2.1 AA): every figure carries a text alternative (``plotting.show``),
  one level-1 heading and no skipped levels, categorical colours that colour-blind readers can tell apart,
  descriptive link text.
* The built site: no text between nbgrader's solution or hidden-test markers reaches it.
"""

import html
import importlib.util
import json
from pathlib import Path
import re

from course_utils.plotting import MIN_ALT_WORDS

ROOT = Path(__file__).resolve().parents[2]

# Colour maps whose neighbouring colours many colour-blind readers cannot tell apart, or that are not
# perceptually ordered; categories get e.g. matplotlib's "tableau-colorblind10" colours instead.
UNSAFE_COLOUR_MAPS = ("tab20", "tab20b", "tab20c", "jet", "rainbow", "hsv", "gist_rainbow")
VAGUE_LINK_TEXT = {"here", "click here", "this", "link", "this link", "more", "read more", "this page"}
MARKERS = {"solution": ("### BEGIN SOLUTION", "### END SOLUTION"),
           "hidden tests": ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")}
# A line of a solution shorter than this (without spaces) is too common to be a leak by itself ("return x").
MIN_SECRET_CHARS = 16


def load_site_builder():
    """site/build.py as a module (a folder named "site" cannot be imported: it is a standard module's name)."""
    spec = importlib.util.spec_from_file_location("course_site_build", ROOT / "site" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- notebooks ------------------------------------------------------------------------------------------------

def figure_alt_problems(nb):
    """Figures without a text alternative, and figures shown by ``plt.show()`` (which cannot carry one)."""
    problems = []
    for number, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if re.search(r"\bplt\.show\(", cell.source):
            problems.append(f"cell {number}: plt.show() shows a figure without alt text; use plotting.show(alt, fig)")
        for output in cell.get("outputs", []):
            for mime in output.get("data", {}):
                if not mime.startswith("image/"):
                    continue
                alt = output.get("metadata", {}).get(mime, {}).get("alt")
                if not isinstance(alt, str) or len(alt.split()) < MIN_ALT_WORDS:
                    problems.append(f"cell {number}: a {mime} figure without alt text "
                                    f"(at least {MIN_ALT_WORDS} words in its output metadata)")
                elif output["data"].get("text/plain") != alt:
                    problems.append(f"cell {number}: the figure's plain-text form is not its alt text")
    return problems


def markdown_headings(source):
    """(level, text) of every ATX heading of a Markdown cell, outside fenced code blocks."""
    headings, fenced = [], False
    for line in source.splitlines():
        if re.match(r"\s*(```|~~~)", line):
            fenced = not fenced
            continue
        match = None if fenced else re.match(r"(#{1,6})\s+(.+?)\s*#*\s*$", line)
        if match:
            headings.append((len(match.group(1)), match.group(2)))
    return headings


def heading_problems(nb):
    """One level-1 heading, first; each heading at most one level deeper than the one before."""
    headings = [h for cell in nb.cells if cell.cell_type == "markdown" for h in markdown_headings(cell.source)]
    problems = []
    level_1 = [text for level, text in headings if level == 1]
    if len(level_1) != 1:
        problems.append(f"{len(level_1)} level-1 headings (one expected): {level_1}")
    if headings and headings[0][0] != 1:
        problems.append(f"the first heading is level {headings[0][0]}: {headings[0][1]!r}")
    for (before, _), (level, text) in zip(headings, headings[1:]):
        if level > before + 1:
            problems.append(f"heading level skipped (h{before} to h{level}) at {text!r}")
    return problems


def colour_problems(nb):
    """Colour maps that are unsafe for colour-blind readers, named in code."""
    problems = []
    for number, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            for name in UNSAFE_COLOUR_MAPS:
                if re.search(rf"""["']{name}["']|cm\.{name}\b""", cell.source):
                    problems.append(f"cell {number}: colour map {name!r}")
    return problems


def link_text_problems(nb):
    """Markdown links whose text says nothing about where they go ("here", a bare address)."""
    problems = []
    for number, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for text, target in re.findall(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)[^)]*\)", cell.source):
            plain = text.strip().strip("*_").lower()
            if plain in VAGUE_LINK_TEXT or re.match(r"https?://", plain):
                problems.append(f"cell {number}: link text {text!r} (to {target}) does not say where it goes")
    return problems


# --- solutions must not reach the site -------------------------------------------------------------------------

def _normalise(text):
    return re.sub(r"\s+", " ", text).strip()


def secret_lines(solution_nb, public_nbs, public_texts=()):
    """Lines between solution or hidden-test markers that appear in none of the student notebooks
    ``public_nbs`` and none of the authored pages ``public_texts`` (a line that also stands in a demonstration,
    an exercise text or the README's guidelines is public anyway)."""
    public = "\n".join([_normalise(line) for nb in public_nbs for cell in nb.cells
                         for line in cell.source.splitlines()]
                        + [_normalise(line) for text in public_texts for line in text.splitlines()])
    secrets = []
    for cell in solution_nb.cells:
        inside = None
        for line in cell.source.splitlines():
            stripped = line.strip()
            begin = [kind for kind, (start, _) in MARKERS.items() if stripped == start]
            if begin:
                inside = begin[0]
                continue
            if inside and stripped == MARKERS[inside][1]:
                inside = None
                continue
            text = _normalise(line)
            if inside and len(text.replace(" ", "")) >= MIN_SECRET_CHARS and text not in public:
                secrets.append((inside, text))
    return secrets


def published_text(site_dir):
    """Everything a visitor of the site can read: page text (tags removed, entities decoded), scripts and data
    files, and the sources of the notebooks offered for download, as one whitespace-normalised string per file."""
    texts = {}
    for path in sorted(Path(site_dir).rglob("*")):
        if not path.is_file() or path.suffix in {".png", ".jpg", ".svg", ".woff", ".woff2", ".ttf", ".ico",
                                                  ".eot", ".gif", ".inv"}:
            continue
        raw = path.read_text(errors="replace")
        if path.suffix == ".ipynb":
            raw = "\n".join("".join(cell["source"]) for cell in json.loads(raw)["cells"])
        elif path.suffix in {".html", ".htm"}:
            raw = html.unescape(re.sub(r"<[^>]+>", "", raw))
        texts[path.relative_to(site_dir).as_posix()] = _normalise(raw)
    return texts


def leaks(secrets, texts):
    """(kind, secret line, file) for every secret line found in a published file; markers count too."""
    found = [(kind, secret, name) for kind, secret in secrets for name, text in texts.items() if secret in text]
    # The markers themselves: the instructors' page explains them, so only chapters and notebooks are searched.
    for kind, pair in MARKERS.items():
        for marker in pair:
            found += [(kind, marker, name) for name, text in texts.items()
                      if name.startswith(("chapters/", "notebooks/")) and marker in text]
    return found
