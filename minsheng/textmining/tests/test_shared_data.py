"""Checks on the real message data (skipped when ``MINSHENG_SHARED_DATA`` is absent)."""

from minsheng.textmining.classify import TextClassifier, evaluate
from minsheng.textmining.io import read_csv
from minsheng.textmining.normalize import clean, normalize_many, to_simplified


def test_labelled_messages_train_and_evaluate_on_a_split(shared_data):
    table = read_csv(shared_data / "messages" / "labelled_dev.csv", required=["text", "label"])
    texts, labels = table.column("text"), table.column("label")
    assert len(texts) == 2597
    train = [i for i in range(len(texts)) if i % 5]
    test = [i for i in range(len(texts)) if not i % 5]
    model = TextClassifier.train([texts[i] for i in train], [labels[i] for i in train], calibrate=False)
    report = evaluate(model, [texts[i] for i in test], [labels[i] for i in test])
    assert report.n == 520
    assert report.macro_f1 >= 0.80


def test_every_message_normalises_without_error(shared_data):
    table = read_csv(shared_data / "messages" / "labelled_dev.csv", required=["text"])
    texts = table.column("text")
    normalised = normalize_many(texts, mask_entities=False)
    assert normalised == [to_simplified(clean(text)) for text in texts]
    assert all("_x000D_" not in text and "\u3000" not in text for text in normalised)
