"""``python -m xietong.cli`` runs the ``xietong`` command."""

from xietong.cli import main

main()
