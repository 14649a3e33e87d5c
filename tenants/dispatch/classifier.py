"""Suggesting a request's category from its text; the dispatcher always confirms.

* **Cold start**: keyword rules (``RULES``: stems of Russian words per category; the category
  with most hits wins, ``other`` when none hits).
* Once the association's desk has confirmed ``MIN_SAMPLES`` requests of at least two
  categories, a **linear classifier** (scikit-learn's ``LinearSVC``) is trained on them: each
  text is decrypted in memory only, turned into features (the first four and five letters of
  each word, a crude Russian stem, and the keyword rules' hits, so the rules become evidence
  the model weighs for this association) that ``HashingVectorizer`` hashes into numbered
  buckets (feature hashing: the model holds no vocabulary and no word of anyone's text), and
  forgotten. The weights (sparse: only
  buckets some text touched) and intercepts are stored per association in ``ClassifierModel``
  as a NumPy ``.npz`` (no pickle: loading it runs no code), sealed under the association's key.
* The periodic job ``dispatch-train`` retrains when confirmations were added since.

The shipped sample (``sample_ru.py``) measures it: ``tests/tenants/dispatch/test_classifier.py``
reports the accuracy of both on a held-out part.
"""

from __future__ import annotations

import base64
import io
import re
import threading
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from tenants.dispatch.models import Category, ClassifierModel, Request

#: Confirmed requests needed before a model replaces the rules.
MIN_SAMPLES = 20
#: Hashed feature buckets (the model's width).
N_FEATURES = 2**18
MAX_TEXT = 2000

#: Stems (lower case, ё as е) whose presence points to a category.
RULES: dict[str, tuple[str, ...]] = {
    Category.PLUMBING: (
        "вод",
        "кран",
        "труб",
        "канализ",
        "унитаз",
        "смесител",
        "раковин",
        "засор",
        "слив",
        "стояк",
        "сантех",
        "течет",
        "теч",
        "напор",
        "ванн",
        "душ",
        "бойлер",
        "водосчет",
    ),
    Category.HEATING: (
        "отоплен",
        "батаре",
        "радиатор",
        "холодно",
        "тепл",
        "котел",
        "котельн",
        "стояк отоп",
        "не греет",
        "температур",
    ),
    Category.ELECTRICITY: (
        "свет",
        "электр",
        "лампочк",
        "ламп",
        "розетк",
        "выключател",
        "щиток",
        "щит",
        "провод",
        "автомат",
        "искр",
        "напряжен",
        "освещен",
        "замыкан",
    ),
    Category.ELEVATOR: ("лифт", "кабин", "застрял", "подъемник"),
    Category.ROOF: ("крыш", "кровл", "протеч", "потолок", "затопил", "залив", "чердак", "сосульк"),
    Category.DOORS: (
        "двер",
        "домофон",
        "замок",
        "замк",
        "ключ",
        "доводчик",
        "калитк",
        "ворот",
        "шлагбаум",
    ),
    Category.CLEANING: (
        "мусор",
        "уборк",
        "гряз",
        "убира",
        "контейнер",
        "мусоропровод",
        "запах",
        "крыс",
        "тарака",
        "дезинсекц",
        "мыть",
        "помыт",
    ),
    Category.TERRITORY: (
        "двор",
        "снег",
        "лед",
        "гололед",
        "детск",
        "площадк",
        "газон",
        "дерев",
        "парков",
        "асфальт",
        "ям",
        "скамейк",
        "территор",
        "клумб",
    ),
    Category.BUILDING: (
        "окн",
        "стекл",
        "стен",
        "штукатур",
        "подъезд",
        "лестниц",
        "перил",
        "трещин",
        "плитк",
        "почтов",
        "фасад",
        "подвал",
        "ремонт подъезд",
        "покрас",
    ),
    Category.NOISE: (
        "шум",
        "сосед",
        "музык",
        "громк",
        "ночью",
        "курят",
        "курени",
        "собак",
        "лают",
        "ремонт по",
        "перфоратор",
        "драк",
        "парковк",
    ),
}

_WORD = re.compile(r"[а-яa-z0-9]+")


@dataclass(frozen=True)
class Suggestion:
    category: str
    #: "rules" or "model".
    source: str
    #: The model's probability of the category (rules: hits / words, rough).
    confidence: float


def normalise(text: str) -> str:
    return (text or "").lower().replace("ё", "е")[:MAX_TEXT]


def by_rules(text: str) -> Suggestion:
    """The category whose stems the text hits most (ties: the earlier category)."""
    text = normalise(text)
    words = _WORD.findall(text)
    best, best_hits = Category.OTHER.value, 0
    for category, stems in RULES.items():
        hits = 0
        for stem in stems:
            if " " in stem:
                hits += text.count(stem)
            else:
                hits += sum(1 for word in words if word.startswith(stem))
        if hits > best_hits:
            best, best_hits = str(category), hits
    confidence = min(1.0, best_hits / 3) if best_hits else 0.0
    return Suggestion(best, "rules", confidence)


# -- the model ----------------------------------------------------------------------------------


def features(text: str) -> list[str]:
    """What the model sees of a text: word stems (first four and five letters of words of three
    letters or more) and the keyword rules' hits. Hashed at once, never stored."""
    text = normalise(text)
    words = _WORD.findall(text)
    found = []
    for word in words:
        if len(word) >= 3:
            found += (f"w:{word[:5]}", f"w:{word[:4]}")
    for category, stems in RULES.items():
        for stem in stems:
            if (" " in stem and stem in text) or any(word.startswith(stem) for word in words):
                found.append(f"r:{category}")
    return found


def vectorizer():
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer=features, n_features=N_FEATURES, alternate_sign=False, norm="l2"
    )


@dataclass(frozen=True)
class Weights:
    """A trained linear model: ``scores = X · coef.T + intercept`` (one row per class; a
    two-class model has one row, for ``classes[1]``). The confidence is a softmax of the
    margins: a rough measure, shown to the dispatcher, never acted upon."""

    classes: tuple[str, ...]
    coef: object  # scipy.sparse.csr_matrix
    intercept: object  # numpy.ndarray

    def scores(self, texts: list[str]):
        import numpy as np

        matrix = vectorizer().transform(texts)
        raw = np.asarray((matrix @ self.coef.T).todense()) + self.intercept
        if len(self.classes) == 2:
            raw = np.hstack([-raw, raw])
        return raw

    def predict(self, texts: list[str]) -> list[tuple[str, float]]:
        import numpy as np

        raw = self.scores(texts)
        raw = raw - raw.max(axis=1, keepdims=True)
        probabilities = np.exp(raw)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        best = probabilities.argmax(axis=1)
        return [
            (self.classes[index], float(probabilities[row, index]))
            for row, index in enumerate(best)
        ]

    def dumps(self) -> str:
        import numpy as np

        buffer = io.BytesIO()
        coef = self.coef.tocsr().astype(np.float32)
        np.savez_compressed(
            buffer,
            data=coef.data,
            indices=coef.indices.astype(np.int32),
            indptr=coef.indptr.astype(np.int32),
            shape=np.array(coef.shape, dtype=np.int64),
            intercept=np.asarray(self.intercept, dtype=np.float64),
        )
        return base64.b64encode(buffer.getvalue()).decode("ascii")

    @classmethod
    def loads(cls, classes, text: str) -> Weights:
        import numpy as np
        from scipy import sparse

        with np.load(io.BytesIO(base64.b64decode(text)), allow_pickle=False) as parts:
            coef = sparse.csr_matrix(
                (parts["data"], parts["indices"], parts["indptr"]),
                shape=tuple(int(n) for n in parts["shape"]),
            )
            intercept = parts["intercept"]
        return cls(tuple(classes), coef, intercept)


def fit(texts: list[str], labels: list[str]) -> Weights:
    """Train on ``texts`` (plaintext, in memory) and their confirmed categories."""
    from scipy import sparse
    from sklearn.svm import LinearSVC

    model = LinearSVC(C=1.0)
    model.fit(vectorizer().transform(texts), labels)
    coef = sparse.csr_matrix(model.coef_)
    coef.eliminate_zeros()
    return Weights(tuple(str(c) for c in model.classes_), coef, model.intercept_)


# -- stored per association ---------------------------------------------------------------------

_cache_lock = threading.Lock()
#: (schema, row id, trained_at) → Weights: the last model loaded in this process per schema.
_cache: dict[str, tuple[tuple, Weights]] = {}


def _stored() -> Weights | None:
    row = ClassifierModel.objects.filter(key="default").only("id", "trained_at", "classes").first()
    if row is None:
        return None
    schema = connection.schema_name
    stamp = (row.pk, row.trained_at)
    with _cache_lock:
        cached = _cache.get(schema)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    weights = Weights.loads(row.classes, row.weights)
    with _cache_lock:
        _cache[schema] = (stamp, weights)
    return weights


def suggest(text: str) -> Suggestion:
    """The category suggested for ``text``: the association's model once trained, else the
    rules."""
    weights = _stored()
    if weights is None:
        return by_rules(text)
    ((category, probability),) = weights.predict([text])
    return Suggestion(category, "model", probability)


def training_set() -> tuple[list[str], list[str]]:
    """The confirmed members' requests: their text decrypted here, in memory, and their
    category."""
    rows = Request.objects.filter(
        category_confirmed_at__isnull=False, is_collective=False, description__isnull=False
    ).only("id", "holding_id", "category", "description")
    texts, labels = [], []
    for row in rows:
        text = row.description
        if text:
            texts.append(text)
            labels.append(row.category)
    return texts, labels


def confirmed_count() -> int:
    return Request.objects.filter(
        category_confirmed_at__isnull=False, is_collective=False, description__isnull=False
    ).count()


def train(*, force: bool = False) -> ClassifierModel | None:
    """Train the association's model on its confirmed history if there is enough of it and
    something changed since (``force``: even then); None when it was not (re)trained."""
    current = ClassifierModel.objects.filter(key="default").only("id", "samples").first()
    count = confirmed_count()
    if count < MIN_SAMPLES or (current is not None and current.samples == count and not force):
        return None
    texts, labels = training_set()
    if len(set(labels)) < 2 or len(texts) < MIN_SAMPLES:
        return None
    weights = fit(texts, labels)
    del texts
    with transaction.atomic():
        row = ClassifierModel.objects.select_for_update().filter(key="default").first()
        row = row or ClassifierModel(key="default")
        row.trained_at = timezone.now()
        row.samples = count
        row.classes = list(weights.classes)
        row.weights = weights.dumps()
        row.save()
    return row
