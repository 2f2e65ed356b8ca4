"""A local emulation of the Streamkap API, for demos, tests and reproducing incidents.

    python -m streamkap_sdk.sandbox --port 0        # prints the URL it listens on

The server (`Sandbox`, and the command above) needs the `sandbox` extra (FastAPI + uvicorn);
without it, importing `Sandbox` raises MissingDependencyError (an ImportError) saying so. The
behaviour lives in `Engine`, which needs neither and which the in-process fake in
`streamkap_sdk.testing` shares.
"""

from ._engine import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Engine, Fault, Reply

__all__ = ["DEFAULT_CLIENT_ID", "DEFAULT_CLIENT_SECRET", "Engine", "Fault", "Reply", "Sandbox"]


def __getattr__(name: str) -> object:
    # The server needs the optional extra; import it only when asked for (without the extra,
    # this raises MissingDependencyError, an ImportError naming the `pip install` to run).
    if name == "Sandbox":
        from ._server import Sandbox

        return Sandbox
    raise AttributeError(name)
