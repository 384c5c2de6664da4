"""``deepkit bench finetune``: both arms train the same steps on the same pictures, and the
printed rates and ratio are the quotients of the counts and seconds measured."""

import pytest
from image_helpers import write_digits

from deepkit.benchmarks import finetune


def test_both_feeds_train_every_picture_and_the_ratio_is_the_quotient_of_the_rates(tmp_path):
    write_digits(tmp_path, digits=(0, 1, 2), per_class=3)  # nine 32x32 grey PNGs
    result = finetune.benchmark(images=str(tmp_path), epochs=2, batch_size=4)
    assert result.pictures == 9 and result.trained == 18
    assert result.steps == {"streamed": 6, "arrays": 6}  # ceil(9 / 4) steps per epoch
    assert result.array_bytes == 9 * 28 * 28 * 4  # read at the convnet's 28x28 grey, float32
    seconds = (result.streamed_seconds, result.load_seconds, result.arrays_seconds)
    assert all(s > 0 for s in seconds)
    assert result.streamed_rate == pytest.approx(18 / result.streamed_seconds)
    assert result.arrays_rate == pytest.approx(18 / (result.load_seconds + result.arrays_seconds))
    assert result.ratio == pytest.approx(result.streamed_rate / result.arrays_rate)
    report = result.report()
    assert f"streamed/arrays = {result.ratio:.2f}x" in report
    assert f"{result.streamed_rate:,.0f}" in report and f"{result.arrays_rate:,.0f}" in report
