"""Text that came from a submission, made safe to print in a terminal and to draw in a figure.

File and folder names, failure messages and notes can hold anything a student typed: ANSI escapes and
carriage returns that would forge lines of the summary, or matplotlib mathtext (``$\\unknown$``) that
would stop the report. :func:`safe` writes every control character as an escape (``\\x1b``, ``\\r``).
"""

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe(text, limit=2000):
    """``text`` with control characters escaped and cut to ``limit`` characters."""
    text = str(text)
    if len(text) > limit:
        text = text[:limit] + "..."
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
