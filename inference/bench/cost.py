"""What a measured speed costs: dollars per audio hour at an instance price, for the benchmark's lines."""

from __future__ import annotations


def dollars_per_audio_hour(price_per_hour: float, x_realtime: float) -> float:
    """Instance price / speed: one instance busy for an hour transcribes `x_realtime` hours of audio.

    This is the floor a fully used instance reaches; idle time and cold starts on a deployed endpoint add to
    it (`npm run cost` measures the real figure).
    """
    if price_per_hour <= 0 or x_realtime <= 0:
        raise ValueError("price_per_hour and x_realtime must be above 0")
    return price_per_hour / x_realtime


def positive_price(raw: str) -> float:
    """argparse type for --price-per-hour: a number of dollars above 0."""
    value = float(raw)
    if not value > 0:
        raise ValueError(raw)
    return value
