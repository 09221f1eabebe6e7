"""``gradient_flow(...).plot()`` saved from a script: nothing is cropped at the figure's edge."""

import matplotlib
import numpy as np
import pytest

import nn
from autograd import Tensor, gradient_flow

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def deep_report(depth: int):
    nn.manual_seed(0)
    layers = [m for _ in range(depth) for m in (nn.Linear(8, 8), nn.Sigmoid())]
    model = nn.Sequential(*layers, nn.Linear(8, 1))
    (model(Tensor(np.ones((4, 8)))) ** 2).mean().backward()
    return gradient_flow(model)


@pytest.mark.parametrize("depth", [1, 12])  # short names upright; many names rotated
def test_saved_plot_keeps_labels_ticks_title_and_legend_inside_the_figure(depth, tmp_path):
    ax = deep_report(depth).plot()
    fig = ax.figure
    fig.savefig(tmp_path / "flow.png")  # as a script does: no bbox_inches="tight"
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    texts = [ax.xaxis.label, ax.yaxis.label, ax.title, *ax.get_xticklabels(),
             *ax.get_yticklabels(), ax.get_legend()]
    for artist in texts:
        if not artist.get_visible() or (hasattr(artist, "get_text") and not artist.get_text()):
            continue
        box = artist.get_window_extent(renderer)
        assert (box.x0 >= page.x0 - 0.5 and box.y0 >= page.y0 - 0.5
                and box.x1 <= page.x1 + 0.5 and box.y1 <= page.y1 + 0.5), (artist, box, page)
    plt.close(fig)
