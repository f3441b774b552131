"""``python -m mncost``: the same as the ``mncost`` command."""

from mncost.cli import main

main()
