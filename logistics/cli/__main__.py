"""`python -m logistics.cli`."""

from logistics.cli import main

main()
