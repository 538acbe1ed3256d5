"""python -m utils.site [FOLDER]: build the course's static site."""

import sys

from utils.site import main

sys.exit(main())
