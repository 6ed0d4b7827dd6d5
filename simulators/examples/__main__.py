import sys

from simulators.examples.record import main

sys.exit(main())
