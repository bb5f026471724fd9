"""``python -m gradviz``: the same as the ``gradviz`` command (see ``gradviz.cli``)."""

import sys

from gradviz.cli import main

sys.exit(main())
