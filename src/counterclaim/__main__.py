"""`python -m counterclaim` runs the command line."""

from counterclaim.cli import main

main()
