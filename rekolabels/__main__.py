"""``python -m rekolabels``: the same command line as the ``rekolabels`` script."""

from ._cli import main

raise SystemExit(main())
