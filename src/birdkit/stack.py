"""Room for deep syntax trees: walks of a config nested as deep as BIRD allows run on a thread with a large stack."""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from birdkit.errors import ResourceError

#: Python frames a walk may nest: BIRD's parser allows about 10,000 nested expressions, and a walk takes a few
#: frames per level
RECURSION_LIMIT = 60_000
#: the C stack of the walking thread; Python frames that go through C code (comparisons, repr) use it
STACK_BYTES = 256 << 20

_P = ParamSpec("_P")
_T = TypeVar("_T")
_local = threading.local()
_starting = threading.Lock()


def deep_stack(function: Callable[_P, _T]) -> Callable[_P, _T]:
    """``function`` run on a thread with :data:`STACK_BYTES` of stack and :data:`RECURSION_LIMIT` frames
    (directly when already on such a thread); its result or exception comes back to the caller."""

    @functools.wraps(function)
    def on_deep_stack(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        if getattr(_local, "deep", False):
            return function(*args, **kwargs)
        outcome: list[_T] = []
        failure: list[BaseException] = []

        def run() -> None:
            _local.deep = True
            try:
                outcome.append(function(*args, **kwargs))
            except BaseException as error:  # handed to the caller's thread, re-raised there
                failure.append(error)

        with _starting:
            if sys.getrecursionlimit() < RECURSION_LIMIT:
                sys.setrecursionlimit(RECURSION_LIMIT)
            previous = threading.stack_size(STACK_BYTES)
            try:
                worker = threading.Thread(target=run, name=f"birdkit-{function.__name__}", daemon=True)
                worker.start()
            except RuntimeError as error:  # the address space (ulimit -v) has no room for the stack
                raise ResourceError(
                    f"cannot start a thread with a {STACK_BYTES >> 20} MiB stack for deep input: {error}",
                    hint="raise the address-space limit (ulimit -v) or free memory",
                ) from None
            finally:
                threading.stack_size(previous)
        worker.join()
        if failure:
            raise failure[0].with_traceback(failure[0].__traceback__)
        return outcome[0]

    return on_deep_stack
