import sys

from engine.cli import main

if __name__ == "__main__":  # not in the worker processes that spawn re-imports this module in (Dask, DataLoader)
    sys.exit(main())
