"""Autograde every collected submission of one or all assignments, in parallel and isolated.

    python tools/autograde_class.py [ASSIGNMENT ...] --jobs N [--timeout S] [--memory 4G] [--output-limit 2M]

Run from the course root. See ``python tools/autograde_class.py --help`` and the
README's instructor section; the implementation is the package ``tools/classgrading/``.
"""

from pathlib import Path
import sys

sys.path.insert(0, str(Path(__file__).resolve().parent))

from classgrading.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
