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
