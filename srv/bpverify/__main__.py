import sys

from bpverify.cli import main

sys.exit(main())
