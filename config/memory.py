"""Memory-management helpers for the few code paths that build very large object graphs."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bounded piece of work.

    Building an explosion of 10,000 nodes creates some 100,000 objects that all stay alive until
    the response is written; every few hundred allocations the collector runs, and its full
    passes walk all of them again: about two thirds of the request's time, for no garbage
    (these objects hold no reference cycles; reference counting frees them). Any cycle created
    meanwhile is collected by the first collection after the block. Nests safely. The switch
    is process-wide: with threaded workers, a request running beside the block goes without
    cyclic collection meanwhile (reference counting still frees its objects), and the first
    block to end switches it back on."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
