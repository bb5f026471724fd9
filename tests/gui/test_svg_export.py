"""SVG exports read the same in any SVG renderer: text in the pixel sizes it was laid out
in, each edge one path."""

import re

import pytest

import gradviz as torch
from gradviz.gui.label_layer import SUBTITLE_PT, TITLE_PT
from gradviz.gui.render import render_model
from gradviz.model import GraphModel


@pytest.fixture
def svg(tmp_path, qapp):
    model = GraphModel()
    with model.recording():
        w = torch.ones(3, requires_grad=True)
        b = torch.ones(3, requires_grad=True)
        loss = ((w * 2) + b).sum()
        model.set_names({"w": w, "b": b, "loss": loss})
        loss.backward()
    path = render_model(model, tmp_path / "graph.svg")
    return model, path.read_text(encoding="utf-8")


def test_font_sizes_are_the_pixels_the_labels_were_laid_out_in(svg):
    _, text = svg
    sizes = {float(s) for s in re.findall(r'font-size="([\d.]+)"', text)}
    assert TITLE_PT * 96 / 72 in sizes and SUBTITLE_PT * 96 / 72 in sizes, sorted(sizes)
    assert TITLE_PT not in sizes, "a point size written as pixels draws text 25% too small"


def test_each_edge_is_one_path(svg):
    model, text = svg
    assert "<polyline" not in text, "no edge is cut into segments"
    point = r"-?[\d.]+,-?[\d.]+"
    lines = re.findall(rf'd="M{point} L{point} "', text)
    curves = re.findall(rf'd="M{point} C{point} {point} {point} "', text)
    edges = ["L"] * len(lines) + ["C"] * len(curves)
    assert len(edges) == model.graph.number_of_edges()
    assert "L" in edges and "C" in edges, "straight edges are lines, others one curve"
