"""QR codes as inline SVG, for the printed workshop material (no images, nothing loaded).

qrcode's SVG path factory draws one sub-path per dark module (about 8 KB per code, 20 ms) and
names its path id="qr-path", which would repeat on every card of a page. RunPathImage keeps the
factory but draws each horizontal run of dark modules as one rectangle: about 4 KB and well
under a millisecond, which matters for 2,000 cards on one page.
"""
from functools import lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:
    import qrcode

BORDER = 4  # the quiet zone the standard asks for, in modules
# A fixed mask skips qrcode's trial of all eight masks (6 ms of the 8 ms per code). Every mask
# is valid and every reader decodes it; the trial only makes scanning a little more robust.
MASK = 2


def make_qr(data: str) -> "qrcode.QRCode":
    """The QR code for some text, with the settings every printed code uses."""
    import qrcode  # with the SVG factory and lxml about 5 MB per worker: loaded when first needed

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=BORDER, mask_pattern=MASK)
    code.add_data(data)
    code.make(fit=True)
    return code


@lru_cache(maxsize=4096)
def _drawn(data: str) -> tuple[int, str]:
    """(size in modules with the quiet zone, SVG path data); cached because a kit is printed often."""
    from ideas.qr_image import RunPathImage

    image = make_qr(data).make_image(image_factory=RunPathImage)
    return image.width + 2 * BORDER, image.path_data


def svg(data: str, label: str, css_class: str = "qr-code") -> Markup:
    """An inline SVG image of the QR code for data, named by label for screen readers."""
    size, path = _drawn(data)
    return Markup(  # noqa: S704 - numbers, our own path data and escape()d strings only  # nosec B704
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" viewBox="0 0 {size} {size}" '
        f'role="img" aria-label="{escape(label)}" focusable="false" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )
