"""QR codes of short links (segno): a phone's camera opens the scenario a briefing, a slide or
the Compare page shows."""
from __future__ import annotations

import io


def png(url: str, scale: int = 8) -> bytes:
    """A PNG of ``url`` as a QR code (error correction M, the standard quiet zone of 4 modules);
    ``scale``: pixels per module."""
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()
