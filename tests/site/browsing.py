"""What a visitor's browser sees of a built site: console errors, broken links and images, alt text, the search
box, and an axe-core audit (WCAG 2.1 A and AA rules). Used by test_site.py on the course and on the fixture."""

import html.parser
from pathlib import Path
import re
from urllib.parse import unquote, urlsplit

from course_utils.plotting import MIN_ALT_WORDS

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGE_READY = """() => document.readyState === "complete"
    && (!window.MathJax || !window.MathJax.startup || window.MathJax.startup.document !== undefined)"""


def pages(site_dir):
    """Every HTML page of the site, as paths relative to its root."""
    return sorted(p.relative_to(site_dir).as_posix() for p in Path(site_dir).rglob("*.html"))


class _Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("id", "name") and value:
                self.ids.add(value)


_ID_CACHE = {}


def anchors(path):
    if path not in _ID_CACHE:
        parser = _Ids()
        parser.feed(Path(path).read_text(errors="replace"))
        _ID_CACHE[path] = parser.ids
    return _ID_CACHE[path]


def open_page(page, url):
    """Load ``url``; return the console errors and failed requests seen while it loaded and settled."""
    errors = []
    page.on("console", lambda message: errors.append(f"console {message.type}: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: errors.append(f"request failed: {request.url}"))
    page.on("response", lambda response: errors.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400 else None)
    page.goto(url, wait_until="load")
    page.wait_for_function(PAGE_READY)
    # MathJax typesets after load; wait for it, so that its errors (a missing font, say) are seen too.
    page.evaluate("""async () => { if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
        await MathJax.startup.promise; } }""")
    page.wait_for_timeout(200)
    # A formula MathJax cannot typeset (a "$" misread as the start of maths, "Misplaced &") shows in red.
    for message in page.eval_on_selector_all("mjx-merror", "nodes => nodes.map(n => n.getAttribute('data-mjx-error')"
                                             " || n.textContent)"):
        errors.append(f"MathJax error: {message}")
    return errors


def link_problems(page, site_dir, base, page_path):
    """Internal links (and images) of the open page whose file, or whose #fragment, does not exist."""
    targets = page.evaluate("""() => [
        ...[...document.querySelectorAll('a[href]')].map(a => ['link', a.href]),
        ...[...document.querySelectorAll('img')].map(i => ['image', i.currentSrc || i.src]),
        ...[...document.querySelectorAll('link[href], script[src]')].map(e => ['asset', e.href || e.src]),
    ]""")
    problems = []
    for kind, url in targets:
        if not url.startswith(base + "/"):
            continue  # an external link: not followed (the site is read offline)
        parts = urlsplit(url)
        relative = unquote(parts.path).lstrip("/")
        target = Path(site_dir) / relative
        if relative == "" or relative.endswith("/"):
            target = target / "index.html"
        if not target.is_file():
            problems.append(f"{kind} to {relative or '/'} from {page_path}: no such file")
        elif kind == "link" and parts.fragment and target.suffix == ".html":
            if unquote(parts.fragment) not in anchors(target):
                problems.append(f"link to {relative}#{parts.fragment} from {page_path}: no such anchor")
    broken = page.evaluate("""() => [...document.images]
        .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'))""")
    problems += [f"image {src} on {page_path} did not load" for src in broken]
    return problems


def alt_problems(page, page_path):
    """Images whose alt text is missing, empty, a file name, or too short to say what the figure shows.

    Decorative images (role="presentation" or aria-hidden) need no words; the theme's logo has none.
    """
    images = page.evaluate("""() => [...document.images]
        .filter(i => i.getAttribute('role') !== 'presentation' && i.getAttribute('aria-hidden') !== 'true')
        .map(i => [i.getAttribute('src'), i.getAttribute('alt')])""")
    problems = []
    for src, alt in images:
        if alt is None or not alt.strip():
            problems.append(f"{page_path}: image {src} has no alt text")
        elif re.search(r"\.(png|jpe?g|svg|gif)$", alt.strip()) or alt.strip() == src:
            problems.append(f"{page_path}: image {src} has a file name as alt text (the figure has no description)")
        elif src.startswith(("../_images/", "_images/")) and len(alt.split()) < MIN_ALT_WORDS:
            problems.append(f"{page_path}: figure {src} has too short an alt text: {alt!r}")
    return problems


def axe_violations(page, axe_source):
    """Violations of axe-core's WCAG 2.0/2.1 A and AA rules on the open page, one line each."""
    page.add_script_tag(content=axe_source)
    result = page.evaluate("""async (tags) => await axe.run(document,
        {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""", AXE_TAGS)
    lines = []
    for violation in result["violations"]:
        targets = [" ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
                   for node in violation["nodes"][:3]]
        lines.append(f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} elements, "
                     f"e.g. {targets}): {violation['help']}")
    return lines


def search_results(page, base, term):
    """The pages (relative paths) that the site's own search lists for ``term``."""
    page.goto(f"{base}/search.html?q={term}", wait_until="load")
    page.wait_for_function("""() => {
        const summary = document.querySelector('#search-results .search-summary, #search-results p');
        return summary && summary.textContent.trim().length > 0 && !/Preparing search|Searching/.test(summary.textContent);
    }""", timeout=30_000)
    hrefs = page.evaluate("""() => [...document.querySelectorAll('#search-results li a')].map(a => a.href)""")
    return sorted({unquote(urlsplit(h).path).lstrip("/") for h in hrefs})


def distinctive_terms(chapters):
    """For each chapter ({id: Markdown text}), a word of 7 letters or more found in it and in no other chapter
    (the most frequent such word; ties alphabetically), so that a search for it must find that chapter."""
    def words(text):
        text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|\([^)]*\)\]|https?://\S+", " ", text, flags=re.S)
        return re.findall(r"\b[a-z]{7,}\b", text.lower())

    counts = {chapter: {} for chapter in chapters}
    for chapter, text in chapters.items():
        for word in words(text):
            counts[chapter][word] = counts[chapter].get(word, 0) + 1
    terms = {}
    for chapter in chapters:
        others = set().union(*(counts[c] for c in chapters if c != chapter))
        unique = [(-n, w) for w, n in counts[chapter].items() if w not in others]
        terms[chapter] = min(unique)[1] if unique else None
    return terms
