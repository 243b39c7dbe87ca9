import argparse

import pytest
from cost import dollars_per_audio_hour, positive_price


def test_dollars_per_audio_hour_is_the_price_over_the_speed() -> None:
    # $0.7364 per instance-hour at 40x realtime: 40 audio hours per instance-hour, $0.01841 each.
    assert dollars_per_audio_hour(0.7364, 40) == pytest.approx(0.01841)
    assert dollars_per_audio_hour(1.44, 1) == 1.44


@pytest.mark.parametrize(("price", "speed"), [(0, 10), (1, 0), (-1, 10)])
def test_refuses_prices_or_speeds_that_are_not_positive(price: float, speed: float) -> None:
    with pytest.raises(ValueError):
        dollars_per_audio_hour(price, speed)


def test_price_option_accepts_dollars_above_zero_only() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--price-per-hour", type=positive_price)
    assert parser.parse_args(["--price-per-hour", "0.7364"]).price_per_hour == 0.7364
    for bad in ("0", "-1", "abc", "nan"):
        with pytest.raises(SystemExit):
            parser.parse_args(["--price-per-hour", bad])
