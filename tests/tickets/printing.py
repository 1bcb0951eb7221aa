"""Print a page as the browser prints it and read back every QR code on it.

``print_pdf`` is chromium's own print (``page.pdf`` honours the page's ``@page`` size and margins, and
``media=print``); ``rasterise`` turns each PDF page into an image at a printer's resolution (pypdfium2,
no system library); ``decode`` reads the QR codes in an image with zxing-cpp, the decoder phones' scanner
apps are built on. What is decoded is what the printer would put on paper, at its size: a code cut off
by its box, too small or blurred does not decode.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image


def print_pdf(page) -> bytes:
    """The page printed by chromium at its CSS page size (``@page``), backgrounds included."""
    page.emulate_media(media="print")
    return page.pdf(prefer_css_page_size=True, print_background=True)


def rasterise(pdf: bytes, dpi: int, folder: Path | None = None, name: str = "page") -> list[Image.Image]:
    """Each page of ``pdf`` as a greyscale image at ``dpi`` dots per inch (saved under ``folder``)."""
    doc = pdfium.PdfDocument(pdf)
    images = []
    for i in range(len(doc)):
        image = doc[i].render(scale=dpi / 72).to_pil().convert("L")
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            image.save(folder / f"{name}-{dpi}dpi-{i + 1:02d}.png")
        images.append(image)
    doc.close()
    return images


def page_size_mm(pdf: bytes) -> list[tuple[float, float]]:
    """Each PDF page's width and height in millimetres."""
    doc = pdfium.PdfDocument(pdf)
    sizes = [(round(p.get_width() / 72 * 25.4, 1), round(p.get_height() / 72 * 25.4, 1)) for p in doc]
    doc.close()
    return sizes


def decode(image: Image.Image) -> list[str]:
    """The text of every QR code zxing-cpp finds in ``image``."""
    return [b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
