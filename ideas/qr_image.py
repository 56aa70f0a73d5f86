"""The SVG image factory of ideas.qr, apart so that qrcode and lxml load with the first code drawn."""
from qrcode.image.svg import SvgPathImage


class RunPathImage(SvgPathImage):
    """SvgPathImage that merges each row's neighbouring dark modules into one rectangle."""

    needs_drawrect = False
    needs_context = False

    def process(self):
        runs = []
        for y, row in enumerate(self.modules):
            x, width = 0, len(row)
            while x < width:
                if not row[x]:
                    x += 1
                    continue
                start = x
                while x < width and row[x]:
                    x += 1
                runs.append(f"M{start + self.border} {y + self.border}h{x - start}v1h-{x - start}z")
        self.path_data = "".join(runs)
