"""`python -m bot` runs the elderbot command."""
import sys

from bot.channels.cli.main import main

sys.exit(main())
