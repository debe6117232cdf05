"""kaleido draws many charts on one page: the page is reloaded every :data:`TAB_RELOAD_EVERY` images instead of
after each, and asked to collect its garbage every :data:`GC_EVERY`.

Kept apart from :mod:`analysis.present.display` so that the run's image server (:mod:`analysis.publish.imageserver`) loads
neither pandas nor plotly's figure classes (≈ 80 MB for a process that only passes figures to Chromium).
"""

from __future__ import annotations

import contextlib

#: renders on one kaleido tab before it is reloaded (kaleido itself reloads after every image)
TAB_RELOAD_EVERY = 50
#: … and asked to collect its garbage every so many images
GC_EVERY = 20


def reuse_kaleido_tabs(every: int = TAB_RELOAD_EVERY) -> bool:
    """Let kaleido draw many images on one page before reloading it.

    kaleido 1.x reloads its page after every image, which makes Chromium parse plotly.js again: about 0.15 s
    of a 0.2 s image. Drawing does not depend on the page's history (``tests/present/test_display.py`` checks that an
    image drawn on a used page equals one drawn on a fresh page), so the page is reloaded every ``every``
    images only, to bound Chromium's memory. Works on kaleido's internal method; when a kaleido release
    changes it, images are drawn the stock way (slower, same result). Returns whether it is in effect."""
    try:
        from kaleido import kaleido as _k

        stock = _k.Kaleido._return_kaleido_tab
    except (ImportError, AttributeError):
        return False
    if getattr(stock, "reload_every", None) == every:
        return True
    stock = getattr(stock, "stock", stock)
    import inspect

    if not inspect.iscoroutinefunction(stock):
        return False

    async def _return_tab(self, tab):
        used = getattr(tab, "_analysis_images", 0) + 1
        queue = getattr(self, "tabs_ready", None)
        if used >= every or queue is None:
            tab._analysis_images = 0
            return await stock(self, tab)
        tab._analysis_images = used
        if used % GC_EVERY == 0:  # the page's garbage, collected now rather than when V8 feels like it
            with contextlib.suppress(Exception):
                await tab.tab.send_command("HeapProfiler.collectGarbage")
        await queue.put(tab)

    _return_tab.reload_every = every
    _return_tab.stock = stock
    _k.Kaleido._return_kaleido_tab = _return_tab
    return True
