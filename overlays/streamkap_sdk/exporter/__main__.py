"""`python -m streamkap_sdk.exporter`: the same command as `streamkap-metrics serve`."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
