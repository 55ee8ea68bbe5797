from minsheng.textmining.normalize import (
    ENTITY_TOKENS,
    Entity,
    clean,
    find_entities,
    normalize,
    normalize_many,
    to_simplified,
)


def test_full_width_letters_digits_and_ideographic_space_fold_to_half_width():
    assert normalize("ＡＢＣ１２３\u3000测试", mask_entities=False) == "ABC123 测试"


def test_spreadsheet_artefacts_and_zero_width_characters_are_removed():
    assert normalize("第一行_x000D_\n第二行\t\t第\u200b三行\ufeff") == "第一行 第二行 第三行"


def test_traditional_is_converted_to_simplified():
    assert normalize("這條馬路的路燈壞了", mask_entities=False) == "这条马路的路灯坏了"


def test_simplified_text_is_returned_unchanged():
    text = "A市A1区的路灯坏了"
    assert to_simplified(text) is text


def test_placeholders_are_kept():
    assert normalize("A市A1区K8县的问题") == "A市A1区K8县的问题"


def test_entities_have_kind_offsets_and_value():
    text = clean("电话13812345678，QQ：12345678，微信：abc_12345，网址 https://x.cn/a?b=1 邮箱 a.b@qq.com")
    assert find_entities(text) == [
        Entity("phone", 2, 13, "13812345678"),
        Entity("qq", 14, 25, "12345678"),
        Entity("wechat", 26, 38, "abc_12345"),
        Entity("url", 42, 60, "https://x.cn/a?b=1"),
        Entity("email", 64, 74, "a.b@qq.com"),
    ]


def test_entities_become_typed_tokens_surrounded_by_spaces():
    text = "加微信abc_12345或QQ:12345678，电话0731-88888888，见www.foo.com，邮件a@b.cn"
    assert normalize(text) == "加 WECHAT 或 QQ ,电话 PHONE ,见 URL ,邮件 EMAIL"


def test_masked_digits_become_a_token_or_stay_when_not_masking():
    assert normalize("手机138****1234，身份证号：*****************") == "手机 MASKED ,身份证号: MASKED"
    assert normalize("手机138****1234", mask_entities=False) == "手机138****1234"


def test_years_and_amounts_are_not_entities():
    assert find_entities("2019年12月交了5000元，共3户") == []


def test_entity_tokens_cover_every_kind():
    assert set(ENTITY_TOKENS) == {"url", "phone", "qq", "wechat", "email", "masked_digits"}


def test_url_does_not_swallow_trailing_punctuation():
    assert find_entities("见 www.foo.com/a.") == [Entity("url", 2, 15, "www.foo.com/a")]


def test_url_ends_at_a_curly_quote_or_an_ellipsis():
    # From an operator's SMS: 微信“116114商旅http://f.wsh.so”。 The quote is not part of the link.
    text = "商旅“116114商旅http://f.wsh.so”。见‘www.a.cn/x’或http://b.cn/y…"
    assert [(e.kind, e.value) for e in find_entities(text)] == [
        ("url", "http://f.wsh.so"),
        ("url", "www.a.cn/x"),
        ("url", "http://b.cn/y"),
    ]


def test_spaced_phone_numbers_are_found():
    assert normalize("电话 138 1234 5678 找我") == "电话 PHONE 找我"


def test_normalize_many_equals_normalize_one_by_one():
    texts = [
        "電話：138****1234，QQ：12345678_x000D_\t\u3000ＡＢＣ①",
        "",
        " ",
        "\x00a",
        "㈠测试 …",
        "\u200b x \u200b",
        "a\u00a0\u00a0b",
        "  前后空格  ",
        "普通的一句话。",
    ]
    for mask in (True, False):
        assert normalize_many(texts, mask_entities=mask) == [normalize(t, mask_entities=mask) for t in texts]
    assert normalize_many(texts) == ["电话: MASKED , QQ ABC1", "", "", "a", "(一)测试 ...", "x", "a b", "前后空格", "普通的一句话。"]


def test_entity_candidates_of_a_batch():
    import numpy as np

    from minsheng.textmining.normalize import _candidate_kinds

    texts = ["电话13812345678", "普通的一句话", "见www.a.cn", "", "http://x", "QQ12345 a@b", "2019年12月1日"]
    codes = np.frombuffer("\x00".join(texts).encode("utf-32-le"), dtype=np.uint32)
    assert _candidate_kinds(codes, None, len(texts)) == [
        frozenset({"phone"}),
        frozenset(),
        frozenset({"url"}),
        frozenset(),
        frozenset({"url"}),
        frozenset({"qq", "email"}),
        frozenset(),
    ]
    assert _candidate_kinds(np.zeros(0, dtype=np.uint32), None, 1) == [frozenset()]
