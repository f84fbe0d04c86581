"""``python -m xietong`` runs the ``xietong`` command."""

from xietong.cli import main

main()
