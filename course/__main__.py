"""``python -m course COMMAND``: see :mod:`course.tools`."""

import sys

from .tools import main

if __name__ == "__main__":
    sys.exit(main())
