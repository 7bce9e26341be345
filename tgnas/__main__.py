"""``python -m tgnas`` (also what ``torchrun -m tgnas`` runs)."""

import sys

from tgnas.cli import main

sys.exit(main())
