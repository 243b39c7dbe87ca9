from chunk_alternatives import chunk_errors


def test_each_reference_word_is_counted_in_the_chunk_it_is_aligned_with() -> None:
    reference = "one two three four five six"
    # Chunk 0 heard "two" wrong; chunk 1 lost "five" and added "seven".
    assert chunk_errors(reference, ["one too three", "four six seven"]) == [(1, 3), (2, 3)]


def test_a_chunk_heard_right_has_no_errors() -> None:
    assert chunk_errors("a b. c d.", ["A b.", "c, d"]) == [(0, 2), (0, 2)]
