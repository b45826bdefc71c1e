"""Entry point of ``python -m sim``."""
import sys

from .allocator import tune
from .cli import main

tune()
sys.exit(main())
