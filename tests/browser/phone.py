"""How wide a page is on a phone, measured once it has settled.

Measured after the page has settled: a check right after a click that navigates would otherwise
read a document that is being replaced (``documentElement`` is null for a moment), which failed a
CI run once. ``wait_for_function`` re-runs in the new document after a navigation, so it waits out
the swap instead of racing it.
"""

from __future__ import annotations

_SETTLED = "() => document.readyState === 'complete' && document.documentElement !== null"
_WIDTH = "() => document.documentElement.scrollWidth"


def settled_scroll_width(page) -> int:
    """The page's scroll width once its document is loaded (retried across one navigation)."""
    last_error = None
    for _attempt in range(3):
        page.wait_for_function(_SETTLED)
        try:
            return page.evaluate(_WIDTH)
        except Exception as error:  # a navigation replaced the document between the two calls
            last_error = error
    raise last_error
