"""Where the opinion map's dots and outlines go, in the SVG's own units (0-100 each way).

Each declared group has a shape and a colour (Okabe and Ito's palette, told apart with any
colour vision; the shape tells them apart in grey too); each cluster is outlined by the
convex hull of its people, and named at their centre.
"""

from dataclasses import dataclass

import numpy as np
from django import template

register = template.Library()

SIZE = 100
MARGIN = 6
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
SHAPES = ("circle", "square", "triangle", "diamond", "cross", "star")
R = 1.6


@dataclass(frozen=True)
class Marker:
    shape: str
    colour: str


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    marker: Marker
    points: str  # for polygons: the shape's corners around (x, y)


@dataclass(frozen=True)
class Outline:
    name: str
    points: str
    label_x: float
    label_y: float


@register.simple_tag
def map_drawing(found):
    markers = {group.slug: marker(n) for n, group in enumerate(found.groups)}
    dots = [_dot(_at(p.x), _at(1 - p.y), markers[p.group.slug]) for p in found.people]
    outlines = [_outline(c) for c in found.clusters]
    legend = [(group, markers[group.slug]) for group in found.groups]
    return {"size": SIZE, "dots": dots, "outlines": outlines, "legend": legend}


@register.simple_tag
def marker_points(shape, x=5, y=5, r=3.5):
    return _points(shape, x, y, r)


def marker(n):
    return Marker(SHAPES[n % len(SHAPES)], COLOURS[n % len(COLOURS)])


def _at(share):
    return round(MARGIN + share * (SIZE - 2 * MARGIN), 2)


def _dot(x, y, marker):
    return Dot(x, y, marker, _points(marker.shape, x, y, R))


def _points(shape, x, y, r):
    corners = {
        "square": [(-1, -1), (1, -1), (1, 1), (-1, 1)],
        "triangle": [(0, -1.2), (1.1, 0.9), (-1.1, 0.9)],
        "diamond": [(0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0)],
        "cross": [
            (-0.4, -1.2),
            (0.4, -1.2),
            (0.4, -0.4),
            (1.2, -0.4),
            (1.2, 0.4),
            (0.4, 0.4),
            (0.4, 1.2),
            (-0.4, 1.2),
            (-0.4, 0.4),
            (-1.2, 0.4),
            (-1.2, -0.4),
            (-0.4, -0.4),
        ],
        "star": [
            (0, -1.3),
            (0.38, -0.4),
            (1.25, -0.4),
            (0.55, 0.15),
            (0.8, 1.1),
            (0, 0.5),
            (-0.8, 1.1),
            (-0.55, 0.15),
            (-1.25, -0.4),
            (-0.38, -0.4),
        ],
    }.get(shape)
    if corners is None:
        return ""
    return " ".join(f"{x + dx * r:.2f},{y + dy * r:.2f}" for dx, dy in corners)


def _outline(cluster):
    from scipy.spatial import ConvexHull, QhullError

    points = np.array([(_at(p.x), _at(1 - p.y)) for p in cluster.people])
    centre = points.mean(axis=0)
    try:
        corners = points[ConvexHull(points).vertices]
    except (QhullError, ValueError):  # fewer than three people, or all on one line
        corners = points
    # A little outside the dots, so the outline does not cut through them.
    spread = corners - centre
    lengths = np.linalg.norm(spread, axis=1, keepdims=True)
    lengths[lengths == 0] = 1
    corners = corners + spread / lengths * (R + 1.5)
    return Outline(
        cluster.name,
        " ".join(f"{x:.2f},{y:.2f}" for x, y in corners),
        round(float(centre[0]), 2),
        round(float(centre[1]), 2),
    )
