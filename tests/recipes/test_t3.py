"""Tutorial T3's forward-propagation nets and graph, on the NumPy reference and Keras; the CLI runs t3
and refuses bad t1 options."""

import math
from pathlib import Path

import numpy as np
import pytest

from deepkit.cli import main as cli
from deepkit.recipes import t3

MNIST_SUBSET = Path(__file__).resolve().parents[1] / "data" / "mnist_subset.npz"


def test_t3_toy_networks_and_graph_match_the_tutorial_and_keras():
    result = t3.run()
    computed = [(reference, keras_value) for _, _, reference, keras_value in result.rows]
    # written out here, independently of the constants t3.run compares against
    relu = -3.0  # hidden relu([-1*3 + 2*3, -1*1 + 2*5]) = [3, 9]; output 2*3 - 9
    tanh = 2 * math.tanh(3) - math.tanh(9)
    deep = 364.0  # hidden [26, 0] -> [0, 52] -> 2*0 + 7*52
    graph = [-12.0, -3.0, -3.0, 4.0]  # g = (1 + 3)(-3), dg/dx = dg/dy = z, dg/dz = x + y
    for reference, keras_value in computed:
        assert keras_value == pytest.approx(reference, rel=1e-6)
    assert [reference for reference, _ in computed] == pytest.approx(
        [relu, tanh, deep] + graph, abs=1e-12
    )
    assert [keras_value for _, keras_value in computed] == pytest.approx(
        [relu, tanh, deep] + graph, abs=1e-6
    )
    assert computed[1][0] == pytest.approx(0.99010, abs=1e-5)
    assert result.max_error < 1e-6
    assert "364" in result.report()


def test_t3_kernel_puts_each_nodes_weights_in_a_column():
    np.testing.assert_array_equal(t3.kernel([[3, 3], [1, 5]]), [[3, 1], [3, 5]])


def test_cli_runs_t3_and_rejects_bad_t1_options(capsys):
    assert cli(["run", "t3"]) == 0
    assert "dg/dz" in capsys.readouterr().out
    assert cli(["run", "t1", "--epochs", "0", "--path", str(MNIST_SUBSET)]) == 2
    assert "epochs must be an int >= 1" in capsys.readouterr().err
