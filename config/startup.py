"""What a web server process does once, before its first request."""

import gc

from django.urls import get_resolver


def settle():
    """Load every view (the URLconf is otherwise imported by the first request), then move everything
    loaded so far out of the garbage collector's sight. Python's full collections walk every object a
    process holds, a few hundred thousand of them Django's and Uplift's own code and settings that never
    become garbage: one such collection in the middle of a request cost it about 100 ms. Frozen, they are
    never walked; what requests allocate is collected as before."""
    get_resolver().url_patterns  # noqa: B018 - imports every urls module and the views they name
    gc.collect()
    gc.freeze()
