import numpy as np

from minsheng.textmining.features import HashedTfidf, HashingConfig


def _fitted() -> HashedTfidf:
    texts = ["路灯坏了", "公交线路", "路灯又坏了"]
    tokens = ["路灯\x01坏", "公交\x01线路", "路灯\x01又\x01坏"]
    return HashedTfidf(HashingConfig(bits=16)).fit(texts, tokens)


def test_each_block_has_unit_length_so_rows_have_norm_sqrt_two():
    x = _fitted().transform(["路灯坏了"], ["路灯\x01坏"])
    assert np.isclose(np.sqrt((x.toarray() ** 2).sum()), np.sqrt(2.0))


def test_char_ngram_count_of_a_four_character_text():
    config = HashingConfig(bits=16, word_ngrams=())
    x = HashedTfidf(config).fit(["路灯坏了"], [""]).transform(["路灯坏了"], [""])
    assert x.nnz == 4 + 3 + 2


def test_features_are_deterministic_and_independent_of_batch():
    vectorizer = _fitted()
    alone = vectorizer.transform(["公交线路"], ["公交\x01线路"])
    batch = vectorizer.transform(["路灯坏了", "公交线路"], ["路灯\x01坏", "公交\x01线路"])
    assert (alone != batch[1]).nnz == 0


def test_empty_text_gives_an_empty_row():
    x = _fitted().transform([""], [""])
    assert x.shape == (1, HashingConfig(bits=16).n_features)
    assert x.nnz == 0


def test_punctuation_tokens_are_dropped_and_bigrams_skip_them():
    vectorizer = _fitted()
    with_punctuation = vectorizer.transform(["x"], ["路灯\x01，\x01坏\x01 "])
    without = vectorizer.transform(["x"], ["路灯\x01坏"])
    assert (with_punctuation != without).nnz == 0


def test_decision_equals_transform_times_weights():
    vectorizer = _fitted()
    coef = np.random.default_rng(0).normal(size=(3, vectorizer.config.n_features)).astype(np.float32)
    texts, tokens = ["路灯坏了", "", "公交线路路灯"], ["路灯\x01坏", "", "公交\x01线路\x01路灯"]
    expected = vectorizer.transform(texts, tokens) @ coef.T
    assert np.allclose(vectorizer.decision(texts, tokens, vectorizer.pack(coef)), expected, atol=1e-5)


def test_char_columns_are_by_position_with_boundary_crossings_at_null():
    from minsheng.textmining.features import _char_columns

    columns, starts = _char_columns(["ab", "c"], (1, 2, 3), 16, null=99)
    assert starts.tolist() == [0, 3, 5]
    # positions a, b, NUL, c, NUL; sizes 1, 2, 3
    nulls = (columns == 99).tolist()
    assert nulls == [
        [False, False, True],
        [False, True, True],
        [True, True, True],
        [False, True, True],
        [True, True, True],
    ]
    assert ((columns >= 0) & (columns < 1 << 16)).all()


def test_same_ngram_gets_the_same_column_in_any_text():
    from minsheng.textmining.features import _char_columns

    columns, _ = _char_columns(["路灯坏", "xx路灯坏"], (1, 2, 3), 20)
    assert columns[0].tolist() == columns[6].tolist()  # "路", "路灯", "路灯坏" at 0 and 6
    assert len(set(columns[:2, :2].ravel().tolist())) == 4


def test_character_only_configuration_needs_no_words():
    config = HashingConfig(bits=12, word_ngrams=())
    assert config.n_features == 1 << 12
    vectorizer = HashedTfidf(config).fit(["路灯坏了", "公交线路"])
    x = vectorizer.transform(["路灯坏了", "线路"])
    assert x.shape == (2, 1 << 12)
    x.sum_duplicates()
    assert x.nnz == (4 + 3 + 2) + (2 + 1)
    coef = np.random.default_rng(1).normal(size=(2, config.n_features)).astype(np.float32)
    texts = ["路灯坏了", "", "线路路灯"]
    expected = vectorizer.transform(texts) @ coef.T
    assert np.allclose(vectorizer.decision(texts, None, vectorizer.pack(coef)), expected, atol=1e-5)


def test_words_are_required_when_configured():
    import pytest

    vectorizer = _fitted()
    with pytest.raises(ValueError, match="token_texts are needed"):
        vectorizer.transform(["路灯坏了"])


def test_nul_inside_a_text_counts_as_a_space():
    vectorizer = HashedTfidf(HashingConfig(bits=12, word_ngrams=())).fit(["a b", "ab"])
    assert (vectorizer.transform(["a\x00b"]) != vectorizer.transform(["a b"])).nnz == 0


def test_head_block_repeats_the_first_characters_with_its_weight():
    config = HashingConfig(bits=12, word_ngrams=(), head_chars=2, head_weight=0.5)
    assert config.n_features == 2 << 12
    assert [name for name, _, _ in config.blocks()] == ["chars", "head"]
    vectorizer = HashedTfidf(config).fit(["路灯坏了", "公交线路"])
    x = vectorizer.transform(["路灯坏了"])
    x.sum_duplicates()
    head = x[:, 1 << 12 :]
    assert head.nnz == 2 + 1  # 路, 灯, 路灯
    assert np.isclose(np.sqrt((head.toarray() ** 2).sum()), 0.5)
    assert np.isclose(np.sqrt((x[:, : 1 << 12].toarray() ** 2).sum()), 1.0)
    coef = np.random.default_rng(2).normal(size=(3, config.n_features)).astype(np.float32)
    texts = ["路灯坏了", "", "线", "公交线路路灯"]
    expected = vectorizer.transform(texts) @ coef.T
    assert np.allclose(vectorizer.decision(texts, None, vectorizer.pack(coef)), expected, atol=1e-5)


def test_lexicon_words_are_found_in_the_first_characters_only():
    from minsheng.textmining.features import _lexicon_columns, lexicon_keys

    keys = lexicon_keys(["路灯", "坏了", "公交线路", "x"], (2, 3, 4))
    assert len(keys) == 3  # "x" has no configured length
    columns, starts = _lexicon_columns(["路灯坏了", "公交线路灯", "路", "灯"], (2, 3, 4), 16, keys, null=-1)
    found = {(int(d), int(p - starts[d]), (2, 3, 4)[s]) for d in range(4)
             for p in range(starts[d], starts[d + 1]) for s in range(3) if columns[p, s] != -1}
    # 路灯 and 坏了 in the first text, 公交线路 and 路灯 in the second; never across two texts
    assert found == {(0, 0, 2), (0, 2, 2), (1, 0, 4), (1, 3, 2)}
    assert columns[starts[0], 0] == columns[starts[1] + 3, 0]  # the same word, the same column


def test_lexicon_block_decision_equals_transform_times_weights():
    from minsheng.textmining.features import lexicon_keys

    config = HashingConfig(bits=12, word_ngrams=(), head_chars=4, lexicon_sizes=(2, 3), lexicon_weight=0.5)
    assert [name for name, _, _ in config.blocks()] == ["chars", "head", "lexicon"]
    vectorizer = HashedTfidf(config, lexicon=lexicon_keys(["路灯", "公交", "线路灯"], (2, 3)))
    vectorizer.fit(["路灯坏了", "公交线路灯"])
    x = vectorizer.transform(["公交线路灯坏了"])
    x.sum_duplicates()
    lexicon = x[:, 2 << 12 :]
    assert lexicon.nnz == 1  # only 公交 lies in the first 4 characters (线路灯 ends at the 5th)
    assert np.isclose(np.sqrt((lexicon.toarray() ** 2).sum()), 0.5)
    coef = np.random.default_rng(3).normal(size=(3, config.n_features)).astype(np.float32)
    texts = ["路灯坏了", "", "线路灯", "公交线路路灯"]
    expected = vectorizer.transform(texts) @ coef.T
    assert np.allclose(vectorizer.decision(texts, None, vectorizer.pack(coef)), expected, atol=1e-5)
    empty = HashedTfidf(config).fit(["路灯坏了"])  # without a lexicon the block stays empty
    assert empty.transform(["路灯坏了"])[:, 2 << 12 :].nnz == 0
