"""Sphinx configuration of the course website (built by ``site/build.py``; see its docstring).

Why Sphinx + sphinx-book-theme + MyST-NB: they turn the committed notebooks, with their stored outputs, into
a searchable book with no network at build or view time (MathJax is served from the site itself by
sphinx-mathjax-offline; the search index is Sphinx's own). Jupyter Book 2 (mystmd) would fetch its theme
from the internet at build time.
"""

import json
from pathlib import Path

from myst_nb.core.render import NbElementRenderer

HERE = Path(__file__).resolve().parent
CHAPTERS = json.loads((HERE / "chapters.json").read_text()) if (HERE / "chapters.json").is_file() else []

project = "Embeddings: an open course"
author = "the course authors"
copyright = "the course authors"  # no year: the output does not depend on the build date
language = "en"

extensions = ["myst_nb", "sphinx-mathjax-offline"]
exclude_patterns = ["README.md", "outline.md", "extra", "chapters.json", "**.ipynb_checkpoints"]
suppress_warnings = ["myst.header"]  # the instructor and contributor pages start at the README's level 2

# Notebooks: never executed here, shown with the outputs stored in the solution notebooks.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
# Jupyter renders $$...$$ inside a paragraph (also over several lines) as display maths; so must the site.
myst_dmath_double_inline = True
myst_heading_anchors = 3

html_theme = "sphinx_book_theme"
html_title = "Embeddings: an open course"
templates_path = ["_templates"]
html_static_path = []
html_extra_path = ["extra"]  # notebooks/NN_topic.ipynb: the student notebooks, for download
html_copy_source = False  # the pages' sources are assembled for the site; students download notebooks/
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "navigation_with_keys": False,
}
# Light or dark as the reader's system prefers (left unset, the theme logs a console error on a first visit).
html_context = {"default_mode": "auto"}


def _render_image_with_alt(render_image):
    """MyST-NB takes an image's width and height from the output's metadata but not its alt text; the course
    puts the figure's description there (course_utils.plotting.show), so the image gets it as its alt."""
    def render(self, data):
        image_nodes = render_image(self, data)
        alt = data.output_metadata.get(data.mime_type, {}).get("alt")
        if isinstance(alt, str) and alt.strip():
            for node in image_nodes:
                node["alt"] = alt.strip()
        return image_nodes

    return render


NbElementRenderer.render_image = _render_image_with_alt(NbElementRenderer.render_image)


def student_notebook_buttons(app, pagename, templatename, context, doctree):
    """The download menu offers the student notebook (chapters) and printing; the theme's own entries would
    point at page sources, which the site does not publish."""
    pathto = context["pathto"]
    buttons = []
    chapter = pagename.split("/", 1)[1] if pagename.startswith("chapters/") else None
    if chapter in CHAPTERS:
        buttons.append({"type": "link", "url": pathto(f"notebooks/{chapter}.ipynb", 1), "text": ".ipynb",
                        "icon": "fas fa-code", "tooltip": "Download the student notebook",
                        "label": "download-notebook-button"})
    buttons.append({"type": "javascript", "javascript": "window.print()", "text": ".pdf",
                    "tooltip": "Print to PDF", "icon": "fas fa-file-pdf", "label": "download-pdf-button"})
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"] = buttons


def setup(app):
    app.connect("html-page-context", student_notebook_buttons, priority=600)
