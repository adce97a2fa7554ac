"""`python -m migkaitai FILE`: see migkaitai.cli."""
import sys

from migkaitai.cli import main

sys.exit(main())
