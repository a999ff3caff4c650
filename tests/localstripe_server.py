"""Run localstripe on 127.0.0.1 with a data file of our own.

localstripe keeps its state in one fixed pickle file in /tmp and listens on every interface;
the tests need neither. Usage: python tests/localstripe_server.py --port 8420 --data FILE
"""

from __future__ import annotations

import argparse
import pickle
from pathlib import Path

from aiohttp import web
from localstripe import resources
from localstripe.server import app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", type=Path, required=True)
    args = parser.parse_args()

    def dump(store: resources.Store) -> None:
        with args.data.open("wb") as handle:
            pickle.dump(dict(store), handle, protocol=pickle.HIGHEST_PROTOCOL)

    resources.Store.try_load_from_disk = lambda self: None  # always from scratch
    resources.Store.dump_to_disk = dump
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
