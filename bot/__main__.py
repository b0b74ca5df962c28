"""`python -m bot` runs the elderbot command."""
import sys

from bot.cli import main

sys.exit(main())
