from minsheng.textmining.segment import TOKEN_SEPARATOR, Segmenter, default_stop_words, tokens


def test_user_words_stay_whole():
    segmenter = Segmenter(["望月湖街道", "杨村甸乡"])
    assert segmenter.tokens("我住在杨村甸乡，芙蓉区望月湖街道") == ["住", "杨村甸乡", "芙蓉区", "望月湖街道"]


def test_placeholders_are_one_token():
    assert Segmenter().tokens("A1区和K8县") == ["A1区", "K8县"]


def test_stop_words_and_punctuation_are_dropped():
    assert tokens("我们的小区，没有路灯！") == ["小区", "路灯"]


def test_empty_stop_word_list_keeps_function_words():
    assert Segmenter(stop_words=()).tokens("我们的小区") == ["我们", "的", "小区"]


def test_runs_of_single_characters_become_bigrams():
    segmenter = Segmenter(stop_words=())
    assert segmenter.tokens("杨村甸") == ["杨村甸"] or segmenter.tokens("杨村甸") == ["杨村", "村甸"]
    assert segmenter.tokens("淼鑫") == ["淼鑫"]


def test_shipped_stop_words_are_loaded():
    words = default_stop_words()
    assert "的" in words
    assert "小区" not in words


def test_joined_is_raw_tokens_with_the_separator():
    segmenter = Segmenter()
    for text in ["A1区和K8县,AB区", "我住在A市X1区", "B2区A3县的路灯", "没有占位符"]:
        assert segmenter.joined(text).split(TOKEN_SEPARATOR) == segmenter.raw(text)
