"""``python -m course COMMAND``: see :mod:`course.tools`."""

import sys

from .tools import main

if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C: a word, not a traceback (grade keeps its journal and says so)
        print("\nstopped (Ctrl-C)", file=sys.stderr)
        sys.exit(130)
