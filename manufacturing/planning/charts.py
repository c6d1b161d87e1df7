"""A small server-rendered SVG of an item's projected stock against its safety stock (no
script, no inline style: presentation attributes and the admin's static CSS only)."""

from decimal import Decimal

from django.utils.html import format_html, format_html_join

WIDTH, HEIGHT, PAD = 640, 200, 30


def projection_svg(rows: list, safety_stock: Decimal) -> str:
    if not rows:
        return ""
    values = [Decimal(r[3]) for r in rows]
    top = max([*values, safety_stock, Decimal(1)])
    bottom = min([*values, Decimal(0)])
    span = top - bottom or Decimal(1)
    step = (WIDTH - 2 * PAD) / max(len(rows) - 1, 1)

    def y(value: Decimal) -> float:
        return round(HEIGHT - PAD - float((value - bottom) / span) * (HEIGHT - 2 * PAD), 1)

    points = " ".join(f"{round(PAD + i * step, 1)},{y(v)}" for i, v in enumerate(values))
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
        ((round(PAD + i * step, 1), HEIGHT - 8, r[0][5:]) for i, r in enumerate(rows)),
    )
    return format_html(
        '<svg class="mrp-chart" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}" role="img" aria-label="Projected stock against safety stock">'
        '<line x1="{p}" y1="{sy}" x2="{x2}" y2="{sy}" stroke="#ba2121" stroke-dasharray="4 3"/>'
        '<text x="{x2}" y="{sy_label}" font-size="10" text-anchor="end" fill="#ba2121">'
        "safety stock {safety}</text>"
        '<line x1="{p}" y1="{zero}" x2="{x2}" y2="{zero}" stroke="#999"/>'
        '<polyline points="{points}" fill="none" stroke="#417690" stroke-width="2"/>{labels}'
        "</svg>",
        w=WIDTH,
        h=HEIGHT,
        p=PAD,
        x2=WIDTH - PAD,
        sy=y(safety_stock),
        sy_label=y(safety_stock) - 4,
        safety=f"{safety_stock.normalize():f}",
        zero=y(Decimal(0)),
        points=points,
        labels=labels,
    )
