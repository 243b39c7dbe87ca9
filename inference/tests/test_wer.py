from wer import normalize, word_error_rate


def test_normalize_ignores_case_and_punctuation() -> None:
    assert normalize("Hello, World! It's  fine.") == ["hello", "world", "it's", "fine"]


def test_counts_substitutions_insertions_and_deletions() -> None:
    assert word_error_rate("a b c d", "a b c d") == 0.0
    assert word_error_rate("a b c d", "a x c d") == 0.25
    assert word_error_rate("a b c d", "a b c d e") == 0.25
    assert word_error_rate("a b c d", "a c d") == 0.25
    assert word_error_rate("a b", "") == 1.0


def test_empty_reference() -> None:
    assert word_error_rate("", "") == 0.0
    assert word_error_rate("", "thank you") == 1.0
